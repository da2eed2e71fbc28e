/**
 * A shard on an HTTP(S) server read as a stream of bytes, with retries that resume at the byte offset.
 *
 * Intuition: the shard is one GET whose body is consumed only as fast as the parser asks for bytes
 * (the body's reader is pulled, never drained into memory), so a 10 GB shard costs a record's worth
 * of memory. Reads move forward; a skipped span is read and dropped. When the connection drops, stalls
 * or the server answers 500/502/503/504/429/408, the reader waits (exponential backoff: `backoffMs`,
 * doubled each consecutive failure, at most `maxBackoffMs`) and reconnects with `Range: bytes=<offset>-`
 * at the first byte it has not delivered yet, so nothing is read twice or skipped. Consecutive failures
 * without a byte of progress are counted; the `attempts`-th ends the stream with one sentence naming the
 * URL and the byte offset. A server that ignores Range (answers 200) is read from the start and the
 * bytes before the offset dropped; an ETag or a size that changes between connections is an error
 * (the shard changed under the reader).
 */
import { UserError } from '../core/errors.js';

/** Random access to a shard's bytes, asynchronously (an HTTP body, a remote store, a local file). */
export interface AsyncShardFile {
  readonly size: number;
  /** `length` bytes at `position` (fewer only at the end of the file). */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): void;
}

/** A retry the reader is about to make. */
export interface HttpRetry {
  readonly url: string;
  /** Byte offset the next connection starts at. */
  readonly offset: number;
  /** Consecutive failures so far (1 for the first). */
  readonly failures: number;
  readonly reason: string;
  readonly delayMs: number;
}

/** How an HTTP shard is read. */
export interface HttpShardOptions {
  /** Consecutive failed attempts without progress before giving up (default 5, ≥ 1). */
  readonly attempts?: number;
  /** Delay before the first retry, in ms (default 250); doubled for each further consecutive failure. */
  readonly backoffMs?: number;
  /** Ceiling on one delay, in ms (default 8000). */
  readonly maxBackoffMs?: number;
  /** A connection that delivers no byte for this long (ms) is dropped and retried (default 30000). */
  readonly stallTimeoutMs?: number;
  /** Extra request headers (authorisation, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Told about each retry before its delay. */
  readonly onRetry?: (retry: HttpRetry) => void;
}

/** Statuses worth another attempt. */
const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** A failure worth another attempt. */
class Transient {
  constructor(readonly reason: string) {}
}

/** True for `http:` and `https:` URLs. */
export const isHttpUrl = (path: string): boolean => /^https?:\/\//i.test(path);

/** The URL without user name and password, for messages. */
const shown = (url: string): string => {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
};

const abortError = (signal: AbortSignal | undefined): unknown => signal?.reason ?? new Error('aborted');

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

const explain = (e: unknown): string => {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${(cause as { code?: string }).code ?? cause.message}` : '';
    return `${e.message}${detail}`;
  }
  return String(e);
};

/** One open connection: its body reader and the abort controller that ends it. */
interface Connection {
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly controller: AbortController;
}

class HttpShard implements AsyncShardFile {
  size = -1;
  private etag: string | undefined;
  /** Offset of the first byte of `leftover` (or of the next byte the connection will deliver). */
  private pos = 0;
  private leftover: Uint8Array | undefined;
  private connection: Connection | undefined;
  private failures = 0;
  private closed = false;
  private readonly attempts: number;

  constructor(
    readonly url: string,
    private readonly options: HttpShardOptions,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.attempts = Math.max(1, Math.floor(options.attempts ?? 5));
  }

  /** Connects at `offset` (with retries) to learn the size. */
  async open(offset: number): Promise<void> {
    this.pos = offset;
    this.connection = await this.retrying(() => this.connect(offset));
  }

  async read(position: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new Error(`HttpShard.read: ${shown(this.url)} is closed`);
    const end = Math.min(position + Math.max(0, length), this.size);
    if (position < this.pos) {
      // A backward read: start again at `position` (the parsers never ask for one).
      this.drop();
      this.leftover = undefined;
      this.pos = position;
    }
    const parts: Uint8Array[] = [];
    let got = 0;
    while (position + got < end) {
      const chunk = await this.chunk();
      if (chunk === undefined) break;
      const want = position + got;
      if (this.pos + chunk.length <= want) {
        this.pos += chunk.length;
        this.leftover = undefined;
        continue;
      }
      const from = want - this.pos;
      const take = Math.min(chunk.length - from, end - want);
      parts.push(chunk.subarray(from, from + take));
      got += take;
      this.pos += from + take;
      this.leftover = from + take < chunk.length ? chunk.subarray(from + take) : undefined;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(got);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  close(): void {
    this.closed = true;
    this.leftover = undefined;
    this.drop();
  }

  /** The bytes at `this.pos`, or undefined at the end of the shard. */
  private async chunk(): Promise<Uint8Array | undefined> {
    if (this.leftover !== undefined && this.leftover.length > 0) return this.leftover;
    return this.retrying(async () => {
      if (this.pos >= this.size) return undefined;
      this.connection ??= await this.connect(this.pos);
      if (this.pos >= this.size) return undefined;
      const { reader, controller } = this.connection;
      const stallMs = this.options.stallTimeoutMs ?? 30_000;
      const timer = setTimeout(() => controller.abort(new Transient(`no data for ${stallMs} ms`)), stallMs);
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await reader.read();
      } catch (e) {
        this.drop();
        if (this.signal?.aborted === true) throw abortError(this.signal);
        const reason = controller.signal.reason;
        throw reason instanceof Transient ? reason : new Transient(`connection failed (${explain(e)})`);
      } finally {
        clearTimeout(timer);
      }
      if (r.done === true) {
        this.drop();
        throw new Transient(`connection closed at byte ${this.pos} of ${this.size}`);
      }
      this.failures = 0;
      const room = this.size - this.pos;
      this.leftover = r.value.length > room ? r.value.subarray(0, room) : r.value;
      return this.leftover;
    });
  }

  /** Runs `attempt` until it succeeds, counting consecutive transient failures and backing off between them. */
  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.signal?.aborted === true) throw abortError(this.signal);
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof Transient)) throw e;
        this.failures++;
        if (this.failures >= this.attempts) {
          throw new UserError(
            'bad-file',
            `Shard ${shown(this.url)}: gave up at byte ${this.pos} after ${this.failures} failed attempt${this.failures === 1 ? '' : 's'} (last: ${e.reason}).`,
          );
        }
        const base = this.options.backoffMs ?? 250;
        const delayMs = Math.min(this.options.maxBackoffMs ?? 8000, base * 2 ** (this.failures - 1));
        this.options.onRetry?.({ url: shown(this.url), offset: this.pos, failures: this.failures, reason: e.reason, delayMs });
        await sleep(delayMs, this.signal);
      }
    }
  }

  /** Opens a connection whose body starts at `offset` (or at 0 when the server ignores Range; `pos` follows). */
  private async connect(offset: number): Promise<Connection> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(abortError(this.signal));
    this.signal?.addEventListener('abort', onAbort, { once: true });
    controller.signal.addEventListener('abort', () => this.signal?.removeEventListener('abort', onAbort), { once: true });
    const headers: Record<string, string> = { ...this.options.headers, 'accept-encoding': 'identity', range: `bytes=${offset}-` };
    if (this.etag !== undefined) headers['if-range'] = this.etag;
    const stallMs = this.options.stallTimeoutMs ?? 30_000;
    const timer = setTimeout(() => controller.abort(new Transient(`no response for ${stallMs} ms`)), stallMs);
    let response: Response;
    try {
      response = await fetch(this.url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (e) {
      controller.abort();
      if (this.signal?.aborted === true) throw abortError(this.signal);
      const reason = controller.signal.reason;
      throw reason instanceof Transient ? reason : new Transient(`request failed (${explain(e)})`);
    } finally {
      clearTimeout(timer);
    }
    const fail = (e: unknown): never => {
      controller.abort();
      response.body?.cancel().catch(() => undefined);
      throw e;
    };
    const status = `HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
    if (TRANSIENT_STATUS.has(response.status)) return fail(new Transient(status));
    let total: number;
    let start: number;
    if (response.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
      if (m === null) return fail(new UserError('bad-file', `Shard ${shown(this.url)}: the server answered 206 without a usable Content-Range at byte ${offset}.`));
      start = Number(m[1]);
      total = Number(m[3]);
      if (start !== offset) return fail(new UserError('bad-file', `Shard ${shown(this.url)}: asked for byte ${offset}, the server sent from byte ${start}.`));
    } else if (response.status === 200) {
      const length = response.headers.get('content-length');
      if (length === null || !/^\d+$/.test(length)) {
        return fail(new UserError('bad-file', `Shard ${shown(this.url)}: the server does not say how long the shard is (no Content-Length) at byte ${offset}.`));
      }
      start = 0;
      total = Number(length);
    } else if (response.status === 416) {
      const m = /^bytes \*\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
      total = m === null ? offset : Number(m[1]);
      start = total;
      if (offset < total) return fail(new UserError('bad-file', `Shard ${shown(this.url)}: the server refused the range at byte ${offset} (${status}).`));
    } else {
      return fail(new UserError('bad-file', `Shard ${shown(this.url)}: ${status} at byte ${offset}.`));
    }
    const etag = response.headers.get('etag') ?? undefined;
    if (this.size >= 0 && total !== this.size) {
      return fail(new UserError('bad-file', `Shard ${shown(this.url)} changed while being read: its size went from ${this.size} to ${total} bytes (at byte ${offset}).`));
    }
    if (this.etag !== undefined && etag !== undefined && etag !== this.etag) {
      return fail(new UserError('bad-file', `Shard ${shown(this.url)} changed while being read: its ETag went from ${this.etag} to ${etag} (at byte ${offset}).`));
    }
    this.size = total;
    this.etag ??= etag;
    this.pos = start;
    this.leftover = undefined;
    if (response.body === null || start >= total) {
      response.body?.cancel().catch(() => undefined);
      return { reader: new ReadableStream<Uint8Array>({ start: (c) => c.close() }).getReader(), controller };
    }
    return { reader: response.body.getReader(), controller };
  }

  private drop(): void {
    const c = this.connection;
    this.connection = undefined;
    if (c === undefined) return;
    c.reader.cancel().catch(() => undefined);
    c.controller.abort();
  }
}

/**
 * Opens the shard at `url` for reading from byte `offset` (the first request starts there, so a
 * resumed cursor does not download the bytes before it). Rejects with a `UserError` ('bad-file')
 * naming the URL and offset when the server refuses or keeps failing.
 */
export const openHttpShard = async (
  url: string,
  at: { readonly offset?: number; readonly signal?: AbortSignal } = {},
  options: HttpShardOptions = {},
): Promise<AsyncShardFile> => {
  const shard = new HttpShard(url, options, at.signal);
  await shard.open(at.offset ?? 0);
  return shard;
};
