/**
 * SAM's neighbourhood size ρ as a pure function of the 0-based epoch: 0 (plain steps) before a start
 * epoch, then constant, or piecewise constant.
 *
 * Intuition: Rangwani et al. find that SAM helps the tail most once re-weighting is on (DRW), and their
 * large-scale runs use a small ρ early and a large ρ in the re-weighted phase; ρ = 0 makes `samStep`
 * a plain step, so "SAM from epoch k" is ρ(e) = 0 for e < k.
 *
 * Paper: Rangwani, Aithal, Mishra, Babu, "Escaping Saddle Points for Effective Generalization on
 * Class-Imbalanced Data", NeurIPS 2022. Code: `val-iisc/Saddle-LongTail` (`cifar_train_sam.py`:
 * constant ρ from epoch 0 on CIFAR, `--rho_schedule none`; ImageNet-LT/iNaturalist: a four-step ρ
 * schedule given by `--rho_steps`).
 *
 * @see samStep
 */

/** ρ at an epoch. */
export type RhoSchedule = (epoch: number) => number;

/** ρ from `startEpoch` (0-based) on, 0 before (the SAM start epoch). */
export const samRhoSchedule =
  (config: { readonly rho: number; readonly startEpoch: number }): RhoSchedule =>
  (epoch) =>
    epoch >= config.startEpoch ? config.rho : 0;

/**
 * Piecewise-constant ρ: the ρ of the latest step whose `fromEpoch` has been reached, 0 before the first.
 * @throws Error when a ρ is negative or not finite
 */
export const steppedRho = (steps: ReadonlyArray<{ readonly fromEpoch: number; readonly rho: number }>): RhoSchedule => {
  for (const s of steps) if (!(Number.isFinite(s.rho) && s.rho >= 0)) throw new Error(`steppedRho: ρ must be a finite number ≥ 0, got ${s.rho}`);
  const sorted = [...steps].sort((a, b) => a.fromEpoch - b.fromEpoch);
  return (epoch) => {
    let rho = 0;
    for (const s of sorted) if (epoch >= s.fromEpoch) rho = s.rho;
    return rho;
  };
};
