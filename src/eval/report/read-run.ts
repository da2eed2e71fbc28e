/**
 * Reads a finished run folder for a report: metrics.json (required), log.jsonl, config.json and run.json
 * (each optional), decoded with the codecs of `run-files.ts`.
 *
 * Intuition: a report never trusts a file; each problem comes back as one sentence that names the file and
 * the field (or the line of log.jsonl), so a person can open the file and fix it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { ConfigSummary, decodeFile, LogRecord, MetricsFile, RunStatusFile } from './run-files.js';

/** A run folder as a report sees it. */
export interface RunData {
  /** The folder as given. */
  readonly dir: string;
  /** The folder's base name (made unique among compared runs by the report). */
  readonly name: string;
  readonly metrics: MetricsFile;
  /** config.json's summary, or null when the folder has none. */
  readonly config: ConfigSummary | null;
  /** log.jsonl's records, or null when the folder has none. */
  readonly log: LogRecord[] | null;
  /** run.json's status, or null when the folder has none. */
  readonly status: string | null;
}

const readText = (file: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(file, 'utf8'));
  } catch (e) {
    return E.left(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
};

const parseJson = (file: string, text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch {
    return E.left(`${file}: not valid JSON`);
  }
};

const readJson = (file: string): E.Either<string, unknown> => pipe(readText(file), E.chain((text) => parseJson(file, text)));

/** Checks that the arrays of metrics.json agree on the number of classes. */
const checkShapes = (file: string, m: MetricsFile): E.Either<string, MetricsFile> => {
  const c = m.trainCounts.length;
  if (c === 0) return E.left(`${file}: trainCounts: expected at least one class, got an empty array`);
  if (m.perClass.length !== c) return E.left(`${file}: perClass: expected ${c} rows (one per class of trainCounts), got ${m.perClass.length}`);
  if (m.confusion.length !== c) return E.left(`${file}: confusion: expected ${c} rows (one per class of trainCounts), got ${m.confusion.length}`);
  const bad = m.confusion.findIndex((row) => row.length !== c);
  if (bad >= 0) return E.left(`${file}: confusion.${bad}: expected ${c} columns, got ${m.confusion[bad]!.length}`);
  return E.right(m);
};

/** Decodes log.jsonl text: one JSON record per non-empty line. */
export const decodeLog = (file: string, text: string): E.Either<string, LogRecord[]> => {
  const records: LogRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${file} line ${i + 1}`;
    const decoded = pipe(parseJson(where, line), E.chain((json) => decodeFile(LogRecord, json, where)));
    if (E.isLeft(decoded)) return decoded;
    records.push(decoded.right);
  }
  return E.right(records);
};

/** Reads the run folder `dir`; Left is one sentence (no final period). */
export const readRun = (dir: string): E.Either<string, RunData> => {
  if (!existsSync(dir)) return E.left(`${dir}: no such folder`);
  if (!statSync(dir).isDirectory()) return E.left(`${dir}: not a folder (a run folder written by tailstream train is expected)`);
  const runJson = path.join(dir, 'run.json');
  const status = existsSync(runJson) ? pipe(readJson(runJson), E.chain((json) => decodeFile(RunStatusFile, json, runJson)), E.map((r) => r.status)) : E.right(null);
  if (E.isLeft(status)) return status;
  const metricsJson = path.join(dir, 'metrics.json');
  if (!existsSync(metricsJson)) {
    const why = status.right === null ? 'it holds no run.json either' : `run.json says the run is ${status.right}`;
    return E.left(`${metricsJson}: missing, so the run has no final metrics to report (${why})`);
  }
  const metrics = pipe(readJson(metricsJson), E.chain((json) => decodeFile(MetricsFile, json, metricsJson)), E.chain((m) => checkShapes(metricsJson, m)));
  if (E.isLeft(metrics)) return metrics;
  const configJson = path.join(dir, 'config.json');
  const config = existsSync(configJson) ? pipe(readJson(configJson), E.chain((json) => decodeFile(ConfigSummary, json, configJson))) : E.right(null);
  if (E.isLeft(config)) return config;
  const logJsonl = path.join(dir, 'log.jsonl');
  const log = existsSync(logJsonl) ? pipe(readText(logJsonl), E.chain((text) => decodeLog(logJsonl, text))) : E.right(null);
  if (E.isLeft(log)) return log;
  return E.right({
    dir,
    name: path.basename(path.resolve(dir)),
    metrics: metrics.right,
    config: config.right,
    log: log.right,
    status: status.right,
  });
};
