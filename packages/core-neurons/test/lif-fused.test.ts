import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, initEngine } from '@snn/backend';
import { fusedLifAvailable, fusedLifEnabled, lifSequence, lifSequenceFused, lifSequenceOps } from '../src/sequence.js';
import type { NeuronParams } from '../src/index.js';

/** Both engines that have the fused kernels, regardless of SNN_BACKEND. */
async function use(name: 'cpu' | 'wasm'): Promise<void> {
  const saved = process.env.SNN_BACKEND;
  delete process.env.SNN_BACKEND;
  try {
    await initEngine({ backend: name, quiet: true });
  } finally {
    if (saved !== undefined) process.env.SNN_BACKEND = saved;
  }
}

beforeAll(async () => {
  await use('wasm');
  await use('cpu');
});
afterAll(async () => {
  await use('cpu');
});

/** max |a - b| / max |b| */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  let m = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m / scale;
}

const lif = (o: Partial<NeuronParams>): NeuronParams => ({
  kind: 'lif',
  alpha: 0.9,
  vth: 1,
  reset: 'soft',
  surrogate: { name: 'pwl' },
  ...o,
});
const CASES: Array<{ name: string; p: NeuronParams; repeated?: boolean; v0?: boolean; mean?: number }> = [
  { name: 'LIF soft pwl', p: lif({}) },
  {
    name: 'LIF hard pwl gamma',
    p: lif({ alpha: 0.8, vth: 0.7, reset: 'hard', surrogate: { name: 'pwl', gamma: 0.5 } }),
  },
  { name: 'IF soft dspike', p: { kind: 'if', alpha: 1, vth: 1.2, reset: 'soft', surrogate: { name: 'dspike', b: 2 } } },
  { name: 'IF hard arctan', p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', surrogate: { name: 'arctan' } } },
  { name: 'LIF soft fastSigmoid v0', v0: true, p: lif({ alpha: 0.95, surrogate: { name: 'fastSigmoid', alpha: 4 } }) },
  { name: 'LIF hard dspike default', p: lif({ reset: 'hard', surrogate: { name: 'dspike' } }) },
  { name: 'LIF soft arctan alpha', p: lif({ alpha: 0.7, vth: 0.5, surrogate: { name: 'arctan', alpha: 3 } }) },
  {
    name: 'IF soft fastSigmoid default',
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'soft', surrogate: { name: 'fastSigmoid' } },
  },
  { name: 'LIF soft refractory 2', p: lif({ vth: 0.8, refractory: 2 }) },
  {
    name: 'IF hard refractory 1 v0',
    v0: true,
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', refractory: 1, surrogate: { name: 'pwl' } },
  },
  { name: 'LIF soft repeated', repeated: true, mean: 0.3, p: lif({}) },
  {
    name: 'IF hard repeated refractory v0 dspike',
    repeated: true,
    v0: true,
    mean: 0.3,
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', refractory: 1, surrogate: { name: 'dspike' } },
  },
  {
    name: 'LIF hard repeated arctan',
    repeated: true,
    mean: 0.4,
    p: lif({ reset: 'hard', surrogate: { name: 'arctan' } }),
  },
];

// M = B * 7 * 37 = 777 neurons per step: more than one 512-neuron block of the backward, with a tail
const T = 6;
const B = 3;
const unit = [7, 37];

describe.each(['cpu', 'wasm'] as const)('fused LIF kernels == tfjs-op path on %s', (engine) => {
  beforeAll(async () => {
    await use(engine);
  });

  it('the fused kernels are available here (lifSequence uses them by default on cpu)', () => {
    expect(tf.getBackend()).toBe(engine);
    expect(fusedLifAvailable()).toBe(true);
    if (process.env.SNN_LIF_FUSED === undefined) expect(fusedLifEnabled()).toBe(engine === 'cpu');
  });

  for (const c of CASES) {
    it(c.name, () => {
      const rows = c.repeated ? B : T * B;
      const cur = tf.randomNormal([rows, ...unit], c.mean ?? 0.45, 0.6, 'float32', 21);
      const v0 = c.v0 ? tf.randomUniform([B, ...unit], -0.5, 0.9, 'float32', 22) : tf.zeros([B, ...unit]);
      const R = tf.randomNormal([T * B, ...unit], 0, 1, 'float32', 23);
      const Q = tf.randomNormal([B, ...unit], 0, 1, 'float32', 24);
      const before = tf.memory().numTensors;
      const loss = (impl: typeof lifSequence) => (x: tf.Tensor, v: tf.Tensor) => {
        const r = impl(x, T, c.p, { repeated: c.repeated, v0: v });
        return tf.add(tf.sum(tf.mul(r.spikes, R)), tf.sum(tf.mul(r.vFinal, Q)));
      };
      const fused = lifSequenceFused(cur, T, c.p, { repeated: c.repeated, v0 });
      const ops = lifSequenceOps(cur, T, c.p, { repeated: c.repeated, v0 });
      const [gxF, gvF] = tf.grads(loss(lifSequenceFused))([cur, v0]);
      const [gxO, gvO] = tf.grads(loss(lifSequenceOps))([cur, v0]);
      const all = [fused.spikes, fused.vFinal, ops.spikes, ops.vFinal, gxF, gvF, gxO, gvO] as tf.Tensor[];
      // no tensors left behind beyond the 8 results
      expect(tf.memory().numTensors).toBe(before + all.length);

      expect(fused.spikes.shape).toEqual([T * B, ...unit]);
      const sF = Array.from(fused.spikes.dataSync());
      expect(sF).toEqual(Array.from(ops.spikes.dataSync()));
      expect(Array.from(fused.vFinal.dataSync())).toEqual(Array.from(ops.vFinal.dataSync()));
      const rate = sF.reduce((a, b) => a + b, 0) / sF.length;
      expect(rate).toBeGreaterThan(0.05); // spikes and resets are exercised
      expect(rate).toBeLessThan(0.8);

      expect(gxF?.shape).toEqual(cur.shape);
      expect(relDiff(gxF!.dataSync(), gxO!.dataSync())).toBeLessThan(1e-5);
      expect(relDiff(gvF!.dataSync(), gvO!.dataSync())).toBeLessThan(1e-5);
      expect(tf.sum(tf.abs(gxF!)).dataSync()[0]).toBeGreaterThan(0);
      tf.dispose([...all, cur, v0, R, Q]);
    });
  }

  it('frees everything, also on the backend (forward, forward+backward, variableGrads)', () => {
    const saved = process.env.SNN_LIF_FUSED;
    process.env.SNN_LIF_FUSED = '1'; // lifSequence itself on the fused path, on both engines
    const p = lif({ reset: 'hard', refractory: 1 });
    const cur = tf.randomNormal([T * B, ...unit], 0.5, 1, 'float32', 5);
    const w = tf.variable(tf.ones([...unit]), true, `w_fused_${engine}`);
    const step = (): void => {
      tf.tidy(() => {
        lifSequence(cur, T, p);
        tf.grad((c: tf.Tensor) => tf.sum(lifSequence(c, T, p).spikes))(cur);
      });
      const { value, grads } = tf.variableGrads(
        () => tf.sum(lifSequence(tf.mul(cur, w), T, p).spikes) as tf.Scalar,
        [w],
      );
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    tf.dispose([cur, w]);
    if (saved === undefined) delete process.env.SNN_LIF_FUSED;
    else process.env.SNN_LIF_FUSED = saved;
  });
});
