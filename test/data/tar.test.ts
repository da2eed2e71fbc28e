import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTarHeader, encodeTar, isZeroBlock, paxPath, TAR_BLOCK, tarPaddedSize } from '../../src/data/tar.js';

/** Every regular file of an in-memory archive, by walking the headers. */
const listTar = (bytes: Uint8Array): Array<{ name: string; data: string }> => {
  const out: Array<{ name: string; data: string }> = [];
  let at = 0;
  let longName: string | undefined;
  while (at + TAR_BLOCK <= bytes.length && !isZeroBlock(bytes.subarray(at, at + TAR_BLOCK))) {
    const h = decodeTarHeader(bytes.subarray(at, at + TAR_BLOCK));
    if (E.isLeft(h)) throw new Error(h.left);
    const data = bytes.subarray(at + TAR_BLOCK, at + TAR_BLOCK + h.right.size);
    if (h.right.type === 'pax') longName = paxPath(data) ?? longName;
    else if (h.right.type === 'gnu-long-name') longName = new TextDecoder().decode(data).replace(/\0+$/, '');
    else {
      if (h.right.type === 'file') out.push({ name: longName ?? h.right.name, data: new TextDecoder().decode(data) });
      longName = undefined;
    }
    at += TAR_BLOCK + tarPaddedSize(h.right.size);
  }
  return out;
};

const hasTar = (() => {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('tar', () => {
  const longName = `${'d'.repeat(60)}/${'n'.repeat(70)}.cls`;
  const entries = [
    { name: 'a/0001.png', data: new TextEncoder().encode('png bytes') },
    { name: 'a/0001.cls', data: new TextEncoder().encode('7') },
    { name: longName, data: new TextEncoder().encode('x'.repeat(700)) },
  ];

  it('round-trips files, padding data to 512-byte blocks and ending with two zero blocks', () => {
    const bytes = encodeTar(entries);
    expect(bytes.length % TAR_BLOCK).toBe(0);
    expect(isZeroBlock(bytes.subarray(bytes.length - 1024)) && isZeroBlock(bytes.subarray(bytes.length - 512))).toBe(true);
    expect(listTar(bytes)).toEqual(entries.map((e) => ({ name: e.name, data: new TextDecoder().decode(e.data) })));
  });

  it('refuses a header whose checksum does not match, and a size past the limit', () => {
    const header = encodeTar(entries.slice(0, 1)).slice(0, TAR_BLOCK);
    expect(E.isRight(decodeTarHeader(header))).toBe(true);
    expect(E.isLeft(decodeTarHeader(header, 8)) && decodeTarHeader(header, 8)).toEqual(E.left('tar entry of 9 bytes exceeds the limit of 8 bytes'));
    header[0] = header[0]! ^ 1;
    const r = decodeTarHeader(header);
    expect(E.isLeft(r) && r.left).toMatch(/^tar header checksum mismatch \(stored \d+, computed \d+\)$/);
  });

  it.skipIf(!hasTar)('writes archives GNU tar reads, and reads archives GNU tar writes (ustar, gnu and pax)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tailstream-tar-'));
    try {
      writeFileSync(path.join(dir, 'ours.tar'), encodeTar(entries));
      const listed = execFileSync('tar', ['-tf', path.join(dir, 'ours.tar')], { encoding: 'utf8' }).trim().split('\n');
      expect(listed).toEqual(entries.map((e) => e.name));
      const src = path.join(dir, 'src');
      mkdirSync(path.join(src, 'a'), { recursive: true });
      mkdirSync(path.join(src, 'd'.repeat(60)), { recursive: true });
      for (const e of entries) writeFileSync(path.join(src, e.name), e.data);
      for (const format of ['ustar', 'gnu', 'pax']) {
        const names = format === 'ustar' ? entries.slice(0, 2).map((e) => e.name) : entries.map((e) => e.name);
        const out = path.join(dir, `${format}.tar`);
        execFileSync('tar', [`--format=${format}`, '-cf', out, '-C', src, ...names]);
        expect(listTar(new Uint8Array(readFileSync(out)))).toEqual(
          entries.filter((e) => names.includes(e.name)).map((e) => ({ name: e.name, data: new TextDecoder().decode(e.data) })),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
