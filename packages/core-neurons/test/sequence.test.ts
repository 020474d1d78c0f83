import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@snn/backend';
import { useTestEngine } from './setup.js';
import { lifSequence, lifSequenceStepwise, type NeuronParams } from '../src/index.js';

beforeAll(async () => {
  await useTestEngine();
});

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

const CASES: Array<{ name: string; p: NeuronParams; repeated?: boolean; v0?: boolean }> = [
  { name: 'LIF soft pwl', p: { kind: 'lif', alpha: 0.9, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } } },
  {
    name: 'LIF hard pwl',
    p: { kind: 'lif', alpha: 0.8, vth: 0.7, reset: 'hard', surrogate: { name: 'pwl', gamma: 0.5 } },
  },
  { name: 'IF soft dspike', p: { kind: 'if', alpha: 1, vth: 1.2, reset: 'soft', surrogate: { name: 'dspike', b: 2 } } },
  { name: 'IF hard arctan', p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', surrogate: { name: 'arctan' } } },
  {
    name: 'LIF soft fastSigmoid v0',
    v0: true,
    p: { kind: 'lif', alpha: 0.95, vth: 1, reset: 'soft', surrogate: { name: 'fastSigmoid', alpha: 4 } },
  },
  {
    name: 'LIF soft refractory',
    p: { kind: 'lif', alpha: 0.9, vth: 0.8, reset: 'soft', refractory: 2, surrogate: { name: 'pwl' } },
  },
  {
    name: 'IF hard refractory',
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', refractory: 1, surrogate: { name: 'pwl' } },
  },
  {
    name: 'LIF soft repeated',
    repeated: true,
    p: { kind: 'lif', alpha: 0.9, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } },
  },
  {
    name: 'IF hard repeated refractory v0',
    repeated: true,
    v0: true,
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', refractory: 1, surrogate: { name: 'dspike' } },
  },
];

describe('time-folded lifSequence == step-by-step lifStep loop', () => {
  const T = 7;
  const B = 3;
  const inF = 5;
  const unit = [4, 3]; // per-sample neuron shape

  for (const c of CASES) {
    it(c.name, () => {
      const rows = c.repeated ? B : T * B;
      const x = tf.randomNormal([rows, inF], 0, 1, 'float32', 11);
      const W = tf.variable(tf.randomNormal([inF, unit[0] * unit[1]], 0.3, 0.6, 'float32', 12), true, `W_${c.name}`);
      const R = tf.randomNormal([T * B, ...unit], 0, 1, 'float32', 13); // loss weights on spikes
      const Q = tf.randomNormal([B, ...unit], 0, 1, 'float32', 14); // loss weights on vFinal
      const v0 = c.v0 ? tf.randomUniform([B, ...unit], -0.5, 0.9, 'float32', 15) : undefined;
      const run = (impl: typeof lifSequence) => (xx: tf.Tensor, ww: tf.Tensor) => {
        const cur = tf.reshape(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), [rows, ...unit]);
        const r = impl(cur, T, c.p, { repeated: c.repeated, v0 });
        return tf.add(tf.sum(tf.mul(r.spikes, R)), tf.sum(tf.mul(r.vFinal, Q)));
      };
      const folded = tf.grads(run(lifSequence));
      const stepwise = tf.grads(run(lifSequenceStepwise));
      const [gxF, gwF] = folded([x, W]);
      const [gxS, gwS] = stepwise([x, W]);

      const sF = tf.tidy(
        () => lifSequence(tf.reshape(tf.matMul(x, W), [rows, ...unit]), T, c.p, { repeated: c.repeated, v0 }).spikes,
      );
      const sS = tf.tidy(
        () =>
          lifSequenceStepwise(tf.reshape(tf.matMul(x, W), [rows, ...unit]), T, c.p, { repeated: c.repeated, v0 })
            .spikes,
      );
      const spikesF = Array.from(sF.dataSync());
      expect(Array.from(spikesF)).toEqual(Array.from(sS.dataSync()));
      const rate = spikesF.reduce((a, b) => a + b, 0) / spikesF.length;
      expect(rate).toBeGreaterThan(0.05); // data actually exercises spikes and resets
      expect(rate).toBeLessThan(0.8);

      expect(maxRelDiff(gxF.dataSync(), gxS.dataSync())).toBeLessThan(1e-4);
      expect(maxRelDiff(gwF.dataSync(), gwS.dataSync())).toBeLessThan(1e-4);
      expect(tf.sum(tf.abs(gwF)).dataSync()[0]).toBeGreaterThan(0);

      // also through variableGrads (what the trainers use)
      const { grads } = tf.variableGrads(() => run(lifSequence)(x, W) as tf.Scalar, [W]);
      expect(maxRelDiff(grads[W.name].dataSync(), gwS.dataSync())).toBeLessThan(1e-4);
      tf.dispose([x, W, R, Q, v0, gxF, gwF, gxS, gwS, sF, sS, grads[W.name]]);
    });
  }

  it('vFinal carries gradient to v0 like the stepwise path', () => {
    const p: NeuronParams = { kind: 'lif', alpha: 0.9, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } };
    const cur = tf.randomUniform([T * B, 6], 0, 0.8, 'float32', 3);
    const v0 = tf.randomUniform([B, 6], 0, 1, 'float32', 4);
    const f = (impl: typeof lifSequence) => (vv: tf.Tensor) => {
      const r = impl(cur, T, p, { v0: vv });
      return tf.add(tf.sum(r.spikes), tf.sum(tf.square(r.vFinal)));
    };
    const a = tf.grad(f(lifSequence))(v0);
    const b = tf.grad(f(lifSequenceStepwise))(v0);
    expect(maxRelDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-4);
    tf.dispose([cur, v0, a, b]);
  });

  it('leaks no tensors (forward and forward+backward)', () => {
    const p: NeuronParams = {
      kind: 'lif',
      alpha: 0.9,
      vth: 1,
      reset: 'hard',
      refractory: 1,
      surrogate: { name: 'pwl' },
    };
    const cur = tf.randomNormal([T * B, 8], 0.5, 1, 'float32', 5);
    const step = () => {
      tf.tidy(() => {
        lifSequence(cur, T, p);
        tf.grad((c: tf.Tensor) => tf.sum(lifSequence(c, T, p).spikes))(cur);
      });
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    cur.dispose();
  });
});
