/**
 * The host pipeline against the training step.
 *
 * 1. The pipeline alone, on the main thread (one core): sampler → batcher (`epochBatches`) → random
 *    crop/flip → CMO (paired with the minority sampler) → pure noise, on typed arrays, batch 128, through
 *    the same RxJS composition `fit` uses (`pullThrough`, prefetch 2), consumed as fast as it can go.
 *    Data: CIFAR-10-LT-shaped (50,000 random 32×32×3 images in memory, ρ = 100 subset) and mnist-lt
 *    (28×28×1). Stages are added one at a time, so each one's cost shows.
 * 2. The training step alone on wasm at batch 128: ResNet-32 and the small CNN (bench/bench-models.ts,
 *    the helpers of bench/train-speed.ts), images/s from the median step.
 * 3. Step time with and without the pipeline attached: `fit` with the real stream (the pipeline of 1)
 *    against a loop of `trainStep` over one pre-built batch, interleaved A-B-A; inside `fit` the step's
 *    own compute time is measured too, so (wall time per step − compute) is what the step waited.
 *
 * Usage: npm run bench:pipeline -- [--seconds 4] [--step-seconds 20] [--cnn-steps 30] [--resnet-steps 5]
 *        [--threads N] [--out FILE]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { Observable, filter, lastValueFrom, take, tap, type OperatorFunction } from 'rxjs';
import { initBackend, shutdownBackend } from '../src/backend/index.js';
import type { HostBatch } from '../src/core/host-batch.js';
import { createRng, type Rng } from '../src/core/rng.js';
import { datasets, longTailFromTrainTest, type LongTailDataset } from '../src/data/datasets.js';
import type { LabeledImages } from '../src/data/labeled-images.js';
import { epochBatches } from '../src/streams/epoch-batches.js';
import { pullThrough } from '../src/streams/pull-source.js';
import { instanceSampler } from '../src/streams/samplers/instance-sampler.js';
import { minoritySampler } from '../src/streams/samplers/minority-sampler.js';
import { fit, type FitTransform } from '../src/train/fit.js';
import { trainStep, type TrainState } from '../src/train/step.js';
import { liftTransform } from '../src/transforms/batch-transform.js';
import { cmo, cmoDefaults } from '../src/transforms/cmo.js';
import { liftPairedTransformWith } from '../src/transforms/paired-transform.js';
import { pureNoise, pureNoiseDefaults } from '../src/transforms/pure-noise.js';
import { randomCropFlip } from '../src/transforms/random-crop-flip.js';
import { BENCH_MODELS, benchTrainState, syntheticBatch } from './bench-models.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    'step-seconds': { type: 'string', default: '20' },
    'cnn-steps': { type: 'string', default: '30' },
    'resnet-steps': { type: 'string', default: '5' },
    batch: { type: 'string', default: '128' },
    threads: { type: 'string' },
    out: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const stepSeconds = Number(values['step-seconds']);
const batchSize = Number(values.batch);
const log = (s: string) => process.stderr.write(`${s}\n`);

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** CIFAR-10 shaped images (5,000 per class, uniform random bytes from a small LCG), long-tailed at ρ = 100 as CIFAR-10-LT. */
const syntheticCifarLt = (): LongTailDataset => {
  const perClass = 5000;
  const classes = 10;
  const shape = { height: 32, width: 32, channels: 3 };
  const n = perClass * classes;
  const pixels = new Uint8Array(n * 32 * 32 * 3);
  let s = 2463534242;
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    pixels[i] = s >>> 24;
  }
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const source: LabeledImages = { pixels, labels, shape, numClasses: classes, classNames: Array.from({ length: classes }, (_, i) => `c${i}`) };
  return longTailFromTrainTest('synthetic-cifar10-lt', source, { ...source, pixels: pixels.subarray(0, 1000 * 3072), labels: labels.subarray(0, 1000) }, { ratio: 100, profile: 'exp', subsetSeed: 0 }, true);
};

const loadMnistLt = (): LongTailDataset => {
  const loaded = datasets.get('mnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 });
  if (E.isLeft(loaded)) throw new Error(loaded.left);
  return loaded.right;
};

/** The pipeline's stages, as `fit` builds them; CMO and pure noise are on from epoch 0 (CMO on every batch: p = 1, its worst case). */
type Stage = 'batches' | 'crop-flip' | 'cmo' | 'noise';
const STAGES: readonly Stage[] = ['batches', 'crop-flip', 'cmo', 'noise'];

const fitTransforms = (dataset: LongTailDataset, upTo: Stage): FitTransform[] => {
  const k = STAGES.indexOf(upTo);
  const out: FitTransform[] = [];
  if (k >= 1) {
    out.push({
      name: 'random-crop-flip',
      transform: randomCropFlip({ padding: dataset.shape.height === 32 ? 4 : 2, flip: true, fill: dataset.mean.map((m, c) => -m / dataset.std[c]!) }),
    });
  }
  if (k >= 2) out.push({ name: 'cmo', paired: cmo({ ...cmoDefaults, probability: 1, startEpoch: 0, skipLastEpochs: 0 }), secondSampler: minoritySampler() });
  if (k >= 3) {
    out.push({ name: 'pure-noise', transform: pureNoise({ ...pureNoiseDefaults, startEpoch: 0 }, { classCounts: dataset.trainCounts, normalization: dataset }) });
  }
  return out;
};

/** One epoch of the pipeline as `fitEpoch` composes it (without the step). */
const pipelineEpoch = (dataset: LongTailDataset, transforms: readonly FitTransform[], epoch: number, epochs: number, root: Rng): Observable<HostBatch> => {
  const rng = root.derive('epoch', epoch);
  const batchesOf = (sampler: typeof instanceSampler, batchRng: Rng) =>
    epochBatches(dataset.train, { sampler, batchSize, epoch, epochs, rng: batchRng, normalization: dataset });
  const ctx = { epoch, epochs };
  const ops: Array<OperatorFunction<HostBatch, HostBatch>> = transforms.map((t) =>
    'paired' in t
      ? liftPairedTransformWith(t.paired, batchesOf(t.secondSampler, rng.derive('second', t.name)), rng.derive('transform', t.name), 0, ctx)
      : 'bilateral' in t
        ? (() => {
            throw new Error(`bench/pipeline: '${t.name}' runs on bilateral pairs only`);
          })()
        : liftTransform(t.transform, rng.derive('transform', t.name), 0, ctx),
  );
  return pullThrough(batchesOf(instanceSampler, rng.derive('batches')), (s: Observable<HostBatch>) => ops.reduce((acc, op) => acc.pipe(op), s), { prefetch: 2 });
};

/** Images per second of the pipeline up to `stage`, consumed as fast as it goes, for about `secs` seconds. */
const pipelineSpeed = (dataset: LongTailDataset, stage: Stage, secs: number): { imagesPerSecond: number; msPerBatch: number; batches: number } => {
  const transforms = fitTransforms(dataset, stage);
  const root = createRng(7);
  let images = 0;
  let batches = 0;
  let checksum = 0;
  const started = performance.now();
  for (let epoch = 0; performance.now() - started < secs * 1000; epoch++) {
    pipelineEpoch(dataset, transforms, epoch, 1000, root).subscribe((b) => {
      images += b.y.length;
      batches++;
      checksum += b.x[b.x.length - 1]!; // Keep every batch observably used.
    });
  }
  const elapsed = (performance.now() - started) / 1000;
  if (!Number.isFinite(checksum)) throw new Error('non-finite pixels');
  return { imagesPerSecond: images / elapsed, msPerBatch: (1000 * elapsed) / batches, batches };
};

/** Median step time of `trainStep` over one pre-built batch for `secs` seconds (after `warmup` steps). */
const stepLoop = (state: TrainState, batch: HostBatch, opts: { secs?: number; steps?: number; warmup?: number }): number[] => {
  for (let i = 0; i < (opts.warmup ?? 0); i++) trainStep(state, batch, 1e-3);
  const times: number[] = [];
  const started = performance.now();
  while (opts.steps !== undefined ? times.length < opts.steps : performance.now() - started < (opts.secs ?? 1) * 1000 || times.length < 3) {
    const t0 = performance.now();
    trainStep(state, batch, 1e-3);
    times.push(performance.now() - t0);
  }
  return times;
};

/** `steps` steps of `fit` with the full pipeline: wall time between step events and the step's own compute time. */
const fitSteps = async (dataset: LongTailDataset, state: TrainState, steps: number, seed: number): Promise<{ intervals: number[]; compute: number[] }> => {
  const compute: number[] = [];
  const intervals: number[] = [];
  let last = Number.NaN;
  await lastValueFrom(
    fit({
      dataset,
      state,
      sampler: instanceSampler,
      transforms: fitTransforms(dataset, 'noise'),
      epochs: 1000,
      batchSize,
      lr: () => 1e-3,
      rng: createRng(seed),
      prefetch: 2,
      step: (s, b, lr) => {
        const t0 = performance.now();
        const r = trainStep(s, b, lr);
        compute.push(performance.now() - t0);
        return r;
      },
    }).pipe(
      // Epoch events are not steps (the wait an epoch's start adds shows in the next step's interval).
      filter((e) => e.kind === 'step'),
      take(steps + 1),
      tap(() => {
        const now = performance.now();
        if (!Number.isNaN(last)) intervals.push(now - last);
        last = now;
      }),
    ),
  );
  // The first step's compute has no interval before it (the stream's start-up is not a step's wait).
  return { intervals, compute: compute.slice(1) };
};

const threadsOption = values.threads === undefined ? {} : { threads: Number(values.threads) };
const startLoad = os.loadavg().map((x) => x.toFixed(2)).join(' ');
const info = await initBackend('wasm', threadsOption);
log(`backend wasm, ${info.threads} threads; load ${startLoad}`);

const data: Record<'cifar' | 'mnist', LongTailDataset> = { cifar: syntheticCifarLt(), mnist: loadMnistLt() };
const models: Record<'cifar' | 'mnist', string> = { cifar: 'resnet32', mnist: 'small-cnn' };

// 1. The pipeline alone.
const pipelineRows: Array<{ data: string; stage: Stage; imagesPerSecond: number; msPerBatch: number; batches: number }> = [];
for (const key of ['cifar', 'mnist'] as const) {
  for (const stage of STAGES) {
    const r = pipelineSpeed(data[key], stage, stage === 'noise' ? seconds : seconds / 2);
    pipelineRows.push({ data: data[key].name, stage, ...r });
    log(`pipeline ${data[key].name} up to ${stage}: ${r.imagesPerSecond.toFixed(0)} img/s (${r.msPerBatch.toFixed(2)} ms/batch)`);
  }
}

// 2. The step alone, and 3. with the pipeline attached (A-B-A).
const stepRows: Array<{ model: string; data: string; imagesPerSecond: number; medianStepMs: number; pipelineImagesPerSecond: number; ratio: number }> = [];
const attachRows: Array<{
  model: string;
  steps: number;
  loopBefore: number;
  fitWall: number;
  fitCompute: number;
  loopAfter: number;
  waitMean: number;
  waitMedian: number;
  pipelineMsPerBatch: number;
}> = [];
for (const key of ['mnist', 'cifar'] as const) {
  const name = models[key];
  const state = benchTrainState(name);
  const batch = syntheticBatch(BENCH_MODELS[name]!.shape, batchSize);
  const times = stepLoop(state, batch, { secs: stepSeconds, warmup: 2 });
  const med = median(times);
  const ips = (batchSize * 1000) / med;
  const full = pipelineRows.find((r) => r.data === data[key].name && r.stage === 'noise')!;
  stepRows.push({ model: name, data: data[key].name, imagesPerSecond: ips, medianStepMs: med, pipelineImagesPerSecond: full.imagesPerSecond, ratio: full.imagesPerSecond / ips });
  log(`step ${name}: ${ips.toFixed(1)} img/s (median ${med.toFixed(1)} ms, ${times.length} steps); pipeline/step = ${(full.imagesPerSecond / ips).toFixed(0)}×`);

  const n = Number(key === 'mnist' ? values['cnn-steps'] : values['resnet-steps']);
  const before = stepLoop(state, batch, { steps: n });
  const withPipeline = await fitSteps(data[key], state, n, 11);
  const after = stepLoop(state, batch, { steps: n });
  const waits = withPipeline.intervals.map((w, i) => w - withPipeline.compute[i]!);
  attachRows.push({
    model: name,
    steps: n,
    loopBefore: mean(before),
    fitWall: mean(withPipeline.intervals),
    fitCompute: mean(withPipeline.compute),
    loopAfter: mean(after),
    waitMean: mean(waits),
    waitMedian: median(waits),
    pipelineMsPerBatch: full.msPerBatch,
  });
  const a = attachRows.at(-1)!;
  log(
    `attach ${name}: loop ${a.loopBefore.toFixed(1)} ms, fit ${a.fitWall.toFixed(1)} ms/step (compute ${a.fitCompute.toFixed(1)}, waiting ${a.waitMean.toFixed(2)} mean / ${a.waitMedian.toFixed(2)} median), loop ${a.loopAfter.toFixed(1)} ms`,
  );
  state.optimizer.dispose();
  state.model.dispose();
}
await shutdownBackend();
const endLoad = os.loadavg().map((x) => x.toFixed(2)).join(' ');

const pipelineTable = [
  '| data | pipeline up to | img/s (1 core) | ms per batch of ' + batchSize + ' | batches timed |',
  '|---|---|---:|---:|---:|',
  ...pipelineRows.map((r) => `| ${r.data} | ${r.stage} | ${r.imagesPerSecond.toFixed(0)} | ${r.msPerBatch.toFixed(2)} | ${r.batches} |`),
].join('\n');
const stepTable = [
  '| model | data shape | step img/s (wasm) | median step ms | full pipeline img/s | pipeline ÷ step |',
  '|---|---|---:|---:|---:|---:|',
  ...stepRows.map(
    (r) => `| ${r.model} | ${r.data} | ${r.imagesPerSecond.toFixed(1)} | ${r.medianStepMs.toFixed(1)} | ${r.pipelineImagesPerSecond.toFixed(0)} | ${r.ratio.toFixed(0)}× |`,
  ),
].join('\n');
const attachTable = [
  '| model | steps | loop over one batch, ms/step (before) | fit with pipeline, wall ms/step | of which step compute | of which waiting (mean / median) | loop, ms/step (after) | pipeline alone, ms/batch |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...attachRows.map(
    (r) =>
      `| ${r.model} | ${r.steps} | ${r.loopBefore.toFixed(1)} | ${r.fitWall.toFixed(1)} | ${r.fitCompute.toFixed(1)} | ${r.waitMean.toFixed(2)} / ${r.waitMedian.toFixed(2)} | ${r.loopAfter.toFixed(1)} | ${r.pipelineMsPerBatch.toFixed(2)} |`,
  ),
].join('\n');
process.stdout.write(`${pipelineTable}\n\n${stepTable}\n\n${attachTable}\n`);

if (values.out !== undefined) {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  const argv = process.argv.slice(2).join(' ');
  const md = `# Host pipeline against the training step, ${new Date().toISOString().slice(0, 10)}

Command: \`npm run bench:pipeline${argv === '' ? '' : ` -- ${argv}`}\`
Commit: ${commit}; machine: ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.availableParallelism()} logical CPUs, Node ${process.version}; wasm with ${info.threads} threads.
Load average (1, 5, 15 min): ${startLoad} at the start, ${endLoad} at the end (the machine is shared).

## 1. The pipeline alone (main thread, one core)

Sampler (instance) → \`epochBatches\` (gather + normalise to float32) → random crop/flip → CMO (minority-sampler
foreground batch, p = 1: a box on every batch, its worst case) → pure noise (δ = 1/3, on from epoch 0), batch ${batchSize},
through \`pullThrough\` with prefetch 2 as \`fit\` composes it; each row adds one stage.
The CIFAR-shaped data is 50,000 random 32×32×3 images in memory, subset to CIFAR-10-LT at ρ = 100 (${data.cifar.train.indices.length} images); mnist-lt has ${data.mnist.train.indices.length}.

${pipelineTable}

## 2. The training step alone (wasm, batch ${batchSize})

\`trainStep\` over one synthetic batch (bench/bench-models.ts), ${stepSeconds} s per model, images/s from the median step.

${stepTable}

## 3. Step time with and without the pipeline attached

The same model and optimiser: a loop of \`trainStep\` over one pre-built batch, then \`fit\` with the full pipeline of
section 1 (ResNet-32 on the CIFAR-shaped data, the small CNN on mnist-lt), then the loop again. In \`fit\`, "wall" is the
time between consecutive step events, "compute" the step function's own time, and "waiting" their difference: the time
between two steps spent making the next batch (and in RxJS scheduling).

${attachTable}
`;
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, md);
  log(`wrote ${values.out}`);
}
