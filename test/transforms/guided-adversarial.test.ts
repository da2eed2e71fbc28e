import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createRng } from '../../src/core/rng.js';
import type { HostBatch, SampleShape } from '../../src/core/host-batch.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { modelGradientOracle, type GradientOracle, type OracleModel, type OracleQuery } from '../../src/transforms/gradient-oracle.js';
import {
  gaPgd,
  guidedAdversarial,
  guidedAdversarialDefaults,
  guidedAdversarialSpec,
  tailClassMask,
  type GaPgdOptions,
  type GuidedAdversarialConfig,
} from '../../src/transforms/guided-adversarial.js';
import type { TransformSetup } from '../../src/transforms/transform-spec.js';
import { expectUntouched, plain, seeded } from './fixtures.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const NORM = { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.3] };
const SHAPE: SampleShape = { height: 2, width: 2, channels: 3 };
const PER = 12;
const K = 4;
/** Classes 2 and 3 are below the median count (30). */
const COUNTS = [100, 50, 10, 5];
const EPS = 1 / 255;

/** The normalised value of pixel p in channel c. */
const normalised = (p: number, c: number): number => Math.fround((p - NORM.mean[c]!) / NORM.std[c]!);
const boxLo = (c: number): number => (0 - NORM.mean[c]!) / NORM.std[c]!;
const boxHi = (c: number): number => (1 - NORM.mean[c]!) / NORM.std[c]!;

/** A linear model z = W·x + b over flattened images, with its float64 cross-entropy input gradient: Σ_k (softmax_k − [k = y]) W_k. */
const linearModel = (bias: readonly number[] = [0, 0, 0, 0]) => {
  const w = Array.from({ length: K }, (_, k) => Array.from({ length: PER }, (_, j) => Math.sin(1.3 * k + 0.7 * j + 0.2)));
  const logits = (x: ArrayLike<number>, base: number): number[] =>
    w.map((row, k) => row.reduce((s, wkj, j) => s + wkj * x[base + j]!, bias[k]!));
  const gradient = (x: ArrayLike<number>, base: number, y: number): number[] => {
    const z = logits(x, base);
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const total = e.reduce((s, v) => s + v, 0);
    return Array.from({ length: PER }, (_, j) => w.reduce((s, row, k) => s + (e[k]! / total - (k === y ? 1 : 0)) * row[j]!, 0));
  };
  const queries: OracleQuery[] = [];
  const oracle: GradientOracle = (q) => {
    queries.push(q);
    const n = q.y.length;
    const grad = new Float32Array(n * PER);
    const predicted = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      grad.set(gradient(q.x, i * PER, q.y[i]!), i * PER);
      const z = logits(q.x, i * PER);
      predicted[i] = z.indexOf(Math.max(...z));
    }
    return { gradient: grad, predicted };
  };
  return { w, logits, gradient, oracle, queries };
};

/** `n` images with pixels spread over (0, 1), some exactly at 0 or 1 (every 5th float), labels given. */
const imagesOf = (labels: readonly number[], salt = 0): OracleQuery => ({
  x: Float32Array.from({ length: labels.length * PER }, (_, f) => {
    const c = f % 3;
    const p = f % 5 === 0 ? (f % 2) : 0.5 + 0.45 * Math.sin(0.91 * f + salt);
    return normalised(p, c);
  }),
  y: Int32Array.from(labels),
  shape: SHAPE,
});

const batchOf = (labels: readonly number[], salt = 0): HostBatch => {
  const q = imagesOf(labels, salt);
  return { x: q.x, y: q.y, index: Int32Array.from(labels, (_, i) => 10 + i), shape: SHAPE };
};

const options = (o: Partial<GaPgdOptions> = {}): GaPgdOptions => ({
  epsilon: EPS,
  stepSize: EPS / 8,
  steps: 8,
  norm: 'linf',
  randomStart: true,
  kappaRule: 'label',
  normalization: NORM,
  ...o,
});

const config = (c: Partial<GuidedAdversarialConfig> = {}): GuidedAdversarialConfig => ({ ...guidedAdversarialDefaults, ...c });
const setupWith = (oracle: GradientOracle): TransformSetup => ({ classCounts: COUNTS, normalization: NORM, oracle });

/** Float32 agreement: within one float32 ulp of the float64 value. */
const expectFloat32Close = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(2 ** -23 * Math.max(Math.abs(expected), 2 ** -126));
};

describe('tailClassMask', () => {
  it("'below-median' is the official `y ≥ 5` on CIFAR-10-LT (exp and step, ratio 100) and the top half on CIFAR-100-LT", () => {
    const exp10 = Array.from({ length: 10 }, (_, i) => Math.floor(5000 * 0.01 ** (i / 9)));
    const step10 = Array.from({ length: 10 }, (_, i) => (i < 5 ? 5000 : 50));
    const exp100 = Array.from({ length: 100 }, (_, i) => Math.floor(500 * 0.01 ** (i / 99)));
    const tail = (mask: boolean[]) => mask.flatMap((m, k) => (m ? [k] : []));
    expect(tail(tailClassMask('below-median', exp10))).toEqual([5, 6, 7, 8, 9]);
    expect(tail(tailClassMask('below-median', step10))).toEqual([5, 6, 7, 8, 9]);
    expect(tail(tailClassMask('below-median', exp100))).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
  });

  it('uses the middle count for an odd number of classes, none for equal counts, and takes explicit lists', () => {
    expect(tailClassMask('below-median', [9, 1, 5, 7, 3])).toEqual([false, true, false, false, true]);
    expect(tailClassMask('below-median', [4, 4, 4])).toEqual([false, false, false]);
    expect(tailClassMask([1, 3], [10, 10, 10, 10])).toEqual([false, true, false, true]);
    expect(() => tailClassMask([4], [1, 1, 1, 1])).toThrow(/tail class 4 is outside the 4 classes/);
  });
});

describe('gaPgd', () => {
  it('one L∞ step without random start is the hand-computed x + (α/std_c)·sign(∇ₓCE), clamped to the ε-ball and the pixel box', () => {
    for (const stepSize of [EPS / 8, 3 * EPS]) {
      const model = linearModel();
      const q = imagesOf([2, 3, 2]);
      const out = gaPgd(q, model.oracle, options({ steps: 1, stepSize, randomStart: false }), seeded(0));
      let boxHits = 0;
      let ballHits = 0;
      for (let i = 0; i < 3; i++) {
        const g = model.gradient(q.x, i * PER, q.y[i]!);
        for (let j = 0; j < PER; j++) {
          const c = j % 3;
          const x0 = q.x[i * PER + j]!;
          const free = x0 + (stepSize / NORM.std[c]!) * Math.sign(g[j]!);
          const lo = Math.max(boxLo(c), x0 - EPS / NORM.std[c]!);
          const hi = Math.min(boxHi(c), x0 + EPS / NORM.std[c]!);
          const expected = Math.min(hi, Math.max(lo, free));
          if (expected !== free && (expected === boxLo(c) || expected === boxHi(c))) boxHits++;
          else if (expected !== free) ballHits++;
          expectFloat32Close(out.x[i * PER + j]!, expected);
        }
      }
      expect(boxHits).toBeGreaterThan(0);
      if (stepSize > EPS) expect(ballHits).toBeGreaterThan(0);
    }
  });

  it('one L2 step is x + α·(g/std_c)/‖g/std‖₂/std_c (the step taken in pixel units)', () => {
    const model = linearModel();
    const q = imagesOf([3]);
    // An interior image (no clamping) and a radius that the one step does not reach.
    const x = Float32Array.from({ length: PER }, (_, j) => normalised(0.5 + 0.1 * Math.cos(j), j % 3));
    const out = gaPgd({ ...q, x }, model.oracle, options({ norm: 'l2', steps: 1, stepSize: 0.01, epsilon: 0.05, randomStart: false }), seeded(0));
    const g = model.gradient(x, 0, 3);
    const gp = g.map((v, j) => v / NORM.std[j % 3]!);
    const n = Math.sqrt(gp.reduce((s, v) => s + v * v, 0));
    for (let j = 0; j < PER; j++) expectFloat32Close(out.x[j]!, x[j]! + (0.01 * gp[j]!) / n / NORM.std[j % 3]!);
  });

  it('keeps every float within ε/std_c of the clean one (L∞) and inside the pixel box, exactly, over many steps and seeds', () => {
    // The box holds the clean value too: float32 rounding puts pixel 1 of channel 1 at fround(0.6/0.2) = 3 > 2.9999999999999996.
    const q = imagesOf([2, 3, 2, 3, 2], 1);
    for (let s = 0; s < 10; s++) {
      const out = gaPgd(q, linearModel().oracle, options({ steps: 12, stepSize: EPS / 2 }), seeded(s));
      expect(out.x).toBeInstanceOf(Float32Array);
      out.x.forEach((v, f) => {
        const c = f % 3;
        expect(Math.abs(v - q.x[f]!)).toBeLessThanOrEqual(EPS / NORM.std[c]!);
        expect(v).toBeGreaterThanOrEqual(Math.min(boxLo(c), q.x[f]!));
        expect(v).toBeLessThanOrEqual(Math.max(boxHi(c), q.x[f]!));
      });
    }
  });

  it('keeps the L2 norm of the perturbation (pixel units) within ε', () => {
    const q = imagesOf([2, 3, 3], 2);
    const out = gaPgd(q, linearModel().oracle, options({ norm: 'l2', epsilon: 0.02, stepSize: 0.015, steps: 10 }), seeded(4));
    let hitBall = false;
    for (let i = 0; i < 3; i++) {
      let r2 = 0;
      for (let j = 0; j < PER; j++) r2 += ((out.x[i * PER + j]! - q.x[i * PER + j]!) * NORM.std[j % 3]!) ** 2;
      expect(Math.sqrt(r2)).toBeLessThanOrEqual(0.02 * (1 + 1e-12));
      hitBall ||= Math.sqrt(r2) > 0.0199;
    }
    expect(hitBall).toBe(true);
  });

  it('counts κ at K checks, one before each update, against the label (or, officially, any attacked label)', () => {
    // Predictions per call (check k) for three images labelled 2, 3, 2.
    const script = [
      [2, 3, 0],
      [2, 2, 3],
      [2, 3, 1],
      [2, 0, 0],
    ];
    const scripted = (): { oracle: GradientOracle; calls: number[] } => {
      const calls: number[] = [];
      const oracle: GradientOracle = (q) => {
        calls.push(calls.length);
        return { gradient: new Float32Array(q.x.length).fill(1), predicted: Int32Array.from(script[calls.length - 1]!) };
      };
      return { oracle, calls };
    };
    const a = scripted();
    expect([...gaPgd(imagesOf([2, 3, 2]), a.oracle, options({ steps: 4 }), seeded(0)).kappa]).toEqual([4, 2, 0]);
    expect(a.calls).toHaveLength(4);
    // Official broadcast: a prediction of 2 or 3 (labels of the attacked subset) counts for any image.
    const b = scripted();
    expect([...gaPgd(imagesOf([2, 3, 2]), b.oracle, options({ steps: 4, kappaRule: 'batch-tail-labels' }), seeded(0)).kappa]).toEqual([4, 3, 1]);
  });

  it('asks the oracle about the current iterate: the first query is the random start, each next one the previous update', () => {
    const model = linearModel();
    const q = imagesOf([2, 3]);
    const out = gaPgd(q, model.oracle, options({ steps: 3, stepSize: EPS / 4 }), seeded(1));
    expect(model.queries).toHaveLength(3);
    const start = model.queries[0]!.x;
    expect([...start]).not.toEqual([...q.x]);
    start.forEach((v, f) => expect(Math.abs(v - q.x[f]!)).toBeLessThanOrEqual(EPS / NORM.std[f % 3]!));
    // Query k+1 is query k moved by at most one step per float; the result is the last query moved once more.
    const seq = [...model.queries.map((x) => x.x), out.x];
    for (let k = 0; k + 1 < seq.length; k++) {
      seq[k + 1]!.forEach((v, f) => expect(Math.abs(v - seq[k]![f]!)).toBeLessThanOrEqual(EPS / 4 / NORM.std[f % 3]! + 1e-6));
    }
  });
});

describe('guidedAdversarial', () => {
  it('appends the guiding tail rows (κ < K) with their label, index and noise mark, leaving the batch rows bit for bit', () => {
    // Class 0's bias dominates: every image is predicted 0, so every tail row crosses at every check (κ = 0).
    const model = linearModel([40, 0, 0, 0]);
    const batch = { ...batchOf([0, 2, 1, 3, 2, 0]), noise: Uint8Array.from([0, 1, 0, 0, 1, 0]) };
    const out = expectUntouched([batch], () => guidedAdversarial(config(), setupWith(model.oracle))(batch, seeded(3)));
    expect(out.shape).toEqual(SHAPE);
    expect(out.x).toBeInstanceOf(Float32Array);
    expect(out.y).toBeInstanceOf(Int32Array);
    expect(out.index).toBeInstanceOf(Int32Array);
    expect([...out.y]).toEqual([0, 2, 1, 3, 2, 0, 2, 3, 2]);
    expect([...out.index]).toEqual([10, 11, 12, 13, 14, 15, 11, 13, 14]);
    expect([...out.noise!]).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 1]);
    expect(out.x.length).toBe(9 * PER);
    expect([...out.x.subarray(0, 6 * PER)]).toEqual([...batch.x]);
    // The attack only saw the three tail rows.
    expect(model.queries.every((q) => [...q.y].join() === '2,3,2')).toBe(true);
    [1, 3, 4].forEach((src, a) => {
      for (let j = 0; j < PER; j++) {
        const v = out.x[(6 + a) * PER + j]!;
        expect(Math.abs(v - batch.x[src * PER + j]!)).toBeLessThanOrEqual(EPS / NORM.std[j % 3]!);
      }
      expect([...out.x.subarray((6 + a) * PER, (7 + a) * PER)]).not.toEqual([...batch.x.subarray(src * PER, (src + 1) * PER)]);
    });
  });

  it('weights the rows so that the mean reduction is mean_clean + λ·mean_guiding (existing weights multiply)', () => {
    const model = linearModel([40, 0, 0, 0]);
    const batch = { ...batchOf([0, 2, 1, 3, 2, 0]), weight: Float32Array.from([1, 2, 1, 1, 0.5, 1]) };
    const out = guidedAdversarial(config({ adversarialWeight: 0.5 }), setupWith(model.oracle))(batch, seeded(0));
    const n = 6;
    const m = 3;
    const expected = [...[1, 2, 1, 1, 0.5, 1].map((w) => ((n + m) / n) * w), ...[2, 1, 0.5].map((w) => ((0.5 * (n + m)) / m) * w)];
    out.weight!.forEach((w, i) => expect(w).toBeCloseTo(expected[i]!, 6));
    // Σ w_i ℓ_i / (N + M) for arbitrary losses ℓ equals the official objective.
    const losses = [0.3, 1.2, 0.7, 2.5, 0.1, 0.9, 1.7, 0.4, 3.1];
    const reduced = losses.reduce((s, l, i) => s + out.weight![i]! * l, 0) / (n + m);
    const clean = losses.slice(0, n).reduce((s, l, i) => s + batch.weight[i]! * l, 0) / n;
    const guiding = losses.slice(n).reduce((s, l, a) => s + batch.weight[[1, 3, 4][a]!]! * l, 0) / m;
    expect(reduced).toBeCloseTo(clean + 0.5 * guiding, 5);
  });

  it('returns the batch itself when it has no tail row, or when no tail row ever crossed', () => {
    const noTail = batchOf([0, 1, 0, 1]);
    const calls = linearModel();
    expect(guidedAdversarial(config(), setupWith(calls.oracle))(noTail, seeded(0))).toBe(noTail);
    expect(calls.queries).toHaveLength(0);
    // The own-class bias dominates for class 2 and 3 images: κ = K, nothing is appended.
    const confident: GradientOracle = (q) => ({ gradient: new Float32Array(q.x.length).fill(1), predicted: Int32Array.from(q.y) });
    const batch = batchOf([0, 2, 3, 1]);
    expect(guidedAdversarial(config(), setupWith(confident))(batch, seeded(0))).toBe(batch);
  });

  it('keeps only the rows with κ < K, with the given explicit tail classes', () => {
    // Labels 1, 2, 3 are attacked; class 3 is always predicted right, classes 1 and 2 once wrong.
    let call = 0;
    const oracle: GradientOracle = (q) => {
      call++;
      return { gradient: new Float32Array(q.x.length).fill(-1), predicted: Int32Array.from(q.y, (y) => (y === 3 || call !== 2 ? y : 0)) };
    };
    const out = guidedAdversarial(config({ tailClasses: [1, 2, 3] }), setupWith(oracle))(batchOf([0, 1, 2, 3, 0]), seeded(0));
    expect([...out.y]).toEqual([0, 1, 2, 3, 0, 1, 2]);
    expect(call).toBe(8);
  });

  it('is a function of the Rng: same seed → same output, different seeds → different', () => {
    const batch = batchOf([0, 2, 1, 3, 2, 0]);
    const run = (s: number) => plain(guidedAdversarial(config(), setupWith(linearModel([40, 0, 0, 0]).oracle))(batch, seeded(s)));
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('refuses a setup without an oracle, a mixed batch and a label outside the counts; the spec needs the setup', () => {
    expect(() => guidedAdversarial(config(), { classCounts: COUNTS, normalization: NORM })).toThrow(/needs a gradient oracle \(setup\.oracle\)/);
    const f = guidedAdversarial(config(), setupWith(linearModel().oracle));
    const batch = batchOf([0, 2]);
    expect(() => f({ ...batch, mix: { y: Int32Array.from([1, 1]), lambda: Float32Array.from([0.5, 0.5]) } }, seeded(0))).toThrow(/mixed targets/);
    expect(() => f(batchOf([0, 7]), seeded(0))).toThrow(/label 7 is outside the 4 classes/);
    expect(() => guidedAdversarialSpec.create(guidedAdversarialDefaults)).toThrow(/needs the class counts and normalisation \(setup\)$/);
  });
});

describe('modelGradientOracle', () => {
  it('returns the float64 hand gradient of CE and the argmax of a tfjs linear model, running it in inference mode', () => {
    const hand = linearModel([0.3, -0.2, 0.1, 0]);
    const modes: boolean[] = [];
    const w = tf.tensor2d(hand.w.flat(), [K, PER]);
    const b = tf.tensor1d([0.3, -0.2, 0.1, 0]);
    const model: OracleModel = {
      forward: (x, { training }) => {
        modes.push(training);
        return { logits: tf.add(tf.matMul(tf.reshape(x, [x.shape[0], PER]), w, false, true), b) as tf.Tensor2D };
      },
    };
    const q = imagesOf([2, 0, 3, 1], 3);
    const before = tf.memory().numTensors;
    const answer = modelGradientOracle(model)(q);
    expect(tf.memory().numTensors).toBe(before);
    expect(modes).toEqual([false]);
    expect(answer.gradient).toBeInstanceOf(Float32Array);
    expect(answer.predicted).toBeInstanceOf(Int32Array);
    for (let i = 0; i < 4; i++) {
      const g = hand.gradient(q.x, i * PER, q.y[i]!);
      g.forEach((v, j) => expect(Math.abs(answer.gradient[i * PER + j]! - v)).toBeLessThan(1e-5));
      const z = hand.logits(q.x, i * PER);
      expect(answer.predicted[i]).toBe(z.indexOf(Math.max(...z)));
    }
    w.dispose();
    b.dispose();
  });

  it('drives GAE on the small CNN without leaking a tensor; each image gets its own gradient', () => {
    const shape = { height: 28, width: 28, channels: 1 };
    const per = 28 * 28;
    const model = createSmallCnn({ shape, numClasses: K }, createRng(0).derive('model'));
    try {
      const normalization = { mean: [0.1307], std: [0.3081] };
      const batch: HostBatch = {
        x: Float32Array.from({ length: 4 * per }, (_, f) => (0.5 + 0.5 * Math.sin(0.013 * f) - 0.1307) / 0.3081),
        y: Int32Array.from([0, 2, 3, 2]),
        index: Int32Array.from([0, 1, 2, 3]),
        shape,
      };
      const oracle = modelGradientOracle(model);
      const before = tf.memory();
      const out = guidedAdversarial(config({ kappaRule: 'label' }), { classCounts: COUNTS, normalization, oracle })(batch, seeded(0));
      const answer = oracle({ x: batch.x, y: batch.y, shape });
      const alone = oracle({ x: batch.x.slice(per, 2 * per), y: Int32Array.from([2]), shape });
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
      expect(out.shape).toEqual(shape);
      expect(out.x.length).toBe(out.y.length * per);
      expect(out.x.every(Number.isFinite)).toBe(true);
      expect(answer.gradient.length).toBe(4 * per);
      expect(answer.gradient.some((g) => g !== 0)).toBe(true);
      alone.gradient.forEach((g, j) => expect(Math.abs(g - answer.gradient[per + j]!)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(g)));
      expect(alone.predicted[0]).toBe(answer.predicted[1]);
    } finally {
      model.dispose();
    }
  });
});
