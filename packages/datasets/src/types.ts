export type DatasetName = 'cifar10' | 'mnist';

/** Pixels stay uint8 in storage, NHWC, row-major (docs/interfaces.md). */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  classes: string[];
  /** each image's index in the split it was drawn from (subsets keep them), so two rows' per-image results can be paired */
  ids?: Int32Array;
}

export interface Split {
  train: ImageSet;
  test: ImageSet;
}

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function emptyCheck(set: ImageSet): void {
  const expect = set.n * set.height * set.width * set.channels;
  if (set.images.length !== expect) throw new Error(`image buffer has ${set.images.length} bytes, expected ${expect}`);
  if (set.labels.length !== set.n) throw new Error(`label buffer has ${set.labels.length} entries, expected ${set.n}`);
}
