/**
 * Training-step speed on the wasm backend: forward, backward and the SGD-momentum update of
 * `trainStep` (src/train/step.ts), for the small CNN (28×28×1) and ResNet-32 (32×32×3) at batch 128.
 *
 * Usage: npx tsx bench/train-speed.ts [--threads N] [--batch 128] [--models small-cnn,resnet32]
 *        [--seconds 20] [--warmup 3] [--json] [--profile]
 * Prints one JSON line per model with --json (what bench/run-speed.sh reads), a table otherwise.
 * Images per second come from the median step time (the machine is shared, so the median is the
 * honest centre; the fastest step is reported too). Effective GFLOP/s counts a training step as
 * 3× the forward multiply-adds ×2 (forward, input gradient, weight gradient), the usual convention,
 * with the same count for the PyTorch peer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defaultWasmThreads, initBackend, shutdownBackend } from '../src/backend/index.js';
import { trainStep } from '../src/train/step.js';
import { BENCH_MODELS, benchTrainState, syntheticBatch } from './bench-models.js';

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Result of one model's run. */
export interface SpeedResult {
  readonly engine: 'tfjs-wasm';
  readonly model: string;
  readonly batch: number;
  readonly threads: number;
  readonly steps: number;
  readonly medianStepMs: number;
  readonly minStepMs: number;
  readonly imagesPerSecond: number;
  readonly forwardGflopPerImage: number;
  readonly effectiveGflops: number;
}

const parseArgs = (argv: readonly string[]) => {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    threads: get('--threads') === undefined ? defaultWasmThreads() : Number(get('--threads')),
    batch: Number(get('--batch') ?? 128),
    models: (get('--models') ?? 'small-cnn,resnet32').split(','),
    seconds: Number(get('--seconds') ?? 20),
    warmup: Number(get('--warmup') ?? 3),
    json: argv.includes('--json'),
    profile: argv.includes('--profile'),
  };
};

const run = async (): Promise<void> => {
  const args = parseArgs(process.argv.slice(2));
  const info = await initBackend('wasm', { threads: args.threads });
  try {
    for (const name of args.models) {
      const state = benchTrainState(name);
      const spec = BENCH_MODELS[name]!;
      const batch = syntheticBatch(spec.shape, args.batch);
      // A small learning rate keeps the synthetic run finite; speed does not depend on it.
      const lr = 1e-3;
      for (let i = 0; i < args.warmup; i++) trainStep(state, batch, lr);
      if (args.profile) {
        const p = await tf.profile(() => {
          trainStep(state, batch, lr);
        });
        const byKernel = new Map<string, number>();
        for (const k of p.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
        const rows = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 15);
        process.stderr.write(`${name}: kernel time by op (ms, one step)\n${rows.map(([k, ms]) => `  ${k.padEnd(24)} ${ms.toFixed(1)}`).join('\n')}\n`);
      }
      const times: number[] = [];
      const started = performance.now();
      while (performance.now() - started < args.seconds * 1000 || times.length < 3) {
        const t0 = performance.now();
        trainStep(state, batch, lr);
        times.push(performance.now() - t0);
      }
      const med = median(times);
      const ips = (args.batch * 1000) / med;
      const result: SpeedResult = {
        engine: 'tfjs-wasm',
        model: name,
        batch: args.batch,
        threads: info.threads,
        steps: times.length,
        medianStepMs: med,
        minStepMs: Math.min(...times),
        imagesPerSecond: ips,
        forwardGflopPerImage: spec.forwardFlops / 1e9,
        effectiveGflops: (3 * spec.forwardFlops * ips) / 1e9,
      };
      if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `${name.padEnd(10)} batch ${args.batch}  ${info.threads} thread(s)  ${ips.toFixed(1)} img/s  ` +
            `(median step ${med.toFixed(1)} ms, fastest ${result.minStepMs.toFixed(1)} ms, ${times.length} steps)  ` +
            `${result.effectiveGflops.toFixed(2)} GFLOP/s effective\n`,
        );
      state.optimizer.dispose();
      state.model.dispose();
    }
  } finally {
    await shutdownBackend();
  }
};

await run();
