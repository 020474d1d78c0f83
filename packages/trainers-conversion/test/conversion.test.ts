import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@snn/backend';
// module imports (not the index): the index also loads the ANN trainer, which these tests do not need
import { thresholdBalance } from '../src/thresholdBalance.js';
import { thresholdsFromAnn, searchThreshold, quantisationError } from '../src/thresholdSearch.js';
import { biasShift } from '../src/biasShift.js';
import {
  layerOutputs,
  layerError,
  biasCorrection,
  potentialCorrection,
  weightCalibration,
  floorSTE,
} from '../src/calibration.js';
import { evaluateSnn, evaluateAnn } from '../src/evaluate.js';
import { spikingOps, disposeNet, opById, type ConversionNet } from '../src/convertible.js';
import { conversionEE } from '../src/energyTopo.js';
import { tinyNet, tinyBackRes, images, netOf } from './fixtures.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

const opOf = (net: ConversionNet, id: string) => opById(net, id);

describe('threshold balancing (Sengupta et al. 2019)', () => {
  it('sets layer-1 V_th to the max weighted spike input on a hand-checkable case', () => {
    // fc1 inputs x = [1, 1, 0.5, 0]: pixels of intensity 1 spike every step, so
    // Σ w·x(t) peaks at 1·1 + 2·1 + 0.5·1 = 3.5 when the 0.5-pixel also spikes (w for it = 0.5).
    const net = netOf(
      [
        { fc: 'fc1', out: 1 },
        { fc: 'fc2', out: 'classes' },
      ],
      [1, 1, 4],
      2,
      {
        fc1: tf.tensor2d([[1], [2], [0.5], [-3]]),
        fc2: tf.tensor2d([[1, -1]]),
      },
    );
    const x = tf.tensor2d([[1, 1, 0.5, 0]]);
    const { thresholds } = thresholdBalance(net, [x], { window: 200, chunk: 50, coding: 'poisson', seed: 7 });
    expect(thresholds).toHaveLength(1);
    expect(thresholds[0].vth).toBeCloseTo(3.5, 6);
    const direct = thresholdBalance(net, [x], { window: 10, chunk: 5, coding: 'direct', seed: 7 });
    expect(direct.thresholds[0].vth).toBeCloseTo(1 + 2 + 0.25, 6);
    disposeNet(net);
    x.dispose();
  });

  it('BackRes: one threshold per unroll step, balanced separately and recorded', () => {
    const net = tinyBackRes();
    const x = images(8, 11);
    const { thresholds, settings } = thresholdBalance(net, [x], { window: 64, chunk: 16, coding: 'poisson', seed: 3 });
    const conv2 = thresholds.filter((t) => t.param === 'conv2');
    expect(conv2.map((t) => t.unrollStep)).toEqual([1, 2, 3]);
    expect(new Set(conv2.map((t) => t.vth)).size).toBe(3);
    for (const t of thresholds) expect(settings.thresholds[t.op]).toBe(t.vth);
    expect(Object.keys(settings.thresholds)).toEqual(spikingOps(net).map((o) => o.id));
    disposeNet(net);
    x.dispose();
  });
});

describe('converted rates approach the ANN', () => {
  it('layer output error shrinks monotonically as T grows (fixed input)', () => {
    const net = tinyNet();
    const x = images(6, 5);
    const snn = thresholdsFromAnn(net, [x], { method: 'max', T: 1 });
    const errs = [8, 32, 128, 512].map((T) =>
      layerError(net, snn, x, opOf(net, 'fc1'), { T, coding: 'direct', seed: 1, chunk: 64 }),
    );
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThan(errs[i - 1]);
    expect(errs[3]).toBeLessThan(errs[0] / 10);
    // and the SNN classifies like its ANN once T is long
    const y = Uint8Array.from(tf.tidy(() => tf.argMax(tf.randomNormal([6, 3], 0, 1, 'float32', 2), -1).dataSync()));
    const ann = evaluateAnn(net, [{ x, y }]);
    const ev = evaluateSnn(net, snn, [{ x, y }], { tList: [512], coding: 'direct', seed: 1, chunk: 128 });
    expect(ev.accuracy[0].accuracy).toBeCloseTo(ann, 6);
    disposeNet(net);
    x.dispose();
  });
});

describe('low-latency conversion', () => {
  it('bias shift θ/2T reduces the flooring error of a synthetic layer', () => {
    const net = netOf(
      [
        { fc: 'fc1', out: 50 },
        { fc: 'fc2', out: 'classes' },
      ],
      [1, 1, 20],
      2,
      {
        fc1: tf.randomNormal([20, 50], 0.1, 0.3, 'float32', 4),
        fc2: tf.randomNormal([50, 2], 0, 1, 'float32', 5),
      },
    );
    const x = tf.randomUniform([16, 20], 0, 1, 'float32', 6);
    const T = 8;
    const base = thresholdsFromAnn(net, [x], { method: 'max', T });
    const op = opOf(net, 'fc1');
    const o = { T, coding: 'direct' as const, seed: 1, chunk: T };
    const e0 = layerError(net, base, x, op, o);
    const e1 = layerError(net, biasShift(net, base, T), x, op, o);
    expect(e1).toBeLessThan(e0 * 0.6);
    disposeNet(net);
    x.dispose();
  });

  it('MMSE threshold search never does worse than max on the quantisation error', () => {
    const acts = Float32Array.from({ length: 2000 }, (_, i) =>
      Math.max(0, Math.sin(i * 12.9898) * 3 * ((i % 97) / 97) ** 3),
    );
    const T = 16;
    const tMax = searchThreshold(acts, 'max', { T });
    const tMmse = searchThreshold(acts, 'mmse', { T, shift: true });
    expect(tMmse).toBeLessThan(tMax);
    expect(quantisationError(acts, T, tMmse, true)).toBeLessThan(quantisationError(acts, T, tMax, true));
  });

  it('each calibration step reduces the layer error it targets', async () => {
    const net = tinyNet(9);
    const x = images(32, 21);
    const T = 16;
    const o = { T, coding: 'direct' as const, seed: 2, chunk: 16 };
    const snn0 = biasShift(net, thresholdsFromAnn(net, [x], { method: 'percentile', percentile: 90, T }), T);
    const op = opOf(net, 'fc1');
    // bias correction targets the per-channel mean of (SNN − ANN)
    const chanErr = (s: typeof snn0) => {
      const { ann, snn, shape } = layerOutputs(net, s, x, op, o);
      const C = shape[shape.length - 1];
      const m = new Float64Array(C);
      for (let i = 0; i < ann.length; i++) m[i % C] += (snn[i] - ann[i]) / (ann.length / C);
      return m.reduce((a, b) => a + b * b, 0);
    };
    const snn1 = biasCorrection(net, snn0, x, o);
    expect(chanErr(snn1)).toBeLessThan(chanErr(snn0));
    // potential correction targets the per-position mean error over the batch
    const posErr = (s: typeof snn0) => {
      const { ann, snn } = layerOutputs(net, s, x, op, o);
      const per = ann.length / 32;
      const m = new Float64Array(per);
      for (let i = 0; i < ann.length; i++) m[i % per] += (snn[i] - ann[i]) / 32;
      return m.reduce((a, b) => a + b * b, 0);
    };
    const snn2 = potentialCorrection(net, snn1, x, o);
    expect(posErr(snn2)).toBeLessThan(posErr(snn1));
    // weight calibration targets the L2 error of each layer's output
    const before = layerError(net, snn2, x, op, o);
    const net2 = await weightCalibration(net, snn2, x, { ...o, steps: 30, lr: 1e-2 });
    const after = layerError(net2, snn2, x, opOf(net2, 'fc1'), o);
    expect(after).toBeLessThan(before);
    disposeNet(net);
    disposeNet(net2);
    x.dispose();
  });
});

describe('evaluateSnn', () => {
  it('reports accuracy at every t from one run, activity per unroll step, EE, and leaks no tensors', () => {
    const net = tinyBackRes(5);
    const x = images(8, 3);
    const y = new Uint8Array(8).map((_, i) => i % 3);
    const { settings } = thresholdBalance(net, [x], { window: 32, chunk: 16, coding: 'poisson', seed: 1 });
    const before = tf.memory().numTensors;
    const ev = evaluateSnn(net, settings, [{ x, y }], { tList: [4, 16, 32], coding: 'poisson', seed: 4, chunk: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(ev.accuracy.map((a) => a.t)).toEqual([4, 16, 32]);
    expect(ev.activity.filter((a) => a.param === 'conv2').map((a) => a.unrollStep)).toEqual([1, 2, 3]);
    for (const a of ev.activity) expect(a.rate).toBeGreaterThanOrEqual(0);
    expect(ev.energy[2].T).toBe(32);
    expect(ev.energy[0].ee).toBeGreaterThan(ev.energy[2].ee); // shorter window, less SNN energy
    expect(ev.energy[2].eAnn).toBeGreaterThan(0);
    disposeNet(net);
    x.dispose();
  });
});

describe('hard reset (Sengupta et al. 2019) through balancing and evaluation', () => {
  it('is carried by the settings, leaves the first threshold alone and drops the residue (fewer first-layer spikes)', () => {
    const net = tinyBackRes(5);
    const x = images(8, 3);
    const y = new Uint8Array(8).map((_, i) => i % 3);
    const soft = thresholdBalance(net, [x], { window: 64, chunk: 16, coding: 'poisson', seed: 1 });
    const hard = thresholdBalance(net, [x], { window: 64, chunk: 16, coding: 'poisson', seed: 1, reset: 'hard' });
    expect(soft.settings.reset).toBeUndefined();
    expect(hard.settings.reset).toBe('hard');
    // the first spiking op is balanced on the input alone: no converted layer before it
    expect(hard.thresholds[0].vth).toBe(soft.thresholds[0].vth);
    const ev = (settings: typeof soft.settings) =>
      evaluateSnn(net, settings, [{ x, y }], { tList: [64], coding: 'poisson', seed: 4, chunk: 16 });
    const s = ev(soft.settings);
    const h = ev({ ...soft.settings, reset: 'hard' });
    expect(h.activity[0].rate).toBeLessThan(s.activity[0].rate);
    disposeNet(net);
    x.dispose();
  });
});

describe('straight-through floor (weight calibration)', () => {
  it('has value floor(z) and identity gradient (checked against the ramp it stands in for)', async () => {
    const z = tf.tensor1d([-1.5, 0.2, 2.7]);
    expect(Array.from(floorSTE(z).dataSync())).toEqual([-2, 0, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(floorSTE(v), tf.tensor1d([1, 2, 3]))))(z);
    // STE: d floor/dz := d z/dz = 1, so the gradient equals the upstream weights
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([z, g]);
  });
});

describe('residual shortcuts (models.forward topologies with residualFrom)', () => {
  const resNet = (seed = 7) =>
    netOf(
      [
        { conv: 'conv1', out: 4, k: 3 },
        { conv: 'conv2', out: 4, k: 3, residual: true },
        { pool: 'avg', size: 2 },
        { fc: 'fc1', out: 8 },
        { fc: 'fc2', out: 'classes' },
      ],
      [4, 4, 1],
      3,
      {
        conv1: tf.randomNormal([3, 3, 1, 4], 0.05, Math.sqrt(2 / 9), 'float32', seed),
        conv2: tf.randomNormal([3, 3, 4, 4], 0.0, Math.sqrt(2 / 36), 'float32', seed + 1),
        fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', seed + 2),
        fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', seed + 3),
      },
    );

  it('converts and simulates a net with a residualFrom op; the shortcut reaches the IF current', () => {
    const net = resNet();
    expect(net.topo.ops.find((o) => o.id === 'conv2')!.residualFrom).toBe('conv1');
    const x = images(6, 4);
    const y = new Uint8Array(6).map((_, i) => i % 3);
    const { thresholds, settings } = thresholdBalance(net, [x], { window: 32, chunk: 8, coding: 'poisson', seed: 2 });
    expect(thresholds.map((t) => t.op)).toEqual(['conv1', 'conv2', 'fc1']);
    for (const t of thresholds) expect(t.vth).toBeGreaterThan(0);
    const ev = evaluateSnn(net, settings, [{ x, y }], { tList: [8, 32], coding: 'poisson', seed: 3, chunk: 8 });
    expect(ev.accuracy.map((a) => a.t)).toEqual([8, 32]);
    expect(ev.activity.map((a) => a.op)).toEqual(['conv1', 'conv2', 'fc1']);
    expect(conversionEE(net.topo, ev.inputRate, 32, 'poisson').full).toBeGreaterThan(0);
    const maxTh = thresholdsFromAnn(net, [x], { method: 'max', T: 1 });
    const { ann, snn } = layerOutputs(net, maxTh, x, opOf(net, 'conv2'), {
      T: 256,
      coding: 'direct',
      seed: 1,
      chunk: 64,
    });
    // long-T rates approach the ANN (which adds the shortcut too): far closer than without it
    let e = 0;
    let n0 = 0;
    for (let i = 0; i < ann.length; i++) {
      e += (snn[i] - ann[i]) ** 2;
      n0 += ann[i] ** 2;
    }
    expect(e).toBeLessThan(0.05 * n0);
    disposeNet(net);
    x.dispose();
  });
});
