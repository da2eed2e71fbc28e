/**
 * Training curves from a run's log.jsonl: the training loss on the left; training accuracy, test accuracy,
 * balanced accuracy and the many/medium/few accuracies on the right, per epoch (1-based on the axis).
 */
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-theme.js';

/** The fields of one log.jsonl record the chart reads (the run writes one per epoch; missing values are skipped). */
export interface TrainingLogRecord {
  /** 0-based epoch. */
  readonly epoch: number;
  readonly trainLoss?: number | null;
  readonly trainAccuracy?: number | null;
  readonly testAccuracy?: number | null;
  readonly testBalancedAccuracy?: number | null;
  readonly testShotGroups?: { readonly many?: number | null; readonly medium?: number | null; readonly few?: number | null } | null;
}

/** One point of one curve. */
export interface CurvePoint {
  /** 1-based epoch. */
  readonly epoch: number;
  readonly series: string;
  readonly value: number;
}

/** The accuracy curves, in legend order. */
export const ACCURACY_SERIES = ['train accuracy', 'test accuracy', 'test balanced accuracy', 'test many-shot', 'test medium-shot', 'test few-shot'] as const;

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Long-format curve points: `loss` (training loss) and `accuracy` (the `ACCURACY_SERIES`). */
export const trainingCurvePoints = (records: ReadonlyArray<TrainingLogRecord>): { loss: CurvePoint[]; accuracy: CurvePoint[] } => {
  const loss: CurvePoint[] = [];
  const accuracy: CurvePoint[] = [];
  for (const r of records) {
    const epoch = r.epoch + 1;
    if (finite(r.trainLoss)) loss.push({ epoch, series: 'training loss', value: r.trainLoss });
    const values: Array<number | null | undefined> = [
      r.trainAccuracy,
      r.testAccuracy,
      r.testBalancedAccuracy,
      r.testShotGroups?.many,
      r.testShotGroups?.medium,
      r.testShotGroups?.few,
    ];
    values.forEach((v, i) => {
      if (finite(v)) accuracy.push({ epoch, series: ACCURACY_SERIES[i]!, value: v });
    });
  }
  return { loss, accuracy };
};

/** Vega-Lite spec: two line charts side by side (loss; accuracies), sharing the epoch axis. */
export const trainingCurvesChart = (records: ReadonlyArray<TrainingLogRecord>, title = 'Training curves'): ChartSpec => {
  const { loss, accuracy } = trainingCurvePoints(records);
  const present = ACCURACY_SERIES.filter((s) => accuracy.some((p) => p.series === s));
  const epochAxis = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1, format: 'd' } };
  const point = records.length <= 30;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle: `${records.length} epoch${records.length === 1 ? '' : 's'} from log.jsonl` },
    config: CHART_CONFIG,
    hconcat: [
      {
        width: 260,
        height: 220,
        data: { values: loss.map((p) => ({ ...p })) },
        mark: { type: 'line', point, color: '#4c78a8' },
        encoding: {
          x: epochAxis,
          y: { field: 'value', type: 'quantitative', title: 'training loss', scale: { zero: false } },
          tooltip: [
            { field: 'epoch', type: 'quantitative' },
            { field: 'value', type: 'quantitative', format: '.4f', title: 'loss' },
          ],
        },
      },
      {
        width: 300,
        height: 220,
        data: { values: accuracy.map((p) => ({ ...p })) },
        mark: { type: 'line', point },
        encoding: {
          x: epochAxis,
          y: { field: 'value', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color: { field: 'series', type: 'nominal', title: null, sort: present, scale: { domain: present, scheme: 'tableau10' }, legend: { labelLimit: 240 } },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            title: null,
            sort: present,
            scale: { domain: present, range: present.map((s) => (s.startsWith('test m') || s.startsWith('test f') ? [4, 3] : [1, 0])) },
          },
          tooltip: [
            { field: 'epoch', type: 'quantitative' },
            { field: 'series', type: 'nominal' },
            { field: 'value', type: 'quantitative', format: '.1%' },
          ],
        },
      },
    ],
  };
};
