/**
 * A run folder's lock: `run.lock` holds the pid of the process writing the folder, so a second
 * process refuses it (naming the first) instead of interleaving writes. A lock whose process is gone
 * is stale and taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';

/** True when a process with this pid exists. */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** A held lock; `release` is idempotent. */
export interface RunLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes `dir`/run.lock for this process.
 * @throws UserError naming the pid of a live process that holds it
 */
export const acquireRunLock = (dir: string): RunLock => {
  const file = path.join(dir, 'run.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      return {
        file,
        release: () => {
          if (!held) return;
          held = false;
          try {
            unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UserError('bad-file', `Cannot lock ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
      }
      let pid = Number.NaN;
      try {
        pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      } catch {
        // Unreadable lock: treat as stale.
      }
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new UserError('bad-argument', `${dir} is in use by another tailstream process (pid ${pid}).`);
      }
      try {
        unlinkSync(file);
      } catch {
        // Raced with another process removing it; try again.
      }
    }
  }
  throw new UserError('bad-argument', `Cannot take the lock on ${dir}; another process keeps taking it.`);
};
