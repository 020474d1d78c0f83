import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine, makeRng, tf } from '@snn/backend';
import { buildTopology, type Topology } from '@snn/models';
import type { ImageSet } from '@snn/datasets';
import {
  TtfsNet,
  TtfsTrainer,
  evaluateTtfs,
  fireOnce,
  foldBatchNorm,
  disposeFolded,
  kernelRegularizer,
  makeKernel,
  simulateTtfs,
  ttfsActivation,
  stopGradient,
  kernelValues,
} from '../src/index.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

function tinyTopo(input: [number, number, number] = [4, 4, 1], classes = 3): Topology {
  return buildTopology(
    'tiny',
    [
      { conv: 'conv1', out: 4, k: 3 },
      { pool: 'avg', size: 2 },
      { fc: 'fc1', out: 6 },
      { fc: 'fc2', out: 'classes' },
    ],
    { width: 1, classes, bias: true, neuron: 'if', input },
    { rule: 'test net', reconstructed: false },
  );
}

/** Give a net non-trivial BN running statistics and affine parameters (eval-mode BN). */
function randomiseBn(net: TtfsNet, seed: number): void {
  let i = 0;
  for (const s of net.bnState.values()) {
    const c = s.gamma.shape[0];
    s.gamma.assign(tf.randomUniform([c], 0.5, 1.5, 'float32', seed + i++));
    s.beta.assign(tf.randomUniform([c], -0.2, 0.5, 'float32', seed + i++));
    s.mean.assign(tf.randomUniform([c], -0.3, 0.3, 'float32', seed + i++));
    s.variance.assign(tf.randomUniform([c], 0.2, 2, 'float32', seed + i++));
  }
}

describe('TTFS neuron', () => {
  it('fires at most once per window, at the first step its potential crosses the decaying threshold', () => {
    const T = 8;
    const theta = Array.from({ length: T }, (_, t) => Math.exp(-t / 1.5));
    const v = tf.randomUniform([50, 7], -0.5, 2, 'float32', 3);
    const s = fireOnce(v, theta);
    const perNeuron = tf.sum(tf.reshape(s, [T, 50, 7]), 0);
    expect(tf.max(perNeuron).dataSync()[0]).toBe(1);
    // first-crossing step by hand
    const vv = v.dataSync();
    const ss = tf.reshape(s, [T, 350]).arraySync() as number[][];
    for (let i = 0; i < 350; i++) {
      const want = theta.findIndex((th) => vv[i] >= th);
      const got = ss.findIndex((row) => row[i] === 1);
      expect(got).toBe(want);
    }
    tf.dispose([v, s, perNeuron]);
  });

  it('earlier input spikes give earlier output spikes for positive weights', () => {
    // 2 pixels -> FC with positive weights; pixel intensity sets the input spike time
    const topo = buildTopology(
      'pair',
      [
        { fc: 'fc1', out: 1 },
        { fc: 'fc2', out: 'classes' },
      ],
      { width: 1, classes: 2, bias: true, neuron: 'if', input: [1, 1, 1] },
      { rule: 'test', reconstructed: false },
    );
    const net = new TtfsNet(topo, { T: 12, bn: 'none', seed: 1 });
    const fc1 = topo.ops.find((o) => o.id === 'fc1')!;
    net.weight(fc1).assign(tf.fill([1, 4], 1.5) as tf.Tensor2D); // fc widths are at least 4
    const kIn = kernelValues(net.inputKernel, 12);
    const k1 = kernelValues(net.kernels.get('fc1')!, 12);
    // input spike steps 0..11 (x = kappa_in(t)) -> output spike step must be non-decreasing
    let prev = -1;
    for (let t = 0; t < 12; t++) {
      const x = tf.tensor4d([[[[kIn[t] * 1.0001]]]]);
      const v = 1.5 * kIn[t];
      const out = k1.findIndex((th) => v >= th);
      const sim = simulateTtfs(net, x);
      expect(sim.inputSpikes).toBe(1);
      if (out >= 0) {
        expect(out).toBeGreaterThanOrEqual(prev);
        prev = out;
        expect(sim.spikes.fc1).toBe(4);
      }
      tf.dispose([x, sim.logits]);
    }
    expect(prev).toBeGreaterThan(0); // the sweep did move the output spike
    net.dispose();
  });
});

describe('surrogate DNN vs simulated SNN', () => {
  for (const bn of ['none', 'standard', 'kernel'] as const) {
    it(`agree on a tiny net (bn=${bn}) within the kernel's quantisation error`, () => {
      const topo = tinyTopo();
      const net = new TtfsNet(topo, { T: 10, bn, seed: 7 });
      randomiseBn(net, 11);
      net.kernels.get('conv1')!.tau.assign(tf.scalar(2.7));
      net.kernels.get('conv1')!.td.assign(tf.scalar(0.4));
      const x = tf.randomUniform([16, 4, 4, 1], 0, 1, 'float32', 5);
      const sim = simulateTtfs(net, x);
      const sur = net.forward(x).logits;
      const a = sim.logits.arraySync() as number[][];
      const b = sur.arraySync() as number[][];
      // identical quantisers: equal up to float rounding, except a rare potential exactly on a threshold
      let close = 0;
      for (let i = 0; i < 16; i++) if (a[i].every((v, k) => Math.abs(v - b[i][k]) < 1e-4)) close++;
      expect(close).toBeGreaterThanOrEqual(15);
      expect(sim.maxSpikesPerNeuron).toBeLessThanOrEqual(1);
      tf.dispose([x, sim.logits, sur]);
      net.dispose();
    });
  }

  it('the TTFS activation quantises within one kernel step: kappa(t*) <= u < kappa(t*) exp(1/tau)', () => {
    const k = makeKernel('k', { tau: 2, td: 0.3 });
    const T = 10;
    const u = tf.randomUniform([500], 0.0, 1.2, 'float32', 9);
    const a = ttfsActivation(u, k, T);
    const uu = u.dataSync();
    const aa = a.dataSync();
    const kMax = Math.exp(0.3 / 2);
    const kMin = Math.exp(-(T - 1 - 0.3) / 2);
    for (let i = 0; i < 500; i++) {
      if (uu[i] < kMin * 0.9999) expect(aa[i]).toBe(0);
      else if (uu[i] >= kMax) expect(aa[i]).toBeCloseTo(kMax, 5);
      else if (uu[i] > kMin * 1.0001) {
        expect(aa[i]).toBeLessThanOrEqual(uu[i] * (1 + 1e-5));
        expect(aa[i]).toBeGreaterThan(uu[i] * Math.exp(-1 / 2) * (1 - 1e-5));
      }
    }
    tf.dispose([u, a, k.tau, k.td]);
  });

  it('stochastic relaxation rounds the spike time without bias', () => {
    const k = makeKernel('k', { tau: 3, td: 0 });
    const u = tf.fill([20000], Math.exp(-2.5 / 3)); // continuous spike time 2.5
    const a = ttfsActivation(u, k, 8, { stochastic: true, seed: 4 });
    const vals = Array.from(a.dataSync());
    const at2 = vals.filter((v) => Math.abs(v - Math.exp(-2 / 3)) < 1e-5).length / vals.length;
    const at3 = vals.filter((v) => Math.abs(v - Math.exp(-3 / 3)) < 1e-5).length / vals.length;
    expect(at2 + at3).toBeCloseTo(1, 5);
    expect(at2).toBeGreaterThan(0.47);
    expect(at2).toBeLessThan(0.53);
    tf.dispose([u, a, k.tau, k.td]);
  });
});

describe('gradients', () => {
  it('kernel regulariser gradient matches finite differences', () => {
    const ks = [makeKernel('a', { tau: 2, td: 0 }), makeKernel('b', { tau: 3.5, td: 0.5 })];
    ks[0].tau.assign(tf.scalar(2.4));
    ks[0].td.assign(tf.scalar(-0.3));
    ks[1].tau.assign(tf.scalar(3.1));
    ks[1].td.assign(tf.scalar(0.9));
    const vars = ks.flatMap((k) => [k.tau, k.td]);
    const { grads } = tf.variableGrads(() => kernelRegularizer(ks), vars);
    const h = 1e-2;
    for (const v of vars) {
      const x0 = v.dataSync()[0];
      v.assign(tf.scalar(x0 + h));
      const lp = kernelRegularizer(ks).dataSync()[0];
      v.assign(tf.scalar(x0 - h));
      const lm = kernelRegularizer(ks).dataSync()[0];
      v.assign(tf.scalar(x0));
      expect(grads[v.name].dataSync()[0]).toBeCloseTo((lp - lm) / (2 * h), 3);
    }
    expect(kernelRegularizer(ks).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose(Object.values(grads));
  });

  it('activation gradients w.r.t. tau and t_d match finite differences where the spike step is fixed; stopGradient is zero', () => {
    const k = makeKernel('k', { tau: 2, td: 0.2 });
    // u chosen so the continuous spike times sit mid-step (far from a rounding boundary)
    const u = tf.tensor1d([Math.exp(-(1.5 - 0.2) / 2), Math.exp(-(4.5 - 0.2) / 2), Math.exp(-(6.5 - 0.2) / 2)]);
    const f = (): tf.Scalar => tf.sum(tf.mul(ttfsActivation(u, k, 8), tf.tensor1d([1, -2, 3]))) as tf.Scalar;
    const { grads } = tf.variableGrads(f, [k.tau, k.td]);
    const h = 1e-3;
    for (const v of [k.tau, k.td]) {
      const x0 = v.dataSync()[0];
      v.assign(tf.scalar(x0 + h));
      const lp = f().dataSync()[0];
      v.assign(tf.scalar(x0 - h));
      const lm = f().dataSync()[0];
      v.assign(tf.scalar(x0));
      expect(grads[v.name].dataSync()[0]).toBeCloseTo((lp - lm) / (2 * h), 3);
    }
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stopGradient(x), x)))(u);
    expect(Array.from(g.dataSync())).toEqual(Array.from(u.dataSync()).map((x) => expect.closeTo(x, 6)));
    // straight-through in u inside the range
    const gu = tf.grad((x: tf.Tensor) => tf.sum(ttfsActivation(x, k, 8)))(u);
    expect(Array.from(gu.dataSync())).toEqual([1, 1, 1]);
    tf.dispose([u, g, gu, k.tau, k.td, ...Object.values(grads)]);
  });
});

describe('temporal-kernel-aware BN folding', () => {
  for (const bn of ['standard', 'kernel'] as const) {
    it(`folded weights reproduce linear -> BN (${bn}) exactly`, () => {
      const topo = tinyTopo();
      const net = new TtfsNet(topo, { T: 8, bn, seed: 3 });
      randomiseBn(net, 21);
      net.kernels.get('conv1')!.tau.assign(tf.scalar(1.7));
      net.kernels.get('conv1')!.td.assign(tf.scalar(0.6));
      const op = topo.ops.find((o) => o.id === 'conv1')!;
      net.bias(op).assign(tf.randomNormal([4], 0, 0.3, 'float32', 2));
      const x = tf.randomUniform([5, 4, 4, 1], 0, 1, 'float32', 8);
      const folded = foldBatchNorm(net);
      const { w, b } = folded.weights.get('conv1')!;
      const got = tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b);
      const s = net.bnState.get('conv1')!;
      const z = tf.add(tf.conv2d(x as tf.Tensor4D, net.weight(op) as tf.Tensor4D, 1, 'same'), net.bias(op));
      const want = tf.mul(
        net.bnScale(op),
        tf.add(tf.mul(tf.div(tf.sub(z, s.mean), tf.sqrt(tf.add(s.variance, 1e-5))), s.gamma), s.beta),
      );
      const d = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0];
      expect(d).toBeLessThan(1e-5);
      if (bn === 'kernel') expect(net.bnScale(op).dataSync()[0]).toBeCloseTo(Math.exp(-(3.5 - 0.6) / 1.7), 5);
      disposeFolded(folded);
      tf.dispose([x, got, z, want]);
      net.dispose();
    });
  }
});

function quadrants(n: number, seed: number): ImageSet {
  const rng = makeRng(seed);
  const H = 4;
  const images = new Uint8Array(n * H * H);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = i % 3;
    labels[i] = y;
    for (let p = 0; p < H * H; p++) {
      const r = Math.floor(p / H);
      const c = p % H;
      const on = y === 0 ? r < 2 : y === 1 ? r >= 2 && c < 2 : r >= 2 && c >= 2;
      images[i * H * H + p] = Math.round((on ? 0.7 + 0.3 * rng.next() : 0.2 * rng.next()) * 255);
    }
  }
  return { images, labels, n, height: H, width: H, channels: 1, classes: ['a', 'b', 'c'] };
}

describe('training', () => {
  it('learns a toy task; the simulated SNN keeps the accuracy with <= 1 spike per neuron; no tensor leak', async () => {
    const topo = tinyTopo();
    const train = quadrants(120, 1);
    const test = quadrants(60, 2);
    const before = tf.memory().numTensors;
    const tr = new TtfsTrainer(topo, {
      T: 8,
      bn: 'kernel',
      stochastic: true,
      regularize: 0.01,
      epochs: 8,
      batchSize: 10,
      lr: 0.01,
      seed: 1,
    });
    await tr.fit(train);
    const ev = evaluateTtfs(tr.net, test);
    console.log(
      JSON.stringify({
        acc: ev.accuracy,
        sur: ev.surrogateAccuracy,
        spn: ev.spikesPerNeuron,
        k: tr.net.kernelSummary(),
      }),
    );
    expect(ev.accuracy).toBeGreaterThan(0.8);
    expect(ev.spikesPerNeuron).toBeGreaterThan(0);
    expect(ev.spikesPerNeuron).toBeLessThanOrEqual(1);
    expect(ev.maxSpikesPerNeuron).toBeLessThanOrEqual(1);
    expect(ev.ee).toBeGreaterThan(0);
    tr.dispose();
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(0);
  });

  it('per-epoch checkpoints: a run stopped after epoch 1 and resumed gives the uninterrupted run bit for bit', async () => {
    const topo = tinyTopo();
    const train = quadrants(40, 3);
    const cfg = {
      T: 6,
      bn: 'kernel' as const,
      stochastic: true,
      regularize: 0.01,
      epochs: 3,
      batchSize: 10,
      lr: 0.01,
      seed: 2,
    };
    const state = async (tr: TtfsTrainer): Promise<number[][]> =>
      Promise.all(
        [...tr.net.trainableVariables(), ...[...tr.net.bnState.values()].flatMap((bn) => [bn.mean, bn.variance])].map(
          async (v) => Array.from((await v.data()) as Float32Array),
        ),
      );
    const whole = new TtfsTrainer(topo, cfg);
    const h = await whole.fit(train);
    const dir = mkdtempSync(join(tmpdir(), 'ttfs-ck-'));
    try {
      const first = new TtfsTrainer(topo, { ...cfg, epochs: 1 });
      await first.fit(train, { checkpointDir: dir });
      first.dispose();
      const logs: string[] = [];
      const resumed = new TtfsTrainer(topo, cfg);
      const h2 = await resumed.fit(train, { checkpointDir: dir, log: (m) => logs.push(m) });
      expect(logs[0]).toBe('resumed from checkpoint after epoch 1');
      expect(h2.map((e) => e.loss)).toEqual(h.map((e) => e.loss));
      expect(await state(resumed)).toEqual(await state(whole));
      resumed.dispose();
    } finally {
      whole.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
