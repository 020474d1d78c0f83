import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@snn/backend';
import { useTestEngine } from './setup.js';
import { SURROGATES, type SurrogateSpec } from '../src/surrogates.js';
import { surrogateArrayGrad } from '../src/surrogate-arrays.js';

beforeAll(async () => {
  await useTestEngine();
});

// every registry entry, with default and explicit parameters
const SPECS: SurrogateSpec[] = [
  { name: 'pwl' },
  { name: 'pwl', gamma: 0.7 },
  { name: 'dspike' },
  { name: 'dspike', b: 1.5 },
  { name: 'dspike', b: 3, width: 2 },
  { name: 'fastSigmoid' },
  { name: 'fastSigmoid', alpha: 3 },
  { name: 'arctan' },
  { name: 'arctan', alpha: 5 },
];

describe('array surrogate derivatives == the registry (tf) derivatives', () => {
  it('covers every registry entry', () => {
    for (const name of Object.keys(SURROGATES)) expect(SPECS.some((s) => s.name === name)).toBe(true);
  });

  for (const spec of SPECS) {
    for (const vth of [1, 0.6]) {
      it(`${JSON.stringify(spec)} vth ${vth}`, () => {
        // a grid through every kink / support boundary (0, vth/2, vth, 3 vth/2, 2 vth) plus random points
        const pts: number[] = [-1, 0, vth / 2, vth, 1.5 * vth, 2 * vth, 3];
        for (let i = 0; i < 400; i++) pts.push(-1.5 + (4.5 * i) / 399);
        const u = new Float32Array(pts);
        const out = new Float32Array(u.length);
        surrogateArrayGrad(spec, vth)!(u, out, u.length);
        const ref = tf.tidy(() => SURROGATES[spec.name].grad(tf.tensor1d(u), vth, spec).dataSync());
        let max = 0;
        for (let i = 0; i < u.length; i++) {
          // float32 ops in tf vs float64 here: a few ulps
          expect(Math.abs((out[i] as number) - (ref[i] as number))).toBeLessThan(
            4e-7 * Math.max(1, Math.abs(ref[i] as number)) * 4,
          );
          max = Math.max(max, out[i] as number);
        }
        expect(max).toBeGreaterThan(0.1);
      });
    }
  }
});
