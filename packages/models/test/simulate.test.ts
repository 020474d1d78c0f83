import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initEngine } from '@snn/backend';
import { SpikeMonitor, lifForwardArrays, type NeuronParams } from '@snn/core-neurons';
import { poissonEncode, poissonEncodeChunk } from '@snn/encoders';
import { buildTopology, forward, initParams, disposeParams, simulateChunked, type Topology } from '@snn/models';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

describe('lifForwardArrays extras (extra current, amplitude, count)', () => {
  /** the pre-#13 conversion IF loop (double arithmetic, stored to float32), the reference */
  function ifReference(
    cur: Float32Array,
    repeated: boolean,
    T: number,
    v: Float32Array,
    p: { vth: number; extra?: number | Float32Array; hard?: boolean },
  ): { out: Float32Array; count: number } {
    const n = v.length;
    const out = new Float32Array(T * n);
    let count = 0;
    for (let t = 0; t < T; t++)
      for (let i = 0; i < n; i++) {
        let x = v[i]! + cur[(repeated ? 0 : t * n) + i]!;
        const c = p.extra;
        if (c !== undefined) x += typeof c === 'number' ? c : c[i % c.length]!;
        if (x >= p.vth) {
          x = p.hard ? 0 : x - p.vth;
          out[t * n + i] = p.vth;
          count++;
        }
        v[i] = x;
      }
    return { out, count };
  }

  it('matches the reference on random currents (per-channel and scalar extra, soft and hard, repeated)', () => {
    let s = 99;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const C = 3;
    const n = 5 * C;
    const T = 30;
    for (const repeated of [false, true])
      for (const hard of [false, true])
        for (const extra of [undefined, 0.0625, Float32Array.from([0.125, -0.25, 0.5])]) {
          const cur = Float32Array.from({ length: (repeated ? 1 : T) * n }, () => Math.round(rnd() * 16 - 4) / 8);
          const v0 = Float32Array.from({ length: n }, () => Math.round(rnd() * 8) / 16);
          const vth = 1.5;
          const vRef = Float32Array.from(v0);
          const ref = ifReference(cur, repeated, T, vRef, { vth, extra, hard });
          const buf = new Float32Array((T + 1) * n);
          const count = lifForwardArrays(
            cur,
            v0,
            buf,
            { T, alpha: 1, vth, soft: !hard, refractory: 0, repeated, surrogate: '' },
            { extra, amplitude: vth },
          );
          expect(count).toBe(ref.count);
          expect(Array.from(buf.subarray(0, T * n))).toEqual(Array.from(ref.out));
          expect(Array.from(buf.subarray(T * n))).toEqual(Array.from(vRef));
          // in place: the membrane is carried in v0 itself, out has the spike rows only
          const v = Float32Array.from(v0);
          const spikes = new Float32Array(T * n);
          const c2 = lifForwardArrays(
            cur,
            v,
            spikes,
            { T, alpha: 1, vth, soft: !hard, refractory: 0, repeated, surrogate: '' },
            { extra, amplitude: vth, inPlace: true },
          );
          expect(c2).toBe(ref.count);
          expect(Array.from(spikes)).toEqual(Array.from(ref.out));
          expect(Array.from(v)).toEqual(Array.from(vRef));
          expect(ref.count).toBeGreaterThan(0);
        }
  });

  it('without extras it is the kernel path (unit spikes) and returns the spike count', () => {
    const cur = Float32Array.from([0.6, 0.6, 0.6, 0.6]);
    const buf = new Float32Array(5);
    const c = lifForwardArrays(cur, new Float32Array(1), buf, {
      T: 4,
      alpha: 1,
      vth: 1,
      soft: true,
      refractory: 0,
      repeated: false,
      surrogate: '',
    });
    expect(Array.from(buf.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    expect(c).toBe(2);
  });
});

describe('simulateChunked vs forward (the op path)', () => {
  const topoOf = (residual: boolean): Topology =>
    buildTopology(
      'sim',
      [
        { conv: 'conv1', out: 4, k: 3 },
        { conv: 'conv2', out: 4, k: 3, residual },
        { repeat: [{ conv: 'conv3', out: 4, k: 3 }], times: 2 },
        { pool: 'avg', size: 2 },
        { fc: 'fc1', out: 8 },
        { fc: 'fc2', out: 'classes' },
      ],
      { width: 1, classes: 3, bias: true, neuron: 'if', input: [4, 4, 2] },
      { rule: 'test', reconstructed: false },
    );
  const IF = (): NeuronParams => ({ kind: 'if', alpha: 1, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } });
  const th: Record<string, number> = { conv1: 0.5, conv2: 0.75, 'conv3@1': 0.625, 'conv3@2': 0.875, fc1: 0.5 };

  for (const residual of [false, true])
    for (const coding of ['direct', 'poisson'] as const)
      for (const reset of ['soft', 'hard'] as const)
        it(`same features and spikes, chunks of 3 over T = 8 (${residual ? 'residual, ' : ''}${coding}, ${reset})`, () => {
          const topo = topoOf(residual);
          const params = initParams(topo, 5);
          const x = tf.randomUniform([3, 4, 4, 2], 0, 1, 'float32', 8);
          const T = 8;
          // the executor's Poisson stream in chunks of 3: the same stream, concatenated, for forward
          const input =
            coding === 'direct'
              ? x
              : tf
                  .concat(
                    [0, 3, 6].map((t0) => {
                      const c = poissonEncodeChunk(x, { t0, steps: Math.min(3, T - t0), seed: 4 });
                      return tf.reshape(c, [-1, 3, 4, 4, 2]);
                    }),
                  )
                  .reshape([T * 3, 4, 4, 2]);
          const monitor = new SpikeMonitor();
          const ref = forward(topo, params, input, {
            mode: 'snn',
            T,
            repeated: coding === 'direct',
            neuron: () => ({ ...IF(), reset }),
            threshold: (op) => th[op.id]!,
            monitor,
          });
          let feats: number[] = [];
          let logits: number[] = [];
          const r = simulateChunked(topo, params, x, {
            steps: T,
            chunk: 3,
            coding,
            seed: 4,
            threshold: (op) => th[op.id]!,
            reset,
            amplitude: 'unit',
            readAt: [T],
            onReadout: (_t, f, l) => {
              feats = Array.from(f.dataSync());
              logits = Array.from(l.dataSync());
            },
          });
          const rf = Array.from(ref.features.dataSync());
          const rl = Array.from(ref.logits.dataSync());
          rf.forEach((v, i) => expect(feats[i]).toBeCloseTo(v, 6));
          rl.forEach((v, i) => expect(logits[i]).toBeCloseTo(v, 5));
          const rates = new Map(monitor.activity().map((a) => [a.layer, a.rate]));
          for (const [op, s] of r.spikes) expect(s.count / s.neuronSteps).toBeCloseTo(rates.get(op)!, 12);
          expect([...r.spikes.keys()]).toEqual(['conv1', 'conv2', 'conv3@1', 'conv3@2', 'fc1']);
          expect(r.spikes.get('fc1')!.count).toBeGreaterThan(0);
          tf.dispose([x, input, ref.features, ref.logits]);
          disposeParams(params);
        });

  it('poissonEncodeChunk is poissonEncode with the chunk seed of its start step', () => {
    const x = tf.randomUniform([2, 5], 0, 1, 'float32', 1);
    const a = poissonEncodeChunk(x, { t0: 16, steps: 4, seed: 7 });
    const b = poissonEncode(x, 4, 7 + 16 * 7919);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([x, a, b]);
  });

  it('maxRate scales the Poisson input rate the first op reads (and so its energy)', () => {
    const topo = topoOf(false);
    const params = initParams(topo, 4);
    const x = tf.randomUniform([8, 4, 4, 2], 0.2, 0.9, 'float32', 5);
    const mean = x.mean().dataSync()[0]!;
    const rateAt = (maxRate?: number) => {
      const r = simulateChunked(topo, params, x, {
        steps: 400,
        chunk: 50,
        coding: 'poisson',
        seed: 3,
        maxRate,
        threshold: (op) => th[op.id]!,
      });
      const q = r.inputRate.get('conv1')!;
      return q.sum / q.n;
    };
    // 8 x 32 pixels x 400 steps: the measured rates are within ~1% of maxRate x mean intensity
    expect(rateAt()).toBeCloseTo(mean, 2);
    expect(rateAt(0.5)).toBeCloseTo(0.5 * mean, 2);
    tf.dispose(x);
    disposeParams(params);
  });
});

describe('forward ANN mode: clipped ReLU (Deng & Gu 2021)', () => {
  it('clip bounds every hidden activation and equals min(relu(z), clip)', () => {
    const topo = buildTopology(
      'clip',
      [
        { conv: 'conv1', out: 4, k: 3 },
        { pool: 'avg', size: 2 },
        { fc: 'fc1', out: 8 },
        { fc: 'fc2', out: 'classes' },
      ],
      { width: 1, classes: 3, bias: false, neuron: 'if', input: [4, 4, 2] },
      { rule: 'test', reconstructed: false },
    );
    const params = initParams(topo, 2);
    const x = tf.randomUniform([3, 4, 4, 2], 0, 1, 'float32', 3);
    const seen: Record<string, { out: number[]; cur: number[] }> = {};
    const r = forward(topo, params, x, {
      mode: 'ann',
      clip: 0.05,
      taps: (ev) => {
        if (ev.current)
          seen[ev.op.id] = { out: Array.from(ev.output.dataSync()), cur: Array.from(ev.current.dataSync()) };
      },
    });
    for (const id of ['conv1', 'fc1']) {
      const { out, cur } = seen[id]!;
      out.forEach((v, i) => expect(v).toBe(Math.min(Math.max(cur[i]!, 0), Math.fround(0.05))));
    }
    expect(Math.max(...seen.conv1!.cur)).toBeGreaterThan(0.05); // the clip is active
    tf.dispose([x, r.features, r.logits]);
    disposeParams(params);
  });
});
