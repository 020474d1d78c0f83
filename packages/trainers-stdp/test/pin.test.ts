// Pin test (issue #13): today's numbers of a tiny fixed STDP case, stored as literals, so a
// refactor of the neuron / encoder / ANN plumbing that should not change the method shows it did
// not. Recorded before the refactor (cpu engine); a value that moved says why in a comment.
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@snn/backend';
import { getTopology } from '@snn/models';
import { tf } from '../src/tf.js';
import { StdpStack, RateAccumulator, trainStackStdp, extractFeatures } from '../src/stack.js';
import { stackSpecFromTopology } from '../src/topology.js';
import { runStdpRow, clearStdpMemo } from '../src/rows.js';
import { learnableImages } from './fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

const mk = learnableImages;

/** order-sensitive checksum of a tensor: [Σx, Σ|x|, Σ x·(i mod 97 + 1)] in float64 */
function checksum(t: tf.Tensor): number[] {
  const d = t.dataSync();
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < d.length; i++) {
    a += d[i];
    b += Math.abs(d[i]);
    c += d[i] * ((i % 97) + 1);
  }
  return [a, b, c];
}

const round = (x: number) => Number(x.toPrecision(12));

describe('pin: tiny STDP case', () => {
  it('stack: learnt kernels, thresholds, spikes per layer and features', () => {
    const topo = getTopology('ResNet2x2', { width: 0.0625 });
    const stack = new StdpStack(stackSpecFromTopology(topo), {}, 3);
    const set = mk(12, 5);
    const x = tf.tidy(() => tf.div(tf.tensor4d(set.images, [set.n, 32, 32, 3], 'int32'), 255) as tf.Tensor4D);
    trainStackStdp(stack, x, { T: 6, batchSize: 6, epochs: 1, seed: 1 });
    const kernels = stack.layers.map((l) => ({
      id: l.id,
      updates: l.updates,
      w: checksum(l.w).map(round),
      vth: checksum(l.vth).map(round),
    }));
    const rates = new RateAccumulator();
    const outRates = new RateAccumulator();
    const f = extractFeatures(stack, x, { T: 6, batchSize: 6, seed: 2, chunk: 4, rates, outRates });
    const features = checksum(f).map(round);
    const spikes = Object.fromEntries(Object.entries(outRates.result()).map(([k, v]) => [k, round(v)]));
    const inRates = Object.fromEntries(Object.entries(rates.result()).map(([k, v]) => [k, round(v)]));
    // recorded before issue #13's refactor (own LIF loop, own Poisson wrapper), cpu engine
    expect(kernels).toEqual([
      {
        id: 'conv1',
        updates: 12,
        w: [-5.97526650381e-9, 16.4300379329, -4.34083861761],
        vth: [4.20173221827, 4.20173221827, 10.3677152991],
      },
      {
        id: 'conv2',
        updates: 24,
        w: [8.25384631753e-8, 19.8502530287, 95.6135758102],
        vth: [6.16100424528, 6.16100424528, 14.4514580369],
      },
    ]);
    expect(features).toEqual([231.333334249, 231.333334249, 11117.9167131]);
    // output spike rate per step of each op (spikes per layer) and each op's input rate
    expect(spikes).toEqual({ conv1: 0.0785420760512, 'conv2@1': 0.07286580652, 'conv2@2': 0.0857137069106 });
    expect(inRates).toEqual({ conv1: 0.318745940924, 'conv2@1': 0.0785420760512, 'conv2@2': 0.07286580652 });
    f.dispose();
    rates.dispose();
    outRates.dispose();
    x.dispose();
    stack.dispose();
  });

  it('rows: head accuracy (STDP, random kernels, ANN fc and ConvNN)', async () => {
    const data = { train: mk(40, 1), test: mk(30, 2) };
    const base = {
      topology: 'ResNet2' as const,
      T: 4,
      seed: 0,
      width: 0.0625,
      stdpImages: 10,
      stdpEpochs: 1,
      trainImages: 30,
      testImages: 30,
      headEpochs: 3,
      annEpochs: 3,
      batchSize: 10,
      lr: 3e-3,
    };
    const out: Record<string, Record<string, number>> = {};
    for (const [method, classifier] of [
      ['stdp', 'softmax'],
      ['random-kernels', 'softmax'],
      ['ann', 'softmax'],
      ['ann', 'convnn'],
    ] as const) {
      const r = await runStdpRow({ ...base, method, classifier }, data);
      out[`${method}/${classifier}`] = Object.fromEntries(
        r.metrics
          .filter((m) => ['accuracy', 'ee', 'ee_conv'].includes(m.metric))
          .map((m) => [m.metric, round(m.value)]),
      );
      if (method !== 'ann') out[`${method}/${classifier}`].rates = round(r.activity.reduce((a, x) => a + x.rate, 0));
    }
    clearStdpMemo();
    // recorded before issue #13's refactor (own LIF loop, own ANN front and Poisson wrapper), cpu engine
    expect(out).toEqual({
      'stdp/softmax': { accuracy: 66.6666666667, ee: 7.57775691478, ee_conv: 31.4967114836, rates: 0.0716349259019 },
      'random-kernels/softmax': {
        accuracy: 13.3333333333,
        ee: 7.6318793114,
        ee_conv: 32.5675036553,
        rates: 0.0153137207186,
      },
      'ann/softmax': { accuracy: 43.3333333333 },
      'ann/convnn': { accuracy: 30 },
    });
  });
});
