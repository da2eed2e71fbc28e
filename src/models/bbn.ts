/**
 * BBN, the bilateral-branch network: a shared trunk, a conventional and a re-balancing branch (one last
 * block each), and one classifier on the concatenation of the two branches' pooled features.
 *
 * Intuition: the conventional branch sees the instance-balanced stream and learns the representation;
 * the re-balancing branch sees the reversed stream and moves the classifier toward the tail; the
 * cumulative-learning weight α (`cumulativeLearningAlpha`) shifts the emphasis from one to the other.
 *
 * Train time (`forwardBilateral`, `Megvii-Nanjing/BBN: lib/core/combiner.py` `bbn_mix`):
 *   f_c = GAP(cb_block(trunk(x_c))),  f_r = GAP(rb_block(trunk(x_r))),
 *   z   = FC(2·concat(α·f_c, (1 − α)·f_r))     — a concatenation with the factor 2, not a sum;
 *   the loss is α·CE(z, y_c) + (1 − α)·CE(z, y_r) (`bbnStep`).
 * The trunk runs once per branch input, as the official code calls the backbone twice, so in training
 * mode each branch's batch is normalised with its own statistics and the running statistics move twice.
 * Test time (`forward`, the official `valid_model`): one trunk pass, both blocks on the same trunk
 * output, z = FC(concat(f_c, f_r)) — what α = 0.5 with the factor 2 gives, so no α at test time.
 * `features` is the 2D-dimensional concatenation the classifier reads.
 *
 * ResNet layout (`lib/backbone/resnet_cifar.py` `BBN_ResNet_Cifar`): stem, stage 1 and 2 with n blocks,
 * stage 3 with n − 1 shared blocks, then `cb_block` and `rb_block` (64 → 64, stride 1; for n = 1 they
 * are stage 3's first block, 32 → 64, stride 2), one FC with bias on 128 features. The small-CNN
 * variant splits the small CNN the same way: shared convolutions, one dense-128 layer per branch, FC on 256.
 *
 * Paper: Zhou, Cui, Wei, Chen, "BBN: Bilateral-Branch Network with Cumulative Learning for Long-Tailed
 * Visual Recognition", CVPR 2020.
 *
 * @see bbnStep, cumulativeLearningAlpha, bilateralBatches, reversedSampler
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { heNormal, constantVariable } from './init.js';
import { headLogits } from './cosine-head.js';
import { batchNormInference, batchNormTraining } from './batch-norm.js';
import { disposeVariables, type ForwardResult, type Model, type ModelEntry, type ModelSpec } from './model.js';
import { basicBlock, cifarBlockSpecs, convLayer, resNetParts, type NormLayer } from './resnet-blocks.js';

/** What the train-time two-input forward pass returns. */
export interface BilateralForwardResult extends ForwardResult {
  /** [N, D] pooled features of the conventional branch on x_c. */
  readonly conventional: tf.Tensor2D;
  /** [N, D] pooled features of the re-balancing branch on x_r. */
  readonly rebalancing: tf.Tensor2D;
}

/** A model with BBN's two branches. `forward(x)` is the test-time pass (both branches on x). */
export interface BilateralModel extends Model {
  /** The train-time pass: z = FC(2·concat(α·f_c(x_c), (1 − α)·f_r(x_r))). */
  forwardBilateral(xc: tf.Tensor4D, xr: tf.Tensor4D, alpha: number, options: { readonly training: boolean }): BilateralForwardResult;
  /**
   * Each branch on its own input, classified alone: z_c = FC(2·[f_c(x_c), 0]), z_r = FC(2·[0, f_r(x_r)])
   * (the α = 1 and α = 0 ends of `forwardBilateral`, one pass per branch). Their mean is the test-time
   * `forward` when x_c = x_r, which is DBN-Mix's inference rule (z_cb + z_rb)/2.
   */
  forwardBranches(xc: tf.Tensor4D, xr: tf.Tensor4D, options: { readonly training: boolean }): BranchLogits;
}

/** Per-branch logits and pooled features of `forwardBranches`. */
export interface BranchLogits {
  readonly conventional: { readonly logits: tf.Tensor2D; readonly features: tf.Tensor2D };
  readonly rebalancing: { readonly logits: tf.Tensor2D; readonly features: tf.Tensor2D };
}

/** True when `m` has BBN's two-input forward pass. */
export const isBilateralModel = (m: Model): m is BilateralModel => typeof (m as Partial<BilateralModel>).forwardBilateral === 'function';

/** A two-branch network described by its trunk, its two branch heads (to pooled features) and a classifier over [N, 2D]. */
interface Branches {
  trunk(x: tf.Tensor4D, training: boolean): tf.Tensor;
  conventional(t: tf.Tensor, training: boolean): tf.Tensor2D;
  rebalancing(t: tf.Tensor, training: boolean): tf.Tensor2D;
  classify(features: tf.Tensor2D): tf.Tensor2D;
}

const bilateral = (name: string, variables: Model['variables'], b: Branches, dispose: () => void): BilateralModel => ({
  name,
  variables,
  forward: (x, { training }) =>
    tf.tidy(() => {
      const t = b.trunk(x, training);
      const features = tf.concat([b.conventional(t, training), b.rebalancing(t, training)], 1) as tf.Tensor2D;
      return { logits: b.classify(features), features };
    }),
  forwardBilateral: (xc, xr, alpha, { training }) => {
    if (!(alpha >= 0 && alpha <= 1)) throw new Error(`forwardBilateral: α must be in [0, 1], got ${alpha}`);
    return tf.tidy(() => {
      const conventional = b.conventional(b.trunk(xc, training), training);
      const rebalancing = b.rebalancing(b.trunk(xr, training), training);
      const features = tf.concat([tf.mul(conventional, 2 * alpha), tf.mul(rebalancing, 2 * (1 - alpha))], 1) as tf.Tensor2D;
      return { logits: b.classify(features), features, conventional, rebalancing };
    });
  },
  forwardBranches: (xc, xr, { training }) =>
    tf.tidy(() => {
      const fc = b.conventional(b.trunk(xc, training), training);
      const fr = b.rebalancing(b.trunk(xr, training), training);
      return {
        conventional: { logits: b.classify(tf.concat([tf.mul(fc, 2), tf.zerosLike(fr)], 1) as tf.Tensor2D), features: fc },
        rebalancing: { logits: b.classify(tf.concat([tf.zerosLike(fc), tf.mul(fr, 2)], 1) as tf.Tensor2D), features: fr },
      };
    }),
  dispose,
});

/** The classifier on the concatenated features: linear with bias, or cosine without. */
const classifier = (spec: ModelSpec, trainable: Map<string, tf.Variable>, rng: Rng, dim: number): ((f: tf.Tensor2D) => tf.Tensor2D) => {
  trainable.set('fc/kernel', heNormal(rng.derive('fc'), [dim, spec.numClasses], dim, 'fc/kernel'));
  if (spec.head !== 'cosine') trainable.set('fc/bias', constantVariable([spec.numClasses], 0, 'fc/bias'));
  return (f) => headLogits(spec.head, f, trainable.get('fc/kernel')! as tf.Tensor2D, () => trainable.get('fc/bias')!);
};

/** BBN on a CIFAR ResNet-(6n+2) (ResNet-32 for n = 5), weights from `rng`. */
export const createBbnResNet = (spec: ModelSpec, rng: Rng, blocksPerStage = 5): BilateralModel => {
  if (!(Number.isInteger(blocksPerStage) && blocksPerStage >= 1)) throw new Error(`createBbnResNet: blocksPerStage must be a positive integer, got ${blocksPerStage}`);
  const parts = resNetParts(rng);
  parts.conv('stem/conv', 3, spec.shape.channels, 16);
  parts.bn('stem/bn', 16);
  // Stage 3's last block is replaced by one block per branch.
  const all = cifarBlockSpecs(blocksPerStage);
  const lastBlock = all.pop()!;
  for (const b of all) parts.block(b.name, b.cin, b.cout, b.stride);
  const cb = parts.block('cb_block', lastBlock.cin, lastBlock.cout, lastBlock.stride);
  const rb = parts.block('rb_block', lastBlock.cin, lastBlock.cout, lastBlock.stride);
  const classify = classifier(spec, parts.trainable, rng, 2 * lastBlock.cout);
  const norm =
    (training: boolean): NormLayer =>
    (h, name) =>
      (training ? batchNormTraining : batchNormInference)(h, parts.p(`${name}/gamma`) as tf.Tensor1D, parts.p(`${name}/beta`) as tf.Tensor1D, parts.bnStates.get(name)!);
  const variables = { trainable: parts.trainable, state: parts.state };
  return bilateral(
    'bbn-resnet32',
    variables,
    {
      trunk: (x, training) => {
        let h = tf.relu<tf.Tensor4D>(norm(training)(convLayer(parts, x, 'stem/conv', 1), 'stem/bn'));
        for (const b of all) h = basicBlock(parts, h, b, norm(training));
        return h;
      },
      conventional: (t, training) => tf.mean(basicBlock(parts, t as tf.Tensor4D, cb, norm(training)), [1, 2]) as tf.Tensor2D,
      rebalancing: (t, training) => tf.mean(basicBlock(parts, t as tf.Tensor4D, rb, norm(training)), [1, 2]) as tf.Tensor2D,
      classify,
    },
    () => {
      disposeVariables(variables);
      parts.disposeConstants();
    },
  );
};

/** BBN on the small CNN: shared conv32–pool–conv64–pool, a dense-128 layer per branch, FC on 256. */
export const createBbnSmallCnn = (spec: ModelSpec, rng: Rng): BilateralModel => {
  const { height, width, channels } = spec.shape;
  const flat = Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2) * 64;
  const trainable = new Map<string, tf.Variable>([
    ['conv1/kernel', heNormal(rng.derive('conv1'), [3, 3, channels, 32], 9 * channels, 'conv1/kernel')],
    ['conv1/bias', constantVariable([32], 0, 'conv1/bias')],
    ['conv2/kernel', heNormal(rng.derive('conv2'), [3, 3, 32, 64], 9 * 32, 'conv2/kernel')],
    ['conv2/bias', constantVariable([64], 0, 'conv2/bias')],
    ['cb/fc1/kernel', heNormal(rng.derive('cb/fc1'), [flat, 128], flat, 'cb/fc1/kernel')],
    ['cb/fc1/bias', constantVariable([128], 0, 'cb/fc1/bias')],
    ['rb/fc1/kernel', heNormal(rng.derive('rb/fc1'), [flat, 128], flat, 'rb/fc1/kernel')],
    ['rb/fc1/bias', constantVariable([128], 0, 'rb/fc1/bias')],
  ]);
  const classify = classifier(spec, trainable, rng, 256);
  const p = (k: string) => trainable.get(k)!;
  const dense = (t: tf.Tensor, branch: string) => tf.relu(tf.add(tf.matMul(t as tf.Tensor2D, p(`${branch}/fc1/kernel`) as tf.Tensor2D), p(`${branch}/fc1/bias`))) as tf.Tensor2D;
  const variables = { trainable, state: new Map<string, tf.Variable>() };
  return bilateral(
    'bbn-small-cnn',
    variables,
    {
      trunk: (x) => {
        let h = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(x, p('conv1/kernel') as tf.Tensor4D, 1, 'same'), p('conv1/bias')));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(h, p('conv2/kernel') as tf.Tensor4D, 1, 'same'), p('conv2/bias')));
        h = tf.maxPool(h, 2, 2, 'valid');
        return tf.reshape(h, [x.shape[0], flat]);
      },
      conventional: (t) => dense(t, 'cb'),
      rebalancing: (t) => dense(t, 'rb'),
      classify,
    },
    () => disposeVariables(variables),
  );
};

/** BBN on ResNet-32 as a registry entry. */
export const bbnResNet32: ModelEntry = {
  name: 'bbn-resnet32',
  summary: 'BBN: ResNet-32 trunk with a conventional and a re-balancing last block, one FC on their 128 concatenated features',
  source: 'Zhou et al., CVPR 2020; Megvii-Nanjing/BBN lib/backbone/resnet_cifar.py BBN_ResNet_Cifar, lib/core/combiner.py bbn_mix',
  bilateral: true,
  create: (spec, rng) => createBbnResNet(spec, rng),
};

/** BBN on the small CNN as a registry entry. */
export const bbnSmallCnn: ModelEntry = {
  name: 'bbn-small-cnn',
  summary: 'BBN on the small CNN: shared convolutions, a dense-128 layer per branch, one FC on the 256 concatenated features',
  source: 'Zhou et al., CVPR 2020 (the bilateral split applied to the small CNN)',
  bilateral: true,
  create: createBbnSmallCnn,
};
