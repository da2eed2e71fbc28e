/**
 * The evaluation as text: the summary lines and the per-class table a person reads at the end of a run.
 */
import type { EvaluationReport } from './evaluate.js';
import { describeThresholds } from './shot-groups.js';

/** A percentage with one decimal, or "n/a" for a missing value (an empty group is not 0%). */
export const formatPercent = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

/** Multi-line text: overall, balanced, many/medium/few with thresholds, macro-F1/precision, top-5 and ECE when known, and a per-class table. */
export const formatReport = (r: EvaluationReport): string => {
  const g = r.shotGroups;
  const lines = [
    `overall accuracy   ${formatPercent(r.overallAccuracy)}`,
    `balanced accuracy  ${formatPercent(r.balancedAccuracy)}  (mean per-class accuracy)`,
    `many-shot          ${formatPercent(g.many.accuracy)}  (${g.many.classes.length} classes)`,
    `medium-shot        ${formatPercent(g.medium.accuracy)}  (${g.medium.classes.length} classes)`,
    `few-shot           ${formatPercent(g.few.accuracy)}  (${g.few.classes.length} classes)`,
    `groups: ${describeThresholds(r.thresholds)}`,
    `macro-F1           ${formatPercent(r.macroF1)}`,
    `macro precision    ${formatPercent(r.macroPrecision)}  (a class never predicted counts as 0)`,
    ...(r.top5 === null ? [] : [`top-5 accuracy     ${formatPercent(r.top5)}`]),
    ...(r.ece === null ? [] : [`ECE                ${formatPercent(r.ece)}  (${r.reliability?.length ?? 0} equal-width bins)`]),
    ...(r.multiLabel === undefined
      ? []
      : [
          '',
          `mAP                ${formatPercent(r.multiLabel.mAP)}  (multi-label; classes grouped by training positives)`,
          `many-shot mAP      ${formatPercent(r.multiLabel.shotGroups.many.mAP)}  (${r.multiLabel.shotGroups.many.classes.length} classes)`,
          `medium-shot mAP    ${formatPercent(r.multiLabel.shotGroups.medium.mAP)}  (${r.multiLabel.shotGroups.medium.classes.length} classes)`,
          `few-shot mAP       ${formatPercent(r.multiLabel.shotGroups.few.mAP)}  (${r.multiLabel.shotGroups.few.classes.length} classes)`,
          'single-label metrics above score each sample by its rarest label',
        ]),
    '',
    r.multiLabel === undefined ? 'class            train   test  accuracy' : 'class            train   test  accuracy        AP',
  ];
  for (const c of r.perClass) {
    const name = `${c.class} ${c.name === String(c.class) ? '' : c.name}`.trim().padEnd(15);
    const ap = r.multiLabel === undefined ? '' : `  ${formatPercent(r.multiLabel.perClass[c.class]?.ap ?? null).padStart(8)}`;
    lines.push(`${name} ${String(c.trainCount).padStart(6)} ${String(c.testCount).padStart(6)}  ${formatPercent(c.accuracy).padStart(8)}${ap}`);
  }
  return lines.join('\n');
};
