/**
 * A training stage's batch pipeline in worker threads, so the step never waits for its next batch.
 *
 * Intuition: the main thread runs the step (tfjs kernels run synchronously on it); while it does, the
 * pipeline threads sample, gather and transform the next batches from one shared copy of the
 * training images, and post them with their buffers transferred. `fit` pulls them through
 * `epochSource` exactly as it pulls the main-thread pipeline, with the same credits and prefetch,
 * and each thread runs the same `epochPipeline` built by the same `buildPipeline` from the same Rng
 * state, so a run gives the same batches, weights and metrics either way. With N threads, thread i
 * makes batches i, i + N, … (each batch's randomness depends on its index only) and
 * `interleavePullSources` puts them back in order: for a step faster than one thread's batch.
 *
 * An operator that queries the model (GAE) cannot run there: the model lives on the main thread.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { throwError } from 'rxjs';
import { UserError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Subset } from '../data/labeled-images.js';
import { shareSubset, type SharedSubset } from '../data/shared-subset.js';
import type { Normalization } from '../streams/gather-batch.js';
import { workerSource } from '../streams/worker-source.js';
import { interleavePullSources, type PullSource } from '../streams/pull-source.js';
import type { EpochSource, TrainingItem } from '../train/epoch-pipeline.js';
import { transforms as transformsRegistry } from '../transforms/registry.js';
import { planUsesModel, type PipelinePlan } from './pipeline-plan.js';

/** What the thread is started with (structured-clonable; the images are shared memory). */
export interface PipelineThreadData {
  readonly subset: SharedSubset;
  readonly plan: PipelinePlan;
  readonly classCounts: readonly number[];
  readonly normalization: Normalization;
  /** The stage's root Rng state (`fit`'s `rng`). */
  readonly rngState: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly maxStepsPerEpoch?: number;
  /** Which share of each epoch this thread makes: batches share, share + N, … of N threads. */
  readonly share: number;
  /** N: the threads making the stage's batches. */
  readonly threads: number;
}

/** One epoch's batches from `startBatch` on, every `stride`-th (the thread's share when there are `stride` threads). */
export interface EpochRequest {
  readonly epoch: number;
  readonly startBatch: number;
  readonly stride: number;
}

/** What starting a pipeline thread needs: the stage's training subset and plan, and `fit`'s sizes and Rng. */
export interface PipelineThreadOptions {
  readonly train: Subset;
  readonly normalization: Normalization;
  readonly plan: PipelinePlan;
  /** The training class counts the operators see (the run's, as on the main thread). */
  readonly classCounts: readonly number[];
  readonly rng: Rng;
  readonly epochs: number;
  readonly batchSize: number;
  readonly maxStepsPerEpoch?: number;
  /** Threads making the batches (default 1): thread i makes batches i, i + N, … of each epoch, over one shared copy of the images. */
  readonly threads?: number;
}

/** Running pipeline threads. */
export interface PipelineThread {
  /** `fit`'s `epochSource`: each epoch's batches, made in the threads and delivered in order. */
  readonly epochSource: EpochSource;
  /** How many threads make them. */
  readonly threads: number;
  /** Stops the threads (idempotent). */
  close(): Promise<void>;
}

/** The worker entry next to this module: the compiled `.js` under dist/, the `.ts` source under tsx or vitest. */
const workerEntry = (): { readonly url: URL; readonly fromSource: boolean } => {
  const fromSource = import.meta.url.endsWith('.ts');
  return { url: new URL(`./pipeline-thread-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url), fromSource };
};

/** tsx's programmatic import (`tsx/esm/api`), resolved from this package, or undefined where tsx is not installed. */
const tsxApi = (): string | undefined => {
  try {
    // The ESM build named by tsx's `exports` ("./esm/api" → import); `require.resolve` would give the CommonJS one.
    const root = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    const file = path.join(root, 'dist', 'esm', 'api', 'index.mjs');
    return existsSync(file) ? pathToFileURL(file).href : undefined;
  } catch {
    return undefined;
  }
};

/** Whether this installation can start a pipeline thread (compiled, or from source with tsx installed); the reason when not. */
export const pipelineThreadAvailability = (): { readonly available: true } | { readonly available: false; readonly reason: string } => {
  const { url, fromSource } = workerEntry();
  if (!existsSync(fileURLToPath(url))) return { available: false, reason: `${fileURLToPath(url)} is missing` };
  if (fromSource && tsxApi() === undefined) return { available: false, reason: 'running from TypeScript sources without tsx installed' };
  return { available: true };
};

/**
 * A worker running the entry: the compiled module directly, or (from sources) a one-line bootstrap
 * that imports the TypeScript entry through tsx (a worker's `execArgv` cannot add module hooks).
 */
const spawn = (workerData: PipelineThreadData): Worker => {
  const { url, fromSource } = workerEntry();
  if (!fromSource) return new Worker(url, { workerData });
  const api = tsxApi();
  if (api === undefined) throw new Error('startPipelineThread: running from TypeScript sources needs tsx (npm i -D tsx)');
  const bootstrap = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { eval: true, workerData });
};

/** One worker and what became of it: a failure before (or between) epochs is kept and fails the next epoch, so nothing waits on a thread that is gone. */
const supervise = (worker: Worker, isClosed: () => boolean) => {
  let failure: Error | undefined;
  worker.on('error', (e: Error) => {
    failure ??= new Error(`pipeline thread: ${e.message}`);
  });
  worker.on('exit', (code: number) => {
    failure ??= new Error(isClosed() ? 'pipeline thread: closed' : `pipeline thread: exited (code ${code})`);
  });
  return {
    source:
      (request: EpochRequest): PullSource<TrainingItem> =>
      (credits$) =>
        failure !== undefined ? throwError(() => failure) : workerSource<TrainingItem>(worker, request)(credits$),
  };
};

/**
 * Starts the workers that make a stage's batches: the training images are copied once into shared
 * memory (all threads read the same copy), the plan is rebuilt in each with `buildPipeline`, and
 * thread i makes batches i, i + N, … of each epoch. Close them when the stage ends.
 * @throws Error when `threads` is not a positive integer
 */
export const startPipelineThread = (options: PipelineThreadOptions): PipelineThread => {
  const threads = options.threads ?? 1;
  if (!(Number.isInteger(threads) && threads > 0)) throw new Error(`startPipelineThread: threads must be a positive integer, got ${threads}`);
  const data: Omit<PipelineThreadData, 'share'> = {
    subset: shareSubset(options.train),
    plan: options.plan,
    classCounts: options.classCounts,
    normalization: { mean: [...options.normalization.mean], std: [...options.normalization.std] },
    rngState: options.rng.state,
    epochs: options.epochs,
    batchSize: options.batchSize,
    threads,
    ...(options.maxStepsPerEpoch !== undefined ? { maxStepsPerEpoch: options.maxStepsPerEpoch } : {}),
  };
  let closed: Promise<void> | undefined;
  const workers = Array.from({ length: threads }, (_, share) => spawn({ ...data, share }));
  const supervised = workers.map((worker) => {
    // Between epochs nothing is asked of a thread: it must not keep the process alive on its own.
    worker.unref();
    return supervise(worker, () => closed !== undefined);
  });
  return {
    threads,
    epochSource: (epoch, startBatch) => {
      const shares = supervised.map((w, i) => w.source({ epoch, startBatch: startBatch + i, stride: threads }));
      return threads === 1 ? shares[0]! : interleavePullSources(shares);
    },
    close: () => (closed ??= Promise.all(workers.map((w) => w.terminate())).then(() => undefined)),
  };
};

/** Most threads `autoPipelineThreads` picks: enough for a GPU step at tens of thousands of images/s. */
export const AUTO_PIPELINE_THREADS_MAX = 4;

/**
 * Pipeline threads for `pipelineThreads: 'auto'`: 1 where the step runs on the CPU (wasm, cpu: the
 * step keeps the cores busy, and one thread outruns it many times), else (tfjs-node, tfjs-node-gpu:
 * 'tensorflow') one per core but one, at most `AUTO_PIPELINE_THREADS_MAX`.
 */
export const autoPipelineThreads = (backend: string, cores: number): number =>
  backend === 'tensorflow' ? Math.max(1, Math.min(AUTO_PIPELINE_THREADS_MAX, cores - 1)) : 1;

/** Where a run's batch pipeline runs (`RunConfig.pipeline`). */
export type PipelineMode = 'auto' | 'worker' | 'main-thread';

/**
 * Whether a stage makes its batches in a pipeline thread: always for 'worker', never for
 * 'main-thread'; for 'auto', unless an operator of the plan queries the model or no thread can start here.
 */
export const usePipelineThread = (mode: PipelineMode, plan: PipelinePlan): boolean =>
  mode === 'worker' || (mode === 'auto' && !planUsesModel(plan) && pipelineThreadAvailability().available);

/**
 * Refuses `pipeline: 'worker'` where it cannot work, in one sentence: an operator that queries the
 * model (`transforms`, the names of either stage's), or an installation that cannot start the thread.
 * @throws UserError of kind 'bad-config'
 */
export const checkPipelineMode = (mode: PipelineMode, transforms: ReadonlyArray<{ readonly name: string }>): void => {
  if (mode !== 'worker') return;
  const usesModel = transforms.filter((t) => transformsRegistry.get(t.name).usesModel === true).map((t) => t.name);
  if (usesModel.length > 0) {
    throw new UserError('bad-config', `pipeline 'worker' cannot run ${usesModel.join(', ')}, which queries the model on the main thread; use pipeline 'auto' or 'main-thread'.`);
  }
  const availability = pipelineThreadAvailability();
  if (!availability.available) throw new UserError('bad-config', `pipeline 'worker' cannot start a pipeline thread here (${availability.reason}); use pipeline 'auto' or 'main-thread'.`);
};
