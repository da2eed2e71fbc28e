/**
 * A throughput probe: how many images per second the running backend trains the small CNN at, on
 * random 28×28×1 data, for about a given number of seconds (`tailstream doctor`'s last line).
 *
 * Intuition: one number that says whether this machine and backend are fit for a run, measured the way
 * a run trains (`trainStep`: forward, cross-entropy, backward, SGD-momentum update with μ 0.9 and weight
 * decay 5e-4), so it moves with everything that makes training fast or slow.
 *
 * Formula: images/s = batch size × 1000 / median step time in ms, over the timed steps after one warm-up
 * step (which sets kernels up); the median because shared machines have outliers. The warm-up counts
 * against the budget, and when it alone overruns it, its own time is the measurement (`fromWarmup`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { draw, type Rng } from '../core/rng.js';
import type { HostBatch, SampleShape } from '../core/host-batch.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { createSmallCnn } from '../models/small-cnn.js';
import { createSgdMomentum } from './sgd-momentum.js';
import { trainStep, type TrainState } from './step.js';

/** Options of `smallCnnThroughput`. */
export interface ThroughputProbeOptions {
  /** Budget in seconds, warm-up included (the probe stops at the first step ending after it); > 0. */
  readonly seconds: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Weights and data come from here. */
  readonly rng: Rng;
  /** At least this many timed steps once the warm-up fitted the budget (default 1). */
  readonly minSteps?: number;
}

/** What the probe measured. */
export interface ThroughputResult {
  readonly model: 'small-cnn';
  readonly batchSize: number;
  /** Steps timed after the warm-up (0 when the warm-up alone used the budget). */
  readonly timedSteps: number;
  /** True when the warm-up step is the measurement (it alone overran the budget). */
  readonly fromWarmup: boolean;
  /** The warm-up step's time (it includes one-off kernel set-up). */
  readonly warmupMs: number;
  /** Wall time of the probe, warm-up included. */
  readonly seconds: number;
  readonly medianStepMs: number;
  readonly imagesPerSecond: number;
  /** The backend it ran on (tfjs's name). */
  readonly backend: string;
}

const SHAPE: SampleShape = { height: 28, width: 28, channels: 1 };
const CLASSES = 10;

/** A batch of uniform [0, 1) pixels and uniform labels. */
const randomBatch = (rng: Rng, n: number): HostBatch => {
  const per = SHAPE.height * SHAPE.width * SHAPE.channels;
  const [{ x, y }] = draw(rng, (d) => {
    const x = new Float32Array(n * per);
    for (let i = 0; i < x.length; i++) x[i] = d.uniform();
    const y = Int32Array.from({ length: n }, () => d.int(0, CLASSES - 1));
    return { x, y };
  });
  return { x, y, index: Int32Array.from({ length: n }, (_, i) => i), shape: SHAPE };
};

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Trains a fresh small CNN on one random batch for about `seconds` on the running backend and reports
 * images/s. Synchronous (it holds the thread while it runs); frees every tensor it made.
 * @throws Error when `seconds` or `batchSize` is out of range
 */
export const smallCnnThroughput = (options: ThroughputProbeOptions): ThroughputResult => {
  const batchSize = options.batchSize ?? 64;
  if (!(Number.isFinite(options.seconds) && options.seconds > 0)) throw new Error(`smallCnnThroughput: seconds must be > 0, got ${options.seconds}`);
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`smallCnnThroughput: batchSize must be a positive integer, got ${batchSize}`);
  const model = createSmallCnn({ shape: SHAPE, numClasses: CLASSES }, options.rng.derive('model'));
  const optimizer = createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 });
  const state: TrainState = { model, loss: crossEntropy, prepared: crossEntropy.prepare(crossEntropy.defaults, []), reduction: 'mean', optimizer };
  const batch = randomBatch(options.rng.derive('batch'), batchSize);
  // A small learning rate keeps the loss finite on random labels; speed does not depend on it.
  const lr = 1e-3;
  try {
    const started = performance.now();
    trainStep(state, batch, lr);
    const warmupMs = performance.now() - started;
    const times: number[] = [];
    // The warm-up counts against the budget; a backend whose first step alone overruns it (the cpu
    // backend at batch 64 takes minutes a step) is timed by that step rather than kept for more.
    if (warmupMs < options.seconds * 1000) {
      const minSteps = options.minSteps ?? 1;
      while (performance.now() - started < options.seconds * 1000 || times.length < minSteps) {
        const t0 = performance.now();
        trainStep(state, batch, lr);
        times.push(performance.now() - t0);
      }
    }
    const fromWarmup = times.length === 0;
    const med = fromWarmup ? warmupMs : median(times);
    return {
      model: 'small-cnn',
      batchSize,
      timedSteps: times.length,
      fromWarmup,
      warmupMs,
      seconds: (performance.now() - started) / 1000,
      medianStepMs: med,
      imagesPerSecond: (batchSize * 1000) / med,
      backend: tf.getBackend(),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
};
