/**
 * BBN's learning-rate schedule as a pure function of the 0-based epoch: a warm-up that starts at a
 * third of the base rate, then ×0.01 at each milestone.
 *
 * Formula (`Megvii-Nanjing/BBN: configs/cifar10.yaml`, `LR_SCHEDULER warmup`: `WARM_EPOCH 5`,
 * `LR_STEP [120, 160]`, `LR_FACTOR 0.01`, base 0.1; its warm-up factor is 1/3·(1 − e/W) + e/W):
 *   e < W:  base·(1/3·(1 − e/W) + e/W)   → 0.333, 0.467, 0.6, 0.733, 0.867 of base for W = 5;
 *   e ≥ W:  base·factor^k, k = number of milestones ≤ e  → 0.1, then 1e-3 from 120, 1e-5 from 160.
 * Not LDAM-DRW's schedule (`warmupStepDecay`).
 *
 * @see warmupStepDecay, cumulativeLearningAlpha
 */

/** Parameters of `bbnLearningRate`. */
export interface BbnLearningRate {
  readonly base: number;
  /** Warm-up epochs (5). */
  readonly warmupEpochs: number;
  /** 0-based epochs at which the rate is multiplied by `factor` ([120, 160] of 200). */
  readonly milestones: readonly number[];
  /** Multiplier at each milestone (0.01). */
  readonly factor: number;
}

/** BBN's CIFAR settings, with the milestones scaled to `epochs` (120 and 160 of 200: 60% and 80%). */
export const bbnLearningRateFor = (base: number, epochs: number): BbnLearningRate => ({
  base,
  warmupEpochs: Math.max(1, Math.round(epochs * 0.025)),
  milestones: [Math.floor(epochs * 0.6), Math.floor(epochs * 0.8)],
  factor: 0.01,
});

/** The learning rate at 0-based `epoch`. */
export const bbnLearningRate =
  (s: BbnLearningRate) =>
  (epoch: number): number => {
    if (epoch < s.warmupEpochs) {
      const t = epoch / s.warmupEpochs;
      return s.base * ((1 / 3) * (1 - t) + t);
    }
    const k = s.milestones.filter((m) => epoch >= m).length;
    return s.base * s.factor ** k;
  };
