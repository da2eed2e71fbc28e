/**
 * The models the speed benchmarks train, with their input shapes and forward FLOP counts, and a
 * deterministic synthetic batch. Shared by bench/train-speed.ts and bench/profile-step.ts; the
 * PyTorch peer (bench/peer_train_speed.py) builds the same two architectures.
 */
import type { HostBatch, SampleShape } from '../src/core/host-batch.js';
import { createRng } from '../src/core/rng.js';
import { createSmallCnn } from '../src/models/small-cnn.js';
import { createResNetCifar } from '../src/models/resnet32.js';
import type { Model } from '../src/models/model.js';
import { crossEntropy } from '../src/losses/cross-entropy.js';
import { createSgdMomentum } from '../src/train/sgd-momentum.js';
import type { TrainState } from '../src/train/step.js';

/** One model the bench knows: its input shape, constructor and forward multiply-add count per image. */
export interface BenchModel {
  readonly shape: SampleShape;
  readonly create: (numClasses: number) => Model;
  /** Forward FLOPs (2 × multiply-adds) per image, convolutions and dense layers only. */
  readonly forwardFlops: number;
}

const conv = (h: number, w: number, k: number, cin: number, cout: number): number => 2 * h * w * k * k * cin * cout;

/** ResNet-32 forward FLOPs per image at 32×32 (option-A shortcuts are copies, not counted). */
const resnet32Flops = (numClasses: number): number => {
  let f = conv(32, 32, 3, 3, 16);
  const stages: Array<[number, number]> = [
    [32, 16],
    [16, 32],
    [8, 64],
  ];
  let cin = 16;
  for (const [size, cout] of stages) {
    for (let b = 0; b < 5; b++) {
      f += conv(size, size, 3, cin, cout) + conv(size, size, 3, cout, cout);
      cin = cout;
    }
  }
  return f + 2 * 64 * numClasses;
};

const smallCnnFlops = (numClasses: number): number =>
  conv(28, 28, 3, 1, 32) + conv(14, 14, 3, 32, 64) + 2 * 7 * 7 * 64 * 128 + 2 * 128 * numClasses;

/** Classes of the synthetic task (MNIST / CIFAR-10 shaped). */
export const NUM_CLASSES = 10;

/** The benchmarked models by name. */
export const BENCH_MODELS: Readonly<Record<string, BenchModel>> = {
  'small-cnn': {
    shape: { height: 28, width: 28, channels: 1 },
    create: (c) => createSmallCnn({ shape: { height: 28, width: 28, channels: 1 }, numClasses: c }, createRng(1)),
    forwardFlops: smallCnnFlops(NUM_CLASSES),
  },
  resnet32: {
    shape: { height: 32, width: 32, channels: 3 },
    create: (c) => createResNetCifar({ shape: { height: 32, width: 32, channels: 3 }, numClasses: c }, createRng(1)),
    forwardFlops: resnet32Flops(NUM_CLASSES),
  },
};

/** A deterministic synthetic batch (a small LCG; values in [0, 1), labels cycling through the classes). */
export const syntheticBatch = (shape: SampleShape, n: number): HostBatch => {
  const x = new Float32Array(n * shape.height * shape.width * shape.channels);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = s / 2 ** 32;
  }
  const y = Int32Array.from({ length: n }, (_, i) => i % NUM_CLASSES);
  return { x, y, index: Int32Array.from({ length: n }, (_, i) => i), shape };
};

/** A fresh model of `name` with SGD-momentum (μ 0.9, weight decay 5e-4, the main job's) and plain cross-entropy. */
export const benchTrainState = (name: string): TrainState => {
  const spec = BENCH_MODELS[name];
  if (spec === undefined) throw new Error(`unknown model ${name}; expected one of ${Object.keys(BENCH_MODELS).join(', ')}`);
  const model = spec.create(NUM_CLASSES);
  const optimizer = createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 });
  return { model, loss: crossEntropy, prepared: { labelSmoothing: 0 }, reduction: 'mean', optimizer };
};
