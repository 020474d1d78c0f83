import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine, tf } from '@snn/backend';
import { getTopology, untie, initParams, type Topology } from '@snn/models';
import { batches } from '@snn/datasets';
import { AgdTrainer, trainAgd, DivergenceError, type AgdConfig } from '../src/index.js';
import { checkDivergence } from '../src/train.js';
import { quadrantTask } from './synthetic.js';

const tmp = mkdtempSync(join(tmpdir(), 'agd-test-'));
beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// VGG3 at width 1/16 on 8x8x1: conv1 4ch, avgpool, fc1 64, fc2 4 classes
const tiny = (): Topology => getTopology('VGG3', { width: 1 / 16, input: [8, 8, 1], classes: 4 });
const base = (over: Partial<AgdConfig> = {}): AgdConfig => ({
  mode: 'snn',
  T: 6,
  head: 'softmax',
  neuron: { alpha: 0.97, vth: 1, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } },
  optimizer: { name: 'adam', lr: 0.01 },
  epochs: 3,
  batchSize: 20,
  seed: 1,
  ...over,
});

describe('AGD trainer learns a separable task in SNN mode', () => {
  const train = quadrantTask(160, 1);
  const test = quadrantTask(80, 2);
  for (const head of ['softmax', 'stochmax'] as const) {
    it(`${head} head reaches > 90% test accuracy`, async () => {
      const r = await trainAgd(tiny(), base({ head }), train);
      const ev = r.trainer.evaluate(test);
      expect(ev.accuracy).toBeGreaterThan(0.9);
      // spike activity is monitored per spiking op
      expect(ev.activity.map((a) => a.layer)).toContain('conv1');
      expect(ev.activity.every((a) => a.rate >= 0 && a.rate <= 1)).toBe(true);
      expect(r.samplesPerSec).toBeGreaterThan(0);
      r.trainer.dispose();
    });
  }
});

describe('BackRes: the shared weight gets a gradient from every unroll step', () => {
  it('grad(shared conv2) = sum of the untied per-step grads, each non-zero', () => {
    const topo = getTopology('VGG3x4', { width: 1 / 32, input: [8, 8, 1], classes: 4 });
    const cfg = base({ T: 8, neuron: { alpha: 0.97, vth: 0.25, surrogate: { name: 'pwl', gamma: 0.3 } } });
    const tr = new AgdTrainer(topo, cfg);
    const ut = untie(topo);
    const utParams = initParams(ut, 0);
    for (const op of ut.ops) if (op.param) utParams[op.param].assign(tr.params[topo.ops[op.index].param!]);
    const trU = new AgdTrainer(ut, cfg, utParams);
    const data = quadrantTask(8, 3);
    const [b] = [...batches(data, { batchSize: 8, seed: 0, shuffle: false })];
    const shared = tf.variableGrads(() => tr.loss(b.x, b.y, 5), [tr.params.conv2]);
    const steps = topo.ops.filter((o) => o.param === 'conv2').map((o) => o.id);
    expect(steps.length).toBe(4);
    const per = tf.variableGrads(
      () => trU.loss(b.x, b.y, 5),
      steps.map((s) => utParams[s]),
    );
    const parts = steps.map((s) => per.grads[utParams[s].name]);
    for (const g of parts) expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    const sum = tf.addN(parts);
    const diff = tf.max(tf.abs(tf.sub(sum, shared.grads[tr.params.conv2.name]))).dataSync()[0];
    const scale = tf.max(tf.abs(sum)).dataSync()[0];
    expect(diff).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([b.x, b.y, shared.value, per.value, sum, ...Object.values(shared.grads), ...parts]);
    tr.dispose();
    trU.dispose();
  });
});

describe('hybrid nets', () => {
  it('ReLU layers run once per input (batch B), LIF layers on T*B rows; gradients reach both', () => {
    const topo = getTopology('VGG9', { width: 1 / 16, input: [8, 8, 1], classes: 4 });
    const T = 5;
    const B = 3;
    const tr = new AgdTrainer(
      topo,
      base({
        mode: 'hybrid',
        T,
        head: 'stochmax',
        neuron: { alpha: 0.97, vth: 0.25, surrogate: { name: 'pwl', gamma: 0.3 } },
      }),
    );
    const x = tf.randomUniform([B, 8, 8, 1], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 2], 'int32');
    const convBatches: number[] = [];
    const orig = tf.conv2d;
    // count the conv ops by the batch they run on
    return tf
      .profile(() => tf.tidy(() => tr.run(x, 7).logits))
      .then((info) => {
        for (const k of info.kernels) if (k.name === 'Conv2D') convBatches.push(k.inputShapes[0]![0]);
        const reluBatches = info.kernels.filter((k) => k.name === 'Relu').map((k) => k.inputShapes[0]![0]);
        // VGG9: conv1, conv2 ReLU (B rows, once each). conv3 is the first LIF op: its input (the ReLU
        // block's output) is the same at every step, so its current is also computed once (B rows)
        // and repeated inside the LIF recurrence; conv4..conv7 see spikes (T*B rows). No conv runs
        // per time step.
        expect(convBatches).toEqual([B, B, B, T * B, T * B, T * B, T * B]);
        expect(reluBatches).toEqual([B, B]);
        const g = tf.variableGrads(() => tr.loss(x, y, 3), [tr.params.conv1, tr.params.conv3]);
        for (const v of Object.values(g.grads)) expect(tf.max(tf.abs(v)).dataSync()[0]).toBeGreaterThan(0);
        tf.dispose([x, y, g.value, ...Object.values(g.grads)]);
        tr.dispose();
        expect(orig).toBe(tf.conv2d);
      });
  });
});

describe('input coding', () => {
  it('direct coding computes the first conv once on the real-valued image; Poisson coding on T*B spike rows', async () => {
    const topo = getTopology('VGG5', { width: 1 / 16, input: [8, 8, 1], classes: 4 });
    const T = 4;
    const B = 2;
    const x = tf.randomUniform([B, 8, 8, 1], 0, 1, 'float32', 1);
    const firstConvRows = async (coding: 'poisson' | 'direct'): Promise<number[]> => {
      const tr = new AgdTrainer(
        topo,
        base({ mode: 'snn', coding, T, neuron: { alpha: 0.97, vth: 0.25, surrogate: { name: 'pwl', gamma: 0.3 } } }),
      );
      const info = await tf.profile(() => tf.tidy(() => tr.run(x, 7).logits));
      tr.dispose();
      return info.kernels.filter((k) => k.name === 'Conv2D').map((k) => k.inputShapes[0]![0]);
    };
    expect((await firstConvRows('direct'))[0]).toBe(B);
    expect((await firstConvRows('poisson'))[0]).toBe(T * B);
    x.dispose();
  });
});

describe('robustness', () => {
  it('a NaN/inf loss stops the row with a DivergenceError', async () => {
    const cfg = base({ optimizer: { name: 'sgd', lr: 1e30 }, epochs: 2, mode: 'ann' });
    await expect(trainAgd(tiny(), cfg, quadrantTask(60, 4))).rejects.toThrow(DivergenceError);
    await expect(trainAgd(tiny(), cfg, quadrantTask(60, 4))).rejects.toThrow(/diverged: loss = (NaN|Infinity)/);
  });

  it('a finite loss that explodes (over DIVERGENCE_FACTOR x the first batch) is divergence too; a normal run is not', () => {
    expect(() => checkDivergence(1.55e31, 2.3, 0, 4)).toThrow(
      /diverged: loss = 1\.55e\+31, over 50x the first batch's 2\.300 at epoch 1, batch 5/,
    );
    expect(() => checkDivergence(2.4, 2.3, 0, 1)).not.toThrow();
    expect(() => checkDivergence(100, undefined, 0, 0)).not.toThrow(); // the first batch sets the reference
    expect(() => checkDivergence(Number.NaN, 2.3, 1, 0)).toThrow(DivergenceError);
  });

  it('checkpoint + resume gives identical weights to an uninterrupted run', async () => {
    const data = quadrantTask(40, 5);
    const cfg = base({ head: 'stochmax', epochs: 2, T: 3 });
    const full = await trainAgd(tiny(), cfg, data, { checkpointDir: join(tmp, 'a') });
    const half = await trainAgd(tiny(), { ...cfg, epochs: 1 }, data, { checkpointDir: join(tmp, 'b') });
    half.trainer.dispose();
    const resumed = await trainAgd(tiny(), cfg, data, { checkpointDir: join(tmp, 'b') });
    expect(resumed.resumedEpochs).toBe(1);
    for (const n of full.trainer.variableNames) {
      const a = full.trainer.variable(n).dataSync();
      const b = resumed.trainer.variable(n).dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
    }
    expect(resumed.history.map((h) => h.loss)).toEqual(full.history.map((h) => h.loss));
    full.trainer.dispose();
    resumed.trainer.dispose();
  });

  it('memory: numTensors is flat across training batches and evaluation', () => {
    const tr = new AgdTrainer(tiny(), base({ head: 'stochmax', T: 3 }));
    const data = quadrantTask(40, 6);
    const run = (seed: number) => {
      for (const b of batches(data, { batchSize: 10, seed, shuffle: true })) {
        tr.trainBatch(b.x, b.y, seed);
        tf.dispose([b.x, b.y]);
      }
      tr.evaluate(data);
    };
    run(1); // optimiser slots are created on the first step
    const before = tf.memory().numTensors;
    run(2);
    run(3);
    expect(tf.memory().numTensors).toBe(before);
    tr.dispose();
  });
});
