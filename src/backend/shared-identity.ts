/**
 * Identity and same-dtype Cast on wasm that share the input's memory instead of copying it.
 *
 * Intuition: tfjs clones every tensor a kernel saves for its gradient (`saveTensorsForBackwardMode`
 * runs Identity on each), and wasm's Identity copies the whole buffer: in a ResNet-32 step at batch
 * 128 that is about 125 copies of up to 8 MB, about 40 ms. Tensors are immutable and the wasm
 * backend counts references per buffer (its own Reshape shares memory the same way), so a clone can
 * be the same buffer with one more reference, as tfjs's cpu backend does. Cast to the dtype a tensor
 * already has (ReLU's gradient casts its 0/1 mask to float32) is the same identity.
 */
import * as tf from '@tensorflow/tfjs-core';

/** What these kernels need of tfjs-backend-wasm's `BackendWasm` (public members). */
interface RefCountedBackend {
  incRef(dataId: tf.DataId): void;
}

const share = (x: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
  (backend as RefCountedBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

let registered = false;

/**
 * Replaces wasm's Identity (for every dtype but string) and its Cast to the same dtype by
 * reference-sharing versions; other casts keep wasm's kernel. Idempotent.
 */
export const registerSharedIdentity = (): void => {
  if (registered) return;
  const identity = tf.getKernel(tf.Identity, 'wasm');
  const cast = tf.getKernel(tf.Cast, 'wasm');
  if (identity === undefined || cast === undefined) return;
  const stockIdentity = identity.kernelFunc;
  const stockCast = cast.kernelFunc;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({
    ...identity,
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      return x.dtype === 'string' ? stockIdentity(args) : share(x, args.backend);
    },
  });
  tf.unregisterKernel(tf.Cast, 'wasm');
  tf.registerKernel({
    ...cast,
    kernelFunc: (args) => {
      const x = args.inputs['x'] as tf.TensorInfo;
      const dtype = (args.attrs as unknown as tf.CastAttrs).dtype;
      return x.dtype === dtype && dtype !== 'string' ? share(x, args.backend) : stockCast(args);
    },
  });
  registered = true;
};
