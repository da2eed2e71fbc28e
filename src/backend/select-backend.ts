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
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { registerFastConvGradients } from './conv-gradients.js';

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

/** Whether a package can be resolved from here (installed), without importing it. */
const isInstalled = (pkg: string): boolean => {
  try {
    require.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
};

/** Options for `initBackend`. */
export interface InitBackendOptions {
  /** Worker threads for wasm (defaults to 1 until threaded wasm loads from a file path in Node). */
  readonly threads?: number;
}

const startOne = async (name: BackendName, _options: InitBackendOptions): Promise<BackendInfo> => {
  const pkg = PACKAGES[name];
  if (pkg !== undefined && !isInstalled(pkg)) {
    throw new UserError(
      'missing-package',
      `The ${name} backend needs the package ${pkg}, which is not installed (npm install ${pkg}).`,
    );
  }
  switch (name) {
    case 'node-gpu':
    case 'node': {
      await import(pkg!);
      if (!(await tf.setBackend('tensorflow'))) throw new UserError('missing-package', `The ${name} backend failed to start.`);
      return { name, tfName: 'tensorflow', threads: 1 };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
      wasm.setWasmPaths(dir + path.sep);
      if (!(await tf.setBackend('wasm'))) throw new UserError('missing-package', 'The wasm backend failed to start.');
      registerFastConvGradients();
      return { name, tfName: 'wasm', threads: wasm.getThreadsCount() };
    }
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
