/**
 * What tailstream's SIMD kernels give a training step on wasm: the same model and batch stepped with
 * them running and stopped, interleaved in one process, so a noisy machine moves both alike.
 *
 * Usage: npx tsx bench/simd-ab.ts [--model resnet32|small-cnn] [--threads N] [--batch 128] [--rounds 5]
 * "on": the SIMD Conv2D, conv filter gradient and batch-norm backward (src/backend/simd/);
 * "off": wasm's XNNPACK Conv2D, the filter gradient as a forward conv, batch norm's tfjs-op formula.
 * Prints the fastest step of each (2 steps a round per mode) and the ratio.
 */
import { defaultWasmThreads, initBackend, shutdownBackend } from '../src/backend/index.js';
import { simdKernelThreads, startSimdKernels, stopSimdKernels } from '../src/backend/simd/simd-kernels.js';
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
const rounds = Number(get('--rounds') ?? 5);
const model = BENCH_MODELS[name];
if (model === undefined) throw new Error(`--model: expected one of ${Object.keys(BENCH_MODELS).join(', ')}, got ${name}`);

await initBackend('wasm', { threads });
try {
  const state = benchTrainState(name);
  const batch = syntheticBatch(model.shape, batchSize);
  const best = { on: Infinity, off: Infinity };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['on', 'off'] as const) {
      if (mode === 'on') await startSimdKernels(threads);
      else await stopSimdKernels();
      if (mode === 'on' && simdKernelThreads() === 0) throw new Error('the SIMD kernels did not start');
      trainStep(state, batch, 1e-3); // warm-up after the switch
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        trainStep(state, batch, 1e-3);
        best[mode] = Math.min(best[mode], performance.now() - t0);
      }
    }
  }
  const ips = (ms: number) => ((batchSize * 1000) / ms).toFixed(1);
  console.log(`${name}, batch ${batchSize}, ${threads} thread(s), fastest of ${2 * rounds} steps each`);
  console.log(`  SIMD kernels on:  ${best.on.toFixed(0)} ms a step (${ips(best.on)} img/s)`);
  console.log(`  SIMD kernels off: ${best.off.toFixed(0)} ms a step (${ips(best.off)} img/s)`);
  console.log(`  speed-up: ${(best.off / best.on).toFixed(2)}×`);
} finally {
  await shutdownBackend();
}
