/**
 * WebAssembly text of the conv filter-gradient kernel: 128-bit SIMD, run over tfjs-wasm's own heap.
 *
 * Intuition: the filter gradient of an NHWC conv is, for every tap (a, b) of the filter,
 *   dW[a, b, c, o] = Σ_{n, i, j} x[n, i·sh + a − top, j·sw + b − left, c] · dy[n, i, j, o]
 * an outer product of a pixel's input channels with its output-gradient channels, summed over all
 * output pixels. The kernel keeps a tile of CI input channels × 4·OV output channels of one tap in
 * CI·OV vector registers (x channels splatted from memory, dy read four channels a vector), walks
 * every pixel of one pass for that tile, then the next tile, then the next pass. A pass is RP output
 * rows counted across images (several small images, or a band of a large one), sized by the caller so
 * that its x and dy rows fit a core's L1 cache while all its tiles read them; dW is touched once per
 * pass and tile. Per pass, the tiles are walked in order by nested loops (no division per tile), and a
 * tap's output rows and columns whose input falls inside the image ([i0, i1) × [w0, w1)) are worked out
 * once; each row's x and dy pointers are the previous row's plus a fixed stride, so a short row (8
 * pixels at ResNet's stage 3) pays two additions, not an address computation and a test.
 * Tiles are dealt to threads round-robin (tile t to thread t mod P), so threads never write the same
 * dW element, no reduction is needed, and the order of every sum (rows (n, i), then columns j, ascending)
 * is the same for any thread count and any pass size.
 * x and dy are read in place in their NHWC layout: no transposes (the conv formulation of the same
 * gradient needs [C, H, W, N] and [outH, outW, N, O] copies, and XNNPACK repacks its "filter", dy,
 * on every call). With at most 11 live vectors (CI·OV ≤ 8 accumulators) nothing spills on x86-64.
 */
import { add, bytes, c32, get, i32Params, locals, mul, set, sub } from './wat-builders.js';

/** Input channels × output-channel vectors of one tile, largest first: the first that divides C and O is used. */
export const FILTER_GRADIENT_TILES: readonly (readonly [number, number])[] = [
  [4, 2],
  [2, 2],
  [1, 2],
  [4, 1],
  [2, 1],
  [1, 1],
];

/** Name of the exported function for a tile of `ci` input channels × `ov` four-channel output vectors. */
export const filterGradientFunction = (ci: number, ov: number): string => `filterGrad_c${ci}_o${4 * ov}`;

/** The tile for C input and O output channels, or undefined when O is not a multiple of 4. */
export const filterGradientTile = (c: number, o: number): readonly [number, number] | undefined =>
  FILTER_GRADIENT_TILES.find(([ci, ov]) => c % ci === 0 && o % (4 * ov) === 0);

/** Parameters of every exported function, in order (all i32; pointers are byte offsets into the heap). */
export const FILTER_GRADIENT_PARAMS = [
  'x', // input, [N, H, W, C]
  'dy', // output gradient, [N, OH, OW, O]
  'dw', // filter gradient, [KH, KW, C, O], zeroed by the caller
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
  'RP', // output rows (n, i) per pass, counted across images: their x and dy stay in cache while every tile reads them
  'part', // this thread's index, 0 … parts−1
  'parts', // threads sharing the work
] as const;

/**
 * WAT setting locals `lo` and `hi` to the output indices [lo, hi) along one axis whose input index
 * j·stride + tap − pad lies in [0, size), with hi ≤ outSize (the arguments name i32 locals; uses local d).
 */
const insideOutputs = (lo: string, hi: string, axis: { tap: string; pad: string; stride: string; size: string; outSize: string }): string => {
  const { tap, pad, stride, size, outSize } = axis;
  return `${set('d', sub(get(pad), get(tap)))}
        ${set(lo, `(select (i32.div_s ${add(get('d'), sub(get(stride), c32(1)))} ${get(stride)}) ${c32(0)} (i32.gt_s ${get('d')} ${c32(0)}))`)}
        ${set('d', add(get('d'), sub(get(size), c32(1))))}
        ${set(hi, `(select ${add(`(i32.div_s ${get('d')} ${get(stride)})`, c32(1))} ${c32(0)} (i32.ge_s ${get('d')} ${c32(0)}))`)}
        (if (i32.gt_s ${get(hi)} ${get(outSize)}) (then ${set(hi, get(outSize))}))`;
};

/** One exported function for a tile of `ci` input channels × `ov` output vectors. */
const tileFunction = (ci: number, ov: number): string => {
  const ot = 4 * ov;
  const acc = (i: number, j: number): string => `a${i * ov + j}`;
  const accs: string[] = [];
  for (let i = 0; i < ci; i++) for (let j = 0; j < ov; j++) accs.push(acc(i, j));
  const dys = Array.from({ length: ov }, (_, j) => `d${j}`);
  // dW row of input channel i inside the tile: O floats apart.
  const dwRow = (i: number): string => add(get('dwp'), mul(get('rowBytes'), c32(i)));
  const loadAccs = accs.map((_, k) => set(acc(Math.floor(k / ov), k % ov), `(v128.load offset=${(k % ov) * 16} ${dwRow(Math.floor(k / ov))})`));
  const storeAccs = accs.map((_, k) => `(v128.store offset=${(k % ov) * 16} ${dwRow(Math.floor(k / ov))} ${get(acc(Math.floor(k / ov), k % ov))})`);
  const pixel: string[] = dys.map((d, j) => set(d, `(v128.load offset=${j * 16} ${get('dyp')})`));
  for (let i = 0; i < ci; i++) {
    pixel.push(set('s', `(v128.load32_splat offset=${i * 4} ${get('xp')})`));
    for (let j = 0; j < ov; j++) pixel.push(set(acc(i, j), `(f32x4.add ${get(acc(i, j))} (f32x4.mul ${get('s')} ${get(`d${j}`)}))`));
  }
  const i32Locals = ['R', 'r0', 'r1', 'nA', 'nB', 'iA', 'iB', 'lo', 'hi', 'n', 't', 'next', 'KHW', 'valid', 'OB', 'CB', 'ob', 'cb', 'tap', 'ka', 'kb', 'd', 'w0', 'w1', 'i0', 'i1', 'dwp', 'rows', 'xr', 'dr', 'xp', 'dyp', 'cnt', 'xStep', 'rowBytes', 'xRowStep', 'dyRowStep'];
  const vLocals = ['s', ...dys, ...accs];
  return `
  (func (export "${filterGradientFunction(ci, ov)}") ${i32Params(FILTER_GRADIENT_PARAMS)}
    ${locals(i32Locals, 'i32')}
    ${locals(vLocals, 'v128')}
    ${set('OB', `(i32.div_u ${get('O')} ${c32(ot)})`)}
    ${set('CB', `(i32.div_u ${get('C')} ${c32(ci)})`)}
    ${set('KHW', mul(get('KH'), get('KW')))}
    ${set('xStep', bytes(mul(get('SW'), get('C'))))}
    ${set('rowBytes', bytes(get('O')))}
    ${set('xRowStep', bytes(mul(mul(get('SH'), get('W')), get('C'))))}
    ${set('dyRowStep', bytes(mul(get('OW'), get('O'))))}
    ${set('R', mul(get('N'), get('OH')))}
    ;; a pass: output rows [r0, r1) of the flattened (n, i) rows, from row iA of image nA to row iB of image nB
    (block $passes_done (loop $passes
      (br_if $passes_done (i32.ge_u ${get('r0')} ${get('R')}))
      ${set('r1', add(get('r0'), get('RP')))}
      (if (i32.gt_u ${get('r1')} ${get('R')}) (then ${set('r1', get('R'))}))
      ${set('nA', `(i32.div_u ${get('r0')} ${get('OH')})`)}
      ${set('iA', sub(get('r0'), mul(get('nA'), get('OH'))))}
      ${set('nB', `(i32.div_u ${sub(get('r1'), c32(1))} ${get('OH')})`)}
      ${set('iB', sub(get('r1'), mul(get('nB'), get('OH'))))}
      ;; tile t = ((tap · CB) + cb) · OB + ob, tap = ka · KW + kb, goes to thread t mod parts: walk the
      ;; tiles in that order, with no divisions per tile, doing those with t = next
      ${set('t', c32(0))}
      ${set('next', get('part'))}
      ${set('tap', c32(0))}
      ${set('ka', c32(0))}
      ${set('kb', c32(0))}
      (block $taps_done (loop $taps
        (br_if $taps_done (i32.ge_u ${get('tap')} ${get('KHW')}))
        ;; output columns j whose input column j·SW + kb − PL lies in [0, W): [w0, w1)
        ${insideOutputs('w0', 'w1', { tap: 'kb', pad: 'PL', stride: 'SW', size: 'W', outSize: 'OW' })}
        ;; output rows i whose input row i·SH + ka − PT lies in [0, H): [i0, i1)
        ${insideOutputs('i0', 'i1', { tap: 'ka', pad: 'PT', stride: 'SH', size: 'H', outSize: 'OH' })}
        ${set('valid', `(i32.and (i32.lt_s ${get('w0')} ${get('w1')}) (i32.lt_s ${get('i0')} ${get('i1')}))`)}
        ${set('cb', c32(0))}
        (loop $cbs
          ${set('ob', c32(0))}
          (loop $obs
            (if (i32.eq ${get('t')} ${get('next')}) (then
              ${set('next', add(get('next'), get('parts')))}
              (if ${get('valid')} (then
                ${set('dwp', add(get('dw'), bytes(add(mul(add(mul(get('tap'), get('C')), mul(get('cb'), c32(ci))), get('O')), mul(get('ob'), c32(ot))))))}
                ${loadAccs.join('\n          ')}
                ${set('n', get('nA'))}
                (loop $images
                ;; this image's rows in the pass and in [i0, i1)
                ${set('lo', `(select ${get('iA')} ${c32(0)} (i32.eq ${get('n')} ${get('nA')}))`)}
                (if (i32.lt_s ${get('lo')} ${get('i0')}) (then ${set('lo', get('i0'))}))
                ${set('hi', `(select ${get('iB')} ${get('OH')} (i32.eq ${get('n')} ${get('nB')}))`)}
                (if (i32.gt_s ${get('hi')} ${get('i1')}) (then ${set('hi', get('i1'))}))
                (if (i32.lt_s ${get('lo')} ${get('hi')}) (then
                ;; the first row's x and dy pixels; each next row is a fixed stride further
                ${set('xr', add(get('x'), bytes(add(mul(add(mul(add(mul(get('n'), get('H')), sub(add(mul(get('lo'), get('SH')), get('ka')), get('PT'))), get('W')), sub(add(mul(get('w0'), get('SW')), get('kb')), get('PL'))), get('C')), mul(get('cb'), c32(ci))))))}
                ${set('dr', add(get('dy'), bytes(add(mul(add(mul(add(mul(get('n'), get('OH')), get('lo')), get('OW')), get('w0')), get('O')), mul(get('ob'), c32(ot))))))}
                ${set('rows', sub(get('hi'), get('lo')))}
                (loop $rows
                  ${set('xp', get('xr'))}
                  ${set('dyp', get('dr'))}
                  ${set('cnt', sub(get('w1'), get('w0')))}
                  (loop $pixels
                    ${pixel.join('\n                    ')}
                    ${set('xp', add(get('xp'), get('xStep')))}
                    ${set('dyp', add(get('dyp'), get('rowBytes')))}
                    ${set('cnt', sub(get('cnt'), c32(1)))}
                    (br_if $pixels ${get('cnt')}))
                  ${set('xr', add(get('xr'), get('xRowStep')))}
                  ${set('dr', add(get('dr'), get('dyRowStep')))}
                  ${set('rows', sub(get('rows'), c32(1)))}
                  (br_if $rows ${get('rows')}))))
                ${set('n', add(get('n'), c32(1)))}
                (br_if $images (i32.le_u ${get('n')} ${get('nB')})))
                ${storeAccs.join('\n          ')}))))
            ${set('t', add(get('t'), c32(1)))}
            ${set('ob', add(get('ob'), c32(1)))}
            (br_if $obs (i32.lt_u ${get('ob')} ${get('OB')})))
          ${set('cb', add(get('cb'), c32(1)))}
          (br_if $cbs (i32.lt_u ${get('cb')} ${get('CB')})))
        ${set('tap', add(get('tap'), c32(1)))}
        ${set('kb', add(get('kb'), c32(1)))}
        (if (i32.eq ${get('kb')} ${get('KW')}) (then ${set('kb', c32(0))} ${set('ka', add(get('ka'), c32(1)))}))
        (br $taps)))
      ${set('r0', get('r1'))}
      (br $passes))))`;
};

/** The module's filter-gradient functions: one per tile in `FILTER_GRADIENT_TILES`. */
export const filterGradientFunctions = (): string => FILTER_GRADIENT_TILES.map(([ci, ov]) => tileFunction(ci, ov)).join('\n');
