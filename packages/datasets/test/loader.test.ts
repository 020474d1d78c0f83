import { initEngine, tf } from '@snn/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { balancedSubset, batches, channelStats, type ImageSet } from '../src/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

/** A synthetic set: 3 classes with 40/25/35 images of 4x5x2, pixel values identify image and position. */
function synthetic(): ImageSet {
  const counts = [40, 25, 35];
  const labels: number[] = [];
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++) labels.push(c);
  });
  // interleave deterministically
  labels.sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
  const n = labels.length,
    h = 4,
    w = 5,
    ch = 2;
  const images = new Uint8Array(n * h * w * ch);
  for (let i = 0; i < images.length; i++) images[i] = 1 + ((i * 37) % 250);
  return { images, labels: Uint8Array.from(labels), n, height: h, width: w, channels: ch, classes: ['a', 'b', 'c'] };
}
const set = synthetic();
const key = (s: ImageSet, i: number): string => Array.from(s.images.subarray(i * 40, (i + 1) * 40)).join(',');

describe('balancedSubset', () => {
  it('is class-balanced, deterministic per seed, and nested across sizes', () => {
    const a = balancedSubset(set, 30, 7);
    expect(a.n).toBe(30);
    expect([0, 1, 2].map((c) => a.labels.filter((l) => l === c).length)).toEqual([10, 10, 10]);
    expect(balancedSubset(set, 30, 7).images).toEqual(a.images);
    expect(balancedSubset(set, 30, 8).images).not.toEqual(a.images);
    const small = balancedSubset(set, 15, 7);
    const big = new Set(Array.from({ length: a.n }, (_, i) => key(a, i)));
    for (let i = 0; i < small.n; i++) expect(big.has(key(small, i))).toBe(true);
    const odd = balancedSubset(set, 31, 1);
    expect([0, 1, 2].map((c) => odd.labels.filter((l) => l === c).length)).toEqual([11, 10, 10]);
    expect(() => balancedSubset(set, 90, 1)).toThrow(/class b has 25 images, 30 wanted/);
  });

  it("keeps each image's index in the split (ids), through subsets of subsets", () => {
    const a = balancedSubset(set, 30, 7);
    for (let i = 0; i < a.n; i++) expect(key(set, a.ids![i])).toBe(key(a, i));
    const b = balancedSubset(a, 9, 3);
    for (let i = 0; i < b.n; i++) expect(key(set, b.ids![i])).toBe(key(b, i));
  });
});

async function collect(
  opts: Parameters<typeof batches>[1],
): Promise<{ x: Float32Array[]; y: Int32Array[]; sizes: number[] }> {
  const out = { x: [] as Float32Array[], y: [] as Int32Array[], sizes: [] as number[] };
  for (const b of batches(set, opts)) {
    out.x.push(b.x.dataSync() as Float32Array);
    out.y.push(b.y.dataSync() as Int32Array);
    out.sizes.push(b.size);
    expect(b.y.dtype).toBe('int32');
    tf.dispose([b.x, b.y]);
  }
  return out;
}

describe('batches', () => {
  it('covers the set once in a seeded order, values in [0,1], and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await collect({ batchSize: 32, seed: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.sizes).toEqual([32, 32, 32, 4]);
    const ys = r.y.flatMap((y) => Array.from(y));
    expect(ys.slice().sort()).toEqual(Array.from(set.labels).sort());
    expect(ys).not.toEqual(Array.from(set.labels));
    const xs = r.x.flatMap((x) => Array.from(x));
    expect(Math.min(...xs)).toBeGreaterThan(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    expect((await collect({ batchSize: 32, seed: 3 })).x).toEqual(r.x);
    expect((await collect({ batchSize: 32, seed: 4 })).y).not.toEqual(r.y);
    expect((await collect({ batchSize: 32, seed: 3, dropLast: true })).sizes).toEqual([32, 32, 32]);
    const plain = await collect({ batchSize: 100, seed: 0, shuffle: false });
    expect(Array.from(plain.y[0])).toEqual(Array.from(set.labels));
    expect(plain.x[0][7]).toBeCloseTo(set.images[7] / 255, 6);
  });

  it('standardises per channel', async () => {
    const r = await collect({ batchSize: 100, seed: 0, normalize: 'standard' });
    const x = r.x[0];
    for (let c = 0; c < 2; c++) {
      let s = 0,
        s2 = 0;
      for (let i = c; i < x.length; i += 2) {
        s += x[i];
        s2 += x[i] * x[i];
      }
      const m = s / (x.length / 2);
      expect(Math.abs(m)).toBeLessThan(1e-4);
      expect(s2 / (x.length / 2) - m * m).toBeCloseTo(1, 3);
    }
    const st = channelStats(set);
    const fixed = await collect({
      batchSize: 100,
      seed: 0,
      shuffle: false,
      normalize: 'standard',
      stats: { mean: [0, 0], std: [1, 1] },
    });
    expect(fixed.x[0][3]).toBeCloseTo(set.images[3] / 255, 6);
    expect(st.mean.length).toBe(2);
  });

  it('crop + flip: seeded, same batch order as without augmentation, each output a padded shift (maybe mirrored)', async () => {
    const aug = { batchSize: 16, seed: 9, augment: { crop: 2, flip: true } };
    const a = await collect(aug);
    expect((await collect(aug)).x).toEqual(a.x);
    const plain = await collect({ batchSize: 16, seed: 9 });
    expect(a.y).toEqual(plain.y); // augmentation uses its own stream
    expect(a.x).not.toEqual(plain.x);
    const { height: h, width: w, channels: c } = set;
    let flips = 0,
      shifted = 0;
    for (let bi = 0; bi < a.x.length; bi++) {
      for (let i = 0; i < a.y[bi].length; i++) {
        const out = a.x[bi].subarray(i * 40, (i + 1) * 40);
        const src = plain.x[bi].subarray(i * 40, (i + 1) * 40);
        // find (oy, ox, flip) that explains the output exactly
        let found: [number, number, boolean] | undefined;
        for (const fl of [false, true])
          for (let oy = -2; oy <= 2; oy++)
            for (let ox = -2; ox <= 2; ox++) {
              let ok = true;
              for (let y = 0; y < h && ok; y++)
                for (let x = 0; x < w && ok; x++)
                  for (let k = 0; k < c && ok; k++) {
                    const sy = y + oy,
                      sx = (fl ? w - 1 - x : x) + ox;
                    const want = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0 : src[(sy * w + sx) * c + k];
                    ok = out[(y * w + x) * c + k] === want;
                  }
              if (ok && !found) found = [oy, ox, fl];
            }
        expect(found).toBeDefined();
        if (found![2]) flips++;
        if (found![0] !== 0 || found![1] !== 0) shifted++;
      }
    }
    expect(flips).toBeGreaterThan(25);
    expect(flips).toBeLessThan(75);
    expect(shifted).toBeGreaterThan(60);
  });
});
