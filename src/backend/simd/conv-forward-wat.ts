/**
 * WebAssembly text of a forward NHWC convolution kernel (dilation 1): 128-bit SIMD over tfjs-wasm's heap.
 *
 * Intuition: y[n, i, j, o] = Σ_{a, b, c} x[n, i·sh + a − top, j·sw + b − left, c] · w[a, b, c, o].
 * The kernel keeps 4 neighbouring output pixels × 4·OV output channels in 4·OV vector registers;
 * for every tap and input channel it reads OV filter vectors once and splats the 4 pixels' input
 * value from memory, so each loaded filter vector feeds 4 multiply-adds. A pixel whose tap falls in
 * the padding reads from a zero row instead (`zero`, C floats of zeros), so every pixel group runs
 * the same loop. The taps [bLo, bHi) that all 4 pixels read inside the row (all KW of them away from the
 * edges) run as one loop over (bHi − bLo)·C contiguous channels, with no per-tap pointer setup (ResNet-32's
 * 16-channel 3×3 conv at batch 128: 10.2 → 9.2 ms, bench/results/2026-12-08-conv-kernels.md). Taps run in the
 * same order either way, so the sums are too.
 * Output rows (n, i) are dealt to threads round-robin; each thread writes its own rows.
 */
import { add, bytes, c32, get, i32Params, locals, mul, set, sub } from './wat-builders.js';

/** Output-channel vectors per tile, largest first: the first with O divisible by 4·OV is used. */
export const CONV_FORWARD_OUTPUT_VECTORS: readonly number[] = [2, 1];

/** Output pixels per tile. */
export const CONV_FORWARD_PIXELS = 4;

/** Name of the exported function for tiles of `ov` four-channel output vectors. */
export const convForwardFunction = (ov: number): string => `conv2d_o${4 * ov}`;

/** The output vectors per tile for O output channels, or undefined when O is not a multiple of 4. */
export const convForwardTile = (o: number): number | undefined => CONV_FORWARD_OUTPUT_VECTORS.find((ov) => o % (4 * ov) === 0);

/** Parameters of every exported function, in order (all i32; pointers are byte offsets into the heap). */
export const CONV_FORWARD_PARAMS = [
  'x', // input, [N, H, W, C]
  'w', // filter, [KH, KW, C, O]
  'y', // output, [N, OH, OW, O]
  'zero', // C zero floats
  'N',
  'H',
  'W',
  'C',
  'OH',
  'OW',
  'O',
  'KH',
  'KW',
  'SH',
  'SW',
  'PT', // padding on top
  'PL', // padding on the left
  'part', // this thread's index, 0 … parts−1
  'parts', // threads sharing the work
] as const;

/** v clamped to [0, KW] (signed). */
const clamp = (v: string): string =>
  `(select ${c32(0)} (select ${v} ${get('KW')} (i32.lt_s ${v} ${get('KW')})) (i32.lt_s ${v} ${c32(0)}))`;

const tileFunction = (ov: number): string => {
  const px = CONV_FORWARD_PIXELS;
  const ot = 4 * ov;
  const acc = (k: number, j: number): string => `a${k * ov + j}`;
  const accs: string[] = [];
  for (let k = 0; k < px; k++) for (let j = 0; j < ov; j++) accs.push(acc(k, j));
  const ws = Array.from({ length: ov }, (_, j) => `w${j}`);
  const ptrs = Array.from({ length: px }, (_, k) => `p${k}`);
  const zeroAccs = accs.map((a) => set(a, '(v128.const f32x4 0 0 0 0)'));
  // Pixel k's input pointer for this tap: its column in the row, or the zero row when outside.
  const pointers = ptrs.map((p, k) => {
    const win = sub(add(mul(add(get('j0'), c32(k)), get('SW')), get('b')), get('PL'));
    return `${set('win', win)}
              ${set(p, `(select ${add(get('rowPtr'), bytes(mul(get('win'), get('C'))))} ${get('zero')} (i32.and (i32.lt_u ${c32(k)} ${get('np')}) (i32.lt_u ${get('win')} ${get('W')})))`)}`;
  });
  const channel: string[] = ws.map((w, j) => set(w, `(v128.load offset=${j * 16} ${get('wp')})`));
  for (let k = 0; k < px; k++) {
    channel.push(set('s', `(v128.load32_splat ${get(ptrs[k]!)})`));
    for (let j = 0; j < ov; j++) channel.push(set(acc(k, j), `(f32x4.add ${get(acc(k, j))} (f32x4.mul ${get('s')} ${get(ws[j]!)}))`));
  }
  for (const p of ptrs) channel.push(set(p, add(get(p), c32(4))));
  const channelLoop = (label: string): string => `(loop $${label}
                  ${channel.join('\n                  ')}
                  ${set('wp', add(get('wp'), get('oBytes')))}
                  ${set('cnt', sub(get('cnt'), c32(1)))}
                  (br_if $${label} ${get('cnt')}))`;
  // Taps b in [bLo, bHi) lie inside the row for every pixel of the group: there pixel k's taps are
  // (bHi − bLo)·C contiguous floats from column (j0 + k)·SW − PL + bLo, and the filter's rows are contiguous too.
  const runPointers = ptrs.map((p, k) =>
    set(p, add(get('rowPtr'), bytes(mul(add(sub(mul(add(get('j0'), c32(k)), get('SW')), get('PL')), get('bLo')), get('C'))))),
  );
  /** Taps b in [from, to) of tap row a, each with its own pointers (a pixel outside the row reads the zero row). */
  const tapLoop = (label: string, from: string, to: string): string => `${set('b', from)}
              (block $${label}_done (loop $${label}
                (br_if $${label}_done (i32.ge_s ${get('b')} ${to}))
              ${pointers.join('\n              ')}
                ${set('wp', add(get('w'), bytes(add(mul(mul(add(mul(get('a'), get('KW')), get('b')), get('C')), get('O')), mul(get('ob'), c32(ot))))))}
                ${set('cnt', get('C'))}
                ${channelLoop(`${label}_channels`)}
                ${set('b', add(get('b'), c32(1)))}
                (br $${label})))`;
  const stores: string[] = [];
  for (let k = 0; k < px; k++) {
    const row = add(get('yp'), mul(get('oBytes'), c32(k)));
    const st = Array.from({ length: ov }, (_, j) => `(v128.store offset=${j * 16} ${row} ${get(acc(k, j))})`).join(' ');
    stores.push(`(if (i32.lt_u ${c32(k)} ${get('np')}) (then ${st}))`);
  }
  const i32Locals = ['R', 'r', 'n', 'i', 'j0', 'np', 'OB', 'ob', 'a', 'b', 'hin', 'win', 'rowPtr', 'wp', 'cnt', 'yp', 'oBytes', 'bLo', 'bHi', ...ptrs];
  return `
  (func (export "${convForwardFunction(ov)}") ${i32Params(CONV_FORWARD_PARAMS)}
    ${locals(i32Locals, 'i32')}
    ${locals(['s', ...ws, ...accs], 'v128')}
    ${set('R', mul(get('N'), get('OH')))}
    ${set('OB', `(i32.div_u ${get('O')} ${c32(ot)})`)}
    ${set('oBytes', bytes(get('O')))}
    ${set('r', get('part'))}
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u ${get('r')} ${get('R')}))
      ${set('n', `(i32.div_u ${get('r')} ${get('OH')})`)}
      ${set('i', `(i32.rem_u ${get('r')} ${get('OH')})`)}
      ${set('j0', c32(0))}
      (block $groups_done (loop $groups
        (br_if $groups_done (i32.ge_u ${get('j0')} ${get('OW')}))
        ${set('np', sub(get('OW'), get('j0')))}
        (if (i32.gt_u ${get('np')} ${c32(px)}) (then ${set('np', c32(px))}))
        ;; the taps every pixel of the group reads inside the row: [bLo, bHi); none for a partial group, whose
        ;; missing pixels would read past the row (past the input's end on its last row)
        ${set('bLo', clamp(sub(get('PL'), mul(get('j0'), get('SW')))))}
        ${set('bHi', clamp(sub(add(get('W'), get('PL')), mul(add(get('j0'), c32(px - 1)), get('SW')))))}
        (if (i32.lt_u ${get('np')} ${c32(px)}) (then ${set('bLo', get('KW'))} ${set('bHi', get('KW'))}))
        ${set('ob', c32(0))}
        (block $oblocks_done (loop $oblocks
          (br_if $oblocks_done (i32.ge_u ${get('ob')} ${get('OB')}))
          ${zeroAccs.join('\n          ')}
          ${set('a', c32(0))}
          (block $ka_done (loop $ka
            (br_if $ka_done (i32.ge_u ${get('a')} ${get('KH')}))
            ${set('hin', sub(add(mul(get('i'), get('SH')), get('a')), get('PT')))}
            ;; unsigned compare: a negative row is out of range too
            (if (i32.lt_u ${get('hin')} ${get('H')}) (then
              ${set('rowPtr', add(get('x'), bytes(mul(mul(add(mul(get('n'), get('H')), get('hin')), get('W')), get('C')))))}
              ;; taps [0, bLo) one by one, [bLo, bHi) as one run of channels, [max(bLo, bHi), KW) one by one: b's order
              ${tapLoop('lo', c32(0), get('bLo'))}
              (if (i32.lt_s ${get('bLo')} ${get('bHi')}) (then
                ${runPointers.join('\n                ')}
                ${set('wp', add(get('w'), bytes(add(mul(mul(add(mul(get('a'), get('KW')), get('bLo')), get('C')), get('O')), mul(get('ob'), c32(ot))))))}
                ${set('cnt', mul(sub(get('bHi'), get('bLo')), get('C')))}
                ${channelLoop('run')}))
              ${tapLoop('hi', `(select ${get('bHi')} ${get('bLo')} (i32.gt_s ${get('bHi')} ${get('bLo')}))`, get('KW'))}))
            ${set('a', add(get('a'), c32(1)))}
            (br $ka)))
          ${set('yp', add(get('y'), bytes(add(mul(add(mul(get('r'), get('OW')), get('j0')), get('O')), mul(get('ob'), c32(ot))))))}
          ${stores.join('\n          ')}
          ${set('ob', add(get('ob'), c32(1)))}
          (br $oblocks)))
        ${set('j0', add(get('j0'), c32(px)))}
        (br $groups)))
      ${set('r', add(get('r'), get('parts')))}
      (br $rows))))`;
};

/** The module's forward-convolution functions: one per entry of `CONV_FORWARD_OUTPUT_VECTORS`. */
export const convForwardFunctions = (): string => CONV_FORWARD_OUTPUT_VECTORS.map((ov) => tileFunction(ov)).join('\n');
