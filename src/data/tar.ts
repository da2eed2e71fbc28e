/**
 * The tar format (POSIX ustar, with GNU and pax long names) as pure functions of 512-byte blocks,
 * the container of WebDataset shards.
 *
 * Intuition: each entry is a 512-byte header (name @0, size as octal @124, checksum @148, type @156,
 * magic "ustar" @257, name prefix @345) followed by the data padded to 512 bytes; two zero blocks end
 * the archive. A long name comes either as a pax extended header (type `x`, record `path=…`) or a GNU
 * `L` entry whose data is the name, in both cases just before the entry it names.
 */
import * as E from 'fp-ts/lib/Either.js';

/** Size of a tar block. */
export const TAR_BLOCK = 512;

/** What a header describes. */
export type TarEntryType = 'file' | 'directory' | 'pax' | 'gnu-long-name' | 'other';

/** A decoded tar header. */
export interface TarHeader {
  readonly name: string;
  readonly size: number;
  readonly type: TarEntryType;
}

const latin = new TextDecoder('utf-8');

const field = (block: Uint8Array, at: number, length: number): string => {
  const raw = block.subarray(at, at + length);
  const nul = raw.indexOf(0);
  return latin.decode(nul < 0 ? raw : raw.subarray(0, nul));
};

/** An octal numeric field, or GNU's base-256 form (high bit of the first byte set). */
const numeric = (block: Uint8Array, at: number, length: number): number | undefined => {
  const first = block[at]!;
  if (first & 0x80) {
    let v = first & 0x7f;
    for (let i = 1; i < length; i++) v = v * 256 + block[at + i]!;
    return Number.isSafeInteger(v) ? v : undefined;
  }
  const text = field(block, at, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return parseInt(text, 8);
};

/** Bytes of data plus padding an entry of `size` bytes occupies after its header. */
export const tarPaddedSize = (size: number): number => Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;

/** True for an all-zero block (the end-of-archive marker). */
export const isZeroBlock = (block: Uint8Array): boolean => block.length >= TAR_BLOCK && block.subarray(0, TAR_BLOCK).every((b) => b === 0);

/**
 * The header in a 512-byte block, checked: checksum, octal fields, and a size no larger than
 * `maxEntryBytes`. Left is a sentence fragment; a zero block is not a header (test `isZeroBlock` first).
 */
export const decodeTarHeader = (block: Uint8Array, maxEntryBytes = Number.MAX_SAFE_INTEGER): E.Either<string, TarHeader> => {
  if (block.length < TAR_BLOCK) return E.left(`truncated tar header (${block.length} of 512 bytes)`);
  const stored = numeric(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  if (stored === undefined || stored !== sum) return E.left(`tar header checksum mismatch (stored ${stored ?? 'unreadable'}, computed ${sum})`);
  const size = numeric(block, 124, 12);
  if (size === undefined) return E.left('tar header has an unreadable size field');
  if (size > maxEntryBytes) return E.left(`tar entry of ${size} bytes exceeds the limit of ${maxEntryBytes} bytes`);
  const magic = field(block, 257, 6);
  const prefix = magic.startsWith('ustar') ? field(block, 345, 155) : '';
  const base = field(block, 0, 100);
  const name = prefix === '' ? base : `${prefix}/${base}`;
  const flag = String.fromCharCode(block[156]!);
  const type: TarEntryType =
    flag === '0' || flag === '\0' || flag === '7'
      ? name.endsWith('/') ? 'directory' : 'file'
      : flag === '5'
        ? 'directory'
        : flag === 'x'
          ? 'pax'
          : flag === 'L'
            ? 'gnu-long-name'
            : 'other';
  return E.right({ name, size, type });
};

/** The `path` record of a pax extended header's data (`"<len> path=<value>\n"` records), if any. */
export const paxPath = (data: Uint8Array): string | undefined => {
  const text = latin.decode(data);
  let at = 0;
  let path: string | undefined;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    if (space < 0) break;
    const length = parseInt(text.slice(at, space), 10);
    if (!(length > 0)) break;
    const record = text.slice(space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    at += length;
  }
  return path;
};

const encoder = new TextEncoder();

const writeOctal = (block: Uint8Array, at: number, length: number, value: number): void => {
  const text = value.toString(8).padStart(length - 1, '0');
  block.set(encoder.encode(text), at);
  block[at + length - 1] = 0;
};

/** One ustar header block for a regular file (`type '0'`) or a pax header (`'x'`); names up to 100 bytes. */
export const encodeTarHeader = (name: string, size: number, typeflag: '0' | '5' | 'x' = '0'): Uint8Array => {
  const block = new Uint8Array(TAR_BLOCK);
  const nameBytes = encoder.encode(name);
  if (nameBytes.length > 100) throw new Error(`encodeTarHeader: name longer than 100 bytes: ${name}`);
  block.set(nameBytes, 0);
  writeOctal(block, 100, 8, typeflag === '5' ? 0o755 : 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block[156] = typeflag.charCodeAt(0);
  block.set(encoder.encode('ustar\0'), 257);
  block.set(encoder.encode('00'), 263);
  block.fill(0x20, 148, 156);
  const sum = block.reduce((s, b) => s + b, 0);
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
};

/** A pax record `"<len> key=value\n"`, its length counting itself. */
const paxRecord = (key: string, value: string): string => {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return `${length}${body}`;
};

/** A tar archive of regular files (names over 100 bytes get a pax `path` header), with the end marker. */
export const encodeTar = (entries: ReadonlyArray<{ readonly name: string; readonly data: Uint8Array }>): Uint8Array => {
  const blocks: Uint8Array[] = [];
  const pushData = (data: Uint8Array): void => {
    const padded = new Uint8Array(tarPaddedSize(data.length));
    padded.set(data);
    blocks.push(padded);
  };
  for (const { name, data } of entries) {
    if (encoder.encode(name).length > 100) {
      const pax = encoder.encode(paxRecord('path', name));
      blocks.push(encodeTarHeader('PaxHeader', pax.length, 'x'));
      pushData(pax);
      blocks.push(encodeTarHeader(name.slice(-100), data.length));
    } else {
      blocks.push(encodeTarHeader(name, data.length));
    }
    pushData(data);
  }
  blocks.push(new Uint8Array(2 * TAR_BLOCK));
  const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
};
