/**
 * A deliberately broken loss and how `verifyLoss` catches it.
 *
 * `naiveWeightedCe` looks like a weighted cross-entropy but has two classic bugs: it computes
 * log Σ exp(z) without subtracting the row maximum (so exp overflows for logits near 100 and the loss
 * becomes Infinity), and it weights an example by 1/(y + 1), by class *index*, where it meant the
 * class *count* (so renaming the classes changes the loss). `verifyLoss` reports both with a shrunk
 * counterexample and the seed and path that replay it; the other invariants pass.
 *
 * Run: `npx tsx examples/broken-loss.ts`, or through the CLI:
 * `tailstream verify-loss examples/broken-loss.ts` (a .ts module needs tsx installed; .js/.mjs need nothing).
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { backend, losses } from 'tailstream';

/** Cross-entropy with an unstable log-sum-exp and weights by class index: deliberately wrong. */
export const naiveWeightedCe = losses.defineLoss({
  name: 'naive-weighted-ce',
  summary: 'log Σ exp(z) − z_y, weighted by 1/(y + 1) (two bugs on purpose)',
  source: 'examples/broken-loss.ts (a counter-example for verifyLoss)',
  configCodec: t.type({}),
  defaults: {},
  prepare: (_config, counts) => counts.length,
  perExample: ({ logits, labels }, classes: number) =>
    tf.tidy(() => {
      const logSumExp = tf.log(tf.sum(tf.exp(logits), 1)); // bug 1: no max subtraction
      const trueLogit = tf.sum(tf.mul(logits, tf.oneHot(labels, classes)), 1);
      const weight = tf.div(1, tf.add(tf.cast(labels, 'float32'), 1)); // bug 2: by index, not by count
      return tf.mul(weight, tf.sub(logSumExp, trueLogit)) as tf.Tensor1D;
    }),
});

/** Verifies the broken loss and prints the report; resolves to it. */
export const verifyBrokenLoss = async (seed = 7): Promise<losses.LossVerification> => {
  await backend.initBackend('cpu');
  const report = losses.verifyLoss(naiveWeightedCe, { seed });
  console.log(losses.formatLossVerification(report));
  return report;
};

if (import.meta.url === `file://${process.argv[1]}`) {
  await verifyBrokenLoss();
}
