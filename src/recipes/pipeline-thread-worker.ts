/**
 * The pipeline thread's entry (run by `startPipelineThread` in a worker): rebuilds the stage's
 * pipeline from its plan over the shared training images, then serves epochs of batches on request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { map } from 'rxjs';
import { rngFromState } from '../core/rng.js';
import { openSharedSubset, toDatasetIndices } from '../data/shared-subset.js';
import { serveSources } from '../streams/worker-source.js';
import { mapPullSource, pullAhead, type AheadSource, type PullSource } from '../streams/pull-source.js';
import { epochPipeline, type TrainingItem } from '../train/epoch-pipeline.js';
import { buildPipeline } from './pipeline-plan.js';
import type { EpochRequest, PipelineThreadData } from './pipeline-thread.js';

/** Batches of the next epoch made ahead per thread. */
const AHEAD = 2;

const sameRequest = (a: EpochRequest, b: EpochRequest): boolean => a.epoch === b.epoch && a.startBatch === b.startBatch && a.stride === b.stride;

const serve = (port: NonNullable<typeof parentPort>, data: PipelineThreadData): void => {
  const train = openSharedSubset(data.subset);
  const { datasetIndices } = data.subset;
  const built = buildPipeline(data.plan, { classCounts: data.classCounts, normalization: data.normalization });
  const options = {
    dataset: { train, mean: data.normalization.mean, std: data.normalization.std },
    sampler: built.sampler,
    transforms: built.transforms,
    epochs: data.epochs,
    batchSize: data.batchSize,
    rng: rngFromState(data.rngState),
    ...(data.maxStepsPerEpoch !== undefined ? { maxStepsPerEpoch: data.maxStepsPerEpoch } : {}),
    ...(built.rebalancingSampler !== undefined ? { rebalancingSampler: built.rebalancingSampler } : {}),
  };
  const restore = (item: TrainingItem): TrainingItem =>
    'conventional' in item
      ? { conventional: toDatasetIndices(item.conventional, datasetIndices), rebalancing: toDatasetIndices(item.rebalancing, datasetIndices) }
      : toDatasetIndices(item, datasetIndices);
  const make = ({ epoch, startBatch, stride }: EpochRequest): PullSource<TrainingItem> => mapPullSource(epochPipeline(options, epoch, startBatch, stride), map(restore));
  // The next epoch's first batches, made early in the current epoch (they do not depend on it), so a
  // new epoch does not begin with a wait; used when the request is the one expected (a fresh epoch,
  // this thread's share), dropped otherwise.
  let ahead: { readonly request: EpochRequest; readonly made: AheadSource<TrainingItem> } | undefined;
  let opened = 0;
  const startNext = (current: EpochRequest, generation: number) => {
    // After the current epoch's first credits are served, and only while it is still the one asked for.
    if (current.epoch + 1 >= data.epochs || opened !== generation) return;
    const request: EpochRequest = { epoch: current.epoch + 1, startBatch: data.share, stride: data.threads };
    ahead = { request, made: pullAhead(make(request), AHEAD) };
  };
  serveSources(port, (raw) => {
    const request = raw as EpochRequest;
    const generation = ++opened;
    const ready = ahead !== undefined && sameRequest(ahead.request, request) ? ahead.made : undefined;
    if (ready === undefined) ahead?.made.cancel();
    ahead = undefined;
    const source = ready?.source ?? make(request);
    setImmediate(() => startNext(request, generation));
    return source;
  });
};

if (parentPort !== null) serve(parentPort, workerData as PipelineThreadData);
