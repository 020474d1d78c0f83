import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@snn/backend';
import { useTestEngine } from './setup.js';
import {
  SURROGATES,
  cosineSimilarity,
  dspikeTemperatureStep,
  spikeFn,
  type SurrogateName,
  type SurrogateSpec,
} from '../src/index.js';

beforeAll(async () => {
  await useTestEngine();
});

// several parameterisations per entry, so a wrong scale (e.g. Dspike's 1/V_th) is caught
const SPECS: Record<SurrogateName, SurrogateSpec[]> = {
  pwl: [{ name: 'pwl' }, { name: 'pwl', gamma: 0.7 }],
  dspike: [{ name: 'dspike', b: 1 }, { name: 'dspike' }, { name: 'dspike', b: 6 }, { name: 'dspike', b: 3, width: 2 }],
  fastSigmoid: [{ name: 'fastSigmoid' }, { name: 'fastSigmoid', alpha: 3 }],
  arctan: [{ name: 'arctan' }, { name: 'arctan', alpha: 5 }],
};

describe('surrogate gradients vs finite differences of their primitives', () => {
  it('covers every registry entry', () => {
    expect(Object.keys(SPECS).sort()).toEqual(Object.keys(SURROGATES).sort());
  });

  for (const [name, specs] of Object.entries(SPECS) as [SurrogateName, SurrogateSpec[]][]) {
    for (const spec of specs) {
      for (const vth of [1, 0.6, 2.5]) {
        it(`${name} ${JSON.stringify(spec)} vth=${vth}`, () => {
          const entry = SURROGATES[name];
          // points over [-vth, 3 vth], away from the kinks (0, vth, 2 vth) of pwl/dspike
          const n = 41;
          const vs: number[] = [];
          for (let i = 0; i < n; i++) {
            const x = -1 + (4 * (i + 0.37)) / n;
            vs.push(x * vth);
          }
          const weights = vs.map((_, i) => 0.5 + ((i * 7) % 5) / 4);
          const v = tf.tensor1d(vs);
          const w = tf.tensor1d(weights);
          const spike = spikeFn(spec);
          const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(spike(x, vth), w)))(v);
          const got = g.dataSync();
          const fwd = spike(v, vth).dataSync();
          const h = 1e-5 * vth;
          let maxAbs = 0;
          for (let i = 0; i < n; i++) {
            const fd = (entry.primitive(vs[i] + h, vth, spec) - entry.primitive(vs[i] - h, vth, spec)) / (2 * h);
            const expected = weights[i] * fd;
            maxAbs = Math.max(maxAbs, Math.abs(expected));
            expect(got[i]).toBeCloseTo(expected, 4);
            expect(Math.abs(got[i] - expected)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected));
            // forward is the Heaviside step at the threshold, whatever the surrogate
            expect(fwd[i]).toBe(vs[i] >= vth ? 1 : 0);
          }
          expect(maxAbs).toBeGreaterThan(0.01); // the surrogate is not trivially zero here
          tf.dispose([v, w, g]);
        });
      }
    }
  }

  it('pwl matches the paper at hand-picked points (gamma = 0.3 default)', () => {
    const v = tf.tensor1d([1, 0.5, 1.5, 0, 2, 2.5, -1]);
    const g = tf
      .grad((x: tf.Tensor) => tf.sum(spikeFn({ name: 'pwl' })(x, 1)))(v)
      .dataSync();
    const want = [0.3, 0.15, 0.15, 0, 0, 0, 0];
    want.forEach((w, i) => expect(g[i]).toBeCloseTo(w, 6));
  });

  it('dspike: peaks at V = V_th (where the forward step fires), non-zero just above it, zero outside V_th +- w/2', () => {
    const b = 3;
    const vth = 2;
    for (const width of [1, 2]) {
      const w = width * vth;
      const v = tf.tensor1d([vth, vth + 0.01, vth - 0.01, vth + 0.49 * w, vth + 0.51 * w, vth - 0.51 * w, vth + 2 * w]);
      const g = tf
        .grad((x: tf.Tensor) => tf.sum(spikeFn({ name: 'dspike', b, width })(x, vth)))(v)
        .dataSync();
      expect(g[0]).toBeCloseTo(b / (2 * Math.tanh(b / 2)) / w, 5);
      expect(g[1]).toBeGreaterThan(0.99 * g[0]);
      expect(g[1]).toBeCloseTo(g[2], 6); // symmetric about the threshold
      expect(g[3]).toBeGreaterThan(0);
      expect([g[4], g[5], g[6]]).toEqual([0, 0, 0]);
      expect(Math.max(...g)).toBe(g[0]);
    }
  });

  it('an unknown surrogate name throws', () => {
    expect(() => spikeFn({ name: 'nope' as SurrogateName })).toThrow(/unknown surrogate/);
  });
});

describe('Dspike temperature search', () => {
  it('cosine similarity', () => {
    expect(cosineSimilarity([1, 0], [0, 1])).toBeCloseTo(0);
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 2], [-1, -2])).toBeCloseTo(-1);
  });

  it('climbs to the temperature whose gradient best matches the finite-difference one', () => {
    // toy: the "first-layer surrogate gradient" rotates with b; it aligns with fd at b = 4
    const fd = [Math.cos(0.4), Math.sin(0.4)];
    const gradFor = (b: number) => [Math.cos(b / 10), Math.sin(b / 10)];
    let b = 1;
    const path: number[] = [];
    for (let epoch = 0; epoch < 6; epoch++) {
      b = dspikeTemperatureStep(b, 1, gradFor, fd).b;
      path.push(b);
    }
    expect(path).toEqual([2, 3, 4, 4, 4, 4]);
    const down = dspikeTemperatureStep(7, 1, gradFor, fd);
    expect(down.b).toBe(6);
    expect(down.candidates.map((c) => c.b)).toEqual([7, 8, 6]);
  });

  it('works with the real Dspike surrogate on a toy neuron layer', () => {
    // membrane potentials of a toy first layer; the "true" gradient is taken from Dspike at b = 5
    const v = tf.tensor1d([0.1, 0.3, 0.45, 0.5, 0.62, 0.8, 0.95, 1.2]);
    const gradFor = (b: number) =>
      tf.tidy(() =>
        tf
          .grad((x: tf.Tensor) => tf.sum(spikeFn({ name: 'dspike', b })(x, 1)))(v)
          .dataSync(),
      );
    const fd = gradFor(5);
    let b = 2;
    for (let i = 0; i < 5; i++) b = dspikeTemperatureStep(b, 1, gradFor, fd).b;
    expect(b).toBe(5);
    v.dispose();
  });

  it('never proposes a non-positive temperature', () => {
    const r = dspikeTemperatureStep(0.5, 1, () => [1, 1], [1, 1]);
    expect(r.candidates.map((c) => c.b)).toEqual([0.5, 1.5]);
    expect(r.b).toBe(0.5); // tie keeps the current b
  });
});
