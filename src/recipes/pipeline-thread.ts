/**
 * A training stage's batch pipeline in a worker thread, so the step never waits for its next batch.
 *
 * Intuition: the main thread runs the step (tfjs kernels run synchronously on it); while it does, the
 * pipeline thread samples, gathers and transforms the next batches from a shared copy of the
 * training images, and posts them with their buffers transferred. `fit` pulls them through
 * `epochSource` exactly as it pulls the main-thread pipeline, with the same credits and prefetch,
 * and the thread runs the same `epochPipeline` built by the same `buildPipeline` from the same Rng
 * state, so a run gives the same batches, weights and metrics either way.
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
}

/** One epoch's batches from `startBatch` on. */
export interface EpochRequest {
  readonly epoch: number;
  readonly startBatch: number;
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
}

/** A running pipeline thread. */
export interface PipelineThread {
  /** `fit`'s `epochSource`: each epoch's batches, made in the thread. */
  readonly epochSource: EpochSource;
  /** Stops the thread (idempotent). */
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

/**
 * Starts a worker that makes the stage's batches: the training images are copied once into shared
 * memory, the plan is rebuilt there with `buildPipeline`. Close it when the stage ends.
 */
export const startPipelineThread = (options: PipelineThreadOptions): PipelineThread => {
  const data: PipelineThreadData = {
    subset: shareSubset(options.train),
    plan: options.plan,
    classCounts: options.classCounts,
    normalization: { mean: [...options.normalization.mean], std: [...options.normalization.std] },
    rngState: options.rng.state,
    epochs: options.epochs,
    batchSize: options.batchSize,
    ...(options.maxStepsPerEpoch !== undefined ? { maxStepsPerEpoch: options.maxStepsPerEpoch } : {}),
  };
  const worker = spawn(data);
  // Between epochs nothing is asked of the thread: it must not keep the process alive on its own.
  worker.unref();
  // A failure while an epoch is open reaches it through `workerSource`; one before (or between)
  // epochs is kept here and fails the next epoch, so nothing waits on a thread that is gone.
  let failure: Error | undefined;
  let closed: Promise<void> | undefined;
  worker.on('error', (e: Error) => {
    failure ??= new Error(`pipeline thread: ${e.message}`);
  });
  worker.on('exit', (code: number) => {
    failure ??= new Error(closed !== undefined ? 'pipeline thread: closed' : `pipeline thread: exited (code ${code})`);
  });
  return {
    epochSource: (epoch, startBatch) => (credits$) =>
      failure !== undefined ? throwError(() => failure) : workerSource<TrainingItem>(worker, { epoch, startBatch } satisfies EpochRequest)(credits$),
    close: () => (closed ??= worker.terminate().then(() => undefined)),
  };
};

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
