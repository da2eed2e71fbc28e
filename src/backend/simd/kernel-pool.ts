/**
 * A pool of worker threads that run one WebAssembly kernel together, synchronously, over a shared heap.
 *
 * Intuition: tfjs-wasm's threaded build keeps every tensor in one `SharedArrayBuffer`-backed
 * `WebAssembly.Memory`. A module of our own that imports that memory can read and write tensors in
 * place; instantiated once in the calling thread and once in each worker, its functions can split
 * one kernel between threads. `run` posts the function and its arguments into a small shared
 * control block, wakes the workers (`Atomics.notify`), runs part 0 itself and blocks
 * (`Atomics.wait`) until every worker has finished its part, so a tfjs kernel built on it stays
 * synchronous, as tfjs requires. Every function takes `(…args, part, parts)` and must write only
 * what its part owns. With one thread (or an unshared heap) no worker starts and `run` just calls.
 */
import { Worker } from 'node:worker_threads';

/** Runs a module's exported functions on `threads` threads at once. */
export interface KernelPool {
  /** Threads that share each call, the calling one included. */
  readonly threads: number;
  /** Calls export `name` with `(…args, part, parts)` on every thread and returns when all are done; throws if any part trapped. */
  run(name: string, args: readonly number[]): void;
  /** How many times `run` has called each export so far (exports never called are left out). */
  calls(): ReadonlyMap<string, number>;
  /** Stops the workers; `run` throws afterwards. */
  close(): Promise<void>;
}

// Control block layout (Int32 slots).
const GENERATION = 0;
const DONE = 1;
const FAILED = 2;
const QUIT = 3;
const FUNCTION = 4;
const ARGC = 5;
const ARGS = 6;
const MAX_ARGS = 58;

/** The longest `run` waits for the workers before it gives up on them (a worker never takes this long on a kernel). */
const WORKER_TIMEOUT_MS = 120_000;

/** The worker: instantiate, then run a part each time the generation moves, until told to quit. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, names, part, parts } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const ctl = new Int32Array(control);
// The pool starts at generation 0: a run posted before this thread first waits is not missed.
let seen = 0;
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(ctl, ${GENERATION}, seen);
  seen = Atomics.load(ctl, ${GENERATION});
  if (Atomics.load(ctl, ${QUIT}) === 1) break;
  try {
    const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ctl[${ARGC}]));
    fns[ctl[${FUNCTION}]](...args, part, parts);
  } catch (e) {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

const startWorker = (module: WebAssembly.Module, memory: WebAssembly.Memory, control: SharedArrayBuffer, names: readonly string[], part: number, parts: number): Promise<Worker> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, names, part, parts } });
    worker.once('message', () => {
      worker.removeAllListeners('error');
      worker.unref();
      resolve(worker);
    });
    worker.once('error', reject);
  });

/**
 * Instantiates `module` (importing `env.memory` = `memory`) here and in `threads − 1` workers.
 * More than one thread needs a shared memory; an unshared one gets a single-threaded pool.
 */
export const startKernelPool = async (module: WebAssembly.Module, memory: WebAssembly.Memory, threads: number): Promise<KernelPool> => {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const names = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
  const fns = new Map(names.map((n, i) => [n, { index: i, fn: instance.exports[n] as (...a: number[]) => void }]));
  const parts = memory.buffer instanceof SharedArrayBuffer ? Math.max(1, Math.floor(threads)) : 1;
  const control = new SharedArrayBuffer(4 * (ARGS + MAX_ARGS));
  const ctl = new Int32Array(control);
  const workers = await Promise.all(Array.from({ length: parts - 1 }, (_, k) => startWorker(module, memory, control, names, k + 1, parts)));
  let closed = false;
  const counts = new Map<string, number>();

  const run = (name: string, args: readonly number[]): void => {
    if (closed) throw new Error('kernel pool: run after close');
    const f = fns.get(name);
    if (f === undefined) throw new Error(`kernel pool: the module exports no function ${name}`);
    if (args.length > MAX_ARGS) throw new Error(`kernel pool: at most ${MAX_ARGS} arguments, got ${args.length}`);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (parts === 1) {
      f.fn(...args, 0, 1);
      return;
    }
    ctl[FUNCTION] = f.index;
    ctl[ARGC] = args.length;
    for (let i = 0; i < args.length; i++) ctl[ARGS + i] = args[i]!;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    let mine: unknown;
    try {
      f.fn(...args, 0, parts);
    } catch (e) {
      mine = e;
    }
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    for (let done = Atomics.load(ctl, DONE); done < parts - 1; done = Atomics.load(ctl, DONE)) {
      if (Date.now() > deadline) throw new Error(`kernel pool: ${parts - 1 - done} worker(s) did not finish ${name}`);
      Atomics.wait(ctl, DONE, done, 1000);
    }
    if (mine !== undefined) throw mine;
    if (Atomics.load(ctl, FAILED) === 1) throw new Error(`kernel pool: ${name} trapped in a worker`);
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    Atomics.store(ctl, QUIT, 1);
    Atomics.add(ctl, GENERATION, 1);
    Atomics.notify(ctl, GENERATION);
    // The workers leave their loop on QUIT; terminate() also ends one that is not waiting, and resolves once it has gone.
    await Promise.all(workers.map((w) => w.terminate()));
  };

  return { threads: parts, run, calls: () => new Map(counts), close };
};
