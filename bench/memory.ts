/**
 * Memory over a long run: 2,000 training steps of the small CNN on mnist-lt (batch 64, wasm, random
 * crop with 2-pixel padding and flip) through the real `fit` stream (sampler → batches → crop/flip →
 * step, prefetch 2), sampling tf.memory().numTensors, tf.memory().numBytes, the V8 heap and the
 * process RSS every 50 steps.
 *
 * With `--pipeline thread` the batches are made in a pipeline thread (`startPipelineThread`, as runs
 * do by default) instead of on the main thread; RSS then includes the thread's heap.
 *
 * Usage: npm run bench:memory -- [--steps 2000] [--every 50] [--batch 64] [--threads N] [--pipeline main-thread|thread] [--out FILE]
 * Prints the curve as a table and the endpoints; with --out writes the markdown report there.
 * Verdict: tensors and tensor bytes must be identical at every sample after the first; RSS is called
 * flat when it grows by less than 5% (and less than 20 MiB) between step 500 and the last step
 * (allocators and the wasm heap settle in the first few hundred steps; the wasm memory never shrinks).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import * as tf from '@tensorflow/tfjs-core';
import { lastValueFrom, takeWhile, tap } from 'rxjs';
import { initBackend, shutdownBackend } from '../src/backend/index.js';
import { createRng } from '../src/core/rng.js';
import { datasets } from '../src/data/datasets.js';
import { crossEntropy } from '../src/losses/cross-entropy.js';
import { createSmallCnn } from '../src/models/small-cnn.js';
import { fit } from '../src/train/fit.js';
import { createSgdMomentum } from '../src/train/sgd-momentum.js';
import { buildPipeline, type PipelinePlan } from '../src/recipes/pipeline-plan.js';
import { startPipelineThread } from '../src/recipes/pipeline-thread.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    every: { type: 'string', default: '50' },
    batch: { type: 'string', default: '64' },
    threads: { type: 'string' },
    pipeline: { type: 'string', default: 'main-thread' },
    out: { type: 'string' },
  },
});
const steps = Number(values.steps);
if (values.pipeline !== 'main-thread' && values.pipeline !== 'thread') throw new Error(`bench/memory: --pipeline is main-thread or thread, got ${values.pipeline}`);
const inThread = values.pipeline === 'thread';
const every = Number(values.every);
const batchSize = Number(values.batch);

/** One sample of the curve. */
interface Sample {
  readonly step: number;
  readonly tensors: number;
  readonly tensorBytes: number;
  readonly heapMiB: number;
  /** Memory of ArrayBuffers outside V8's heap (typed arrays of the batches, the wasm memory). */
  readonly arrayBuffersMiB: number;
  /** The wasm backend's linear memory (it grows, never shrinks). */
  readonly wasmMiB: number;
  readonly rssMiB: number;
  readonly secondsSinceStart: number;
}

const MiB = 1024 * 1024;
const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const startLoad = loadAverage();
const info = await initBackend('wasm', values.threads === undefined ? {} : { threads: Number(values.threads) });
const loaded = datasets.get('mnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 });
if (E.isLeft(loaded)) throw new Error(loaded.left);
const dataset = loaded.right;
const rng = createRng(0);
const model = createSmallCnn({ shape: dataset.shape, numClasses: dataset.numClasses }, rng.derive('model'));
const optimizer = createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 });
const state = { model, loss: crossEntropy, prepared: crossEntropy.prepare(crossEntropy.defaults, dataset.trainCounts), reduction: 'mean' as const, optimizer };
const stepsPerEpoch = Math.ceil(dataset.train.indices.length / batchSize);
const epochs = Math.ceil(steps / stepsPerEpoch);
const plan: PipelinePlan = {
  sampler: 'instance',
  deferredResampling: null,
  rebalancingSampler: null,
  cropFlip: { padding: 2, flip: true, fill: dataset.mean.map((m, c) => -m / dataset.std[c]!) },
  transforms: [],
  bilateralMixup: null,
};
const { sampler, transforms } = buildPipeline(plan, { classCounts: dataset.trainCounts, normalization: dataset });
const trainRng = rng.derive('train');
const thread = inThread
  ? startPipelineThread({ train: dataset.train, normalization: dataset, plan, classCounts: dataset.trainCounts, rng: trainRng, epochs, batchSize })
  : undefined;

const samples: Sample[] = [];
const started = performance.now();
const sample = (step: number) => {
  const m = tf.memory();
  const u = process.memoryUsage();
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength ?? 0;
  samples.push({
    step,
    tensors: m.numTensors,
    tensorBytes: m.numBytes,
    heapMiB: u.heapUsed / MiB,
    arrayBuffersMiB: u.arrayBuffers / MiB,
    wasmMiB: wasm / MiB,
    rssMiB: u.rss / MiB,
    secondsSinceStart: (performance.now() - started) / 1000,
  });
};
sample(0);
let done = 0;
await lastValueFrom(
  fit({
    dataset,
    state,
    sampler,
    transforms,
    epochs,
    batchSize,
    lr: () => 0.02,
    rng: trainRng,
    prefetch: 2,
    ...(thread !== undefined ? { epochSource: thread.epochSource } : {}),
  }).pipe(
    takeWhile(() => done < steps),
    tap((e) => {
      if (e.kind !== 'step') return;
      done++;
      if (done === 1 || done % every === 0) sample(done);
      if (done % 500 === 0) process.stderr.write(`step ${done}: loss ${e.result.loss.toFixed(3)}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    }),
  ),
  { defaultValue: undefined },
);
await thread?.close();
const seconds = (performance.now() - started) / 1000;
const endLoad = loadAverage();
const s1000 = samples.find((s) => s.step === 1000);
optimizer.dispose();
model.dispose();
const afterDispose = tf.memory().numTensors;
await shutdownBackend();

const at = (step: number) => samples.reduce((best, s) => (Math.abs(s.step - step) < Math.abs(best.step - step) ? s : best));
const first = at(1);
const last = samples.at(-1)!;
const s500 = at(500);
const rssGrowth = last.rssMiB - s500.rssMiB;
const rssGrowthPct = (100 * rssGrowth) / s500.rssMiB;
const trained = samples.filter((s) => s.step >= 1);
const tensorsFlat = trained.every((s) => s.tensors === first.tensors && s.tensorBytes === first.tensorBytes);
const rssFlat = rssGrowthPct < 5 && rssGrowth < 20;
// Least-squares slope of RSS over steps 500 … end, in MiB per 1,000 steps.
const tail = samples.filter((s) => s.step >= 500);
const mean = (f: (s: Sample) => number) => tail.reduce((a, s) => a + f(s), 0) / tail.length;
const ms = mean((s) => s.step);
const mr = mean((s) => s.rssMiB);
const slope = (1000 * tail.reduce((a, s) => a + (s.step - ms) * (s.rssMiB - mr), 0)) / tail.reduce((a, s) => a + (s.step - ms) ** 2, 0);

const table = [
  '| step | tensors | tensor MiB | V8 heap MiB | ArrayBuffers MiB | wasm memory MiB | RSS MiB | s |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...samples.map(
    (s) =>
      `| ${s.step} | ${s.tensors} | ${(s.tensorBytes / MiB).toFixed(3)} | ${s.heapMiB.toFixed(1)} | ${s.arrayBuffersMiB.toFixed(1)} | ${s.wasmMiB.toFixed(1)} | ${s.rssMiB.toFixed(1)} | ${s.secondsSinceStart.toFixed(0)} |`,
  ),
].join('\n');
const endpoints = [
  `tensors: ${first.tensors} after step 1, ${last.tensors} after step ${last.step} (${samples[0]!.tensors} before training; ${afterDispose} after disposing the model and optimiser)`,
  `tensor bytes: ${(first.tensorBytes / MiB).toFixed(3)} MiB after step 1, ${(last.tensorBytes / MiB).toFixed(3)} MiB after step ${last.step}`,
  `RSS: ${samples[0]!.rssMiB.toFixed(1)} MiB before training, ${first.rssMiB.toFixed(1)} after step 1, ${s500.rssMiB.toFixed(1)} at step ${s500.step}, ${last.rssMiB.toFixed(1)} at step ${last.step}` +
    ` (step ${s500.step} → ${last.step}: ${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(1)} MiB, ${rssGrowthPct >= 0 ? '+' : ''}${rssGrowthPct.toFixed(1)}%; least-squares slope ${slope.toFixed(2)} MiB per 1,000 steps` +
    `${s1000 === undefined || last.step <= 1000 ? '' : `; step 1000 → ${last.step}: ${(last.rssMiB - s1000.rssMiB >= 0 ? '+' : '') + (last.rssMiB - s1000.rssMiB).toFixed(1)} MiB`})`,
  `wasm memory: ${first.wasmMiB.toFixed(1)} MiB after step 1, ${s500.wasmMiB.toFixed(1)} at step ${s500.step}, ${last.wasmMiB.toFixed(1)} at step ${last.step}; V8 heap used ${s500.heapMiB.toFixed(1)} → ${last.heapMiB.toFixed(1)} MiB`,
  `verdict: tensor count and bytes ${tensorsFlat ? 'FLAT (identical at every sample)' : 'NOT FLAT'}; RSS ${rssFlat ? 'FLAT' : 'NOT FLAT'} (threshold: < 5% and < 20 MiB growth from step 500 to the end)`,
].join('\n');
process.stdout.write(`${table}\n\n${endpoints}\n`);

if (values.out !== undefined) {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const argv = process.argv.slice(2).join(' ');
  const md = `# Memory over ${done} training steps, ${new Date().toISOString().slice(0, 10)}

Command: \`npm run bench:memory${argv === '' ? '' : ` -- ${argv}`}\`
Commit: ${commit}; machine: ${cpu}, ${os.availableParallelism()} logical CPUs, Node ${process.version}; backend wasm (${info.threads} thread${info.threads === 1 ? '' : 's'}).
Load average (1, 5, 15 min): ${startLoad} at the start, ${endLoad} at the end; ${seconds.toFixed(0)} s in all.

What runs: the small CNN on mnist-lt (ρ = 100, ${dataset.train.indices.length} training images, ${stepsPerEpoch} steps per epoch at batch ${batchSize}),
the real \`fit\` stream (instance sampler → \`epochBatches\` → random crop (padding 2) and flip → \`trainStep\`, prefetch 2),
its batches made ${inThread ? 'in a pipeline thread (`startPipelineThread`; RSS includes the thread)' : 'on the main thread'},
SGD-momentum 0.9 with weight decay 5e-4 at a constant learning rate 0.02, ${epochs} epochs cut at step ${done}.
Sampled after step 1 and every ${every} steps (step 0: before training); no forced garbage collection.

## Endpoints

${endpoints
  .split('\n')
  .map((l) => `- ${l}`)
  .join('\n')}

## Curve

${table}
`;
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, md);
  process.stderr.write(`wrote ${values.out}\n`);
}
