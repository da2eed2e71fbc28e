import { beforeAll, describe, expect, it } from 'vitest';
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/index.js';
import { defineLoss } from '../../../src/losses/loss-spec.js';
import { losses } from '../../../src/losses/registry.js';
import { crossEntropy } from '../../../src/losses/cross-entropy.js';
import { focal } from '../../../src/losses/focal.js';
import { verifyLoss, type LossVerification } from '../../../src/losses/verification/verify-loss.js';
import { crossEntropyReference, LOSS_PROPERTY_IDS, type LossPropertyId } from '../../../src/losses/verification/loss-properties.js';
import { formatLossVerification } from '../../../src/losses/verification/format-verification.js';
import { naiveWeightedCe } from '../../../examples/broken-loss.js';
import { expectNoLeak } from '../../helpers/expect-no-leak.js';

const failedIds = (r: LossVerification): string[] => r.outcomes.filter((o) => o.status === 'failed').map((o) => o.id);

/** Plain CE, but wrapping nothing in tidy: leaks its intermediates. */
const leakyCe = defineLoss({
  ...crossEntropy,
  name: 'leaky-ce',
  perExample: ({ logits, labels }) => {
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])), 1)) as tf.Tensor1D;
  },
});

/** CE minus 1: negative for confident correct predictions. */
const shiftedDown = defineLoss({
  ...crossEntropy,
  name: 'ce-minus-one',
  perExample: (inputs, p) => tf.tidy(() => tf.sub(crossEntropy.perExample(inputs, p), 1) as tf.Tensor1D),
});

/** CE that rewards a higher true logit with a higher loss (sign error in the true-class term). */
const signFlipped = defineLoss({
  ...crossEntropy,
  name: 'sign-flipped',
  configCodec: t.type({}),
  defaults: {},
  prepare: () => undefined,
  perExample: ({ logits, labels }) =>
    tf.tidy(() => {
      const lse = tf.logSumExp(logits, 1);
      const zy = tf.sum(tf.mul(logits, tf.oneHot(labels, logits.shape[1])), 1);
      return tf.add(lse, zy).sub(tf.min(logits, 1).mul(2)) as tf.Tensor1D;
    }),
});

beforeAll(async () => {
  await initBackend('cpu');
});

describe('verifyLoss', () => {
  it('passes every built-in property on cross-entropy, with one result per property plus the config check', () => {
    const r = verifyLoss(crossEntropy, { seed: 1, numRuns: 40 });
    expect(r.passed).toBe(true);
    expect(r.outcomes.map((o) => o.id)).toEqual(['config', ...LOSS_PROPERTY_IDS]);
    expect(r.outcomes.filter((o) => o.id !== 'config').every((o) => o.runs === 40)).toBe(true);
  });

  /** Built-in properties that do not hold for a loss by construction, and why. */
  const NOT_APPLICABLE: Readonly<Record<string, readonly LossPropertyId[]>> = {
    vs: ['shift-invariant'], // multiplicative per-class logit scaling
    cdt: ['shift-invariant'], // per-class temperatures divide the logits
    'gm-softmax': ['shift-invariant'], // its logits are cosines; the angular margin reads their value
    'db-loss': ['shift-invariant'], // sigmoid per class, not softmax
    'dbn-mix': ['shift-invariant'], // per-class temperatures divide the logits
    'lm-softmax': ['non-negative'], // the true class is left out of the denominator
    'sample-margin': ['non-negative'], // the margin penalty −(z_y − max_j≠y z_j) is negative for confident examples
    // The logit form of the penalty, ((1/C)·Σ_j z_j)², reads the mean logit, which a shift or a raised true logit moves.
    'zero-centroid': ['shift-invariant', 'true-logit-monotone'],
  };

  it('every registered loss keeps every property that applies to it (the exceptions are listed, each with its reason)', () => {
    for (const spec of losses.list()) {
      const r = verifyLoss(spec, { seed: 3, numRuns: 25, skip: NOT_APPLICABLE[spec.name] ?? [] });
      expect({ loss: spec.name, failed: failedIds(r) }).toEqual({ loss: spec.name, failed: [] });
    }
  });

  it('the listed exceptions are real: each loss breaks the property it skips', () => {
    for (const [name, ids] of Object.entries(NOT_APPLICABLE)) {
      const r = verifyLoss(losses.get(name), { seed: 3, numRuns: 100, only: ids });
      expect({ loss: name, failed: failedIds(r) }).toEqual({ loss: name, failed: ids });
    }
  });

  it('catches the deliberately broken example: unstable log-sum-exp (finite, finite-gradient) and weights by class index (class-permutation)', () => {
    const r = verifyLoss(naiveWeightedCe, { seed: 7 });
    expect(r.passed).toBe(false);
    expect(failedIds(r)).toEqual(['finite', 'finite-gradient', 'class-permutation']);
    const finite = r.outcomes.find((o) => o.id === 'finite')!;
    // Shrunk: small values everywhere but one logit past exp's float32 overflow (ln(3.4e38) ≈ 88.72).
    const flat = finite.counterexample!.logits.flat();
    expect(Math.max(...flat)).toBeGreaterThan(88);
    expect(Math.max(...flat)).toBeLessThan(89);
    expect(flat.filter((v) => v !== 0)).toHaveLength(1);
    expect(finite.message).toMatch(/Infinity/);
  });

  it('replays a failure exactly from the seed and path of the report', () => {
    const first = verifyLoss(naiveWeightedCe, { seed: 11 }).outcomes.find((o) => o.id === 'class-permutation')!;
    expect(first.status).toBe('failed');
    const again = verifyLoss(naiveWeightedCe, { seed: first.seed!, path: first.path!, only: ['class-permutation'] });
    const replayed = again.outcomes.find((o) => o.id === 'class-permutation')!;
    expect(replayed.counterexample).toEqual(first.counterexample);
    expect(replayed.message).toBe(first.message);
    expect(replayed.runs).toBe(1);
  });

  it('names the property a loss breaks: a leak, a negative value, a loss that grows with the true logit', () => {
    expect(failedIds(verifyLoss(leakyCe, { seed: 2, numRuns: 20 }))).toEqual(['no-leak']);
    expect(failedIds(verifyLoss(shiftedDown, { seed: 2, numRuns: 50 }))).toEqual(['non-negative']);
    expect(failedIds(verifyLoss(signFlipped, { seed: 2, numRuns: 50 }))).toContain('true-logit-monotone');
  });

  it('checks a config the codec rejects once, and skips the rest', () => {
    const r = verifyLoss(focal, { config: { ...focal.defaults, gamma: -1 }, numRuns: 5 });
    expect(r.outcomes[0]).toMatchObject({ id: 'config', status: 'failed', message: 'config.gamma: expected a number ≥ 0, got -1' });
    expect(r.outcomes.slice(1).every((o) => o.status === 'skipped')).toBe(true);
    expect(r.passed).toBe(false);
  });

  it('checks equivalences against an independent reference: focal with γ = 0 is CE; a wrong reference is caught', () => {
    const ok = verifyLoss(focal, {
      only: [],
      equivalences: [{ statement: 'focal with γ = 0 equals CE', config: { ...focal.defaults, gamma: 0 }, reference: crossEntropyReference() }],
      seed: 5,
      numRuns: 30,
    });
    expect(ok.outcomes.map((o) => [o.id, o.status])).toEqual([
      ['config', 'passed'],
      ['equivalence-1', 'passed'],
    ]);
    const wrong = verifyLoss(focal, {
      only: [],
      equivalences: [{ statement: 'focal with γ = 2 equals CE', config: { ...focal.defaults, gamma: 2 }, reference: crossEntropyReference() }],
      seed: 5,
      numRuns: 30,
    });
    expect(failedIds(wrong)).toEqual(['equivalence-1']);
  });

  it('leaks no tensor over a whole verification, even of a leaky loss', async () => {
    await expectNoLeak(() => verifyLoss(leakyCe, { seed: 4, numRuns: 10 }));
    await expectNoLeak(() => verifyLoss(naiveWeightedCe, { seed: 4, numRuns: 10 }));
  });
});

describe('formatLossVerification', () => {
  it('prints one line per property, the counterexample and the replay under each failure', () => {
    const text = formatLossVerification(verifyLoss(naiveWeightedCe, { seed: 7, only: ['finite', 'class-permutation'] }));
    const lines = text.split('\n');
    expect(lines[0]).toBe('loss naive-weighted-ce with config {} (seed 7)');
    expect(lines.filter((l) => /^ {2}[✓✗-] /.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '✓ config',
      '✗ finite',
      '✗ class-permutation',
    ]);
    expect(text).toMatch(/counterexample: logits \[\[.*\]\], labels \[.*\], class counts \[.*\]/);
    expect(text).toMatch(/replay: verifyLoss\(spec, \{ seed: 7, path: '[\d:]+', only: \['finite'\] \}\)/);
    expect(lines.at(-1)).toBe('2 of 3 checks failed');
  });
});
