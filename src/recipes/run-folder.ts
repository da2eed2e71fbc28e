/**
 * The run folder: resolved config, seed, subset indices, a JSONL log per epoch, and metrics.json.
 *
 * Intuition: a folder is "complete" only when run.json says so, and it says so last; every file is
 * written to a temporary name, flushed, then renamed, so an interrupted run never leaves a
 * half-written file behind a final name.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';

/** Writes `data` to `file` atomically (temp file, fsync, rename). */
export const writeFileAtomic = (file: string, data: string | Uint8Array): void => {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
};

/** The status a run folder declares in run.json. */
export type RunStatus = 'running' | 'complete' | 'failed' | 'interrupted';

/** Handle on a run folder being written. */
export interface RunFolder {
  readonly dir: string;
  writeJson(name: string, value: unknown): void;
  writeBinary(name: string, data: Uint8Array): void;
  appendLog(record: unknown): void;
  setStatus(status: RunStatus, extra?: Record<string, unknown>): void;
}

/**
 * Opens `dir` as a new run folder. Refuses a folder that already holds a run (run.json present),
 * so a finished run is never overwritten.
 */
export const createRunFolder = (dir: string): RunFolder => {
  const runJson = path.join(dir, 'run.json');
  if (existsSync(runJson)) {
    let status = 'unknown';
    try {
      status = (JSON.parse(readFileSync(runJson, 'utf8')) as { status?: string }).status ?? 'unknown';
    } catch {
      // An unreadable run.json still means the folder is taken.
    }
    throw new UserError('bad-argument', `--out: ${dir} already holds a run (status: ${status}); choose another folder.`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError('bad-file', `--out: cannot create ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const started = new Date().toISOString();
  const folder: RunFolder = {
    dir,
    writeJson: (name, value) => writeFileAtomic(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`),
    writeBinary: (name, data) => writeFileAtomic(path.join(dir, name), data),
    appendLog: (record) => appendFileSync(path.join(dir, 'log.jsonl'), `${JSON.stringify(record)}\n`),
    setStatus: (status, extra = {}) =>
      folder.writeJson('run.json', { status, started, updated: new Date().toISOString(), pid: process.pid, ...extra }),
  };
  folder.setStatus('running');
  return folder;
};
