/**
 * A local HTTP server for shard tests: serves byte arrays on 127.0.0.1 with Range support, and
 * misbehaves on cue (a status such as 503, a connection dropped after some body bytes, a stall,
 * ignoring Range). Bounded: it answers at most `maxRequests` requests, then shuts itself down, and its
 * sockets never keep the process alive.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request instead of answering it properly. */
export type Fault =
  | { readonly kind: 'status'; readonly status: number }
  /** Sends the headers (with the full length) and `afterBytes` body bytes, then destroys the socket. */
  | { readonly kind: 'drop'; readonly afterBytes: number }
  /** Sends the headers and `afterBytes` bytes, then nothing until the client gives up. */
  | { readonly kind: 'stall'; readonly afterBytes: number };

/** One request as the server saw it. */
export interface Served {
  readonly path: string;
  /** First byte asked for (0 without a Range header). */
  readonly start: number;
  readonly status: number;
  readonly fault?: Fault['kind'];
  /** Body bytes written. */
  sent: number;
  /** True once the response ended normally; false while open or when the client went away. */
  finished: boolean;
}

export interface ShardServer {
  /** The URL of the file called `name`. */
  url(name: string): string;
  readonly log: Served[];
  close(): Promise<void>;
}

export interface ShardServerOptions {
  /** A fault for the n-th request (0-based) of `path` starting at byte `start`, or undefined to serve it. */
  readonly fault?: (request: { readonly path: string; readonly start: number; readonly n: number }) => Fault | undefined;
  /** Answer every request with 200 and the whole file (a server without Range support). */
  readonly ignoreRange?: boolean;
  /** Send an ETag (default true). */
  readonly etag?: boolean;
  /** Body bytes per write (default 4096), so drops and stalls can land mid-body. */
  readonly chunkBytes?: number;
  readonly maxRequests?: number;
  /** Milliseconds between a drop's last bytes and the socket's destruction (default 30). */
  readonly dropDelayMs?: number;
}

export const startShardServer = async (files: ReadonlyMap<string, Uint8Array>, options: ShardServerOptions = {}): Promise<ShardServer> => {
  const log: Served[] = [];
  const perPath = new Map<string, number>();
  const maxRequests = options.maxRequests ?? 2000;
  const chunkBytes = options.chunkBytes ?? 4096;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent((req.url ?? '/').slice(1));
    const body = files.get(path);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = options.ignoreRange === true || range === null ? 0 : Number(range[1]);
    const n = perPath.get(path) ?? 0;
    perPath.set(path, n + 1);
    const fault = options.fault?.({ path, start, n });
    const served: Served = { path, start, status: 0, sent: 0, finished: false, ...(fault !== undefined ? { fault: fault.kind } : {}) };
    log.push(served);
    if (log.length >= maxRequests) server.close();
    res.on('finish', () => (served.finished = true));
    const answer = (status: number, headers: Record<string, string | number> = {}) => {
      (served as { status: number }).status = status;
      res.writeHead(status, headers);
    };
    if (body === undefined) {
      answer(404);
      res.end();
      return;
    }
    if (fault?.kind === 'status') {
      answer(fault.status, { 'content-length': 0 });
      res.end();
      return;
    }
    if (start > body.length || (start === body.length && body.length > 0)) {
      answer(416, { 'content-range': `bytes */${body.length}` });
      res.end();
      return;
    }
    const part = body.subarray(start);
    const headers: Record<string, string | number> = { 'content-length': part.length, 'accept-ranges': 'bytes' };
    if (options.etag !== false) headers.etag = `"len-${body.length}"`;
    if (range !== null && options.ignoreRange !== true) {
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
      answer(206, headers);
    } else {
      answer(200, headers);
    }
    const limit = fault === undefined ? part.length : Math.min(part.length, fault.afterBytes);
    let at = 0;
    const pump = () => {
      while (at < limit) {
        const chunk = part.subarray(at, Math.min(limit, at + chunkBytes));
        at += chunk.length;
        served.sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (fault === undefined) res.end();
      // The drop comes a little after the last bytes, so the client has taken them in: the resume offset is exact.
      else if (fault.kind === 'drop') res.write(new Uint8Array(0), () => setTimeout(() => req.socket.destroy(), options.dropDelayMs ?? 30));
      // A stall leaves the response open until the client aborts.
    };
    pump();
  };
  const server = createServer(handle);
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${encodeURIComponent(name)}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
