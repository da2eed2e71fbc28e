/**
 * wasm's Conv2D kernel, run by the SIMD module's forward convolution when it applies.
 *
 * tfjs-wasm's Conv2D hands the convolution to XNNPACK, which builds an operator (and repacks the
 * filter) for every new filter tensor: in training every step brings new weights, and every input
 * gradient (a forward conv with a freshly flipped filter) a new one. The kernel of
 * `conv-forward-wat.ts` reads input and filter in place and splits output rows over the wasm threads.
 * It takes float32 NHWC convolutions with dilation 1 whose output channels are a multiple of 4; any
 * other Conv2D, and every Conv2D while the SIMD kernels are not running, goes to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CONV_FORWARD_PARAMS, convForwardFunction, convForwardTile } from './conv-forward-wat.js';
import { simdPool } from './simd-kernels.js';
import { heapFloats, type WasmScratchBackend } from '../heap-kernels.js';

const isOne = (v: unknown): boolean => v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/** Whether the SIMD forward convolution computes this Conv2D (the pool runs, the shapes and attributes fit). */
const applies = (x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.Conv2DAttrs): boolean =>
  x.dtype === 'float32' &&
  filter.dtype === 'float32' &&
  x.shape.length === 4 &&
  (attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC') &&
  isOne(attrs.dilations) &&
  convForwardTile(filter.shape[3]!) !== undefined;

const conv = (x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.Conv2DAttrs, wasm: WasmScratchBackend, run: (name: string, args: number[]) => void): tf.TensorInfo => {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kh, kw, , o] = filter.shape as [number, number, number, number];
  const out = wasm.makeOutput([n, info.outHeight, info.outWidth, o], 'float32');
  const zero = wasm.makeOutput([c], 'float32');
  try {
    // Outputs first, views after: allocating can grow the heap, which detaches earlier views.
    const zeros = heapFloats(wasm, zero, tf.Conv2D);
    zeros.fill(0);
    const args = [
      heapFloats(wasm, x, tf.Conv2D).byteOffset,
      heapFloats(wasm, filter, tf.Conv2D).byteOffset,
      heapFloats(wasm, out, tf.Conv2D).byteOffset,
      zeros.byteOffset,
      n,
      h,
      w,
      c,
      info.outHeight,
      info.outWidth,
      o,
      kh,
      kw,
      info.strideHeight,
      info.strideWidth,
      info.padInfo.top,
      info.padInfo.left,
    ];
    if (args.length !== CONV_FORWARD_PARAMS.length - 2) throw new Error(`${tf.Conv2D}: argument count`);
    run(convForwardFunction(convForwardTile(o)!), args);
  } finally {
    wasm.disposeData(zero.dataId, true);
  }
  return out;
};

let registered = false;
let computed = 0;

/** How many Conv2D calls the SIMD forward convolution has computed in this process (the rest went to wasm's kernel). */
export const simdConv2DCount = (): number => computed;

/**
 * Replaces wasm's Conv2D kernel by one that runs the SIMD forward convolution where it applies and
 * wasm's own kernel elsewhere. Idempotent; needs the wasm backend registered.
 */
export const registerSimdConv2D = (): void => {
  if (registered) return;
  const stock = tf.getKernel(tf.Conv2D, 'wasm');
  if (stock === undefined) return;
  tf.unregisterKernel(tf.Conv2D, 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.Conv2DAttrs;
      const pool = simdPool(args.backend);
      if (pool === undefined || !applies(x, filter, attrs)) return stock.kernelFunc(args);
      computed += 1;
      return conv(x, filter, attrs, args.backend as unknown as WasmScratchBackend, (name, a) => pool.run(name, a));
    },
  });
  registered = true;
};
