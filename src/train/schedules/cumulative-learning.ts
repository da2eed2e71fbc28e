/**
 * BBN's cumulative-learning adaptor: α = 1 − (T/T_max)², the weight of the conventional branch, as a
 * pure function of the 0-based epoch.
 *
 * Intuition: α starts at 1 (learn the representation from the instance-balanced branch) and falls
 * parabolically to 0 (re-balance the classifier through the reversed branch), slowly at first.
 *
 * Paper: Zhou, Cui, Wei, Chen, "BBN: Bilateral-Branch Network with Cumulative Learning for Long-Tailed
 * Visual Recognition", CVPR 2020, §3.3 (α = 1 − (T/T_max)²). Code: `Megvii-Nanjing/BBN:
 * lib/core/combiner.py` (`bbn_mix`) computes `1 − ((epoch − 1)/div_epoch)²` with a 1-based epoch, so
 * α = 1 at the first epoch; with our 0-based epoch e that is exactly α = 1 − (e/T_max)². `div_epoch` is
 * the number of epochs, except for 90 and 180 epochs where it is 100·(⌊E/100⌋ + 1), i.e. 100 and 200
 * (`bbnDivisorEpoch`).
 *
 * @see bilateralBatches (the two samplers' batches), createBbnResNet (the network)
 */

/** BBN's T_max for a run of `epochs` epochs: `epochs`, except 90 → 100 and 180 → 200 (`combiner.py`). */
export const bbnDivisorEpoch = (epochs: number): number => (epochs === 90 || epochs === 180 ? 100 * (Math.floor(epochs / 100) + 1) : epochs);

/**
 * α at 0-based `epoch` for T_max = `divisorEpoch` (default: `bbnDivisorEpoch(epochs)`), clamped to [0, 1].
 * @throws Error when `divisorEpoch` is not positive
 */
export const cumulativeLearningAlpha =
  (config: { readonly epochs: number; readonly divisorEpoch?: number }) =>
  (epoch: number): number => {
    const tMax = config.divisorEpoch ?? bbnDivisorEpoch(config.epochs);
    if (!(tMax > 0)) throw new Error(`cumulativeLearningAlpha: T_max must be positive, got ${tMax}`);
    return Math.min(1, Math.max(0, 1 - (epoch / tMax) ** 2));
  };
