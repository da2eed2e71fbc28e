/**
 * Chooses and starts the tfjs backend: the only place that imports a backend package.
 *
 * Intuition: try the fastest engine this machine can run, in the order
 * `node-gpu` (CUDA) → `node` (libtensorflow) → `wasm` (XNNPACK, with our conv gradients) → `cpu`,
 * unless the user names one; a named backend that cannot start is an error, never a silent fallback.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The union package's Node bundle is the one place tfjs registers every op's gradient in a form Node's ESM loader accepts.
import '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { registerFastConvGradients } from './conv-gradients.js';
import { registerFastAddGradient } from './add-gradient.js';
import { registerHeapKernels } from './heap-kernels.js';
import { registerSharedIdentity } from './shared-identity.js';
import { registerFastMatMulGradient } from './matmul-gradient.js';
import { registerFastMaxPoolGradient } from './max-pool-gradient.js';
import { simdKernelThreads, startSimdKernels, stopSimdKernels } from './simd/simd-kernels.js';
import { registerSimdConv2D } from './simd/conv-forward-kernel.js';
import { MAX_WASM_THREADS, terminateWasmWorkers, withThreadedWasm } from './wasm-threads.js';

/** Backends tailstream knows, fastest first. */
export const BACKEND_NAMES = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
/** A backend name, or `auto` for the first that starts. */
export type BackendName = (typeof BACKEND_NAMES)[number];
/** What was chosen. */
export interface BackendInfo {
  /** Our name for it. */
  readonly name: BackendName;
  /** tfjs's registry name (`tensorflow`, `wasm`, `cpu`). */
  readonly tfName: string;
  /** Worker threads the backend computes with (1 where it does not say). */
  readonly threads: number;
}

const PACKAGES: Record<BackendName, string | undefined> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: undefined,
};

const require = createRequire(import.meta.url);

/** The npm package a backend needs (undefined for `cpu`, which tfjs-core's dependencies always bring). */
export const backendPackage = (name: BackendName): string | undefined => PACKAGES[name];

/** Whether a package can be resolved from here (installed), without importing it. */
export const isInstalled = (pkg: string): boolean => {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};

/** Options for `initBackend`. */
export interface InitBackendOptions {
  /**
   * Threads the wasm backend computes with, 1 … 8 (the threaded build's ceiling; larger requests are
   * capped). Default: the cores available to this process (`os.availableParallelism()`), capped at 8.
   * 1 runs the single-threaded SIMD build, which starts no worker threads.
   */
  readonly threads?: number;
}

/** The wasm thread count `initBackend` uses when none is given: the available cores, at most 8. */
export const defaultWasmThreads = (): number => Math.max(1, Math.min(MAX_WASM_THREADS, os.availableParallelism()));

const wasmThreads = (requested: number | undefined): number => {
  if (requested === undefined) return defaultWasmThreads();
  if (!Number.isInteger(requested) || requested < 1) {
    throw new UserError('bad-argument', `threads: expected an integer ≥ 1, got ${requested}.`);
  }
  return Math.min(requested, MAX_WASM_THREADS);
};

/** The wasm backend as tfjs registered it, kept so it can be registered again after `shutdownBackend`. */
let wasmFactory: { readonly factory: ReturnType<typeof tf.findBackendFactory>; readonly priority: number } | undefined;
/** Threads of the running wasm backend (undefined when it is not running). */
let wasmRunning: number | undefined;

const startWasm = async (threads: number): Promise<BackendInfo> => {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (wasmRunning !== undefined && wasmRunning !== threads) await shutdownBackend();
  if (wasmRunning === undefined) {
    const root = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    const dir = path.join(root, 'dist');
    if (wasmFactory === undefined) {
      wasmFactory = { factory: tf.findBackendFactory('wasm'), priority: tf.engine().registryFactory['wasm']?.priority ?? 2 };
      wasm.setWasmPaths(dir + path.sep);
    }
    // A wasm backend started elsewhere (with tfjs's own thread count) is replaced by one with ours.
    if (tf.findBackendFactory('wasm') != null && tf.engine().registry['wasm'] !== undefined) tf.removeBackend('wasm');
    if (tf.findBackendFactory('wasm') == null) tf.registerBackend('wasm', wasmFactory.factory, wasmFactory.priority);
    wasm.setThreadsCount(threads);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
    const started =
      threads > 1
        ? await withThreadedWasm(threads, path.join(dir, 'tf-backend-wasm.node.js'), () => tf.setBackend('wasm'))
        : await tf.setBackend('wasm');
    if (!started) throw new UserError('missing-package', 'The wasm backend failed to start.');
    wasmRunning = threads;
  } else if (!(await tf.setBackend('wasm'))) {
    throw new UserError('missing-package', 'The wasm backend failed to start.');
  }
  registerHeapKernels();
  registerSharedIdentity();
  registerSimdConv2D();
  registerFastConvGradients();
  registerFastMaxPoolGradient();
  registerFastMatMulGradient();
  registerFastAddGradient();
  if (simdKernelThreads() !== threads) await startSimdKernels(threads);
  return { name: 'wasm', tfName: 'wasm', threads: wasm.getThreadsCount() };
};

/**
 * Stops what `initBackend` started that outlives a computation: the wasm backend's worker threads.
 * Tensors of that backend are freed; a later `initBackend` starts it afresh. Safe to call any time, also twice.
 */
export const shutdownBackend = async (): Promise<void> => {
  if (wasmRunning === undefined) return;
  wasmRunning = undefined;
  await stopSimdKernels();
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  await terminateWasmWorkers();
};

/** The one sentence that says a backend's package is missing and how to install it. */
export const missingPackageMessage = (name: BackendName, pkg: string): string =>
  `The ${name} backend needs the package ${pkg}, which is not installed (npm install ${pkg}).`;

const startOne = async (name: BackendName, options: InitBackendOptions): Promise<BackendInfo> => {
  const pkg = PACKAGES[name];
  if (pkg !== undefined && !isInstalled(pkg)) {
    throw new UserError('missing-package', missingPackageMessage(name, pkg));
  }
  switch (name) {
    case 'node-gpu':
    case 'node': {
      await import(pkg!);
      if (!(await tf.setBackend('tensorflow'))) throw new UserError('missing-package', `The ${name} backend failed to start.`);
      return { name, tfName: 'tensorflow', threads: 1 };
    }
    case 'wasm':
      return startWasm(wasmThreads(options.threads));
    case 'cpu': {
      await tf.setBackend('cpu');
      return { name, tfName: 'cpu', threads: 1 };
    }
  }
};

/**
 * Starts `requested` (or, for `auto`, the first backend of `BACKEND_NAMES` that starts) and returns what runs.
 * @throws UserError when a named backend is missing or fails to start
 */
export const initBackend = async (
  requested: BackendName | 'auto' = 'auto',
  options: InitBackendOptions = {},
): Promise<BackendInfo> => {
  // PROD silences tfjs's console hints (e.g. "install tfjs-node"); we print the chosen backend ourselves.
  tf.env().set('PROD', true);
  await tf.ready();
  if (requested !== 'auto') return startOne(requested, options);
  for (const name of BACKEND_NAMES) {
    const pkg = PACKAGES[name];
    if (pkg !== undefined && !isInstalled(pkg)) continue;
    try {
      return await startOne(name, options);
    } catch {
      // Try the next backend: `auto` means the first that works.
    }
  }
  throw new UserError('missing-package', 'No tfjs backend could start, not even cpu.');
};

/** Parses a `--backend` value; the error names the flag and the choices. */
export const parseBackendName = (s: string): BackendName | 'auto' => {
  if (s === 'auto' || (BACKEND_NAMES as readonly string[]).includes(s)) return s as BackendName | 'auto';
  throw new UserError('bad-argument', `--backend: expected one of auto, ${BACKEND_NAMES.join(', ')}; got '${s}'.`);
};
