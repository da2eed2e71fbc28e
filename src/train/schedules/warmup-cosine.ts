/**
 * Learning rate with a linear warm-up, then a half-cosine decay, as a pure function of the 0-based
 * epoch (or iteration).
 *
 * Formula, with W = `warmupEpochs`, E = `epochs`:
 *   t < W:  base·(t + 1)/W                       (LDAM-DRW's warm-up, as `warmupStepDecay`), or
 *           start + (base − start)·t/W           when `warmupStart` is given;
 *   t ≥ W:  min + (base − min)·(1 + cos(π·(t − W)/(E − W)))/2,  and `min` from t ≥ E on.
 *
 * Sources: SGDR's cosine annealing (Loshchilov & Hutter, ICLR 2017), as `torch.optim.lr_scheduler.
 * CosineAnnealingLR` with `eta_min`; with a warm-up as BALMS/MARC's `CosineAnnealingLRWarmup`
 * (`microsoft/robustlearn: marc/utils.py`) and as AutoBalance and Saddle-LongTail use on
 * ImageNet-LT/iNaturalist.
 *
 * @see warmupStepDecay (warm-up then steps), marcLearningRate (the same shape per iteration)
 */

/** Parameters of `warmupCosineDecay`. */
export interface WarmupCosine {
  /** Peak rate, reached at the end of warm-up. */
  readonly base: number;
  readonly warmupEpochs: number;
  /** Length of the run; the cosine reaches `min` at this epoch. */
  readonly epochs: number;
  /** Final rate (default 0). */
  readonly min?: number;
  /** Rate at epoch 0 when given (linear to `base` at W); otherwise base·(t + 1)/W. */
  readonly warmupStart?: number;
}

/** The learning rate at 0-based `epoch`. */
export const warmupCosineDecay =
  (s: WarmupCosine) =>
  (epoch: number): number => {
    const min = s.min ?? 0;
    if (epoch < s.warmupEpochs) {
      return s.warmupStart === undefined ? (s.base * (epoch + 1)) / s.warmupEpochs : s.warmupStart + ((s.base - s.warmupStart) * epoch) / s.warmupEpochs;
    }
    if (epoch >= s.epochs) return min;
    const span = Math.max(1, s.epochs - s.warmupEpochs);
    return min + ((s.base - min) * (1 + Math.cos((Math.PI * (epoch - s.warmupEpochs)) / span))) / 2;
  };
