/**
 * The run folder: resolved config, seed, subset indices, a JSONL log per epoch, and metrics.json.
 *
 * Intuition: a folder is "complete" only when run.json says so, and it says so last; every file is
 * written to a temporary name, flushed, then renamed, so an interrupted run never leaves a
 * half-written file behind a final name.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { acquireRunLock } from './run-lock.js';

/** The file operations `writeFileAtomic` uses (a test substitutes a failing writer, e.g. a full disk). */
export interface AtomicWriteIo {
  readonly openSync: typeof openSync;
  readonly writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
  readonly fsyncSync: typeof fsyncSync;
  readonly closeSync: typeof closeSync;
  readonly renameSync: typeof renameSync;
  readonly unlinkSync: typeof unlinkSync;
}

const nodeIo: AtomicWriteIo = { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync };

/**
 * Writes `data` to `file` atomically: a temporary file in the same folder, every byte written
 * (partial writes continued), fsync, then rename over `file`. When anything fails the temporary file
 * is removed and `file` keeps its previous content; the error is a `UserError` naming the file.
 */
export const writeFileAtomic = (file: string, data: string | Uint8Array, io: AtomicWriteIo = nodeIo): void => {
  const tmp = `${file}.tmp-${process.pid}`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = io.openSync(tmp, 'w');
    try {
      for (let offset = 0; offset < bytes.length; ) offset += io.writeSync(fd, bytes, offset, bytes.length - offset);
      io.fsyncSync(fd);
    } finally {
      io.closeSync(fd);
    }
    io.renameSync(tmp, file);
  } catch (e) {
    try {
      io.unlinkSync(tmp);
    } catch {
      // Nothing to remove.
    }
    throw new UserError('bad-file', `Cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : 'error')}); the previous version is kept.`);
  }
};

/** The status a run folder declares in run.json. */
export type RunStatus = 'running' | 'complete' | 'failed' | 'interrupted';

/** Handle on a run folder being written (this process holds its lock until `close`). */
export interface RunFolder {
  readonly dir: string;
  /** Replaces log.jsonl with these records (used when resuming from a checkpoint). */
  rewriteLog(records: ReadonlyArray<unknown>): void;
  /** Releases the folder's lock. */
  close(): void;
  writeJson(name: string, value: unknown): void;
  writeBinary(name: string, data: Uint8Array): void;
  appendLog(record: unknown): void;
  setStatus(status: RunStatus, extra?: Record<string, unknown>): void;
}

/** The status recorded in `dir`/run.json, or undefined when there is none. */
export const readRunStatus = (dir: string): string | undefined => {
  const runJson = path.join(dir, 'run.json');
  if (!existsSync(runJson)) return undefined;
  try {
    return (JSON.parse(readFileSync(runJson, 'utf8')) as { status?: string }).status ?? 'unknown';
  } catch {
    return 'unreadable';
  }
};

/**
 * Opens `dir` as a run folder: a new one (refusing a folder that already holds a run, so a finished
 * run is never overwritten) or, with `resume`, an existing unfinished one. Either way this process
 * takes the folder's lock first.
 */
export const openRunFolder = (dir: string, mode: 'new' | 'resume'): RunFolder => {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserError('bad-file', `--out: cannot create ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const lock = acquireRunLock(dir);
  try {
    const status = readRunStatus(dir);
    if (mode === 'new' && status !== undefined) {
      throw new UserError('bad-argument', `--out: ${dir} already holds a run (status: ${status}); choose another folder.`);
    }
    if (mode === 'resume' && status === 'complete') {
      throw new UserError('bad-argument', `--resume: the run in ${dir} is already complete.`);
    }
  } catch (e) {
    lock.release();
    throw e;
  }
  let started = new Date().toISOString();
  if (mode === 'resume') {
    try {
      started = (JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { started?: string }).started ?? started;
    } catch {
      // Keep the new start time.
    }
  }
  const folder: RunFolder = {
    dir,
    writeJson: (name, value) => writeFileAtomic(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`),
    writeBinary: (name, data) => writeFileAtomic(path.join(dir, name), data),
    appendLog: (record) => appendFileSync(path.join(dir, 'log.jsonl'), `${JSON.stringify(record)}\n`),
    rewriteLog: (records) => writeFileAtomic(path.join(dir, 'log.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join('')),
    setStatus: (status, extra = {}) =>
      folder.writeJson('run.json', { status, started, updated: new Date().toISOString(), pid: process.pid, ...extra }),
    close: () => lock.release(),
  };
  folder.setStatus('running');
  return folder;
};

/** Opens `dir` as a new run folder (see `openRunFolder`). */
export const createRunFolder = (dir: string): RunFolder => openRunFolder(dir, 'new');
