/**
 * Learning-rate schedules as pure functions of the (0-based) epoch.
 *
 * `warmupStepDecay`: linear warm-up over the first `warmupEpochs` epochs (lr·(e+1)/warmup), then
 * the base rate multiplied by every milestone factor whose epoch has been reached — LDAM-DRW's
 * `cifar_train.py` (warm-up 5, ×0.01 at 160, ×0.0001 at 180 of 200).
 */

/** A step-decay milestone: from `epoch` (0-based) on, multiply the base rate by `factor`. */
export interface Milestone {
  readonly epoch: number;
  readonly factor: number;
}

/** Parameters of `warmupStepDecay`. */
export interface WarmupStepDecay {
  readonly base: number;
  readonly warmupEpochs: number;
  /** Factors are absolute (relative to `base`), as in LDAM-DRW: the latest reached milestone wins. */
  readonly milestones: readonly Milestone[];
}

/** The learning rate at 0-based `epoch`. */
export const warmupStepDecay =
  (s: WarmupStepDecay) =>
  (epoch: number): number => {
    if (epoch < s.warmupEpochs) return (s.base * (epoch + 1)) / s.warmupEpochs;
    let factor = 1;
    let reached = -Infinity;
    for (const m of s.milestones) {
      if (epoch >= m.epoch && m.epoch >= reached) {
        factor = m.factor;
        reached = m.epoch;
      }
    }
    return s.base * factor;
  };

/**
 * LDAM-DRW's schedule scaled to `epochs`: warm-up over the first 2.5% (5 of 200, at least 1 epoch),
 * ×0.01 at 80% (160 of 200) and ×0.0001 at 90% (180 of 200).
 */
export const ldamSchedule = (base: number, epochs: number): WarmupStepDecay => ({
  base,
  warmupEpochs: Math.max(1, Math.round(epochs * 0.025)),
  milestones: [
    { epoch: Math.floor(epochs * 0.8), factor: 0.01 },
    { epoch: Math.floor(epochs * 0.9), factor: 0.0001 },
  ],
});
