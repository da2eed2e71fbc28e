/**
 * Parts of decoupled training's second stage, classifier re-training (cRT): a view of a trained model
 * whose backbone is frozen, and a fresh classifier. Train that view with a class-balanced sampler
 * through the ordinary `fit` (the same step, optimiser and schedules; no loop of its own).
 *
 * Intuition: instance-balanced training learns good features but a head-biased classifier; re-learning
 * only the classifier on class-balanced batches removes most of the bias at a small cost.
 *
 * Paper: Kang, Xie, Rohrbach, Yan, Gordo, Feng, Kalantidis, "Decoupling Representation and Classifier
 * for Long-Tailed Recognition", ICLR 2020 (cRT: re-initialise the linear classifier and re-train it
 * with class-balanced sampling for a few epochs, about 10 on ImageNet-LT, the representation fixed).
 * Code: `facebookresearch/classifier-balancing` (stage-2 configs with the feature model fixed).
 *
 * Batch norm: the frozen backbone runs in inference mode (running statistics, no updates), so the
 * features are exactly the stage-1 model's test-time features. The official runner leaves the frozen
 * feature model in training mode, so its batch-norm statistics keep moving during stage 2; we do not.
 * The classifier must not contain batch norm (the view always runs the network in inference mode).
 *
 * @see classBalancedSampler, tauNormalizeKernel (the training-free alternative), fitMarc
 */
import * as tf from '@tensorflow/tfjs-core';
import { draw, type Rng } from '../core/rng.js';
import type { Model } from '../models/model.js';

/** The classifier variables of the models tailstream builds: `fc/…` (ResNets, BBN) or `fc2/…` (small CNN). */
export const classifierVariableNames = (model: Model): string[] => {
  const names = [...model.variables.trainable.keys()];
  for (const prefix of ['fc/', 'fc2/']) {
    const found = names.filter((n) => n === `${prefix}kernel` || n === `${prefix}bias`);
    if (found.length > 0) return found;
  }
  throw new Error(`classifierVariableNames: the model '${model.name}' has no fc/ or fc2/ classifier; name its variables explicitly`);
};

/**
 * `model` with only `trainable` (default: its classifier) left trainable, always run in inference mode
 * (frozen batch-norm statistics). Shares the model's variables; disposing the view disposes nothing.
 * @throws Error when a name is not a trainable variable of the model
 */
export const freezeBackbone = (model: Model, trainable: readonly string[] = classifierVariableNames(model)): Model => {
  const kept = new Map<string, tf.Variable>();
  for (const name of trainable) {
    const v = model.variables.trainable.get(name);
    if (v === undefined) throw new Error(`freezeBackbone: the model '${model.name}' has no trainable variable '${name}'`);
    kept.set(name, v);
  }
  return {
    name: `${model.name}(frozen backbone)`,
    variables: { trainable: kept, state: model.variables.state },
    forward: (x) => model.forward(x, { training: false }),
    dispose: () => undefined,
  };
};

/**
 * Re-initialises the classifier in place as the models do at creation: kernels He-normal (N(0, 2/fanIn),
 * fanIn = the kernel's first dimension) from `rng` by variable name, biases 0.
 */
export const reinitializeClassifier = (model: Model, rng: Rng, names: readonly string[] = classifierVariableNames(model)): void => {
  for (const name of names) {
    const v = model.variables.trainable.get(name);
    if (v === undefined) throw new Error(`reinitializeClassifier: the model '${model.name}' has no trainable variable '${name}'`);
    if (name.endsWith('/bias')) {
      tf.tidy(() => v.assign(tf.zerosLike(v)));
      continue;
    }
    const fanIn = v.shape[0]!;
    const std = Math.sqrt(2 / fanIn);
    const [values] = draw(rng.derive(name), (d) => Float32Array.from({ length: v.size }, () => d.normal() * std));
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
  }
};
