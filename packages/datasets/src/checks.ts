import type { DatasetName, ImageSet, Split } from './types.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** Per-channel mean of the pixels scaled to [0, 1]. */
export function channelMeans(set: ImageSet): number[] {
  const c = set.channels;
  const sums = new Float64Array(c);
  const im = set.images;
  for (let i = 0; i < im.length; i += c) for (let k = 0; k < c; k++) sums[k] += im[i + k];
  const per = im.length / c;
  return Array.from(sums, (s) => s / per / 255);
}

export function classCounts(set: ImageSet): number[] {
  const counts = new Array<number>(set.classes.length).fill(0);
  for (const l of set.labels) counts[l]++;
  return counts;
}

const eqList = (a: ArrayLike<number>, b: number[]): boolean => b.every((v, i) => a[i] === v);

/**
 * Facts of the published datasets (issue 2): counts, the first test labels, the CIFAR-10 test-set
 * channel means and the first test image's first pixels. They pin the pixel order (NHWC, RGB) and
 * the label alignment, which a silently mis-decoded sprite or CHW/HWC mix-up would break.
 */
export function datasetChecks(name: DatasetName, { train, test }: Split): CheckResult[] {
  const out: CheckResult[] = [];
  const add = (n: string, ok: boolean, detail: string): void => {
    out.push({ name: n, ok, detail });
  };
  if (name === 'cifar10') {
    add('counts', train.n === 50_000 && test.n === 10_000, `train ${train.n}, test ${test.n} (want 50000/10000)`);
    add(
      'shape',
      train.height === 32 && train.width === 32 && train.channels === 3,
      `${train.height}x${train.width}x${train.channels}`,
    );
    const first = Array.from(test.labels.subarray(0, 10));
    add(
      'first-test-labels',
      eqList(first, [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]),
      `${first.join(' ')} (want 3 8 8 0 6 6 1 6 3 1)`,
    );
    const m = channelMeans(test);
    const want = [0.494, 0.485, 0.45];
    add(
      'test-channel-means',
      m.every((v, i) => Math.abs(v - want[i]) < 0.003),
      `${m.map((v) => v.toFixed(4)).join('/')} (want ~0.494/0.485/0.450)`,
    );
    const px = Array.from(test.images.subarray(0, 9));
    add(
      'first-test-pixels',
      eqList(px, [158, 112, 49, 159, 111, 47, 165, 116, 51]),
      `(${px.slice(0, 3)}), (${px.slice(3, 6)}), (${px.slice(6, 9)}) (want (158,112,49), (159,111,47), (165,116,51))`,
    );
    const tc = classCounts(train);
    const sc = classCounts(test);
    add(
      'class-balance',
      tc.every((v) => v === 5000) && sc.every((v) => v === 1000),
      `train ${tc.join(',')}; test ${sc.join(',')}`,
    );
  } else {
    add('counts', train.n === 60_000 && test.n === 10_000, `train ${train.n}, test ${test.n} (want 60000/10000)`);
    add(
      'shape',
      train.height === 28 && train.width === 28 && train.channels === 1,
      `${train.height}x${train.width}x${train.channels}`,
    );
    const first = Array.from(test.labels.subarray(0, 10));
    add(
      'first-test-labels',
      eqList(first, [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]),
      `${first.join(' ')} (want 7 2 1 0 4 1 4 9 5 9)`,
    );
    const firstTrain = Array.from(train.labels.subarray(0, 10));
    add(
      'first-train-labels',
      eqList(firstTrain, [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]),
      `${firstTrain.join(' ')} (want 5 0 4 1 9 2 1 3 1 4)`,
    );
    const sc = classCounts(test);
    add('test-class-counts', eqList(sc, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]), sc.join(','));
    const m = channelMeans(test)[0];
    add('test-mean', Math.abs(m - 0.1325) < 0.002, `${m.toFixed(4)} (want ~0.1325)`);
  }
  return out;
}

export function assertChecks(name: string, results: CheckResult[]): void {
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0)
    throw new Error(`${name}: data checks failed:\n${bad.map((r) => `  ${r.name}: ${r.detail}`).join('\n')}`);
}
