/**
 * WebAssembly text of the batch-norm backward pass over NHWC activations (C a multiple of 4).
 *
 * Intuition: with the centred input c = x − μ, s = 1/σ and a = γ·s, the gradient is
 *   ∂x = a·∂y − a·mean(∂y) − a·s²·mean(∂y·c)·c
 * so it needs two per-channel sums (Σ∂y and Σ∂y·c, which are also ∂β and ∂γ/s) and one fused
 * elementwise pass. `bnSums` makes both sums in one read of ∂y and c, 16 channels (8 vector
 * accumulators) at a time; `bnApply` writes ∂x = A·∂y + B − K·c from per-channel coefficients
 * [A; B; K] in one pass, positions split between threads. tfjs ops need five kernels and
 * two elementwise binary passes (wasm's binary ops are scalar loops) for the same.
 */
import { add, bytes, c32, get, i32Params, locals, mul, set, sub } from './wat-builders.js';

/** Parameters of `bnSums`: ∂y and c ([M, C]), the [2, C] output (Σ∂y; Σ∂y·c), M, C, and the pool's part/parts (only part 0 works). */
export const BN_SUMS_PARAMS = ['dy', 'c', 'out', 'M', 'C', 'part', 'parts'] as const;

/** Parameters of `bnApply`: ∂y and c ([M, C]), coefficients [3, C] (A; B; K), the output ∂x, M, C, part, parts. */
export const BN_APPLY_PARAMS = ['dy', 'c', 'coef', 'dx', 'M', 'C', 'part', 'parts'] as const;

/** Exported names. */
export const BN_SUMS_FUNCTION = 'bnSums';
export const BN_APPLY_FUNCTION = 'bnApply';

/** Vectors (of 4 channels) summed per pass over the positions: 4 when C is a multiple of 16, else 1. */
const sumsFunction = (): string => {
  const vb = 4;
  const s = Array.from({ length: vb }, (_, v) => `s${v}`);
  const q = Array.from({ length: vb }, (_, v) => `q${v}`);
  const body = (n: number): string[] => {
    const out: string[] = [];
    for (let v = 0; v < n; v++) {
      out.push(set('d', `(v128.load offset=${16 * v} ${get('dp')})`));
      out.push(set(s[v]!, `(f32x4.add ${get(s[v]!)} ${get('d')})`));
      out.push(set(q[v]!, `(f32x4.add ${get(q[v]!)} (f32x4.mul ${get('d')} (v128.load offset=${16 * v} ${get('cp')})))`));
    }
    return out;
  };
  const pass = (n: number, label: string): string => `
      ${[...s.slice(0, n), ...q.slice(0, n)].map((a) => set(a, '(v128.const f32x4 0 0 0 0)')).join(' ')}
      ${set('dp', add(get('dy'), bytes(get('ch'))))}
      ${set('cp', add(get('c'), bytes(get('ch'))))}
      ${set('cnt', get('M'))}
      (loop $${label}
        ${body(n).join('\n        ')}
        ${set('dp', add(get('dp'), get('row')))}
        ${set('cp', add(get('cp'), get('row')))}
        ${set('cnt', sub(get('cnt'), c32(1)))}
        (br_if $${label} ${get('cnt')}))
      ${Array.from({ length: n }, (_, v) => `(v128.store offset=${16 * v} ${add(get('out'), bytes(get('ch')))} ${get(s[v]!)}) (v128.store offset=${16 * v} ${add(get('out'), bytes(add(get('C'), get('ch'))))} ${get(q[v]!)})`).join('\n      ')}`;
  return `
  (func (export "${BN_SUMS_FUNCTION}") ${i32Params(BN_SUMS_PARAMS)}
    ${locals(['ch', 'dp', 'cp', 'cnt', 'row'], 'i32')}
    ${locals(['d', ...s, ...q], 'v128')}
    (if (i32.ne ${get('part')} ${c32(0)}) (then (return)))
    (if (i32.eqz ${get('M')}) (then (return)))
    ${set('row', bytes(get('C')))}
    ${set('ch', c32(0))}
    (block $done (loop $blocks
      (br_if $done (i32.ge_u ${get('ch')} ${get('C')}))
      (if (i32.le_u ${add(get('ch'), c32(4 * vb))} ${get('C')})
        (then ${pass(vb, 'wide')}
          ${set('ch', add(get('ch'), c32(4 * vb)))})
        (else ${pass(1, 'narrow')}
          ${set('ch', add(get('ch'), c32(4)))}))
      (br $blocks))))`;
};

const applyFunction = (): string => `
  (func (export "${BN_APPLY_FUNCTION}") ${i32Params(BN_APPLY_PARAMS)}
    ${locals(['p', 'p1', 'off', 'end', 'ch', 'kOff', 'bOff'], 'i32')}
    ;; positions [M·part/parts, M·(part+1)/parts)
    ${set('p', `(i32.div_u ${mul(get('M'), get('part'))} ${get('parts')})`)}
    ${set('p1', `(i32.div_u ${mul(get('M'), add(get('part'), c32(1)))} ${get('parts')})`)}
    ${set('off', bytes(mul(get('p'), get('C'))))}
    ${set('end', bytes(mul(get('p1'), get('C'))))}
    ${set('bOff', bytes(get('C')))}
    ${set('kOff', bytes(mul(get('C'), c32(2))))}
    (block $done (loop $positions
      (br_if $done (i32.ge_u ${get('off')} ${get('end')}))
      ${set('ch', c32(0))}
      (loop $channels
        (v128.store ${add(get('dx'), get('off'))}
          (f32x4.sub
            (f32x4.add
              (f32x4.mul (v128.load ${add(get('coef'), get('ch'))}) (v128.load ${add(get('dy'), get('off'))}))
              (v128.load ${add(add(get('coef'), get('bOff')), get('ch'))}))
            (f32x4.mul (v128.load ${add(add(get('coef'), get('kOff')), get('ch'))}) (v128.load ${add(get('c'), get('off'))}))))
        ${set('off', add(get('off'), c32(16)))}
        ${set('ch', add(get('ch'), c32(16)))}
        (br_if $channels (i32.lt_u ${get('ch')} ${get('bOff')})))
      (br $positions))))`;

/** The module's batch-norm functions. */
export const batchNormFunctions = (): string => `${sumsFunction()}\n${applyFunction()}`;
