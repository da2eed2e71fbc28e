/**
 * The conv filter gradient as a wasm kernel of tailstream's own: the SIMD module of
 * `filter-gradient-wat.ts`, on every wasm thread, reading x and dy where tfjs keeps them.
 *
 * When the SIMD kernels are not running (`simd-kernels.ts`), `simdFilterGradient` answers undefined and
 * callers keep their conv-based gradient. On a ResNet-32 step (batch 128,
 * 2 threads) the 31 filter gradients took about 705 ms as forward convs plus 162 ms of transposes;
 * this kernel does the same sums in place.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FILTER_GRADIENT_PARAMS, filterGradientFunction, filterGradientTile } from './filter-gradient-wat.js';
import { simdPool } from './simd-kernels.js';
import { heapFloats, type WasmHeapBackend } from '../heap-kernels.js';

/** Name of the wasm kernel computing a conv's filter gradient with the SIMD module. */
export const WASM_SIMD_FILTER_GRADIENT_KERNEL = 'TailstreamSimdConv2DFilterGradient';

/** Geometry the kernel needs besides its inputs' shapes. */
export interface FilterGradientAttrs {
  readonly filterShape: readonly [number, number, number, number];
  readonly strideH: number;
  readonly strideW: number;
  /** Padding above the input and left of it (the other sides follow from the output size). */
  readonly top: number;
  readonly left: number;
  /**
   * Output rows per pass of the kernel, counted across images (default: as many as fit `PASS_BYTES`);
   * a tuning knob: any whole number ≥ 1 gives the same bits.
   */
  readonly rowsPerPass?: number;
}

/** Bytes of x and dy one pass of the kernel should read: about a core's L1 data cache, where every tile of the pass finds them. */
const PASS_BYTES = 32 * 1024;

/** Output rows per pass (counted across images): as many as keep the pass's dy rows and x rows within `PASS_BYTES`. */
const rowsPerPass = (dyRowBytes: number, xRowBytes: number): number => Math.max(1, Math.floor(PASS_BYTES / (dyRowBytes + xRowBytes)));

let registered = false;

const register = (): void => {
  if (registered) return;
  tf.registerKernel({
    kernelName: WASM_SIMD_FILTER_GRADIENT_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as FilterGradientAttrs;
      const pool = simdPool(backend);
      if (pool === undefined) throw new Error(`${WASM_SIMD_FILTER_GRADIENT_KERNEL}: the SIMD kernels are not running`);
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const [, oh, ow, o] = dy.shape as [number, number, number, number];
      const [kh, kw] = a.filterShape;
      if (a.rowsPerPass !== undefined && !(Number.isInteger(a.rowsPerPass) && a.rowsPerPass >= 1 && a.rowsPerPass < 2 ** 31))
        throw new Error(`${WASM_SIMD_FILTER_GRADIENT_KERNEL}: rowsPerPass must be a whole number of at least 1, got ${a.rowsPerPass}`);
      const tile = filterGradientTile(c, o);
      if (tile === undefined) throw new Error(`${WASM_SIMD_FILTER_GRADIENT_KERNEL}: ${o} output channels is not a multiple of 4`);
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput([...a.filterShape], 'float32');
      const dw = heapFloats(wasm, out, WASM_SIMD_FILTER_GRADIENT_KERNEL);
      dw.fill(0);
      const args = [
        heapFloats(wasm, x, WASM_SIMD_FILTER_GRADIENT_KERNEL).byteOffset,
        heapFloats(wasm, dy, WASM_SIMD_FILTER_GRADIENT_KERNEL).byteOffset,
        dw.byteOffset,
        n,
        h,
        w,
        c,
        oh,
        ow,
        o,
        kh,
        kw,
        a.strideH,
        a.strideW,
        a.top,
        a.left,
        a.rowsPerPass ?? rowsPerPass(4 * ow * o, 4 * a.strideH * w * c),
      ];
      if (args.length !== FILTER_GRADIENT_PARAMS.length - 2) throw new Error(`${WASM_SIMD_FILTER_GRADIENT_KERNEL}: argument count`);
      pool.run(filterGradientFunction(tile[0], tile[1]), args);
      return out;
    },
  });
  registered = true;
};

/**
 * The filter gradient of a float32 NHWC conv on wasm by the SIMD kernel, or undefined when the kernels are
 * not running, the backend is not wasm or the shapes do not fit (output channels not a multiple of 4).
 */
export const simdFilterGradient = (x: tf.Tensor4D, dy: tf.Tensor4D, attrs: FilterGradientAttrs): tf.Tensor4D | undefined => {
  if (tf.getBackend() !== 'wasm' || simdPool(tf.backend()) === undefined || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  if (filterGradientTile(x.shape[3], dy.shape[3]) === undefined) return undefined;
  register();
  return tf.engine().runKernel(WASM_SIMD_FILTER_GRADIENT_KERNEL, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
};
