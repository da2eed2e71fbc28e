/**
 * What every tailstream chart shares: the Vega-Lite schema, fonts and the colours of the shot groups.
 *
 * Intuition: a person comparing two charts should find many/medium/few in the same colour everywhere.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ShotGroup } from '../shot-groups.js';

/** A Vega-Lite specification (the JSON a chart is). */
export type ChartSpec = TopLevelSpec;

/** The Vega-Lite schema the specs are written against (a name only: nothing fetches it). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Fonts available offline on Debian (DejaVu, Liberation) before the generic family. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif';

/** Vega-Lite `config` shared by the charts. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start', subtitleFontSize: 11, subtitleColor: '#555' },
} as const;

/** Shot groups in reading order. */
export const SHOT_GROUPS: readonly ShotGroup[] = ['many', 'medium', 'few'];

/** The colour scale of the shot groups (blue, orange, red: head to tail). */
export const SHOT_GROUP_SCALE = { domain: [...SHOT_GROUPS], range: ['#4c78a8', '#f58518', '#e45756'] };
