import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { escapeHtml, reportHtml } from '../../../src/eval/report/report-html.js';
import { readRun } from '../../../src/eval/report/read-run.js';
import { runCharts, runSummary, RUN_CHART_IDS } from '../../../src/eval/report/report-charts.js';
import { uniqueNames, fileSafe } from '../../../src/eval/report/write-report.js';
import { writeFakeRun } from '../../cli/report-fixture.js';

const fakeRun = (name: string, recipe?: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-report-html-'));
  writeFakeRun(path.join(dir, name), recipe === undefined ? {} : { recipe });
  const r = readRun(path.join(dir, name));
  rmSync(dir, { recursive: true, force: true });
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

describe('report charts and report.html', () => {
  const run = fakeRun('ce', 'ce');

  it('draws every chart of a run, or says why one is missing', () => {
    expect(runCharts(run).map((c) => [c.id, c.spec !== null])).toEqual(RUN_CHART_IDS.map((id) => [id, true]));
    const bare = { ...run, log: null, metrics: { ...run.metrics, reliability: undefined } };
    const missing = runCharts(bare).filter((c) => c.spec === null);
    expect(missing.map((c) => [c.id, c.note])).toEqual([
      ['training-curves', 'The run folder has no log.jsonl.'],
      ['reliability-diagram', 'metrics.json has no reliability table (it was written without probabilities, or by an older tailstream).'],
    ]);
  });

  it('summarizes a run for the comparison, with its recipe and group accuracies', () => {
    const s = runSummary(run);
    expect(s.recipe).toBe('ce');
    expect(s.metrics.many).toBe(run.metrics.shotGroups.many.accuracy);
    expect(s.metrics.ece).toBe(run.metrics.ece);
  });

  it('escapes every text it shows and loads nothing', () => {
    const evil = { ...run, name: '<img src=x onerror=alert(1)>' };
    const html = reportHtml({
      title: 'a & b',
      runs: [{ run: evil, charts: [{ id: 'c1', title: '<b>', svg: '<svg class="marks"></svg>', note: null, png: 'x.png' }] }],
      comparison: null,
      comparisonPng: null,
    });
    expect(html).toContain('<title>a &amp; b</title>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
    expect(html).toContain('<svg class="marks"></svg>');
    expect(html).toContain('<a href="x.png">PNG</a>');
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
  });

  it('makes run names unique and file-safe', () => {
    const twice = uniqueNames([run, run, { ...run, name: 'other' }]).map((r) => r.name);
    expect(twice).toEqual(['ce', 'ce-2', 'other']);
    expect([fileSafe('a b/c'), fileSafe('..'), fileSafe('ldam-drw.1')]).toEqual(['a_b_c', 'run', 'ldam-drw.1']);
  });
});
