/**
 * Where a training step's time goes on the wasm backend: kernel time summed by kernel and input shapes.
 *
 * Usage: npx tsx bench/profile-step.ts [--model resnet32] [--threads N] [--batch 128] [--top 25]
 * One warm-up step, then one profiled step (tf.profile); kernels are timed one by one, so the total
 * is a little above a plain step's time.
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

const info = await initBackend('wasm', { threads });
try {
  const state = benchTrainState(name);
  const batch = syntheticBatch(BENCH_MODELS[name]!.shape, batchSize);
  trainStep(state, batch, 1e-3);
  const p = await tf.profile(() => {
    trainStep(state, batch, 1e-3);
  });
  const rows = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of p.kernels) {
    const key = `${k.name} ${k.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}`;
    const r = rows.get(key) ?? { ms: 0, calls: 0 };
    const ms = Number(k.kernelTimeMs);
    r.ms += ms;
    r.calls += 1;
    total += ms;
    rows.set(key, r);
  }
  process.stdout.write(`${name}, batch ${batchSize}, ${info.threads} thread(s): ${total.toFixed(0)} ms of kernel time in one step\n`);
  for (const [key, r] of [...rows].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    process.stdout.write(`${r.ms.toFixed(1).padStart(8)} ms ${String(r.calls).padStart(4)}×  ${key}\n`);
  }
  state.optimizer.dispose();
  state.model.dispose();
} finally {
  await shutdownBackend();
}
