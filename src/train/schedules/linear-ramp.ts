/**
 * A coefficient that ramps linearly from `from` to `to` between two epochs: constant before `startEpoch`,
 * `to` from `endEpoch` on. A smooth alternative to a hard switch such as DRW's.
 *
 * Use: the phased progressive learning schedule of Xu et al. ("Phased Progressive Learning with
 * Coupling-Regulation-Imbalance Loss for Imbalanced Data Classification", arXiv 2205.12117) moves the
 * training emphasis gradually from representation learning to classifier re-balancing between two
 * phase epochs. Its exact formula and phase boundaries are not available to us (no official code,
 * paper body unread), so this ramp is a conjecture consistent with the abstract, not the paper's
 * schedule.
 *
 * @see deferredReweighting, cumulativeLearningAlpha
 */

/** Parameters of `linearRamp`. */
export interface LinearRamp {
  readonly from: number;
  readonly to: number;
  readonly startEpoch: number;
  readonly endEpoch: number;
}

/**
 * The coefficient at 0-based `epoch`.
 * @throws Error when `endEpoch` < `startEpoch`
 */
export const linearRamp = (r: LinearRamp): ((epoch: number) => number) => {
  if (!(r.endEpoch >= r.startEpoch)) throw new Error(`linearRamp: endEpoch ${r.endEpoch} is before startEpoch ${r.startEpoch}`);
  return (epoch) => {
    if (epoch >= r.endEpoch) return r.to;
    if (epoch <= r.startEpoch) return r.from;
    return r.from + ((r.to - r.from) * (epoch - r.startEpoch)) / (r.endEpoch - r.startEpoch);
  };
};
