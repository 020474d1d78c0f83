import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '@snn/backend';
import { useTestEngine } from './setup.js';
import { lifSequence, lifStep, type NeuronParams, type NeuronState } from '../src/index.js';

beforeAll(async () => {
  await useTestEngine();
});

const sg = { name: 'pwl' } as const;

interface Golden {
  name: string;
  p: NeuronParams;
  input: number[];
  spikes: number[];
  v: number[]; // membrane after reset, per step
}

// Traces computed by hand (see the comments), not by the code under test.
const GOLDEN: Golden[] = [
  {
    // U = 0.5 V + I: 0.6 | 0.9 | 1.35 -> spike, 1.35 - 1 = 0.35 | 0.175 | 1.5875 -> spike, 0.5875
    name: 'LIF soft',
    p: { kind: 'lif', alpha: 0.5, vth: 1, reset: 'soft', surrogate: sg },
    input: [0.6, 0.6, 0.9, 0, 1.5],
    spikes: [0, 0, 1, 0, 1],
    v: [0.6, 0.9, 0.35, 0.175, 0.5875],
  },
  {
    // 0.6 | 0.9 | 1.35 -> spike, 0 | 0 | 1.5 -> spike, 0
    name: 'LIF hard',
    p: { kind: 'lif', alpha: 0.5, vth: 1, reset: 'hard', surrogate: sg },
    input: [0.6, 0.6, 0.9, 0, 1.5],
    spikes: [0, 0, 1, 0, 1],
    v: [0.6, 0.9, 0, 0, 0],
  },
  {
    // 0.6 | 1.2 -> 0.2 | 1.1 -> 0.1 | 0.1 | 1.6 -> 0.6
    name: 'IF soft',
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'soft', surrogate: sg },
    input: [0.6, 0.6, 0.9, 0, 1.5],
    spikes: [0, 1, 1, 0, 1],
    v: [0.6, 0.2, 0.1, 0.1, 0.6],
  },
  {
    // 0.6 | 1.2 -> 0 | 0.9 | 0.9 | 2.4 -> 0
    name: 'IF hard',
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'hard', surrogate: sg },
    input: [0.6, 0.6, 0.9, 0, 1.5],
    spikes: [0, 1, 0, 0, 1],
    v: [0.6, 0, 0.9, 0.9, 0],
  },
  {
    // per-layer threshold 0.5: 0.3 | 0.6 -> 0 | 0.1 | 0.7 -> 0
    name: 'IF hard vth=0.5',
    p: { kind: 'if', alpha: 1, vth: 0.5, reset: 'hard', surrogate: sg },
    input: [0.3, 0.3, 0.1, 0.6],
    spikes: [0, 1, 0, 1],
    v: [0.3, 0, 0.1, 0],
  },
  {
    // refractory 2: 1.2 -> spike 0.2 | held 0.2 (input 1.0 ignored) | held 0.2 | 0.7 | 1.3 -> 0.3 | held 0.3
    name: 'IF soft refractory=2',
    p: { kind: 'if', alpha: 1, vth: 1, reset: 'soft', refractory: 2, surrogate: sg },
    input: [1.2, 1.0, 1.0, 0.5, 0.6, 0.3],
    spikes: [1, 0, 0, 0, 1, 0],
    v: [0.2, 0.2, 0.2, 0.7, 0.3, 0.3],
  },
  {
    // refractory 1, LIF 0.5 hard: 1.0 -> 0 | held 0 | 0.8 | 0.4 + 0.7 = 1.1 -> 0 | held 0
    name: 'LIF hard refractory=1',
    p: { kind: 'lif', alpha: 0.5, vth: 1, reset: 'hard', refractory: 1, surrogate: sg },
    input: [1.0, 5.0, 0.8, 0.7, 0.9],
    spikes: [1, 0, 0, 1, 0],
    v: [0, 0, 0.8, 0, 0],
  },
];

describe('golden membrane traces', () => {
  for (const g of GOLDEN) {
    it(`${g.name}: lifStep loop`, () => {
      let state: NeuronState = { v: tf.zeros([1]) };
      for (let t = 0; t < g.input.length; t++) {
        const x = tf.tensor1d([g.input[t]]);
        const r = lifStep(x, state, g.p);
        expect(r.spikes.dataSync()[0]).toBe(g.spikes[t]);
        expect(r.state.v.dataSync()[0]).toBeCloseTo(g.v[t], 5);
        tf.dispose([x, state.v, state.refrac, r.spikes]);
        state = r.state;
      }
      tf.dispose([state.v, state.refrac]);
    });
    it(`${g.name}: lifSequence (time-folded)`, () => {
      const T = g.input.length;
      const x = tf.tensor2d(g.input, [T, 1]); // [T*B, 1] with B = 1
      const r = lifSequence(x, T, g.p);
      expect(Array.from(r.spikes.dataSync())).toEqual(g.spikes);
      expect(r.vFinal.dataSync()[0]).toBeCloseTo(g.v[T - 1], 5);
      tf.dispose([x, r.spikes, r.vFinal]);
    });
  }

  it('the surrogate gradient of one step is hand-computable', () => {
    // U = 0.9, vth = 1, pwl gamma 0.3: dS/dI = 0.3 (1 - 0.1) = 0.27
    const p: NeuronParams = { kind: 'if', alpha: 1, vth: 1, reset: 'soft', surrogate: sg };
    const v0 = tf.tensor1d([0.4]);
    const g = tf.grad((i: tf.Tensor) => tf.sum(lifStep(i, { v: v0 }, p).spikes))(tf.tensor1d([0.5]));
    expect(g.dataSync()[0]).toBeCloseTo(0.27, 6);
  });

  it('rejects a leaky IF and a non-positive threshold', () => {
    const x = tf.zeros([2, 1]);
    expect(() => lifSequence(x, 2, { kind: 'if', alpha: 0.9, vth: 1, reset: 'soft', surrogate: sg })).toThrow(/alpha/);
    expect(() => lifSequence(x, 2, { kind: 'lif', alpha: 0.9, vth: 0, reset: 'soft', surrogate: sg })).toThrow(/vth/);
    expect(() => lifSequence(x, 3, { kind: 'lif', alpha: 0.9, vth: 1, reset: 'soft', surrogate: sg })).toThrow(
      /multiple/,
    );
    x.dispose();
  });
});
