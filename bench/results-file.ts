/**
 * Where a benchmark writes its dated report without replacing an earlier one of the same day:
 * `<dir>/<name>.md`, or `<name>-2.md`, `<name>-3.md`, … when that is taken.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** The first free path of `<dir>/<name>.md`, `<dir>/<name>-2.md`, …; creates `dir`. */
export const freshResultPath = (dir: string, name: string): string => {
  mkdirSync(dir, { recursive: true });
  for (let k = 1; ; k++) {
    const file = path.join(dir, `${name}${k === 1 ? '' : `-${k}`}.md`);
    if (!existsSync(file)) return file;
  }
};
