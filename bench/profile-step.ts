/**
 * Where a training step's time goes on the wasm backend: kernel time summed by kernel and input shapes.
 *
 * Usage: npx tsx bench/profile-step.ts [--model resnet32] [--threads N] [--batch 128] [--top 25] [--timer profile|wrap] [--steps 3]
 * One warm-up step, then the timed steps; prints the time per kernel name, then per kernel and input shapes.
 * - `--timer profile` (default): tf.profile, one step; it times kernels one by one and inflates
 *   memory-bound kernels (a total well above a plain step's time).
 * - `--timer wrap`: every wasm kernel is re-registered inside a wall-clock timer for the timed steps
 *   only, so the total stays close to a plain step; also prints the fastest plain step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, initBackend, shutdownBackend } from '../src/backend/index.js';
import { trainStep } from '../src/train/step.js';
import { BENCH_MODELS, benchTrainState, syntheticBatch } from './bench-models.js';

const argv = process.argv.slice(2);
const get = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const name = get('--model') ?? 'resnet32';
const threads = get('--threads') === undefined ? defaultWasmThreads() : Number(get('--threads'));
const batchSize = Number(get('--batch') ?? 128);
const top = Number(get('--top') ?? 25);
const timer = get('--timer') ?? 'profile';
const steps = Number(get('--steps') ?? 3);
if (timer !== 'profile' && timer !== 'wrap') throw new Error(`--timer: expected profile or wrap, got ${timer}`);

type Rows = Map<string, { ms: number; calls: number }>;
const add = (rows: Rows, key: string, ms: number): void => {
  const r = rows.get(key) ?? { ms: 0, calls: 0 };
  r.ms += ms;
  r.calls += 1;
  rows.set(key, r);
};
const shapesKey = (kernel: string, shapes: ReadonlyArray<readonly number[] | null | undefined>): string =>
  `${kernel} ${shapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}`;

/** Re-registers every wasm kernel inside a timer that records while `on()` holds. */
const wrapWasmKernels = (rows: Rows, on: () => boolean): void => {
  for (const k of tf.getKernelsForBackend('wasm')) {
    const f = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        if (!on()) return f(args);
        const t0 = performance.now();
        const out = f(args);
        const inputs = Object.values(args.inputs).filter((t): t is tf.TensorInfo => t != null);
        add(rows, shapesKey(k.kernelName, inputs.map((t) => t.shape)), performance.now() - t0);
        return out;
      },
    });
  }
};

const info = await initBackend('wasm', { threads });
try {
  const state = benchTrainState(name);
  const batch = syntheticBatch(BENCH_MODELS[name]!.shape, batchSize);
  trainStep(state, batch, 1e-3);
  const rows: Rows = new Map();
  let perStep = 1;
  if (timer === 'profile') {
    const p = await tf.profile(() => {
      trainStep(state, batch, 1e-3);
    });
    for (const k of p.kernels) add(rows, shapesKey(k.name, k.inputShapes), Number(k.kernelTimeMs));
  } else {
    let plain = Infinity;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      trainStep(state, batch, 1e-3);
      plain = Math.min(plain, performance.now() - t0);
    }
    let recording = false;
    wrapWasmKernels(rows, () => recording);
    recording = true;
    for (let i = 0; i < steps; i++) trainStep(state, batch, 1e-3);
    recording = false;
    perStep = steps;
    process.stdout.write(`fastest of ${steps} plain steps: ${plain.toFixed(0)} ms\n`);
  }
  let total = 0;
  const byKernel = new Map<string, number>();
  for (const [key, r] of rows) {
    total += r.ms;
    const kernel = key.split(' ')[0]!;
    byKernel.set(kernel, (byKernel.get(kernel) ?? 0) + r.ms);
  }
  process.stdout.write(`${name}, batch ${batchSize}, ${info.threads} thread(s), timer ${timer}: ${(total / perStep).toFixed(0)} ms of kernel time a step\n`);
  const kernels = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, top);
  process.stdout.write(`by kernel: ${kernels.map(([k, ms]) => `${k} ${(ms / perStep).toFixed(0)}`).join(', ')}\n`);
  for (const [key, r] of [...rows].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    process.stdout.write(`${(r.ms / perStep).toFixed(1).padStart(8)} ms ${String(r.calls / perStep).padStart(4)}×  ${key}\n`);
  }
  state.optimizer.dispose();
  state.model.dispose();
} finally {
  await shutdownBackend();
}
