/**
 * The pipeline thread's entry (run by `startPipelineThread` in a worker): rebuilds the stage's
 * pipeline from its plan over the shared training images, then serves epochs of batches on request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { map } from 'rxjs';
import { rngFromState } from '../core/rng.js';
import { openSharedSubset, toDatasetIndices } from '../data/shared-subset.js';
import { serveSources } from '../streams/worker-source.js';
import { mapPullSource } from '../streams/pull-source.js';
import { epochPipeline, type TrainingItem } from '../train/epoch-pipeline.js';
import { buildPipeline } from './pipeline-plan.js';
import type { EpochRequest, PipelineThreadData } from './pipeline-thread.js';

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
  serveSources(port, (request) => {
    const { epoch, startBatch, stride } = request as EpochRequest;
    return mapPullSource(epochPipeline(options, epoch, startBatch, stride), map(restore));
  });
};

if (parentPort !== null) serve(parentPort, workerData as PipelineThreadData);
