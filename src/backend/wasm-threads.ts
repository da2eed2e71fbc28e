/**
 * Starts tfjs-backend-wasm's threaded SIMD build in Node, where tfjs itself only offers the single-threaded one.
 *
 * Intuition: the threaded build is an Emscripten pthreads module. In a browser it starts its
 * workers from `blob:` URLs (the worker script and the module's own source, both embedded in the
 * bundle); Node's `worker_threads` only start from files. Three things stand in the way, and each
 * is bridged only while `tf.setBackend('wasm')` runs, then put back:
 * - `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false in Node: we set the flag ourselves;
 * - the scripts come as `Blob`s turned into `blob:` URLs: a recording `Blob` keeps their text and
 *   `URL.createObjectURL` writes it to a temporary `.cjs` file whose path goes to the worker instead;
 *   the module's own source needs the few bundle-scope names it refers to (`require$$N`, tslib
 *   helpers), which a short prelude defines;
 * - the backend sizes its thread pool as min(requested, 8, logical cores / 2), assuming
 *   hyper-threads: while it starts, `os.cpus()` reports twice the requested count so the request wins.
 * The pool's threads are started once, at backend start (the 8 pre-spawned workers are its ceiling:
 * a 9th worker could not finish loading while the main thread waits for it). Emscripten `ref()`s
 * the workers that run pool threads, which would keep Node alive forever: we `unref()` them, and
 * `terminateWasmWorkers` ends them for good.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';

/** The most threads the threaded build can run: the bundle pre-spawns 8 pthread workers. */
export const MAX_WASM_THREADS = 8;

/** Workers of the threaded build started by `withThreadedWasm` and not yet terminated. */
const liveWorkers: NodeWorker[] = [];

/** Names tslib and the bundler give helpers that the module's source uses but does not define. */
const HELPER_PRELUDE = [
  'var commonjsGlobal = globalThis;',
  'function __values(o) { return o[Symbol.iterator](); }',
  'function __read(o, n) { var out = []; for (var v of o) { if (n !== undefined && out.length >= n) break; out.push(v); } return out; }',
  'function __spreadArray(to, from) { return to.concat(Array.prototype.slice.call(from)); }',
].join('\n');

/**
 * `var require$$N = require('…');` for every such alias the bundle declares, read from the installed bundle
 * (the module's source refers to them by name).
 */
const requireAliases = (bundleFile: string): string => {
  const text = fs.readFileSync(bundleFile, 'utf8');
  const lines = text.match(/^var require\$\$\d+ = require\('[a-z_]+'\);$/gm) ?? [];
  return lines.join('\n');
};

/** Writes `text` to a new file in `dir` and returns its absolute path. */
const writeScript = (dir: string, index: number, text: string): string => {
  const file = path.join(dir, `script-${index}.cjs`);
  fs.writeFileSync(file, text);
  return file;
};

/**
 * Runs `start` (which must call `tf.setBackend('wasm')`) with the threaded build enabled for `threads`
 * threads, then restores every global it touched and lets Node exit while the workers idle.
 * @param threads 2 … MAX_WASM_THREADS
 * @param bundleFile the tfjs-backend-wasm Node bundle (`dist/tf-backend-wasm.node.js`), for its require aliases
 * @param start resolves to whether the backend started
 */
export const withThreadedWasm = async (threads: number, bundleFile: string, start: () => Promise<boolean>): Promise<boolean> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tailstream-wasm-'));
  const prelude = `${requireAliases(bundleFile)}\n${HELPER_PRELUDE}\n`;
  const texts = new WeakMap<object, string>();
  const files = new WeakMap<object, string>();
  let count = 0;
  const fileFor = (blob: object): string | undefined => {
    const known = files.get(blob);
    if (known !== undefined) return known;
    const text = texts.get(blob);
    if (text === undefined) return undefined;
    // The module's own source is evaluated in the worker's global scope: give it the bundle-scope names.
    const body = text.startsWith('var WasmBackendModuleThreadedSimd') ? prelude + text : text;
    const file = writeScript(dir, count++, body);
    files.set(blob, file);
    return file;
  };

  const NativeBlob = globalThis.Blob;
  class RecordingBlob extends NativeBlob {
    constructor(parts?: readonly unknown[], options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts as ConstructorParameters<typeof Blob>[0], options);
      if (parts !== undefined && parts.every((p) => typeof p === 'string')) texts.set(this, (parts as string[]).join(''));
    }
  }
  class FileWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      liveWorkers.push(this);
    }
    override postMessage(message: unknown, transferList?: Parameters<NodeWorker['postMessage']>[1]): void {
      const m = message as { cmd?: unknown; urlOrBlob?: unknown } | null;
      if (m !== null && typeof m === 'object' && m.cmd === 'load' && typeof m.urlOrBlob === 'object' && m.urlOrBlob !== null) {
        const file = fileFor(m.urlOrBlob);
        if (file !== undefined) message = { ...m, urlOrBlob: file };
      }
      super.postMessage(message, transferList);
    }
  }

  const nativeCreateObjectURL = URL.createObjectURL.bind(URL);
  const nativeCpus = os.cpus;
  const workerDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  Object.defineProperty(globalThis, 'Blob', { value: RecordingBlob, configurable: true, writable: true });
  URL.createObjectURL = (obj: Blob) => fileFor(obj) ?? nativeCreateObjectURL(obj);
  os.cpus = () => {
    const real = nativeCpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % Math.max(1, real.length)]!);
  };
  // Emscripten assigns `global.Worker = worker_threads.Worker` before spawning: keep ours in place.
  Object.defineProperty(globalThis, 'Worker', { get: () => FileWorker, set: () => undefined, configurable: true });
  try {
    return await start();
  } finally {
    Object.defineProperty(globalThis, 'Blob', { value: NativeBlob, configurable: true, writable: true });
    URL.createObjectURL = nativeCreateObjectURL;
    os.cpus = nativeCpus;
    if (workerDescriptor === undefined) Reflect.deleteProperty(globalThis, 'Worker');
    else Object.defineProperty(globalThis, 'Worker', workerDescriptor);
    // Every worker has loaded both scripts before the module reports ready, so the files can go.
    fs.rmSync(dir, { recursive: true, force: true });
    for (const w of liveWorkers) w.unref();
  }
};

/** Number of live worker threads of the threaded build (0 when it is not running). */
export const wasmWorkerCount = (): number => liveWorkers.length;

/** Terminates every worker of the threaded build; the wasm module that used them must not run again. */
export const terminateWasmWorkers = async (): Promise<void> => {
  const workers = liveWorkers.splice(0, liveWorkers.length);
  await Promise.all(workers.map((w) => w.terminate()));
};
