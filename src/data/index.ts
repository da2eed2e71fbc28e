/** File formats and datasets: bytes → labelled images, long-tailed subsets. No RxJS, no tfjs. */
export { decodeIdx, encodeIdx, maybeGunzip, IDX_MAX_BYTES } from './idx.js';
export type { IdxArray } from './idx.js';
export { subsetLabels } from './labeled-images.js';
export type { LabeledImages, Subset } from './labeled-images.js';
export { shareSubset, openSharedSubset, toDatasetIndices } from './shared-subset.js';
export type { SharedSubset } from './shared-subset.js';
export { loadMnistDigits } from './mnist-digits.js';
export { loadFashionMnist, readIdxImageSet, FASHION_MNIST_CLASSES, DEBIAN_FASHION_MNIST_DIR } from './fashion-mnist.js';
export { longTailCounts, indicesByClass, selectPerClass } from './long-tail.js';
export type { LongTailProfile } from './long-tail.js';
export { datasets, loadDataset, channelStats, longTailFromSingleSplit, longTailFromTrainTest, MNIST_TEST_FRACTION } from './datasets.js';
export type { LongTailDataset, LongTailOptions, DatasetEntry } from './datasets.js';
export { crc32c, maskCrc32c, maskedCrc32c } from './crc32c.js';
export {
  TFRECORD_HEADER_BYTES,
  TFRECORD_FOOTER_BYTES,
  TFRECORD_MAX_RECORD_BYTES,
  decodeTfRecordHeader,
  checkTfRecordData,
  encodeTfRecord,
  encodeTfRecords,
  decodeTfRecordAt,
  decodeTfRecords,
} from './tfrecord.js';
export type { TfRecordAt } from './tfrecord.js';
export { readVarint, readFields, WireWriter } from './protobuf-wire.js';
export type { WireField } from './protobuf-wire.js';
export { decodeTfExample, encodeTfExample } from './tf-example.js';
export type { TfFeature, TfFeatures } from './tf-example.js';
export { TAR_BLOCK, tarPaddedSize, isZeroBlock, decodeTarHeader, paxPath, encodeTarHeader, encodeTar } from './tar.js';
export type { TarEntryType, TarHeader } from './tar.js';
export { splitWebDatasetName, imageRecordFromSample } from './webdataset.js';
export type { WebDatasetSample, WebDatasetFields } from './webdataset.js';
export { checkLabel, imageRecordFromExample } from './image-record.js';
export type { ImageRecord, ExampleKeys } from './image-record.js';
export { decodeCifarBatch, encodeCifarBatch, loadCifar, CIFAR10_CLASSES } from './cifar-binary.js';
export type { CifarVariant } from './cifar-binary.js';
export { tfRecordParser, webDatasetParser, shardParser, parseSync, bytesOf, NO_BYTES } from './shard-parse.js';
export type {
  ShardReadRequest,
  ParsedShardRecord,
  ShardCorruption,
  ShardParseStep,
  ShardParser,
  ShardFormat,
  ShardParseOptions,
  SyncBytes,
} from './shard-parse.js';
export { decodeImageBytes, encodePng, loadSharp, MAX_IMAGE_PIXELS } from './sharp-codec.js';
export type { DecodedPixels } from './sharp-codec.js';
export { decodePng, crc32, PNG_MAX_PIXELS } from './png.js';
export type { PngImage } from './png.js';
export { ShardManifest, decodeShardManifest, countDifference, MANIFEST_FILE } from './shard-manifest.js';
export type { ShardManifestSplit } from './shard-manifest.js';
export { writeDatasetShards } from './write-shards.js';
export type { WriteShardsOptions } from './write-shards.js';
export { loadShardDataset, readShardManifest } from './shard-dataset.js';
export { openLocalBytes } from './shard-parse.js';
export { parseImageList, readImageList, findImageLists, loadImageList, decodeSquareRgb, IMAGE_LIST_SIZE, IMAGE_LIST_FILES, IMAGE_LIST_MAX_CLASSES } from './image-list.js';
export type { ImageListEntry, ImageListOptions } from './image-list.js';
