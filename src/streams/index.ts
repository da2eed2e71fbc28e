/** Streams: samplers, pull-driven sources and batching (host memory only, no tfjs). */
export { fromIterator, fromAsyncIterator, pullThrough } from './pull-source.js';
export type { PullSource, PullOptions } from './pull-source.js';
export { mapPullSource, interleavePullSources, pullAhead } from './pull-source.js';
export type { AheadSource } from './pull-source.js';
export { workerSource, serveSources, transferablesOf } from './worker-source.js';
export type { SourceWorker } from './worker-source.js';
export { gatherBatch } from './gather-batch.js';
export type { Normalization } from './gather-batch.js';
export { epochBatches, batchesPerEpoch } from './epoch-batches.js';
export type { EpochBatchesOptions } from './epoch-batches.js';
export { bilateralBatches } from './bilateral-batches.js';
export { shardRecords, shardsForRank, openLocalShard, openShard, parseAsync, acceptRecord, readsAsync } from './shard-records.js';
export type { ShardCursor, ShardItem, ShardSkip, ShardFile, ShardRecordsOptions, OpenAsyncShard } from './shard-records.js';
export { openHttpShard, isHttpUrl } from './http-shard.js';
export { shuffledShardRecords } from './shuffled-shard-records.js';
export { decodeImages } from './decode-images.js';
export type { DecodeImagesOptions, DecodedImage, ImageDecoder, RecordItem } from './decode-images.js';
export type { ShuffledCursor, ShuffledShardItem, ShuffledShardRecordsOptions } from './shuffled-shard-records.js';
export type { AsyncShardFile, HttpShardOptions, HttpRetry } from './http-shard.js';
export type { BilateralBatch, BilateralBatchesOptions, BilateralSide } from './bilateral-batches.js';
export {
  instanceSampler,
  classBalancedSampler,
  classAwareSampler,
  squareRootSampler,
  progressiveSampler,
  reversedSampler,
  minoritySampler,
  targetRatioSampler,
  powerProbabilities,
  drawClassThenMember,
  normalise,
  samplers,
  multiLabelSampler,
  multiLabelSampleWeights,
  multiLabelClassCounts,
  rarestLabel,
  expectedClassMass,
  drawWeighted,
} from './samplers/index.js';
export type {
  Sampler,
  SamplerContext,
  ClassAwareSamplerOptions,
  MinoritySamplerOptions,
  TargetRatioSamplerOptions,
  MultiLabelSamplerOptions,
  MultiLabelWeighting,
  LabelSets,
} from './samplers/index.js';
export { countEpochRecords } from './count-epoch-records.js';
export type { CountEpochRecordsOptions, CountMismatchPolicy } from './count-epoch-records.js';
