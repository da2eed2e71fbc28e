/**
 * The host pipeline against the training step.
 *
 * 1. The pipeline alone, on the main thread (one core): sampler → batcher (`epochBatches`) → random
 *    crop/flip → CMO (paired with the minority sampler) → pure noise, on typed arrays, batch 128, built
 *    from a run's plan (`buildPipeline`) and composed as `fit` composes it (`epochPipeline` through
 *    `pullThrough`, prefetch 2), consumed as fast as it can go. Data: CIFAR-10-LT-shaped (50,000 random
 *    32×32×3 images in memory, ρ = 100 subset) and mnist-lt (28×28×1). Stages are added one at a time,
 *    so each one's cost shows. Then the full pipeline made in a pipeline thread, as delivered.
 * 2. The training step alone on wasm at batch 128: ResNet-32 and the small CNN (bench/bench-models.ts,
 *    the helpers of bench/train-speed.ts), images/s from the median step.
 * 3. Step time with and without the pipeline attached: a loop of `trainStep` over one pre-made batch;
 *    `fit` over batches made before the run (its own overhead: the floor); `fit` with the full
 *    pipeline made on the main thread; `fit` with it made in a pipeline thread (`startPipelineThread`);
 *    the loop again. Inside `fit` the step's own compute time is measured too, so (wall time per step −
 *    compute) is what the step waited.
 * 4. The same with a stand-in for a fast GPU step (the main thread blocked, not busy, for a fixed
 *    time, `--fast-step-ms`), where one thread's pipeline is no longer small next to the step; with 1
 *    and 2 pipeline threads.
 *
 * Usage: npm run bench:pipeline -- [--seconds 4] [--step-seconds 20] [--cnn-steps 30] [--resnet-steps 5]
 *        [--fast-step-ms 10] [--fast-steps 200] [--fast-warmup 30] [--threads N] [--out FILE]
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { filter, lastValueFrom, take, tap, toArray } from 'rxjs';
import { initBackend, shutdownBackend } from '../src/backend/index.js';
import type { HostBatch } from '../src/core/host-batch.js';
import { createRng } from '../src/core/rng.js';
import { datasets, longTailFromTrainTest, type LongTailDataset } from '../src/data/datasets.js';
import type { LabeledImages } from '../src/data/labeled-images.js';
import { fromIterator, pullThrough } from '../src/streams/pull-source.js';
import { fit, type StepFunction } from '../src/train/fit.js';
import { epochPipeline, type EpochSource } from '../src/train/epoch-pipeline.js';
import { trainStep, type StepResult, type TrainState } from '../src/train/step.js';
import { buildPipeline, type PipelinePlan } from '../src/recipes/pipeline-plan.js';
import { startPipelineThread } from '../src/recipes/pipeline-thread.js';
import { BENCH_MODELS, benchTrainState, syntheticBatch } from './bench-models.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    'step-seconds': { type: 'string', default: '20' },
    'cnn-steps': { type: 'string', default: '30' },
    'resnet-steps': { type: 'string', default: '5' },
    'fast-step-ms': { type: 'string', default: '10' },
    'fast-steps': { type: 'string', default: '200' },
    'fast-warmup': { type: 'string', default: '30' },
    batch: { type: 'string', default: '128' },
    threads: { type: 'string' },
    out: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const stepSeconds = Number(values['step-seconds']);
const batchSize = Number(values.batch);
const fastMs = Number(values['fast-step-ms']);
const fastSteps = Number(values['fast-steps']);
const fastWarmup = Number(values['fast-warmup']);
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

/** The pipeline's stages, as a run's plan builds them; CMO and pure noise are on from epoch 0 (CMO on every batch: p = 1, its worst case). */
type Stage = 'batches' | 'crop-flip' | 'cmo' | 'noise';
const STAGES: readonly Stage[] = ['batches', 'crop-flip', 'cmo', 'noise'];

const planFor = (dataset: LongTailDataset, upTo: Stage): PipelinePlan => {
  const k = STAGES.indexOf(upTo);
  return {
    sampler: 'instance',
    deferredResampling: null,
    rebalancingSampler: null,
    cropFlip: k >= 1 ? { padding: dataset.shape.height === 32 ? 4 : 2, flip: true, fill: dataset.mean.map((m, c) => -m / dataset.std[c]!) } : null,
    transforms: [
      ...(k >= 2 ? [{ name: 'cmo', config: { probability: 1, startEpoch: 0, skipLastEpochs: 0 } }] : []),
      ...(k >= 3 ? [{ name: 'pure-noise', config: { startEpoch: 0 } }] : []),
    ],
    bilateralMixup: null,
  };
};

const EPOCHS = 1000;

/** `fit`'s and `epochPipeline`'s options for a plan (the run's Rng: `seed`). */
const pipelineOptions = (dataset: LongTailDataset, plan: PipelinePlan, seed: number) => {
  const built = buildPipeline(plan, { classCounts: dataset.trainCounts, normalization: dataset });
  return { dataset, sampler: built.sampler, transforms: built.transforms, epochs: EPOCHS, batchSize, rng: createRng(seed) };
};

/** A pipeline thread for the plan, with the options `pipelineOptions` gives the main thread. */
const threadFor = (dataset: LongTailDataset, plan: PipelinePlan, seed: number, threads = 1) =>
  startPipelineThread({ train: dataset.train, normalization: dataset, plan, classCounts: dataset.trainCounts, rng: createRng(seed), epochs: EPOCHS, batchSize, threads });

/** Throughput of a pipeline consumed as fast as it goes. */
interface Speed {
  readonly imagesPerSecond: number;
  readonly msPerBatch: number;
  readonly batches: number;
}

/** Images per second of the pipeline up to `stage` on the main thread, for about `secs` seconds. */
const pipelineSpeed = (dataset: LongTailDataset, stage: Stage, secs: number): Speed => {
  const options = pipelineOptions(dataset, planFor(dataset, stage), 7);
  let images = 0;
  let batches = 0;
  let checksum = 0;
  const started = performance.now();
  for (let epoch = 0; performance.now() - started < secs * 1000; epoch++) {
    pullThrough(epochPipeline(options, epoch, 0), (s) => s, { prefetch: 2 }).subscribe((item) => {
      if ('conventional' in item) throw new Error('bench/pipeline: a one-branch plan made a pair');
      images += item.y.length;
      batches++;
      checksum += item.x[item.x.length - 1]!; // Keep every batch observably used.
    });
  }
  const elapsed = (performance.now() - started) / 1000;
  if (!Number.isFinite(checksum)) throw new Error('non-finite pixels');
  return { imagesPerSecond: images / elapsed, msPerBatch: (1000 * elapsed) / batches, batches };
};

/** Images per second a pipeline thread delivers to the main thread (the full pipeline), for about `secs` seconds. */
const threadSpeed = async (dataset: LongTailDataset, secs: number): Promise<Speed> => {
  const thread = threadFor(dataset, planFor(dataset, 'noise'), 7);
  try {
    // The first batch pays the thread's start-up; timing starts after it.
    await lastValueFrom(pullThrough(thread.epochSource(0, 0), (s) => s).pipe(take(1)));
    let images = 0;
    let batches = 0;
    const started = performance.now();
    for (let epoch = 1; performance.now() - started < secs * 1000; epoch++) {
      await lastValueFrom(
        pullThrough(thread.epochSource(epoch, 0), (s) => s, { prefetch: 2 }).pipe(
          tap((item) => {
            if ('conventional' in item) throw new Error('bench/pipeline: a one-branch plan made a pair');
            images += item.y.length;
            batches++;
          }),
        ),
        { defaultValue: undefined },
      );
    }
    const elapsed = (performance.now() - started) / 1000;
    return { imagesPerSecond: images / elapsed, msPerBatch: (1000 * elapsed) / batches, batches };
  } finally {
    await thread.close();
  }
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

/** What a timed `fit` reports: wall time between step events and the step's own compute time. */
interface FitTiming {
  readonly intervals: number[];
  readonly compute: number[];
}

/** Where `fit` gets its batches in a timed run. */
type Placement = { readonly kind: 'main-thread' } | { readonly kind: 'threads'; readonly threads: number } | { readonly kind: 'pre-made' };

const placementName = (p: Placement): string =>
  p.kind === 'main-thread'
    ? 'made on the main thread'
    : p.kind === 'pre-made'
      ? 'pre-made (the floor: fit, RxJS and the event loop only)'
      : `made in ${p.threads} pipeline thread${p.threads === 1 ? '' : 's'}`;

/**
 * `steps` steps of `fit` with the full pipeline, its batches made where `placement` says (or made
 * before the run and replayed from memory); `run` is the step (a real `trainStep`, or a stand-in).
 */
const fitSteps = async (dataset: LongTailDataset, state: TrainState, steps: number, warmup: number, placement: Placement, run: StepFunction): Promise<FitTiming> => {
  const seed = 11;
  const plan = planFor(dataset, 'noise');
  const options = pipelineOptions(dataset, plan, seed);
  const thread = placement.kind === 'threads' ? threadFor(dataset, plan, seed, placement.threads) : undefined;
  let epochSource: EpochSource | undefined = thread?.epochSource;
  if (placement.kind === 'pre-made') {
    const items = await lastValueFrom(pullThrough(epochPipeline(options, 0, 0), (s) => s, { prefetch: 2 }).pipe(take(steps + warmup), toArray()));
    epochSource = () => fromIterator(() => items[Symbol.iterator]());
  }
  const compute: number[] = [];
  const intervals: number[] = [];
  let last = Number.NaN;
  try {
    await lastValueFrom(
      fit({
        ...options,
        state,
        lr: () => 1e-3,
        // N threads work at once only when N batches are asked for ahead of the step (as runs do).
        prefetch: Math.max(2, (thread?.threads ?? 1) + 1),
        ...(epochSource !== undefined ? { epochSource } : {}),
        step: (s, b, lr, epoch) => {
          const t0 = performance.now();
          const r = run(s, b, lr, epoch);
          compute.push(performance.now() - t0);
          return r;
        },
      }).pipe(
        // Epoch events are not steps (the wait an epoch's start adds shows in the next step's interval).
        filter((e) => e.kind === 'step'),
        // The first `warmup` steps are not timed: the stream's (and the threads') start-up is not a step's wait.
        take(steps + warmup),
        tap(() => {
          const now = performance.now();
          if (compute.length > warmup) intervals.push(now - last);
          last = now;
        }),
      ),
    );
  } finally {
    await thread?.close();
  }
  return { intervals, compute: compute.slice(warmup) };
};

/**
 * A stand-in for a fast GPU step: the main thread blocked for `ms` without using a core (`Atomics.wait`),
 * as it is while a synchronous backend waits for the device.
 */
const blockedStep = (ms: number): StepFunction => {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return (_state, batch): StepResult => {
    Atomics.wait(cell, 0, 0, ms);
    return { loss: 0, size: batch.y.length, correct: 0 };
  };
};

const realStep: StepFunction = (s, b, lr) => trainStep(s, b, lr);

/** Mean wall and compute per step, and what the step waited (wall − compute), of a timed fit. */
interface Attached {
  readonly wall: number;
  readonly compute: number;
  readonly waitMean: number;
  readonly waitMedian: number;
}
const summarize = (t: FitTiming): Attached => {
  const waits = t.intervals.map((w, i) => w - t.compute[i]!);
  return { wall: mean(t.intervals), compute: mean(t.compute), waitMean: mean(waits), waitMedian: median(waits) };
};

const threadsOption = values.threads === undefined ? {} : { threads: Number(values.threads) };
const startLoad = os.loadavg().map((x) => x.toFixed(2)).join(' ');
const info = await initBackend('wasm', threadsOption);
log(`backend wasm, ${info.threads} threads; load ${startLoad}`);

const data: Record<'cifar' | 'mnist', LongTailDataset> = { cifar: syntheticCifarLt(), mnist: loadMnistLt() };
const models: Record<'cifar' | 'mnist', string> = { cifar: 'resnet32', mnist: 'small-cnn' };

// 1. The pipeline alone, on the main thread, then in a pipeline thread.
const pipelineRows: Array<{ data: string; stage: Stage } & Speed> = [];
for (const key of ['cifar', 'mnist'] as const) {
  for (const stage of STAGES) {
    const r = pipelineSpeed(data[key], stage, stage === 'noise' ? seconds : seconds / 2);
    pipelineRows.push({ data: data[key].name, stage, ...r });
    log(`pipeline ${data[key].name} up to ${stage}: ${r.imagesPerSecond.toFixed(0)} img/s (${r.msPerBatch.toFixed(2)} ms/batch)`);
  }
}
const threadRows: Array<{ data: string } & Speed> = [];
for (const key of ['cifar', 'mnist'] as const) {
  const r = await threadSpeed(data[key], seconds);
  threadRows.push({ data: data[key].name, ...r });
  log(`pipeline thread ${data[key].name}: ${r.imagesPerSecond.toFixed(0)} img/s delivered (${r.msPerBatch.toFixed(2)} ms/batch)`);
}
const fullPipeline = (d: LongTailDataset) => pipelineRows.find((r) => r.data === d.name && r.stage === 'noise')!;

// 2. The step alone, and 3. with the pipeline attached: loop, fit (each placement), loop.
const stepRows: Array<{ model: string; data: string; imagesPerSecond: number; medianStepMs: number; pipelineImagesPerSecond: number; ratio: number }> = [];
interface AttachRow {
  readonly step: string;
  readonly steps: number;
  readonly batches: string;
  readonly timing: Attached;
}
const attachRows: AttachRow[] = [];
const loopRow = (step: string, steps: number, times: readonly number[], when: string): AttachRow => ({
  step,
  steps,
  batches: `none: a loop over one pre-made batch (${when})`,
  timing: { wall: mean(times), compute: mean(times), waitMean: 0, waitMedian: 0 },
});
const attach = async (step: string, dataset: LongTailDataset, state: TrainState, steps: number, warmup: number, placement: Placement, run: StepFunction) => {
  const timing = summarize(await fitSteps(dataset, state, steps, warmup, placement, run));
  attachRows.push({ step, steps, batches: placementName(placement), timing });
  log(`attach ${step}, batches ${placementName(placement)}: ${timing.wall.toFixed(1)} ms/step (compute ${timing.compute.toFixed(1)}, waiting ${timing.waitMean.toFixed(2)})`);
};
for (const key of ['mnist', 'cifar'] as const) {
  const name = models[key];
  const state = benchTrainState(name);
  const batch = syntheticBatch(BENCH_MODELS[name]!.shape, batchSize);
  const times = stepLoop(state, batch, { secs: stepSeconds, warmup: 2 });
  const med = median(times);
  const ips = (batchSize * 1000) / med;
  const full = fullPipeline(data[key]);
  stepRows.push({ model: name, data: data[key].name, imagesPerSecond: ips, medianStepMs: med, pipelineImagesPerSecond: full.imagesPerSecond, ratio: full.imagesPerSecond / ips });
  log(`step ${name}: ${ips.toFixed(1)} img/s (median ${med.toFixed(1)} ms, ${times.length} steps); pipeline/step = ${(full.imagesPerSecond / ips).toFixed(0)}×`);

  const n = Number(key === 'mnist' ? values['cnn-steps'] : values['resnet-steps']);
  const step = `${name} (wasm)`;
  attachRows.push(loopRow(step, n, stepLoop(state, batch, { steps: n }), 'before'));
  for (const placement of [{ kind: 'pre-made' }, { kind: 'main-thread' }, { kind: 'threads', threads: 1 }] as const) {
    await attach(step, data[key], state, n, 2, placement, realStep);
  }
  attachRows.push(loopRow(step, n, stepLoop(state, batch, { steps: n }), 'after'));
  state.optimizer.dispose();
  state.model.dispose();
}

// 4. A stand-in for a GPU step on the CIFAR-shaped data: the main thread blocked for a fixed time per step.
{
  const state = benchTrainState('small-cnn');
  const step = `stand-in GPU step: main thread blocked ${fastMs} ms`;
  for (const placement of [{ kind: 'pre-made' }, { kind: 'main-thread' }, { kind: 'threads', threads: 1 }, { kind: 'threads', threads: 2 }] as const) {
    await attach(step, data.cifar, state, fastSteps, fastWarmup, placement, blockedStep(fastMs));
  }
  state.optimizer.dispose();
  state.model.dispose();
}
await shutdownBackend();
const endLoad = os.loadavg().map((x) => x.toFixed(2)).join(' ');

const pipelineTable = [
  `| data | pipeline up to | img/s (1 core) | ms per batch of ${batchSize} | batches timed |`,
  '|---|---|---:|---:|---:|',
  ...pipelineRows.map((r) => `| ${r.data} | ${r.stage} | ${r.imagesPerSecond.toFixed(0)} | ${r.msPerBatch.toFixed(2)} | ${r.batches} |`),
].join('\n');
const threadTable = [
  '| data | full pipeline in a thread: img/s delivered | ms per batch | batches timed |',
  '|---|---:|---:|---:|',
  ...threadRows.map((r) => `| ${r.data} | ${r.imagesPerSecond.toFixed(0)} | ${r.msPerBatch.toFixed(2)} | ${r.batches} |`),
].join('\n');
const stepTable = [
  '| model | data shape | step img/s (wasm) | median step ms | full pipeline img/s | pipeline ÷ step |',
  '|---|---|---:|---:|---:|---:|',
  ...stepRows.map(
    (r) => `| ${r.model} | ${r.data} | ${r.imagesPerSecond.toFixed(1)} | ${r.medianStepMs.toFixed(1)} | ${r.pipelineImagesPerSecond.toFixed(0)} | ${r.ratio.toFixed(0)}× |`,
  ),
].join('\n');
const attachTable = [
  '| step | steps timed | batches | wall ms/step | step compute ms | waiting ms (mean / median) |',
  '|---|---:|---|---:|---:|---:|',
  ...attachRows.map(
    (r) =>
      `| ${r.step} | ${r.steps} | ${r.batches} | ${r.timing.wall.toFixed(1)} | ${r.timing.compute.toFixed(1)} | ${r.timing.waitMean.toFixed(2)} / ${r.timing.waitMedian.toFixed(2)} |`,
  ),
].join('\n');
process.stdout.write(`${pipelineTable}\n\n${threadTable}\n\n${stepTable}\n\n${attachTable}\n`);

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
Load average (1, 5, 15 min): ${startLoad} at the start, ${endLoad} at the end.

## 1. The pipeline alone

Sampler (instance) → \`epochBatches\` (gather + normalise to float32) → random crop/flip → CMO (minority-sampler
foreground batch, p = 1: a box on every batch, its worst case) → pure noise (δ = 1/3, on from epoch 0), batch ${batchSize},
built from a run's plan by \`buildPipeline\` and composed by \`epochPipeline\` through \`pullThrough\` with prefetch 2, as
\`fit\` does; each row adds one stage.
The CIFAR-shaped data is 50,000 random 32×32×3 images in memory, subset to CIFAR-10-LT at ρ = 100 (${data.cifar.train.indices.length} images); mnist-lt has ${data.mnist.train.indices.length}.
On the main thread (one core):

${pipelineTable}

The full pipeline made in a pipeline thread instead (\`startPipelineThread\`: a worker over a shared copy of the
training images, batches transferred), as the main thread receives them when it does nothing else:

${threadTable}

## 2. The training step alone (wasm, batch ${batchSize})

\`trainStep\` over one synthetic batch (bench/bench-models.ts), ${stepSeconds} s per model, images/s from the median step.

${stepTable}

## 3. Step time with and without the pipeline attached

The same model and optimiser throughout (ResNet-32 on the CIFAR-shaped data, the small CNN on mnist-lt): a loop of
\`trainStep\` over one pre-made batch (no pipeline); \`fit\` over batches made before the run and replayed from memory
(what \`fit\`, RxJS and the event loop cost between steps: the floor); \`fit\` with the full pipeline of section 1 made
on the main thread; \`fit\` with it made in a pipeline thread; the loop again. In \`fit\`, "wall" is the time between
consecutive step events, "compute" the step function's own time, and "waiting" their difference: the time between two
steps spent making (or receiving) the next batch, and in scheduling. The first two steps of each fit are not timed
(the first ${fastWarmup} with the stand-in step below, while the threads' code warms up).

The last rows replace the step by a stand-in for a fast GPU step on the CIFAR-shaped data: the main thread blocked for
${fastMs} ms without using a core (\`Atomics.wait\`), as a synchronous backend is while the device works; that is a ResNet-32
step of ${batchSize} at ${((batchSize * 1000) / fastMs).toFixed(0)} img/s, faster than one thread makes the full pipeline's batches.

${attachTable}
`;
  mkdirSync(path.dirname(values.out), { recursive: true });
  writeFileSync(values.out, md);
  log(`wrote ${values.out}`);
}
