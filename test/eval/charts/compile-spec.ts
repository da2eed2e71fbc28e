/** Test helper: compiles a Vega-Lite spec and collects the warnings vega-lite logs (none expected). */
import { compile } from 'vega-lite';
import type { ChartSpec } from '../../../src/eval/charts/chart-theme.js';

export const compileWarnings = (spec: unknown): string[] => {
  const messages: string[] = [];
  const record = (...args: readonly unknown[]) => {
    messages.push(args.map(String).join(' '));
    return logger;
  };
  const logger = { level: () => logger, error: record, warn: record, info: () => logger, debug: () => logger } as never;
  compile(spec as ChartSpec, { logger });
  return messages;
};

/** The `values` of the first inline data set found in a spec or its sub-specs (depth first). */
export const inlineData = (spec: unknown): Array<Record<string, unknown>> => {
  const all = allInlineData(spec);
  if (all.length === 0) throw new Error('inlineData: the spec has no inline data');
  return all[0]!;
};

/** Every inline data set of a spec, depth first. */
export const allInlineData = (spec: unknown): Array<Array<Record<string, unknown>>> => {
  if (typeof spec !== 'object' || spec === null) return [];
  const s = spec as Record<string, unknown>;
  const own = typeof s.data === 'object' && s.data !== null && Array.isArray((s.data as { values?: unknown }).values) ? [(s.data as { values: Array<Record<string, unknown>> }).values] : [];
  const children = ['layer', 'hconcat', 'vconcat', 'concat'].flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]).flatMap(allInlineData) : []));
  return [...own, ...children];
};
