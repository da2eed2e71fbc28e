/**
 * mAP within many/medium/few-shot ("head/medium/tail") groups of classes, as the long-tailed multi-label
 * benchmarks report it (Wu et al., "Distribution-Balanced Loss for Multi-Label Classification in Long-Tailed
 * Datasets", ECCV 2020: head > 100, tail < 20 training instances — the thresholds of `shot-groups.ts`).
 * Each group's mAP is the mean AP of its classes with positives; a group without such a class is null.
 */
import { meanDefined } from './per-class-accuracy.js';
import { DEFAULT_SHOT_THRESHOLDS, shotGroupOf, type ShotGroup, type ShotThresholds } from './shot-groups.js';

/** mAP and members of one group. */
export interface ShotGroupMeanAveragePrecision {
  readonly mAP: number | null;
  readonly classes: number[];
}

/** Many/medium/few mAP from per-class AP (null = skipped) and each class's training count. */
export const shotGroupMeanAveragePrecision = (
  perClassAp: ReadonlyArray<number | null>,
  trainCounts: readonly number[],
  t: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
): Record<ShotGroup, ShotGroupMeanAveragePrecision> => {
  if (perClassAp.length !== trainCounts.length) {
    throw new Error(`shotGroupMeanAveragePrecision: ${perClassAp.length} APs but ${trainCounts.length} training counts`);
  }
  const groups: Record<ShotGroup, number[]> = { many: [], medium: [], few: [] };
  trainCounts.forEach((n, c) => groups[shotGroupOf(n, t)].push(c));
  const result = (g: ShotGroup): ShotGroupMeanAveragePrecision => ({ classes: groups[g], mAP: meanDefined(groups[g].map((c) => perClassAp[c] ?? null)) });
  return { many: result('many'), medium: result('medium'), few: result('few') };
};
