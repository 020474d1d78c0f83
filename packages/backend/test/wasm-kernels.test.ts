import { beforeAll, describe, expect, it } from 'vitest';
import { tf, makeRng, wasmTrainingKernelsInstalled, WASM_TRAINING_KERNELS } from '../src/index.js';
import { compareWithCpu, useWasm } from './helpers.js';

const TOL = 1e-4;

beforeAll(async () => {
  await useWasm();
});

describe('wasm training kernels', () => {
  it('are registered over the stock wasm kernels', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmTrainingKernelsInstalled()).toBe(true);
    for (const name of WASM_TRAINING_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('conv2d gradients (filter and input) match cpu on random shapes', () => {
    const rng = makeRng(2024);
    const pads: Array<'same' | 'valid' | number> = ['same', 'valid', 0, 1, 2];
    let cases = 0;
    let convPath = 0;
    for (let i = 0; i < 40; i++) {
      const k = 1 + rng.int(4);
      const s = 1 + rng.int(2);
      const pad = pads[rng.int(pads.length)] as 'same' | 'valid' | number;
      const n = 1 + rng.int(3);
      const h = k + rng.int(8);
      const w = k + rng.int(8);
      // small Ci*K*K takes the im2col path of the filter gradient, larger the dilated-conv path
      const ci = rng.next() < 0.5 ? 1 + rng.int(4) : 8 + rng.int(10);
      const co = 1 + rng.int(6);
      if (typeof pad === 'number' && s > 1 && (h + 2 * pad - k) % s !== 0) continue; // tfjs rounding rule
      const seed = rng.int(1e6);
      const err = compareWithCpu(() => {
        const x = tf.randomNormal([n, h, w, ci], 0, 1, 'float32', seed) as tf.Tensor4D;
        const f = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
        const r = tf.randomNormal(tf.conv2d(x, f, s, pad).shape, 0, 1, 'float32', seed + 2);
        const g = tf.grads((...[a, b]: tf.Tensor[]) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), r)),
        );
        return g([x, f]);
      });
      expect(err, `k${k} s${s} pad ${pad} n${n} ${h}x${w} ${ci}->${co}`).toBeLessThan(TOL);
      cases++;
      if (ci * k * k > 64) convPath++;
    }
    expect(cases).toBeGreaterThan(25);
    expect(convPath).toBeGreaterThan(5);
  });

  it('conv2d gradients at a training-like shape (stride 2, 16 -> 32 channels)', () => {
    const err = compareWithCpu(() => {
      const x = tf.randomNormal([4, 12, 12, 16], 0, 1, 'float32', 1) as tf.Tensor4D;
      const f = tf.randomNormal([3, 3, 16, 32], 0, 1, 'float32', 2) as tf.Tensor4D;
      return tf.grads((...[a, b]: tf.Tensor[]) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
      )([x, f]);
    });
    expect(err).toBeLessThan(TOL);
  });

  it('matMul matches cpu for every transpose combination, forward and gradients', () => {
    const rng = makeRng(7);
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        for (const batched of [false, true]) {
          const m = 1 + rng.int(9);
          const kk = 1 + rng.int(9);
          const nn = 1 + rng.int(9);
          const bt = batched ? 1 + rng.int(3) : 0;
          const shapeA = tA ? [kk, m] : [m, kk];
          const shapeB = tB ? [nn, kk] : [kk, nn];
          const err = compareWithCpu(() => {
            const a = tf.randomNormal(bt ? [bt, ...shapeA] : shapeA, 0, 1, 'float32', 11);
            const b = tf.randomNormal(bt ? [bt, ...shapeB] : shapeB, 0, 1, 'float32', 12);
            const y = tf.matMul(a, b, tA, tB);
            const g = tf.grads((...[p, q]: tf.Tensor[]) =>
              tf.sum(tf.square(tf.matMul(p as tf.Tensor, q as tf.Tensor, tA, tB))),
            )([a, b]);
            return [y, ...g];
          });
          expect(err, `tA=${tA} tB=${tB} batch=${bt}`).toBeLessThan(TOL);
        }
      }
    }
  });

  it('matMul with a tall operand takes the swapped path and stays exact', () => {
    const err = compareWithCpu(() => {
      const dy = tf.randomNormal([5, 40], 0, 1, 'float32', 3);
      const w = tf.randomNormal([300, 40], 0, 1, 'float32', 4);
      const x = tf.randomNormal([5, 300], 0, 1, 'float32', 5);
      return [tf.matMul(dy, w, false, true), tf.matMul(x, dy, true, false), tf.matMul(w, x, true, true)];
    });
    expect(err).toBeLessThan(TOL);
  });

  it('fused matMul with transposes, bias and relu matches cpu', () => {
    const err = compareWithCpu(() => {
      const a = tf.randomNormal([6, 4], 0, 1, 'float32', 21);
      const b = tf.randomNormal([7, 6], 0, 1, 'float32', 22);
      const bias = tf.randomNormal([7], 0, 1, 'float32', 23);
      return [tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: 'relu' })];
    });
    expect(err).toBeLessThan(TOL);
  });

  it('avgPool, maxPool and relu gradients match cpu', () => {
    for (const [fs, st, pad] of [
      [2, 2, 'valid'],
      [3, 2, 'same'],
      [3, 1, 'same'],
    ] as const) {
      const err = compareWithCpu(() => {
        const x = tf.randomNormal([2, 9, 8, 3], 0, 1, 'float32', 31) as tf.Tensor4D;
        const r = tf.randomNormal(tf.avgPool(x, fs, st, pad).shape, 0, 1, 'float32', 32);
        const ga = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, fs, st, pad), r)))(x);
        const gm = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, fs, st, pad), r)))(x);
        const gr = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), x)))(x);
        return [ga, gm, gr];
      });
      expect(err, `pool ${fs}/${st} ${pad}`).toBeLessThan(TOL);
    }
  });

  it('avgPool gradient on tiled windows (filter = stride, no padding) is bit-identical to cpu', () => {
    for (const [h, fs] of [
      [8, 2],
      [9, 3],
      [32, 2],
    ] as const) {
      const err = compareWithCpu(() => {
        const x = tf.randomNormal([3, h, h, 5], 0, 1, 'float32', 33) as tf.Tensor4D;
        const r = tf.randomNormal(tf.avgPool(x, fs, fs, 'valid').shape, 0, 1, 'float32', 34);
        return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, fs, fs, 'valid'), r)))(x)];
      });
      expect(err, `avgPool ${fs}x${fs} on ${h}x${h}`).toBe(0);
    }
  });

  it('slice and unstack match cpu on every axis and dtype', () => {
    const err = compareWithCpu(() => {
      const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 41);
      const xi = tf.cast(tf.mul(x, 10), 'int32');
      const out: tf.Tensor[] = [
        tf.slice(x, [1, 0, 2, 1], [2, 4, 2, 3]),
        tf.slice(x, [0, 1], [-1, 2]),
        tf.slice(x, [2], [1]),
        tf.slice(xi, [0, 0, 0, 5], [3, 4, 5, 1]),
      ];
      for (let axis = 0; axis < 4; axis++) out.push(...tf.unstack(x, axis));
      out.push(...tf.unstack(xi, 2));
      return out;
    });
    expect(err).toBe(0);
  });
});
