/**
 * Small data-movement kernels for the wasm backend, written in JavaScript over the wasm heap.
 *
 * Intuition: some of wasm's own data-movement kernels are generic element-by-element loops with
 * index arithmetic per element (DepthToSpace: about 130 ms for 2M floats; the [N,H,W,C] → [C,H,W,N]
 * transpose of a conv's filter gradient: about 25 ms at [128,32,32,16]), while a JavaScript loop
 * specialised to the one layout we need moves the same data in a few milliseconds (that transpose:
 * about half the time, by reading in tiles so both sides stay in cache). Each kernel here reads its input and writes its output in
 * place on the wasm heap (no copies through JavaScript arrays) and is registered for wasm only;
 * the `…OnHeap` functions are the plain loops, testable on any arrays.
 */
import * as tf from '@tensorflow/tfjs-core';

/** What these kernels need of tfjs-backend-wasm's `BackendWasm` (public members). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** A wasm backend from which a kernel can also free a scratch buffer it allocated with `makeOutput`. */
export interface WasmScratchBackend extends WasmHeapBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** The float32 view of a tensor on the wasm heap; throws for other dtypes. */
export const heapFloats = (backend: WasmHeapBackend, info: tf.TensorInfo, kernel: string): Float32Array => {
  const a = backend.typedArrayFromHeap(info);
  if (!(a instanceof Float32Array)) throw new Error(`${kernel}: expected float32 tensors, got ${info.dtype}`);
  return a;
};

/**
 * NHWC depth-to-space with block size `s` (TensorFlow's DCR order): out[n, u·s+p, v·s+q, c] =
 * x[n, u, v, (p·s + q)·C + c], for x of shape [n, h, w, s·s·C].
 */
export const depthToSpaceOnHeap = (x: Float32Array, out: Float32Array, n: number, h: number, w: number, c: number, s: number): void => {
  const outRow = w * s * c;
  let src = 0;
  for (let b = 0; b < n; b++) {
    for (let u = 0; u < h; u++) {
      const rowBase = (b * h * s + u * s) * outRow;
      for (let v = 0; v < w; v++) {
        for (let p = 0; p < s; p++) {
          let dst = rowBase + p * outRow + v * s * c;
          for (let q = 0; q < s; q++) {
            for (let k = 0; k < c; k++) out[dst + k] = x[src + k]!;
            src += c;
            dst += c;
          }
        }
      }
    }
  }
};

/** Name of the wasm kernel running `depthToSpaceOnHeap` (attrs: blockSize). */
export const WASM_DEPTH_TO_SPACE_KERNEL = 'TailstreamDepthToSpace';

/** Name of the wasm kernel running `swapOuterAxesOnHeap`: [A, B, C] → [C, B, A]. */
export const WASM_SWAP_OUTER_AXES_KERNEL = 'TailstreamSwapOuterAxes';

/**
 * out[c, b, a] = x[a, b, c] for x of shape [A, B, C] (a conv input [N, H·W, C] → [C, H·W, N]),
 * `tile` values of a at a time so that the strided reads stay in cache while the writes run along a.
 */
export const swapOuterAxesOnHeap = (x: Float32Array, out: Float32Array, A: number, B: number, C: number, tile = 64): void => {
  const BC = B * C;
  const BA = B * A;
  for (let a0 = 0; a0 < A; a0 += tile) {
    const a1 = Math.min(A, a0 + tile);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        const dst = c * BA + b * A;
        let src = a0 * BC + b * C + c;
        for (let a = a0; a < a1; a++, src += BC) out[dst + a] = x[src]!;
      }
    }
  }
};

/** Name of the wasm kernel running `flipSwapFilterOnHeap`: [kh, kw, ci, co] → [kh, kw, co, ci], taps reversed. */
export const WASM_FLIP_SWAP_FILTER_KERNEL = 'TailstreamFlipSwapFilter';

/**
 * out[kh−1−a, kw−1−b, o, i] = f[a, b, i, o]: a conv filter spatially flipped with its in/out channels
 * swapped (the filter of a conv's input gradient), in one pass (tf.reverse on wasm takes about 2 ms
 * for a 3×3×64×64 filter).
 */
export const flipSwapFilterOnHeap = (f: Float32Array, out: Float32Array, kh: number, kw: number, ci: number, co: number): void => {
  const tap = ci * co;
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      const src = (a * kw + b) * tap;
      const dst = ((kh - 1 - a) * kw + (kw - 1 - b)) * tap;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[dst + o * ci + i] = f[src + i * co + o]!;
      }
    }
  }
};

/**
 * Registers a one-input float32 wasm kernel that writes `run(x, out, x.shape, attrs)` into a new output
 * of `outShape(x.shape, attrs)`. The output is allocated before either heap view is taken: a heap
 * that grows invalidates views taken before.
 */
const registerUnaryHeapKernel = (
  kernelName: string,
  outShape: (shape: readonly number[], attrs: tf.NamedAttrMap) => number[],
  run: (x: Float32Array, out: Float32Array, shape: readonly number[], attrs: tf.NamedAttrMap) => void,
): void => {
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs = {} }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const wasm = backend as unknown as WasmHeapBackend;
      const out = wasm.makeOutput(outShape(x.shape, attrs), 'float32');
      run(heapFloats(wasm, x, kernelName), heapFloats(wasm, out, kernelName), x.shape, attrs);
      return out;
    },
  });
};

const blockSizeOf = (attrs: tf.NamedAttrMap): number => (attrs as unknown as { blockSize: number }).blockSize;

let registered = false;

/** Registers the kernels above for the wasm backend. Idempotent. */
export const registerHeapKernels = (): void => {
  if (registered) return;
  registerUnaryHeapKernel(
    WASM_DEPTH_TO_SPACE_KERNEL,
    ([n, h, w, depth], attrs) => {
      const s = blockSizeOf(attrs);
      return [n!, h! * s, w! * s, depth! / (s * s)];
    },
    (x, out, [n, h, w, depth], attrs) => {
      const s = blockSizeOf(attrs);
      depthToSpaceOnHeap(x, out, n!, h!, w!, depth! / (s * s), s);
    },
  );
  registerUnaryHeapKernel(
    WASM_SWAP_OUTER_AXES_KERNEL,
    ([A, B, C]) => [C!, B!, A!],
    (x, out, [A, B, C]) => swapOuterAxesOnHeap(x, out, A!, B!, C!),
  );
  registerUnaryHeapKernel(
    WASM_FLIP_SWAP_FILTER_KERNEL,
    ([kh, kw, ci, co]) => [kh!, kw!, co!, ci!],
    (x, out, [kh, kw, ci, co]) => flipSwapFilterOnHeap(x, out, kh!, kw!, ci!, co!),
  );
  registered = true;
};

/** NHWC depth-to-space: the heap kernel on wasm (float32), tf.depthToSpace elsewhere. */
export const depthToSpaceFast = (x: tf.Tensor4D, blockSize: number): tf.Tensor4D => {
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tf.depthToSpace(x, blockSize);
  registerHeapKernels();
  return tf.engine().runKernel(WASM_DEPTH_TO_SPACE_KERNEL, { x }, { blockSize }) as tf.Tensor4D;
};

/** [N, H, W, C] → [C, H, W, N] (transpose [3, 1, 2, 0]): the heap kernel on wasm (float32), tf.transpose elsewhere. */
export const nhwcToChwn = (x: tf.Tensor4D): tf.Tensor4D => {
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32') return tf.transpose(x, [3, 1, 2, 0]);
  registerHeapKernels();
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const swapped = tf.engine().runKernel(WASM_SWAP_OUTER_AXES_KERNEL, { x: tf.reshape(x, [n, h * w, c]) }, {}) as tf.Tensor;
    return tf.reshape(swapped, [c, h, w, n]);
  });
};

/** A conv filter flipped in both spatial axes with in/out channels swapped: the heap kernel on wasm (float32), tf ops elsewhere. */
export const flipSwapFilter = (filter: tf.Tensor4D): tf.Tensor4D => {
  if (tf.getBackend() !== 'wasm' || filter.dtype !== 'float32') return tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
  registerHeapKernels();
  return tf.engine().runKernel(WASM_FLIP_SWAP_FILTER_KERNEL, { x: filter }, {}) as tf.Tensor4D;
};
