import { describe, expect, it } from 'vitest';
import { closeSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRunFolder, openRunFolder, writeFileAtomic, type AtomicWriteIo } from '../../src/recipes/run-folder.js';
import { acquireRunLock } from '../../src/recipes/run-lock.js';

const fresh = () => mkdtempSync(path.join(tmpdir(), 'ts-folder-'));
const realIo: AtomicWriteIo = { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync };

describe('writeFileAtomic', () => {
  it('keeps the previous file intact when the disk fills mid-write, and leaves no temporary file', () => {
    const dir = fresh();
    const file = path.join(dir, 'checkpoint.bin');
    writeFileAtomic(file, 'previous checkpoint');
    let written = 0;
    const diskFull: AtomicWriteIo = {
      ...realIo,
      writeSync: (fd, buffer, offset, length) => {
        if (written > 4) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        const n = writeSync(fd, buffer, offset, Math.min(length, 3));
        written += n;
        return n;
      },
    };
    expect(() => writeFileAtomic(file, 'a much longer new checkpoint', diskFull)).toThrow(
      `Cannot write ${file} (ENOSPC); the previous version is kept.`,
    );
    expect(readFileSync(file, 'utf8')).toBe('previous checkpoint');
    expect(readdirSync(dir)).toEqual(['checkpoint.bin']);
  });

  it('continues partial writes until every byte is written', () => {
    const file = path.join(fresh(), 'x');
    const trickle: AtomicWriteIo = { ...realIo, writeSync: (fd, buffer, offset, length) => writeSync(fd, buffer, offset, Math.min(length, 2)) };
    writeFileAtomic(file, 'twenty-one characters', trickle);
    expect(readFileSync(file, 'utf8')).toBe('twenty-one characters');
  });
});

describe('run folder lock', () => {
  it('refuses a second writer, naming the pid of the first', async () => {
    const dir = fresh();
    // Another live process holds the lock.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    writeFileSync(path.join(dir, 'run.lock'), `${child.pid}\n`);
    try {
      expect(() => createRunFolder(dir)).toThrow(`${dir} is in use by another tailstream process (pid ${child.pid}).`);
      expect(existsSync(path.join(dir, 'run.json'))).toBe(false);
    } finally {
      child.kill();
    }
  });

  it('takes over a lock left by a process that is gone, and releases it on close', () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'run.lock'), '999999999\n');
    const folder = openRunFolder(dir, 'new');
    expect(readFileSync(path.join(dir, 'run.lock'), 'utf8')).toBe(`${process.pid}\n`);
    folder.close();
    expect(existsSync(path.join(dir, 'run.lock'))).toBe(false);
    const lock = acquireRunLock(dir);
    lock.release();
    lock.release();
  });
});
