import { join, resolve } from 'node:path';
import { deriveSeed, makeRng, tf } from '@snn/backend';
import { defaultDataDir } from './paths.js';
import { DataError, readManifest, readSplit, shownPath } from './store.js';
import type { DatasetName, ImageSet, Split } from './types.js';

const loaded = new Map<string, Promise<Split>>();

/**
 * Reads `<dataDir>/<name>/` as written by the data stage, verified by content against its manifest
 * (sha256 of every byte read); a missing or damaged copy is a DataError naming the file. Loaded
 * sets are shared per process and must be treated as read-only: table stages load CIFAR-10
 * (184 MB) once, not once per row.
 */
export function loadDataset(name: DatasetName, opts: { dataDir?: string } = {}): Promise<Split> {
  const dir = join(resolve(opts.dataDir ?? defaultDataDir()), name);
  let p = loaded.get(dir);
  if (!p) {
    p = (async () => {
      const m = await readManifest(dir);
      if (!m)
        throw new DataError(
          `${name}: no dataset at ${shownPath(dir)} (no valid manifest.json); \`pnpm reproduce\` builds it (or \`pnpm --filter @snn/stage-data stage\`)`,
        );
      return readSplit(dir, m);
    })();
    p.catch(() => loaded.delete(dir));
    loaded.set(dir, p);
  }
  return p;
}

/** Images of `set` at `indices`, in that order. */
export function takeIndices(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = set.height * set.width * set.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  const ids = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(set.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = set.labels[j];
    ids[i] = set.ids ? set.ids[j] : j;
  }
  return { ...set, images, labels, n: indices.length, classes: [...set.classes], ids };
}

/**
 * Per-image correctness of a row as its 'correct' series (x = the image's index in its split, y = 1
 * if predicted right, or the fraction of seeds right): the report pairs two rows' verdicts on it.
 */
export function correctSeries(
  set: ImageSet,
  correct: ArrayLike<number>,
): Array<{ series: string; x: number; y: number }> {
  if (correct.length !== set.n) throw new Error(`correctSeries: ${correct.length} values for ${set.n} images`);
  return Array.from({ length: set.n }, (_, i) => ({ series: 'correct', x: set.ids ? set.ids[i] : i, y: correct[i] }));
}

/**
 * `n` images with equal counts per class (the first n mod k classes get one more), drawn by a
 * seeded permutation of each class. With the same seed a smaller subset is contained in a larger
 * one, so profiles that scale n compare like with like. Dataset order is kept.
 */
export function balancedSubset(set: ImageSet, n: number, seed: number): ImageSet {
  const k = set.classes.length;
  if (!Number.isInteger(n) || n < 0) throw new Error(`balancedSubset: n must be a non-negative integer, got ${n}`);
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < set.n; i++) byClass[set.labels[i]].push(i);
  const chosen: number[] = [];
  for (let c = 0; c < k; c++) {
    const want = Math.floor(n / k) + (c < n % k ? 1 : 0);
    if (want > byClass[c].length)
      throw new Error(`balancedSubset: class ${set.classes[c]} has ${byClass[c].length} images, ${want} wanted`);
    const perm = makeRng(deriveSeed(seed, 'balancedSubset', c)).shuffle(byClass[c].slice());
    chosen.push(...perm.slice(0, want));
  }
  chosen.sort((a, b) => a - b);
  return takeIndices(set, chosen);
}

export interface ChannelStats {
  mean: number[];
  std: number[];
}

/** Per-channel mean and std of pixels in [0, 1]. */
export function channelStats(set: ImageSet): ChannelStats {
  const c = set.channels;
  const s = new Float64Array(c);
  const s2 = new Float64Array(c);
  const im = set.images;
  for (let i = 0; i < im.length; i += c) {
    for (let k = 0; k < c; k++) {
      const v = im[i + k];
      s[k] += v;
      s2[k] += v * v;
    }
  }
  const per = im.length / c;
  const mean = Array.from(s, (v) => v / per / 255);
  const std = Array.from(s2, (v, k) => Math.sqrt(Math.max(v / per / (255 * 255) - mean[k] * mean[k], 1e-12)));
  return { mean, std };
}

export interface BatchOptions {
  batchSize: number;
  seed: number;
  /** default true */
  shuffle?: boolean;
  /** crop: zero padding in pixels before a random crop back to HxW (4 for CIFAR-10); flip: horizontal, p = 0.5 */
  augment?: { crop?: number; flip?: boolean };
  /** 'unit' (default): x/255 in [0, 1], the Poisson rates. 'standard': (x/255 - mean)/std per channel */
  normalize?: 'unit' | 'standard';
  /** statistics for 'standard' (default: this set's own; pass the train set's for the test set) */
  stats?: ChannelStats;
  /** drop a final batch smaller than batchSize (default false) */
  dropLast?: boolean;
}

export interface Batch {
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  size: number;
}

/**
 * Batches of float32 NHWC tensors and int32 labels; the caller disposes both. Order and
 * augmentation come from separate seeded streams, so switching augmentation on does not change
 * which images share a batch. Padding is black (pixel 0) before normalisation, as in the usual
 * CIFAR-10 recipe (pad 4, random 32x32 crop, horizontal flip).
 */
export function* batches(set: ImageSet, opts: BatchOptions): Generator<Batch, void, undefined> {
  const { batchSize } = opts;
  if (!(batchSize > 0)) throw new Error(`batches: batchSize must be positive, got ${batchSize}`);
  const { height: h, width: w, channels: c } = set;
  const size = h * w * c;
  const order = Array.from({ length: set.n }, (_, i) => i);
  if (opts.shuffle !== false) makeRng(deriveSeed(opts.seed, 'batches', 'order')).shuffle(order);
  const aug = makeRng(deriveSeed(opts.seed, 'batches', 'augment'));
  const pad = opts.augment?.crop ?? 0;
  const flip = opts.augment?.flip ?? false;
  // per-channel affine map x -> x*scale + shift applied to the uint8 value
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  if (opts.normalize === 'standard') {
    const st = opts.stats ?? channelStats(set);
    for (let k = 0; k < c; k++) {
      scale[k] = 1 / 255 / st.std[k];
      shift[k] = -st.mean[k] / st.std[k];
    }
  } else {
    scale.fill(1 / 255);
  }
  for (let start = 0; start < set.n; start += batchSize) {
    const b = Math.min(batchSize, set.n - start);
    if (b < batchSize && opts.dropLast) break;
    const xs = new Float32Array(b * size);
    const ys = new Int32Array(b);
    for (let i = 0; i < b; i++) {
      const src = order[start + i] * size;
      const dst = i * size;
      ys[i] = set.labels[order[start + i]];
      // draw in a fixed order whatever the options, so streams stay aligned
      const oy = pad > 0 ? aug.int(2 * pad + 1) - pad : 0;
      const ox = pad > 0 ? aug.int(2 * pad + 1) - pad : 0;
      const fl = flip ? aug.next() < 0.5 : false;
      for (let y = 0; y < h; y++) {
        const sy = y + oy;
        for (let x = 0; x < w; x++) {
          const sx = (fl ? w - 1 - x : x) + ox;
          const o = dst + (y * w + x) * c;
          if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
            for (let k = 0; k < c; k++) xs[o + k] = shift[k];
          } else {
            const s = src + (sy * w + sx) * c;
            for (let k = 0; k < c; k++) xs[o + k] = set.images[s + k] * scale[k] + shift[k];
          }
        }
      }
    }
    yield { x: tf.tensor4d(xs, [b, h, w, c]), y: tf.tensor1d(ys, 'int32'), size: b };
  }
}
