/** File formats and datasets: bytes → labelled images, long-tailed subsets. No RxJS, no tfjs. */
export { decodeIdx, encodeIdx, maybeGunzip, IDX_MAX_BYTES } from './idx.js';
export type { IdxArray } from './idx.js';
export { subsetLabels } from './labeled-images.js';
export type { LabeledImages, Subset } from './labeled-images.js';
export { loadMnistDigits } from './mnist-digits.js';
export { loadFashionMnist, readIdxImageSet, FASHION_MNIST_CLASSES, DEBIAN_FASHION_MNIST_DIR } from './fashion-mnist.js';
export { longTailCounts, indicesByClass, selectPerClass } from './long-tail.js';
export type { LongTailProfile } from './long-tail.js';
export { datasets, channelStats, longTailFromSingleSplit, longTailFromTrainTest, MNIST_TEST_FRACTION } from './datasets.js';
export type { LongTailDataset, LongTailOptions, DatasetEntry } from './datasets.js';
