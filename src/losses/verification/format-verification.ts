/**
 * A `verifyLoss` report as text a person reads: one line per property, and under each failure the
 * shrunk counterexample, what was observed, and how to replay exactly that case.
 */
import type { LossVerification, PropertyOutcome } from './verify-loss.js';

const mark = { passed: '✓', failed: '✗', skipped: '-' } as const;
const round = (v: number): number => Number(v.toPrecision(6));
const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? round(x) : x));

const failureLines = (o: PropertyOutcome, replay: (o: PropertyOutcome) => string): string[] => {
  const lines = [`      ${o.message ?? ''}`];
  if (o.counterexample !== undefined) {
    const { logits, labels, counts } = o.counterexample;
    lines.push(`      counterexample: logits ${json(logits)}, labels ${json(labels)}, class counts ${json(counts)}`);
    if (o.extra !== undefined) lines.push(`      other drawn values: ${json(o.extra)}`);
  }
  if (o.seed !== undefined && o.path !== undefined) lines.push(`      replay: ${replay(o)}`);
  return lines;
};

/** How a report tells a user to replay a failure: in code (default) or with the CLI. */
export type ReplayStyle = 'code' | { readonly cli: string };

/** The report as text. */
export const formatLossVerification = (report: LossVerification, style: ReplayStyle = 'code'): string => {
  const replay = (o: PropertyOutcome): string =>
    style === 'code'
      ? `verifyLoss(spec, { seed: ${o.seed}, path: '${o.path}', only: ['${o.id}'] })`
      : `${style.cli} --seed ${o.seed} --path ${o.path} --only ${o.id}`;
  const width = Math.max(...report.outcomes.map((o) => o.id.length));
  const failed = report.outcomes.filter((o) => o.status === 'failed').length;
  return [
    `loss ${report.loss} with config ${json(report.config)} (seed ${report.seed})`,
    ...report.outcomes.flatMap((o) => [
      `  ${mark[o.status]} ${o.id.padEnd(width)}  ${o.statement}${o.status === 'passed' && o.runs > 1 ? ` (${o.runs} runs)` : ''}${o.status === 'skipped' ? ` (skipped: ${o.message ?? ''})` : ''}`,
      ...(o.status === 'failed' ? failureLines(o, replay) : []),
    ]),
    report.passed ? `all ${report.outcomes.filter((o) => o.status === 'passed').length} checks passed` : `${failed} of ${report.outcomes.length} checks failed`,
  ].join('\n');
};
