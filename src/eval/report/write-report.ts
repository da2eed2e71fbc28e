/**
 * `tailstream report` as a library call: read run folders, draw their charts, write report.html and PNGs.
 *
 * Intuition: the page is one file a person can mail or open offline — every chart is inline SVG — and the
 * PNGs beside it are for slides and papers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../../core/errors.js';
import { pngAvailable, renderPng, renderSvg, scopeSvgIds } from '../charts/render-chart.js';
import { compareRuns } from '../charts/run-comparison.js';
import { runComparisonChart } from '../charts/run-comparison-chart.js';
import { readRun, type RunData } from './read-run.js';
import { runCharts, runSummary } from './report-charts.js';
import { reportHtml, type PageChart, type PageRun } from './report-html.js';

/** Options of `writeReport`. */
export interface WriteReportOptions {
  /** Folder for report.html and the PNGs (created when missing). */
  readonly out: string;
  /** Also write a PNG per chart (default true; skipped with a note when @resvg/resvg-js is unavailable). */
  readonly png?: boolean;
  /** PNG pixels per SVG pixel (default 2). */
  readonly pngScale?: number;
  /** The page title (default: "tailstream report: " and the run names). */
  readonly title?: string;
}

/** What `writeReport` wrote. */
export interface WrittenReport {
  readonly html: string;
  readonly pngs: string[];
  /** Why no PNG was written although asked for, or null. */
  readonly pngSkipped: string | null;
  readonly runs: RunData[];
}

/** The default output folder: `<run>/report` for one run, `report` (in the working folder) for several. */
export const defaultReportDir = (runs: readonly string[]): string => (runs.length === 1 ? path.join(runs[0]!, 'report') : 'report');

/** A file-name-safe form of a run name. */
export const fileSafe = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'run';

/** Renames runs whose names repeat (two folders called `seed0`) to `name-2`, `name-3`, … */
export const uniqueNames = (runs: readonly RunData[]): RunData[] => {
  const seen = new Map<string, number>();
  return runs.map((r) => {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    return n === 1 ? r : { ...r, name: `${r.name}-${n}` };
  });
};

/**
 * Reads the run folders `dirs`, then writes `out`/report.html and (by default) one PNG per chart.
 * @throws UserError (one sentence naming the file and field) for a folder that is not a finished run, or an
 * unwritable `out`.
 */
export const writeReport = async (dirs: readonly string[], options: WriteReportOptions): Promise<WrittenReport> => {
  if (dirs.length === 0) throw new UserError('bad-argument', 'report: name at least one run folder.');
  const runs = uniqueNames(
    dirs.map((dir) => {
      const r = readRun(dir);
      if (E.isLeft(r)) throw new UserError('bad-file', `${r.left}.`);
      return r.right;
    }),
  );
  try {
    mkdirSync(options.out, { recursive: true });
  } catch (e) {
    throw new UserError('bad-file', `--out: cannot create ${options.out} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const wantPng = options.png !== false;
  const canPng = wantPng && (await pngAvailable());
  const pngSkipped = wantPng && !canPng ? 'PNG output needs @resvg/resvg-js, which cannot be loaded on this platform; report.html has every chart.' : null;
  const pngs: string[] = [];
  const writePng = async (svg: string, file: string): Promise<string | null> => {
    if (!canPng) return null;
    writeFileSync(path.join(options.out, file), await renderPng(svg, options.pngScale ?? 2));
    pngs.push(path.join(options.out, file));
    return file;
  };

  const pageRuns: PageRun[] = [];
  for (const [i, run] of runs.entries()) {
    const charts: PageChart[] = [];
    for (const chart of runCharts(run)) {
      if (chart.spec === null) {
        charts.push({ id: `run-${i + 1}-${chart.id}`, title: chart.title, svg: null, note: chart.note, png: null });
        continue;
      }
      const svg = await renderSvg(chart.spec);
      const png = await writePng(svg, `${fileSafe(run.name)}-${chart.id}.png`);
      charts.push({ id: `run-${i + 1}-${chart.id}`, title: chart.title, svg: scopeSvgIds(svg, `r${i + 1}-${chart.id}-`), note: null, png });
    }
    pageRuns.push({ run, charts });
  }
  const comparison = runs.length > 1 ? compareRuns(runs.map(runSummary)) : null;
  const comparisonPng = comparison === null ? null : await writePng(await renderSvg(runComparisonChart(comparison)), 'comparison.png');
  const html = path.join(options.out, 'report.html');
  const title = options.title ?? `tailstream report: ${runs.map((r) => r.name).join(', ')}`;
  writeFileSync(html, reportHtml({ title, runs: pageRuns, comparison, comparisonPng }));
  return { html, pngs, pngSkipped, runs };
};
