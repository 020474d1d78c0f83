import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@snn/backend';
import { useTestEngine } from './setup.js';
import { SpikeMonitor, lifSequence, type NeuronParams } from '../src/index.js';

beforeAll(async () => {
  await useTestEngine();
});

describe('SpikeMonitor', () => {
  it('rates equal hand-counted ones, weighted over batches of different size', () => {
    const m = new SpikeMonitor();
    // T = 2, B = 2, 4 neurons. step 0: 1 + 2 = 3 of 8 fire; step 1: 4 + 0 = 4 of 8
    const a = tf.tensor2d(
      [
        [1, 0, 0, 0], // t0 b0
        [1, 1, 0, 0], // t0 b1
        [1, 1, 1, 1], // t1 b0
        [0, 0, 0, 0], // t1 b1
      ],
      [4, 4],
    );
    // T = 2, B = 1: step 0: 4 of 4; step 1: 1 of 4
    const b = tf.tensor2d(
      [
        [1, 1, 1, 1],
        [0, 0, 1, 0],
      ],
      [2, 4],
    );
    m.record('conv1', 0, a, 2);
    m.record('conv1', 0, b, 2);
    m.record('conv2', 1, b, 2);
    const act = m.activity();
    expect(act.map((x) => [x.layer, x.unrollStep])).toEqual([
      ['conv1', 0],
      ['conv2', 1],
    ]);
    // conv1: step0 (3 + 4) / 12, step1 (4 + 1) / 12; rate = mean = 12 / 24
    expect(act[0].perStep![0]).toBeCloseTo(7 / 12, 10);
    expect(act[0].perStep![1]).toBeCloseTo(5 / 12, 10);
    expect(act[0].rate).toBeCloseTo(0.5, 10);
    expect(act[0].samples).toBe(3);
    expect(act[1].perStep).toEqual([1, 0.25]);
    expect(act[1].rate).toBeCloseTo(0.625, 10);
    m.reset();
    expect(m.activity()).toEqual([]);
    tf.dispose([a, b]);
  });

  it('rejects a batch whose rows are not a multiple of T', () => {
    const m = new SpikeMonitor();
    const a = tf.zeros([5, 2]);
    expect(() => m.record('x', 0, a, 2)).toThrow(/multiple/);
    a.dispose();
  });

  it('leaks no tensors across batches (stays on during evaluation)', () => {
    const m = new SpikeMonitor();
    const p: NeuronParams = { kind: 'lif', alpha: 0.9, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } };
    const T = 4;
    const batch = (i: number) =>
      tf.tidy(() => {
        const cur = tf.randomUniform([T * 2, 3, 3, 2], 0, 1.5, 'float32', i);
        const { spikes } = lifSequence(cur, T, p);
        m.record('lif1', 0, spikes, T);
      });
    batch(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i < 5; i++) {
      batch(i);
      expect(tf.memory().numTensors).toBe(before);
    }
    const r = m.activity()[0];
    expect(r.samples).toBe(10);
    expect(r.rate).toBeGreaterThan(0);
    expect(r.rate).toBeLessThan(1);
  });
});
