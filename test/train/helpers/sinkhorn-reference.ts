/**
 * Test helper: the log-domain Sinkhorn iteration of `Sinkhorn_distance.py` in plain float64 JavaScript,
 * written from the formula (not from src), to check the tensor version against.
 */

const logSumExp = (xs: readonly number[]): number => {
  const m = Math.max(...xs);
  return m === -Infinity ? m : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/** The reference's result: plan, potentials, Σ π C and the iterations run. */
export interface ReferenceSinkhorn {
  readonly plan: number[][];
  readonly u: number[];
  readonly v: number[];
  readonly cost: number;
  readonly iterations: number;
}

/** u ← ε(log(μ+1e-8) − lse_j M) + u; v ← ε(log(ν+1e-8) − lse_i M) + v; stop when Σ|Δu| < threshold (0: never). */
export const referenceSinkhorn = (
  cost: readonly (readonly number[])[],
  mu: readonly number[],
  nu: readonly number[],
  epsilon = 0.1,
  maxIterations = 200,
  threshold = 0.1,
): ReferenceSinkhorn => {
  const m = mu.length;
  const n = nu.length;
  const M = (u: number[], v: number[], i: number, j: number) => (-cost[i]![j]! + u[i]! + v[j]!) / epsilon;
  let u = new Array<number>(m).fill(0);
  let v = new Array<number>(n).fill(0);
  let iterations = 0;
  while (iterations < maxIterations) {
    const previous = u;
    u = u.map((ui, i) => epsilon * (Math.log(mu[i]! + 1e-8) - logSumExp(v.map((_, j) => M(previous, v, i, j)))) + ui);
    const uNow = u;
    v = v.map((vj, j) => epsilon * (Math.log(nu[j]! + 1e-8) - logSumExp(uNow.map((_, i) => M(uNow, v, i, j)))) + vj);
    iterations++;
    if (threshold > 0 && u.reduce((s, x, i) => s + Math.abs(x - previous[i]!), 0) < threshold) break;
  }
  const plan = cost.map((row, i) => row.map((_, j) => Math.exp(M(u, v, i, j))));
  return { plan, u, v, cost: plan.reduce((s, row, i) => s + row.reduce((t, p, j) => t + p * cost[i]![j]!, 0), 0), iterations };
};

/** softmax in float64. */
export const softmax64 = (w: readonly number[]): number[] => {
  const m = Math.max(...w);
  const e = w.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
