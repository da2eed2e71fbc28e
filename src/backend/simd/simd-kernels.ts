/**
 * The running SIMD kernels: the module of `simd-module.ts` instantiated over the wasm backend's heap,
 * on a `KernelPool` of as many threads as the backend computes with.
 *
 * `startSimdKernels` (called when the wasm backend starts) assembles the module, finds the heap
 * (the Emscripten module's memory) and starts the pool; when the heap cannot be found, nothing runs
 * and every kernel built on `simdPool()` keeps tfjs's own path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { compileWat } from './compile-wat.js';
import { startKernelPool, type KernelPool } from './kernel-pool.js';
import { simdKernelsWat } from './simd-module.js';
import { registerSimdBatchNormBackward, unregisterSimdBatchNormBackward } from './batch-norm-kernel.js';
import { BN_APPLY_FUNCTION, BN_SUMS_FUNCTION } from './batch-norm-wat.js';

let pool: KernelPool | undefined;
/** The backend instance the pool's heap belongs to. */
let poolBackend: unknown;

/** The heap of a running tfjs-wasm backend: the Emscripten module's memory. */
const heapMemory = (backend: unknown): WebAssembly.Memory | undefined => {
  const module = (backend as { wasm?: Record<string, unknown> } | undefined)?.wasm;
  if (module === undefined) return undefined;
  const asm = module['asm'] as Record<string, unknown> | undefined;
  const exports = module['wasmExports'] as Record<string, unknown> | undefined;
  return [module['wasmMemory'], asm?.['memory'], exports?.['memory']].find((m): m is WebAssembly.Memory => m instanceof WebAssembly.Memory);
};

/**
 * Starts the SIMD kernels for the running wasm backend on `threads` threads (1 when its heap is not shared).
 * Resolves to whether they run; kernels started before are stopped first.
 */
export const startSimdKernels = async (threads: number): Promise<boolean> => {
  await stopSimdKernels();
  if (tf.getBackend() !== 'wasm') return false;
  const backend = tf.backend();
  const memory = heapMemory(backend);
  if (memory === undefined) return false;
  const shared = memory.buffer instanceof SharedArrayBuffer;
  // The text is generated here: a failure to assemble it is a bug to report, not a reason to fall back.
  const module = await compileWat('tailstream-simd', simdKernelsWat(shared));
  pool = await startKernelPool(module, memory, shared ? threads : 1);
  poolBackend = backend;
  registerSimdBatchNormBackward();
  return true;
};

/** Stops the pool's workers; `simdPool` answers undefined until the next start. Safe to call twice. */
export const stopSimdKernels = async (): Promise<void> => {
  const p = pool;
  pool = undefined;
  poolBackend = undefined;
  unregisterSimdBatchNormBackward();
  await p?.close();
};

/** Threads the SIMD kernels run on (0 when they are not running). */
export const simdKernelThreads = (): number => pool?.threads ?? 0;

/** The pool, when the kernels run over the heap of `backend` (a kernel's backend argument); otherwise undefined. */
export const simdPool = (backend: unknown): KernelPool | undefined => (pool !== undefined && backend === poolBackend ? pool : undefined);

/** Whether the SIMD kernels run, on how many threads, and how often each kernel has run since they started. */
export interface SimdKernelStatus {
  readonly running: boolean;
  /** 0 when not running. */
  readonly threads: number;
  /** Calls per kernel: conv2d forward, conv2d filter gradient, batch-norm backward (one per gradient, two passes each). */
  readonly calls: { readonly conv2d: number; readonly filterGradient: number; readonly batchNormBackward: number };
}

/**
 * The SIMD kernels' state for the active backend: running only when they serve it (a pool left from
 * an earlier wasm backend does not count for cpu). A doctor run reads it after its probe.
 */
export const simdKernelStatus = (): SimdKernelStatus => {
  const calls = { conv2d: 0, filterGradient: 0, batchNormBackward: 0 };
  const active = simdPool(tf.backend());
  for (const [name, n] of active?.calls() ?? []) {
    if (name.startsWith('conv2d_')) calls.conv2d += n;
    else if (name.startsWith('filterGrad_')) calls.filterGradient += n;
    // bnSums and bnApply run once each per batch-norm gradient: count the gradients.
    else if (name === BN_SUMS_FUNCTION) calls.batchNormBackward += n;
    else if (name !== BN_APPLY_FUNCTION) throw new Error(`simd kernels: no group for the export ${name}`);
  }
  return { running: active !== undefined, threads: active?.threads ?? 0, calls };
};
