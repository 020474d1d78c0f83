import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@snn/backend';
import { tf } from '../src/tf.js';
import { DEFAULT_RULE, applyDeltaW, filterCorrelation, stdpDeltaW, traceDecay, traceStep } from '../src/stdp-rule.js';
import { runStdpRow, clearStdpMemo } from '../src/rows.js';
import { RowBusy } from '@snn/runtime';
import type { ImageSet } from '@snn/datasets';
import { StdpConvLayer, emptyState, disposeState } from '../src/stdp-layer.js';
import { StdpStack, RateAccumulator, trainStackStdp } from '../src/stack.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

/** Δw of a single synapse (1 pre, 1 post, 1×1 kernel) for given pre/post spike times over T steps */
function twoNeuronDw(tPre: number, tPost: number, T = 8): number {
  const rule = { ...DEFAULT_RULE, offsetMode: 'constant' as const, softBound: false, eta: 1 };
  return tf.tidy(() => {
    const decay = traceDecay(rule.tau);
    let tr: tf.Tensor = tf.zeros([1, 1, 1, 1]);
    const trs: tf.Tensor[] = [];
    const posts: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      tr = traceStep(tr, tf.fill([1, 1, 1, 1], t === tPre ? 1 : 0), decay);
      trs.push(tr);
      posts.push(tf.fill([1, 1, 1, 1], t === tPost ? 1 : 0));
    }
    const { dw } = stdpDeltaW(
      tf.concat(trs, 0) as tf.Tensor4D,
      tf.concat(posts, 0) as tf.Tensor4D,
      tf.zeros([1, 1, 1, 1]) as tf.Tensor4D,
      rule,
    );
    return dw.dataSync()[0];
  });
}

describe('STDP rule', () => {
  it('potentiates causal close pairs by exp(-Δt/τ) − offset and depresses anti-causal ones', () => {
    const { tau, offset } = DEFAULT_RULE;
    const causal = twoNeuronDw(2, 3);
    expect(causal).toBeGreaterThan(0);
    expect(causal).toBeCloseTo(Math.exp(-1 / tau) - offset, 5);
    expect(twoNeuronDw(3, 3)).toBeCloseTo(1 - offset, 5); // same step: closest causal pair
    const anti = twoNeuronDw(5, 3); // pre after post
    expect(anti).toBeLessThan(0);
    expect(anti).toBeCloseTo(-offset, 5);
    const far = twoNeuronDw(0, 7); // causal but far apart: depress
    expect(far).toBeLessThan(0);
  });

  it('kernel correlation equals tf.grad of the conv with respect to its filter', () => {
    tf.tidy(() => {
      const x = tf.randomUniform([6, 7, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomUniform([6, 7, 7, 5], 0, 1, 'float32', 3) as tf.Tensor4D;
      const ref = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), dy)))(w);
      const ours = filterCorrelation(x, dy, [3, 3, 3, 5]);
      expect(tf.max(tf.abs(tf.sub(ref, ours))).dataSync()[0]).toBeLessThan(1e-4);
    });
  });
});

/** 5×5 single-channel oriented bars: horizontal, vertical and the two diagonals */
function bars(): tf.Tensor4D {
  const pats: number[][] = [];
  for (let p = 0; p < 4; p++) {
    const img: number[] = [];
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 5; x++) {
        const on = p === 0 ? y === 2 : p === 1 ? x === 2 : p === 2 ? x === y : x === 4 - y;
        img.push(on ? 1 : 0.05);
      }
    pats.push(img);
  }
  return tf.tensor4d(pats.flat(), [4, 5, 5, 1]);
}

describe('rule normalisation and covariance offset', () => {
  it('mean-trace offset: Δw ∝ E[tr | post] − E[tr] (0 when post is independent of pre, + for the causal channel)', () => {
    tf.tidy(() => {
      const rule = { ...DEFAULT_RULE, offsetMode: 'mean-trace' as const, softBound: false, eta: 1 };
      // 4 rows, 1×2 positions, 2 pre channels; channel 0 trace is 1 where the post fires, 0 elsewhere;
      // channel 1 trace is the same constant everywhere (uninformative)
      const tr = tf.tensor4d([1, 0.5, 0, 0.5, 1, 0.5, 0, 0.5, 1, 0.5, 0, 0.5, 1, 0.5, 0, 0.5], [4, 1, 2, 2]);
      const post = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0], [4, 1, 2, 1]);
      const { dw } = stdpDeltaW(
        tr as tf.Tensor4D,
        post as tf.Tensor4D,
        tf.zeros([1, 1, 2, 1]) as tf.Tensor4D,
        rule,
        1,
        'valid',
      );
      const [d0, d1] = dw.dataSync();
      expect(d0).toBeCloseTo(1 - 0.5, 5); // E[tr0 | post] = 1, E[tr0] = 0.5
      expect(d1).toBeCloseTo(0, 5); // constant channel: no change, whatever the paper's offset
    });
  });

  it('normalize keeps each kernel at its L2 norm (and zero mean) whatever the update', () => {
    const w = tf.variable(tf.randomUniform([3, 3, 2, 4], -0.3, 0.3, 'float32', 4)) as tf.Variable<tf.Rank.R4>;
    const norms0 = tf.tidy(() =>
      tf.sqrt(tf.sum(tf.square(tf.sub(w, tf.mean(w, [0, 1, 2], true))), [0, 1, 2])).dataSync(),
    );
    const dw = tf.randomUniform([3, 3, 2, 4], 0, 2, 'float32', 5);
    applyDeltaW(w, dw, { ...DEFAULT_RULE, normalize: true, zeroMean: true }); // first: recentre
    const n1 = tf.tidy(() => Array.from(tf.sqrt(tf.sum(tf.square(w), [0, 1, 2])).dataSync()));
    applyDeltaW(w, dw, { ...DEFAULT_RULE, normalize: true, zeroMean: true });
    const n2 = tf.tidy(() => Array.from(tf.sqrt(tf.sum(tf.square(w), [0, 1, 2])).dataSync()));
    const means = tf.tidy(() => Array.from(tf.mean(w, [0, 1, 2]).dataSync()));
    n2.forEach((v, i) => expect(v).toBeCloseTo(n1[i], 4));
    means.forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-5));
    // without normalisation the same positive update grows the norm
    applyDeltaW(w, tf.mul(dw, 0.1), { ...DEFAULT_RULE, normalize: false, zeroMean: false });
    const n3 = tf.tidy(() => Array.from(tf.sqrt(tf.sum(tf.square(w), [0, 1, 2])).dataSync()));
    expect(n3.some((v, i) => Math.abs(v - n2[i]) > 0.05)).toBe(true);
    expect(norms0.length).toBe(4);
    dw.dispose();
    w.dispose();
  });
});

describe('kernel decorrelation', () => {
  it('pushes overlapping kernels apart and leaves orthogonal kernels alone', () => {
    const meanAbsCos = (w: tf.Tensor) =>
      tf.tidy(() => {
        const co = w.shape[3]!;
        const W = tf.reshape(w, [-1, co]);
        const Wn = tf.div(W, tf.norm(W, 2, 0, true));
        return tf.sum(tf.abs(tf.sub(tf.matMul(Wn, Wn, true, false), tf.eye(co)))).dataSync()[0] / (co * (co - 1));
      });
    const rule = { ...DEFAULT_RULE, normalize: true, zeroMean: false, decorrelate: 0.5 };
    // 4 kernels sharing one strong common component (|cos| ~0.8)
    const w = tf.variable(
      tf.tidy(() =>
        tf.add(
          tf.randomUniform([3, 3, 2, 4], -0.1, 0.1, 'float32', 11),
          tf.randomUniform([3, 3, 2, 1], 0, 0.3, 'float32', 12),
        ),
      ),
    ) as tf.Variable<tf.Rank.R4>;
    const before = meanAbsCos(w);
    const zero = tf.zerosLike(w);
    const seq = [before];
    for (let i = 0; i < 5; i++) {
      applyDeltaW(w, zero, rule);
      seq.push(meanAbsCos(w));
    }
    expect(before).toBeGreaterThan(0.5);
    for (let i = 1; i < seq.length; i++) expect(seq[i]).toBeLessThan(seq[i - 1]);
    expect(seq[seq.length - 1]).toBeLessThan(0.05);
    // orthogonal kernels (one-hot columns) are a fixed point
    const eye = tf.variable(
      tf.tidy(() => tf.reshape(tf.slice(tf.eye(18), [0, 0], [18, 4]), [3, 3, 2, 4])),
    ) as tf.Variable<tf.Rank.R4>;
    const e0 = eye.dataSync().slice();
    applyDeltaW(eye, zero, rule);
    const e1 = eye.dataSync();
    e0.forEach((v, i) => expect(e1[i]).toBeCloseTo(v, 6));
    tf.dispose([w, zero, eye]);
  });
});

describe('STDP layer', () => {
  it('kernels become selective to oriented bars (each pattern drives a different best kernel)', () => {
    const pats = bars();
    // three independent seeds (init + Poisson noise); all must end selective
    for (const seed of [7, 8, 9]) {
      const layer = new StdpConvLayer(
        'bars',
        { kernel: 5, cin: 1, cout: 4, pad: 'valid' },
        { updatesPerWindow: 4, dropout: 0.1, targetRate: 0.1 },
        seed,
      );
      // 60 windows of 20 steps; every mini-batch holds the 4 patterns
      for (let it = 0; it < 60; it++) {
        const st = emptyState();
        for (let c = 0; c < 4; c++) {
          const x = tf.tidy(() =>
            tf.cast(
              tf.less(
                tf.randomUniform([5 * 4, 5, 5, 1], 0, 1, 'float32', seed * 1000 + it * 10 + c),
                tf.tile(pats, [5, 1, 1, 1]),
              ),
              'float32',
            ),
          ) as tf.Tensor4D;
          layer.runChunk(x, 5, st, { learn: true }).dispose();
          x.dispose();
        }
        disposeState(st);
      }
      // drive of each kernel by each clean pattern (the single valid position): rows = patterns
      const drive = tf.tidy(() => tf.reshape(tf.conv2d(pats, layer.w, 1, 'valid'), [4, 4]).arraySync() as number[][]);
      const best = drive.map((row) => row.indexOf(Math.max(...row)));
      expect(new Set(best).size).toBe(4);
      // and each best kernel prefers its own pattern over every other pattern by a clear margin
      best.forEach((k, p) => {
        for (let q = 0; q < 4; q++) if (q !== p) expect(drive[p][k]).toBeGreaterThan(drive[q][k] + 0.5);
      });
      layer.dispose();
    }
    pats.dispose();
  });

  it('threshold adaptation keeps firing rates inside a band around the target', () => {
    for (const vthInit of [0.05, 20]) {
      const target = 0.05;
      const layer = new StdpConvLayer(
        'homeo',
        { kernel: 3, cin: 2, cout: 6 },
        { vthInit, targetRate: target, thetaEta: 0.3, wta: false, dropout: 0 },
        3,
      );
      const st = emptyState();
      let rate = 0;
      for (let c = 0; c < 60; c++) {
        const x = tf.tidy(() =>
          tf.cast(tf.less(tf.randomUniform([5 * 2, 8, 8, 2], 0, 1, 'float32', 100 + c), 0.3), 'float32'),
        ) as tf.Tensor4D;
        const s = layer.runChunk(x, 5, st, { learn: true });
        rate = tf.tidy(() => tf.mean(s).dataSync()[0]);
        s.dispose();
        x.dispose();
      }
      disposeState(st);
      expect(rate).toBeGreaterThan(target / 2);
      expect(rate).toBeLessThan(target * 2);
      layer.dispose();
    }
  });
});

describe('BackRes unroll', () => {
  it('a layer unrolled n times gets k × n updates per window; step m ≥ 2 reads its own output', () => {
    const before = tf.memory().numTensors;
    const spec = {
      name: 'mini',
      input: [6, 6, 2] as [number, number, number],
      layers: [
        { id: 'conv1', cin: 2, cout: 4, kernel: 3, unroll: 1, poolAfter: false },
        { id: 'conv2', cin: 4, cout: 4, kernel: 3, unroll: 3, poolAfter: true },
      ],
    };
    const stack = new StdpStack(spec, { updatesPerWindow: 4 }, 1);
    const imgs = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 5) as tf.Tensor4D;
    trainStackStdp(stack, imgs, { T: 8, batchSize: 3, epochs: 1, seed: 1 });
    expect(stack.layers[0].updates).toBe(4); // k × 1
    expect(stack.layers[1].updates).toBe(4 * 3); // k × n
    // unroll step m ≥ 2's pre-activity is the tensor the same layer returned at step m − 1
    const layer2 = stack.layers[1];
    const orig = layer2.runChunk.bind(layer2);
    const seen: { input: tf.Tensor; output: tf.Tensor }[] = [];
    layer2.runChunk = (x, Tc, st, o) => {
      const output = orig(x, Tc, st, o);
      seen.push({ input: x, output });
      return output;
    };
    const rates = new RateAccumulator();
    const states = stack.newStates();
    const x = tf.tidy(() =>
      tf.cast(tf.less(tf.randomUniform([2 * 3, 6, 6, 2], 0, 1, 'float32', 9), 0.5), 'float32'),
    ) as tf.Tensor4D;
    stack.runChunk(x, 2, states, { upTo: 1, learnLayer: null, rates }).dispose();
    layer2.runChunk = orig;
    expect(seen.length).toBe(3);
    expect(seen[1].input).toBe(seen[0].output);
    expect(seen[2].input).toBe(seen[1].output);
    expect(Object.keys(rates.result()).sort()).toEqual(['conv1', 'conv2@1', 'conv2@2', 'conv2@3']);
    StdpStack.disposeStates(states);
    rates.dispose();
    x.dispose();
    imgs.dispose();
    stack.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

const mk = (n: number, seed: number): ImageSet => {
  const images = new Uint8Array(n * 32 * 32 * 3);
  let s = seed;
  for (let i = 0; i < images.length; i++) images[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return {
    images,
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    n,
    height: 32,
    width: 32,
    channels: 3,
    classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
  };
};

describe('full row', () => {
  it('a tiny STDP row (stdp, random kernels, ANN) leaks no tensors', async () => {
    const data = { train: mk(40, 1), test: mk(20, 2) };
    const base = {
      topology: 'ResNet2x2' as const,
      T: 2,
      seed: 0,
      width: 0.0625,
      stdpImages: 10,
      stdpEpochs: 1,
      trainImages: 20,
      testImages: 10,
      headEpochs: 1,
      annEpochs: 1,
      batchSize: 10,
      lr: 1e-3,
    };
    const before = tf.memory().numTensors;
    const rows = [
      ['stdp', 'softmax'],
      ['stdp', 'stochmax'],
      ['stdp', 'convnn'],
      ['random-kernels', 'softmax'],
      ['random-decorrelated', 'softmax'],
      ['ann', 'stochmax'],
    ] as const;
    for (const [method, classifier] of rows) {
      const b0 = tf.memory().numTensors;
      const r = await runStdpRow({ ...base, method, classifier }, data);
      const acc = r.metrics.find((m) => m.metric === 'accuracy')!.value;
      expect(acc).toBeGreaterThanOrEqual(0);
      // each test image's fraction of seeds right rides along (paired verdicts): it reproduces the accuracy
      const correct = r.series.filter((p) => p.series === 'correct');
      expect(correct).toHaveLength(base.testImages);
      expect((100 * correct.reduce((t, p) => t + p.y, 0)) / correct.length).toBeCloseTo(acc, 9);
      // only the memoised features (x, y of train and test) may stay until clearStdpMemo
      expect(tf.memory().numTensors - b0).toBe(classifier === 'softmax' ? 4 : 0);
    }
    clearStdpMemo();
    expect(tf.memory().numTensors).toBe(before);
  }, 30000);
});

/** a tiny ResNet2 STDP row and its data (the cache tests) */
const tinyResNet2Row = () => ({
  data: { train: mk(40, 1), test: mk(20, 2) },
  row: {
    topology: 'ResNet2' as const,
    method: 'stdp' as const,
    classifier: 'softmax' as const,
    T: 2,
    seed: 0,
    width: 0.0625,
    stdpImages: 10,
    stdpEpochs: 1,
    trainImages: 20,
    testImages: 10,
    headEpochs: 1,
    annEpochs: 1,
    batchSize: 10,
    lr: 1e-3,
  },
});

describe('kernel checkpoints', () => {
  it('a second row with the same STDP settings loads the learnt kernels and gets the same features; a corrupt file is relearnt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdp-kernels-'));
    const { data, row } = tinyResNet2Row();
    const run = async () => {
      const logs: string[] = [];
      const r = await runStdpRow(row, data, { log: (m) => logs.push(m), kernelCache: { dir, code: 'test' } });
      clearStdpMemo();
      return {
        logs,
        acc: r.metrics.find((m) => m.metric === 'accuracy')!.value,
        ee: r.metrics.find((m) => m.metric === 'ee')!.value,
      };
    };
    const a = await run();
    const files = readdirSync(dir);
    expect(files.length).toBe(1);
    expect(a.logs.some((l) => l.includes('kernels from'))).toBe(false);
    const b = await run();
    expect(b.logs.some((l) => l.includes('kernels from'))).toBe(true);
    expect(b.acc).toBe(a.acc);
    expect(b.ee).toBe(a.ee);
    writeFileSync(join(dir, files[0]), '{"format":1,"key":"');
    const c = await run();
    expect(c.logs.some((l) => l.includes('kernels from'))).toBe(false);
    expect(c.acc).toBe(a.acc);
    expect(JSON.parse(readFileSync(join(dir, files[0]), 'utf8')).format).toBe(1);
  }, 30000);
});

describe('frozen-feature cache', () => {
  it('a row in another process (fresh memo) reads the features another stage computed, bit for bit; a damaged .bin is recomputed; a held lock makes the row busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdp-features-'));
    const { data, row } = tinyResNet2Row();
    const run = async (classifier: 'softmax' | 'convnn' = 'softmax') => {
      const logs: string[] = [];
      const r = await runStdpRow({ ...row, classifier }, data, {
        log: (m) => logs.push(m),
        featureCache: { dir, code: 'test' },
      });
      clearStdpMemo();
      const m = (k: string) => r.metrics.find((x) => x.metric === k)!.value;
      return { logs, acc: m('accuracy'), ee: m('ee'), activity: r.activity };
    };
    const a = await run();
    const bins = readdirSync(dir).filter((f) => f.endsWith('.bin'));
    expect(bins.length).toBe(1);
    expect(a.logs.some((l) => l.includes('frozen features from'))).toBe(false);
    const b = await run();
    expect(b.logs.some((l) => l.includes('frozen features from'))).toBe(true);
    expect([b.acc, b.ee]).toEqual([a.acc, a.ee]);
    expect(b.activity).toEqual(a.activity);
    // another head on the same features (table-12's ConvNN row) also reads them
    const c = await run('convnn');
    expect(c.logs.some((l) => l.includes('frozen features from'))).toBe(true);
    // one flipped byte: detected by content, recomputed, never used
    const binPath = join(dir, bins[0]);
    const bytes = readFileSync(binPath);
    bytes[7] ^= 0xff;
    writeFileSync(binPath, bytes);
    const d = await run();
    expect(d.logs.some((l) => l.includes('does not match the sha256'))).toBe(true);
    expect(d.acc).toBe(a.acc);
    // a live process holding the entry's lock: the row is busy before it computes anything
    rmSync(binPath.replace(/\.bin$/, '.json'));
    writeFileSync(
      binPath.replace(/\.bin$/, '.lock'),
      JSON.stringify({ pid: process.ppid, host: hostname(), what: 'table-06', since: new Date().toISOString() }),
    );
    await expect(run()).rejects.toBeInstanceOf(RowBusy);
  }, 60000);
});
