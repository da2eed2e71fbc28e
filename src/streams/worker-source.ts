/**
 * Pull sources across a thread boundary: a worker thread makes the items, the main thread's credits
 * decide how many, and typed arrays cross by transfer (no copy).
 *
 * Intuition: `workerSource(worker, request)` is a `PullSource` like any other: subscribing sends
 * `open` with the request, each credit becomes a `credit` message, each item the worker made comes
 * back as an `item` message, and unsubscribing sends `close`. On the worker side, `serveSources`
 * answers each `open` by subscribing to the pull source the request names and forwarding credits to
 * it. The worker keeps making items while the main thread is busy (a training step), so with
 * `pullThrough`'s prefetch the next batch is already waiting when the step ends; look-ahead stays
 * bounded by the credits granted, exactly as on one thread.
 */
import type { MessagePort } from 'node:worker_threads';
import { Observable, Subject, type Subscription } from 'rxjs';
import { UserError, type UserErrorKind } from '../core/errors.js';
import type { PullSource } from './pull-source.js';

/**
 * The main thread's end of the connection: a `Worker` (or, in tests, a `MessagePort` whose other end
 * `serveSources` answers). 'error' and 'exit' are a worker's; a port never emits them.
 */
export interface SourceWorker {
  postMessage(message: unknown): void;
  on(event: 'message' | 'error' | 'exit', listener: (...args: any[]) => void): unknown;
  off(event: 'message' | 'error' | 'exit', listener: (...args: any[]) => void): unknown;
  ref(): void;
  unref(): void;
}

/** The main thread's messages to a worker that serves sources. */
type ToWorker =
  | { readonly type: 'open'; readonly session: number; readonly request: unknown }
  | { readonly type: 'credit'; readonly session: number; readonly n: number }
  | { readonly type: 'close'; readonly session: number };

/** An error as it crosses the thread boundary: a UserError keeps its kind and exit code. */
interface WireError {
  readonly message: string;
  readonly userError?: { readonly kind: UserErrorKind; readonly exitCode: number };
  readonly stack?: string;
}

/** A worker's messages back. */
type FromWorker =
  | { readonly type: 'item'; readonly session: number; readonly item: unknown }
  | { readonly type: 'end'; readonly session: number }
  | { readonly type: 'error'; readonly session: number; readonly error: WireError };

const toWire = (e: unknown): WireError =>
  e instanceof UserError
    ? { message: e.message, userError: { kind: e.kind, exitCode: e.exitCode } }
    : e instanceof Error
      ? { message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) }
      : { message: String(e) };

const fromWire = (w: WireError): Error => {
  if (w.userError !== undefined) return new UserError(w.userError.kind, w.message, w.userError.exitCode);
  const error = new Error(`pipeline thread: ${w.message}`);
  if (w.stack !== undefined) error.stack = `${error.message}\n(in the worker) ${w.stack}`;
  return error;
};

/**
 * The distinct whole `ArrayBuffer`s under the typed arrays of a value (an item of plain objects and
 * typed arrays): what can be transferred without detaching anything else. A view into part of a
 * buffer, or into shared memory, is left out (it is copied, or shared, instead).
 */
export const transferablesOf = (value: unknown): ArrayBuffer[] => {
  const found = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 4) return;
    if (ArrayBuffer.isView(v)) {
      const buffer = v.buffer;
      if (buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === buffer.byteLength) found.add(buffer);
      return;
    }
    for (const child of Object.values(v)) visit(child, depth + 1);
  };
  visit(value, 0);
  return [...found];
};

let nextSession = 1;

/** Open sessions per worker: a worker with one is ref'd (it keeps the process alive while it owes items), else unref'd. */
const openSessions = new WeakMap<SourceWorker, number>();

const holdWorker = (worker: SourceWorker, delta: 1 | -1): void => {
  const n = (openSessions.get(worker) ?? 0) + delta;
  openSessions.set(worker, n);
  if (n > 0) worker.ref();
  else worker.unref();
};

/**
 * A pull source whose items a worker thread makes (see `serveSources`): `request` says which source
 * (it must survive structured cloning). The worker failing, exiting or answering with an error ends
 * the source with that error; a UserError made in the worker arrives as a UserError. While a source
 * is open the worker keeps the process alive; between sources it does not (it is unref'd).
 */
export const workerSource =
  <T>(worker: SourceWorker, request: unknown): PullSource<T> =>
  (credits$) =>
    new Observable<T>((subscriber) => {
      const session = nextSession++;
      let ended = false;
      const end = () => {
        ended = true;
        holdWorker(worker, -1);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (m: FromWorker) => {
        if (m.session !== session || ended) return;
        if (m.type === 'item') subscriber.next(m.item as T);
        else if (m.type === 'end') {
          end();
          subscriber.complete();
        } else {
          end();
          subscriber.error(fromWire(m.error));
        }
      };
      const onError = (e: unknown) => {
        end();
        subscriber.error(e instanceof Error ? new Error(`pipeline thread: ${e.message}`) : new Error(`pipeline thread: ${String(e)}`));
      };
      const onExit = (code: number) => {
        end();
        subscriber.error(new Error(`pipeline thread: exited (code ${code}) before the epoch's batches were made`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      holdWorker(worker, 1);
      const post = (m: ToWorker) => worker.postMessage(m);
      post({ type: 'open', session, request });
      const creditSub = credits$.subscribe({ next: (n) => post({ type: 'credit', session, n }), error: (e) => subscriber.error(e) });
      return () => {
        creditSub.unsubscribe();
        if (!ended) {
          end();
          post({ type: 'close', session });
        }
      };
    });

/**
 * The worker side: answers each `open` on `port` with the pull source `open(request)`, forwards the
 * credits to it, and posts its items with their buffers transferred. Sessions run independently; a
 * `close` unsubscribes one (so its iterator stops reading).
 */
export const serveSources = <T>(port: MessagePort, open: (request: unknown) => PullSource<T>): void => {
  const sessions = new Map<number, { readonly credits: Subject<number>; subscription?: Subscription }>();
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'open') {
      const credits = new Subject<number>();
      const entry: { readonly credits: Subject<number>; subscription?: Subscription } = { credits };
      sessions.set(m.session, entry);
      try {
        entry.subscription = open(m.request)(credits).subscribe({
          next: (item) => post({ type: 'item', session: m.session, item }, transferablesOf(item)),
          error: (e: unknown) => {
            sessions.delete(m.session);
            post({ type: 'error', session: m.session, error: toWire(e) });
          },
          complete: () => {
            sessions.delete(m.session);
            post({ type: 'end', session: m.session });
          },
        });
      } catch (e) {
        sessions.delete(m.session);
        post({ type: 'error', session: m.session, error: toWire(e) });
      }
    } else if (m.type === 'credit') {
      sessions.get(m.session)?.credits.next(m.n);
    } else {
      const entry = sessions.get(m.session);
      sessions.delete(m.session);
      entry?.subscription?.unsubscribe();
      entry?.credits.complete();
    }
  });
};
