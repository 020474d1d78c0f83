import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initEngine } from '@snn/backend';
import { directEncode, latencyEncode, poissonEncode } from '../src/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

describe('poissonEncode', () => {
  it('rate within 3 sigma of maxRate * intensity over many steps', () => {
    const levels = [0, 0.05, 0.3, 0.5, 0.9, 1];
    const B = 2;
    const T = 400;
    // pixel i of each sample has intensity levels[i % 6]; 24 pixels -> 4 per level per sample
    const px = 24;
    const x = tf.tensor2d(
      Array.from({ length: B * px }, (_, i) => levels[(i % px) % levels.length]),
      [B, px],
    );
    for (const maxRate of [1, 0.5]) {
      const s = poissonEncode(x, T, 1234, maxRate);
      expect(s.shape).toEqual([T * B, px]);
      const d = s.dataSync();
      const count = new Array<number>(levels.length).fill(0);
      const n = new Array<number>(levels.length).fill(0);
      for (let r = 0; r < T * B; r++)
        for (let i = 0; i < px; i++) {
          const v = d[r * px + i];
          expect(v === 0 || v === 1).toBe(true);
          count[i % levels.length] += v;
          n[i % levels.length] += 1;
        }
      levels.forEach((lv, k) => {
        const p = lv * maxRate;
        const rate = count[k] / n[k];
        const sigma = Math.sqrt((p * (1 - p)) / n[k]);
        if (sigma === 0) expect(rate).toBe(p);
        else expect(Math.abs(rate - p)).toBeLessThan(3 * sigma);
      });
      s.dispose();
    }
    x.dispose();
  });

  it('is time-major: row t*B + b belongs to sample b', () => {
    const x = tf.tensor2d(
      [
        [0, 0, 0],
        [1, 1, 1],
      ],
      [2, 3],
    ); // sample 0 dark, sample 1 saturated
    const s = poissonEncode(x, 5, 7);
    const rows = s.arraySync() as number[][];
    rows.forEach((row, r) => expect(row).toEqual(r % 2 === 0 ? [0, 0, 0] : [1, 1, 1]));
    tf.dispose([x, s]);
  });

  it('same seed -> same spikes; different seed -> different spikes', () => {
    const x = tf.randomUniform([4, 6, 6, 3], 0, 1, 'float32', 1);
    const a = poissonEncode(x, 8, 42).dataSync();
    const b = poissonEncode(x, 8, 42).dataSync();
    const c = poissonEncode(x, 8, 43).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff += a[i] !== c[i] ? 1 : 0;
    expect(diff).toBeGreaterThan(a.length * 0.1);
    x.dispose();
  });

  it('no tensor leaks', () => {
    const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1);
    tf.dispose(poissonEncode(x, 3, 1));
    const before = tf.memory().numTensors;
    tf.dispose(poissonEncode(x, 3, 2));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('latencyEncode (TTFS)', () => {
  it('fires at round((1 - x)(T - 1)), hand-checked, and never for x = 0', () => {
    const T = 5;
    // x: 1 -> t 0; 0.875 -> 0.5 -> 1 (half rounds up); 0.5 -> 2; 0.3 -> 2.8 -> 3; 0.01 -> 3.96 -> 4; 0 -> none
    const x = tf.tensor2d([[1, 0.875, 0.5, 0.3, 0.01, 0]], [1, 6]);
    const s = latencyEncode(x, T).arraySync() as number[][];
    const want = [0, 1, 2, 3, 4, -1];
    want.forEach((t, i) => {
      for (let step = 0; step < T; step++) expect(s[step][i]).toBe(step === t ? 1 : 0);
    });
    x.dispose();
  });

  it('at most one spike per pixel, brighter fires no later', () => {
    const T = 9;
    const B = 3;
    const x = tf.tidy(() =>
      tf.mul(
        tf.randomUniform([B, 5, 5, 2], 0, 1, 'float32', 3),
        tf.cast(tf.greater(tf.randomUniform([B, 5, 5, 2], 0, 1, 'float32', 4), 0.2), 'float32'),
      ),
    );
    const xs = x.dataSync();
    const s = latencyEncode(x, T);
    expect(s.shape).toEqual([T * B, 5, 5, 2]);
    const d = s.dataSync();
    const per = xs.length / B;
    const first = new Array<number>(xs.length).fill(-1);
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++)
        for (let j = 0; j < per; j++) {
          if (d[(t * B + b) * per + j] === 1) {
            const i = b * per + j;
            expect(first[i]).toBe(-1); // only one spike
            first[i] = t;
          }
        }
    for (let i = 0; i < xs.length; i++) expect(first[i] === -1).toBe(xs[i] === 0);
    const lit = [...xs.keys()].filter((i) => xs[i] > 0);
    expect(lit.length).toBeGreaterThan(50);
    for (const i of lit) for (const j of lit) if (xs[i] > xs[j]) expect(first[i]).toBeLessThanOrEqual(first[j]);
    tf.dispose([x, s]);
  });
});

describe('directEncode', () => {
  it('passes the analog image once, flagged repeated (never tiled)', () => {
    const x = tf.ones([2, 3]);
    const r = directEncode(x, 10);
    expect(r.repeated).toBe(true);
    expect(r.input).toBe(x);
    expect(r.input.shape).toEqual([2, 3]);
    x.dispose();
  });
});
