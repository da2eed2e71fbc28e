/**
 * WebAssembly text of the conv filter-gradient kernel: 128-bit SIMD, run over tfjs-wasm's own heap.
 *
 * Intuition: the filter gradient of an NHWC conv is, for every tap (a, b) of the filter,
 *   dW[a, b, c, o] = Σ_{n, i, j} x[n, i·sh + a − top, j·sw + b − left, c] · dy[n, i, j, o]
 * an outer product of a pixel's input channels with its output-gradient channels, summed over all
 * output pixels. The kernel keeps a tile of CI input channels × 4·OV output channels of one tap in
 * CI·OV vector registers (x channels splatted from memory, dy read four channels a vector), walks
 * every pixel of one image for that tile, then the next tile, then the next image: an image's x and
 * dy stay in cache while all its tiles read them, and dW is touched once per image and tile.
 * The output rows and columns whose input falls inside the image are worked out once per tile
 * ([i0, i1) × [w0, w1)), and each row's x and dy pointers are the previous row's plus a fixed stride, so
 * a short row (8 pixels at ResNet's stage 3) pays two additions, not an address computation and a test.
 * Tiles are dealt to threads round-robin (tile t to thread t mod P), so threads never write the same
 * dW element, no reduction is needed, and the order of every sum is the same for any thread count.
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
  'G', // images per pass: their x and dy stay in cache while every tile reads them
  'part', // this thread's index, 0 … parts−1
  'parts', // threads sharing the work
] as const;

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
  const i32Locals = ['n0', 'n1', 'n', 't', 'T', 'OB', 'CB', 'ob', 'cb', 'tap', 'ka', 'kb', 'd', 'w0', 'w1', 'i0', 'i1', 'dwp', 'rows', 'xr', 'dr', 'xp', 'dyp', 'cnt', 'xStep', 'rowBytes', 'xRowStep', 'dyRowStep'];
  const vLocals = ['s', ...dys, ...accs];
  return `
  (func (export "${filterGradientFunction(ci, ov)}") ${i32Params(FILTER_GRADIENT_PARAMS)}
    ${locals(i32Locals, 'i32')}
    ${locals(vLocals, 'v128')}
    ${set('OB', `(i32.div_u ${get('O')} ${c32(ot)})`)}
    ${set('CB', `(i32.div_u ${get('C')} ${c32(ci)})`)}
    ${set('T', mul(mul(mul(get('KH'), get('KW')), get('CB')), get('OB')))}
    ${set('xStep', bytes(mul(get('SW'), get('C'))))}
    ${set('rowBytes', bytes(get('O')))}
    ${set('xRowStep', bytes(mul(mul(get('SH'), get('W')), get('C'))))}
    ${set('dyRowStep', bytes(mul(get('OW'), get('O'))))}
    (block $groups_done (loop $groups
      (br_if $groups_done (i32.ge_u ${get('n0')} ${get('N')}))
      ${set('n1', add(get('n0'), get('G')))}
      (if (i32.gt_u ${get('n1')} ${get('N')}) (then ${set('n1', get('N'))}))
      ${set('t', get('part'))}
      (block $tiles_done (loop $tiles
        (br_if $tiles_done (i32.ge_u ${get('t')} ${get('T')}))
        ;; tile t = ((tap · CB) + cb) · OB + ob, tap = ka · KW + kb
        ${set('ob', `(i32.rem_u ${get('t')} ${get('OB')})`)}
        ${set('d', `(i32.div_u ${get('t')} ${get('OB')})`)}
        ${set('cb', `(i32.rem_u ${get('d')} ${get('CB')})`)}
        ${set('tap', `(i32.div_u ${get('d')} ${get('CB')})`)}
        ${set('ka', `(i32.div_u ${get('tap')} ${get('KW')})`)}
        ${set('kb', `(i32.rem_u ${get('tap')} ${get('KW')})`)}
        ;; output columns j whose input column j·SW + kb − PL lies in [0, W): [w0, w1)
        ${set('d', sub(get('PL'), get('kb')))}
        ${set('w0', `(select (i32.div_s ${add(get('d'), sub(get('SW'), c32(1)))} ${get('SW')}) ${c32(0)} (i32.gt_s ${get('d')} ${c32(0)}))`)}
        ${set('d', add(get('d'), sub(get('W'), c32(1))))}
        ${set('w1', `(select ${add(`(i32.div_s ${get('d')} ${get('SW')})`, c32(1))} ${c32(0)} (i32.ge_s ${get('d')} ${c32(0)}))`)}
        (if (i32.gt_s ${get('w1')} ${get('OW')}) (then ${set('w1', get('OW'))}))
        ;; output rows i whose input row i·SH + ka − PT lies in [0, H): [i0, i1)
        ${set('d', sub(get('PT'), get('ka')))}
        ${set('i0', `(select (i32.div_s ${add(get('d'), sub(get('SH'), c32(1)))} ${get('SH')}) ${c32(0)} (i32.gt_s ${get('d')} ${c32(0)}))`)}
        ${set('d', add(get('d'), sub(get('H'), c32(1))))}
        ${set('i1', `(select ${add(`(i32.div_s ${get('d')} ${get('SH')})`, c32(1))} ${c32(0)} (i32.ge_s ${get('d')} ${c32(0)}))`)}
        (if (i32.gt_s ${get('i1')} ${get('OH')}) (then ${set('i1', get('OH'))}))
        (if (i32.and (i32.lt_s ${get('w0')} ${get('w1')}) (i32.lt_s ${get('i0')} ${get('i1')})) (then
          ${set('dwp', add(get('dw'), bytes(add(mul(add(mul(get('tap'), get('C')), mul(get('cb'), c32(ci))), get('O')), mul(get('ob'), c32(ot))))))}
          ${loadAccs.join('\n          ')}
          ${set('n', get('n0'))}
          (block $images_done (loop $images
          (br_if $images_done (i32.ge_u ${get('n')} ${get('n1')}))
          ;; the first valid row's x and dy pixels; each next row is a fixed stride further
          ${set('xr', add(get('x'), bytes(add(mul(add(mul(add(mul(get('n'), get('H')), sub(add(mul(get('i0'), get('SH')), get('ka')), get('PT'))), get('W')), sub(add(mul(get('w0'), get('SW')), get('kb')), get('PL'))), get('C')), mul(get('cb'), c32(ci))))))}
          ${set('dr', add(get('dy'), bytes(add(mul(add(mul(add(mul(get('n'), get('OH')), get('i0')), get('OW')), get('w0')), get('O')), mul(get('ob'), c32(ot))))))}
          ${set('rows', sub(get('i1'), get('i0')))}
          (loop $rows
            ${set('xp', get('xr'))}
            ${set('dyp', get('dr'))}
            ${set('cnt', sub(get('w1'), get('w0')))}
            (loop $pixels
              ${pixel.join('\n              ')}
              ${set('xp', add(get('xp'), get('xStep')))}
              ${set('dyp', add(get('dyp'), get('rowBytes')))}
              ${set('cnt', sub(get('cnt'), c32(1)))}
              (br_if $pixels ${get('cnt')}))
            ${set('xr', add(get('xr'), get('xRowStep')))}
            ${set('dr', add(get('dr'), get('dyRowStep')))}
            ${set('rows', sub(get('rows'), c32(1)))}
            (br_if $rows ${get('rows')}))
          ${set('n', add(get('n'), c32(1)))}
          (br $images)))
          ${storeAccs.join('\n          ')}))
        ${set('t', add(get('t'), get('parts')))}
        (br $tiles)))
      ${set('n0', get('n1'))}
      (br $groups))))`;
};

/** The module's filter-gradient functions: one per tile in `FILTER_GRADIENT_TILES`. */
export const filterGradientFunctions = (): string => FILTER_GRADIENT_TILES.map(([ci, ov]) => tileFunction(ci, ov)).join('\n');
