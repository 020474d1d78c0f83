import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initEngine } from '@snn/backend';
import { SpikeMonitor, lifStep, timeSlice, type NeuronParams } from '@snn/core-neurons';
import { poissonEncode } from '@snn/encoders';
import { forward, getTopology, initParams, disposeParams, untie, type Params, type Topology } from '@snn/models';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

const small = { width: 1 / 16, input: [8, 8, 3] as [number, number, number] };
const LIF: NeuronParams = { kind: 'lif', alpha: 0.9, vth: 0.5, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } };
const neuron = (): NeuronParams => LIF;
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const image = (B: number, seed = 1): tf.Tensor4D =>
  tf.randomUniform([B, 8, 8, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

function grads(
  topo: Topology,
  params: Params,
  input: tf.Tensor,
  opts: Parameters<typeof forward>[3],
): Record<string, tf.Tensor> {
  return tf.variableGrads(
    () => tf.sum(tf.square(forward(topo, params, input, opts).logits)) as tf.Scalar,
    Object.values(params),
  ).grads;
}

describe('forward: SNN', () => {
  it('shapes, and folded == stepwise (logits, activity, gradients)', () => {
    const topo = getTopology('VGG5', small);
    const params = initParams(topo, 7);
    const T = 4;
    const B = 2;
    const x = image(B);
    const spikes = poissonEncode(x, T, 3);
    const mF = new SpikeMonitor();
    const mS = new SpikeMonitor();
    const f = forward(topo, params, spikes, { mode: 'snn', T, neuron, monitor: mF });
    const s = forward(topo, params, spikes, { mode: 'snn', T, neuron, monitor: mS, schedule: 'stepwise' });
    expect(f.logits.shape).toEqual([B, 10]);
    expect(f.features.shape).toEqual([B, 64]);
    expect(maxAbsDiff(f.logits, s.logits)).toBeLessThan(1e-5);
    const act = mF.activity();
    expect(act.map((a) => a.layer)).toEqual(['conv1', 'conv2', 'conv3', 'fc1']);
    expect(act.some((a) => a.rate > 0)).toBe(true);
    expect(mS.activity().map((a) => a.rate)).toEqual(act.map((a) => a.rate));
    const gF = grads(topo, params, spikes, { mode: 'snn', T, neuron });
    const gS = grads(topo, params, spikes, { mode: 'snn', T, neuron, schedule: 'stepwise' });
    for (const k of Object.keys(gF)) expect(maxAbsDiff(gF[k], gS[k])).toBeLessThan(1e-4);
    expect(tf.tidy(() => tf.sum(tf.abs(gF[params.conv1.name])).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, spikes, f.logits, f.features, s.logits, s.features, ...Object.values(gF), ...Object.values(gS)]);
    disposeParams(params);
  });

  it('equals a hand-written step-by-step reference (conv, avgpool, fc, LIF)', () => {
    const topo = getTopology('VGG3', small); // conv1, pool1, fc1, fc2
    const params = initParams(topo, 11);
    const T = 5;
    const B = 3;
    const x = image(B, 2);
    const spikes = poissonEncode(x, T, 9);
    const out = forward(topo, params, spikes, { mode: 'snn', T, neuron });
    const ref = tf.tidy(() => {
      let v1 = tf.zeros([B, 8, 8, 4]);
      let v2 = tf.zeros([B, 64]);
      let acc = tf.zeros([B, 64]);
      for (let t = 0; t < T; t++) {
        const r1 = lifStep(
          tf.conv2d(timeSlice(spikes, t, B) as tf.Tensor4D, params.conv1 as tf.Tensor4D, 1, 'same'),
          { v: v1 },
          LIF,
        );
        v1 = r1.state.v;
        const pooled = tf.reshape(tf.avgPool(r1.spikes as tf.Tensor4D, 2, 2, 'valid'), [B, -1]);
        const r2 = lifStep(tf.matMul(pooled as tf.Tensor2D, params.fc1 as tf.Tensor2D), { v: v2 }, LIF);
        v2 = r2.state.v;
        acc = tf.add(acc, r2.spikes);
      }
      return tf.matMul(tf.div(acc, T) as tf.Tensor2D, params.fc2 as tf.Tensor2D);
    });
    expect(maxAbsDiff(out.logits, ref)).toBeLessThan(1e-5);
    expect(tf.tidy(() => tf.sum(tf.abs(out.features)).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose([x, spikes, out.logits, out.features, ref]);
    disposeParams(params);
  });

  it('direct coding (repeated input) equals the input tiled over T', () => {
    const topo = getTopology('VGG3', small);
    const params = initParams(topo, 5);
    const T = 3;
    const x = image(2, 4);
    const a = forward(topo, params, x, { mode: 'snn', T, neuron, repeated: true });
    const tiled = tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(x, 0), [T, 1, 1, 1, 1]), [T * 2, 8, 8, 3]));
    const b = forward(topo, params, tiled, { mode: 'snn', T, neuron });
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
    tf.dispose([x, tiled, a.logits, a.features, b.logits, b.features]);
    disposeParams(params);
  });

  it('per-op thresholds reach each unroll step, taps see currents and outputs', () => {
    const topo = getTopology('VGG2x4', small);
    const params = initParams(topo, 3);
    const seen: string[] = [];
    const vths: Record<string, number> = {};
    const x = poissonEncode(image(2), 2, 1);
    const r = forward(topo, params, x, {
      mode: 'snn',
      T: 2,
      neuron,
      threshold: (op) => (vths[op.id] = 0.1 * op.unrollStep + (op.id === 'conv1' ? 1 : 0)),
      taps: (ev) => seen.push(`${ev.op.id}:${ev.current ? ev.current.shape[0] : '-'}:${ev.output.shape[0]}`),
    });
    expect(seen).toEqual([
      'conv1:4:4',
      'pool1:-:4',
      'conv2@1:4:4',
      'conv2@2:4:4',
      'conv2@3:4:4',
      'conv2@4:4:4',
      'pool2:-:4',
      'fc1:4:4',
    ]);
    expect(vths['conv2@3']).toBeCloseTo(0.3);
    tf.dispose([x, r.logits, r.features]);
    disposeParams(params);
  });

  it('residual BackRes (ResNet2x2): folded == stepwise, shortcut changes the output', () => {
    const topo = getTopology('ResNet2x2', small);
    const params = initParams(topo, 4);
    const s = poissonEncode(image(2, 6), 3, 8);
    const f = forward(topo, params, s, { mode: 'snn', T: 3, neuron });
    const w = forward(topo, params, s, { mode: 'snn', T: 3, neuron, schedule: 'stepwise' });
    expect(maxAbsDiff(f.logits, w.logits)).toBeLessThan(1e-5);
    const noSkip = { ...topo, ops: topo.ops.map(({ residualFrom: _r, ...op }) => op) };
    const n = forward(noSkip, params, s, { mode: 'snn', T: 3, neuron });
    expect(maxAbsDiff(f.logits, n.logits)).toBeGreaterThan(1e-4);
    tf.dispose([s, f.logits, f.features, w.logits, w.features, n.logits, n.features]);
    disposeParams(params);
  });

  it('no tensor leaks across batches', () => {
    const topo = getTopology('ResNet2x2', small);
    const params = initParams(topo, 1);
    const monitor = new SpikeMonitor();
    const step = (): void => {
      tf.tidy(() => {
        const s = poissonEncode(image(2), 3, 2);
        const { value, grads: g } = tf.variableGrads(
          () => tf.sum(forward(topo, params, s, { mode: 'snn', T: 3, neuron, monitor }).logits) as tf.Scalar,
        );
        return [value, ...Object.values(g)];
      }).forEach((t: tf.Tensor) => t.dispose());
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    disposeParams(params);
  });
});

describe('forward: BackRes gradients', () => {
  // tied grad = sum over unroll steps of the untied grads; every step contributes
  for (const mode of ['ann', 'snn'] as const) {
    it(`${mode}: the shared conv2 of VGG2x4 gets a non-zero gradient from every unroll step`, () => {
      const topo = getTopology('VGG2x4', small);
      const params = initParams(topo, 21);
      const untied = untie(topo);
      const uParams: Params = {};
      for (const p of untied.params) {
        const src = p.id.startsWith('conv2@') ? 'conv2' : p.id;
        uParams[p.id] = tf.variable(params[src].clone(), true);
      }
      const T = 4;
      const input = mode === 'ann' ? image(2) : poissonEncode(image(2), T, 5);
      const opts = { mode, T, neuron: (): NeuronParams => ({ ...LIF, vth: 0.25 }) };
      const a = forward(topo, params, input, opts);
      const b = forward(untied, uParams, input, opts);
      expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
      const gT = grads(topo, params, input, opts);
      const gU = grads(untied, uParams, input, opts);
      const gConv2 = gT[params.conv2.name];
      const parts = [1, 2, 3, 4].map((k) => gU[uParams[`conv2@${k}`].name]);
      for (const [k, g] of parts.entries())
        expect(
          tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]),
          `unroll step ${k + 1}`,
        ).toBeGreaterThan(0);
      const sum = tf.addN(parts);
      expect(maxAbsDiff(gConv2, sum)).toBeLessThan(1e-4 * (1 + tf.tidy(() => tf.max(tf.abs(sum)).dataSync()[0])));
      tf.dispose([input, a.logits, a.features, b.logits, b.features, sum, ...Object.values(gT), ...Object.values(gU)]);
      disposeParams(params);
      disposeParams(uParams);
    });
  }
});

describe('forward: hybrid', () => {
  it('ReLU ops run once on [B, ...]; the first LIF op gets a repeated current; equals stepwise', async () => {
    const topo = getTopology('VGG9', small); // conv1, conv2 ReLU
    const params = initParams(topo, 8);
    const T = 6;
    const B = 2;
    const x = image(B, 3);
    const rows: Record<string, number> = {};
    const prof = await tf.profile(
      () =>
        forward(topo, params, x, {
          mode: 'hybrid',
          T,
          neuron,
          taps: (ev) => (rows[ev.op.id] = ev.current?.shape[0] ?? ev.output.shape[0]),
        }).logits,
    );
    // 7 convs, each ONE Conv2D kernel call (ReLU convs on B rows, LIF convs on T*B rows)
    expect(prof.kernels.filter((k) => k.name === 'Conv2D').length).toBe(7);
    expect(rows).toMatchObject({ conv1: B, conv2: B, pool1: B, conv3: B, conv4: T * B, conv7: T * B, fc1: T * B });
    const f = forward(topo, params, x, { mode: 'hybrid', T, neuron });
    const s = forward(topo, params, x, { mode: 'hybrid', T, neuron, schedule: 'stepwise' });
    expect(maxAbsDiff(f.logits, s.logits)).toBeLessThan(1e-5);
    // the ReLU part is the ANN's: same conv2 output as mode 'ann'
    const pick = (mode: 'ann' | 'hybrid'): tf.Tensor => {
      let kept: tf.Tensor | null = null;
      forward(topo, params, x, {
        mode,
        T,
        neuron,
        taps: (ev) => {
          if (ev.op.id === 'conv2') kept = tf.keep(ev.output.clone());
        },
      }).logits.dispose();
      return kept!;
    };
    const ca = pick('ann');
    const ch = pick('hybrid');
    expect(maxAbsDiff(ca, ch)).toBe(0);
    tf.dispose([x, f.logits, f.features, s.logits, s.features, ca, ch]);
    disposeParams(params);
  });

  it("records each ReLU op's non-zero output fraction (hybrid energy: the input activity of the first LIF op), in both schedules", () => {
    const topo = getTopology('VGG9', small); // conv1, conv2 ReLU
    const params = initParams(topo, 8);
    const x = image(2, 3);
    let want = 0;
    forward(topo, params, x, {
      mode: 'ann',
      taps: (ev) => {
        if (ev.op.id === 'conv2')
          want = tf.tidy(() => tf.mean(tf.cast(tf.greater(ev.output, 0), 'float32')).dataSync()[0]!);
      },
    }).logits.dispose();
    expect(want).toBeGreaterThan(0.05);
    expect(want).toBeLessThan(0.95);
    for (const schedule of ['folded', 'stepwise'] as const) {
      const monitor = new SpikeMonitor();
      const before = tf.memory().numTensors;
      const out = forward(topo, params, x, { mode: 'hybrid', T: 4, neuron, monitor, schedule });
      tf.dispose([out.logits, out.features]);
      expect(tf.memory().numTensors).toBe(before);
      const acts = Object.fromEntries(monitor.activity().map((a) => [a.layer, a.rate]));
      expect(acts.conv2).toBeCloseTo(want, 6);
      expect(acts.conv3).toBeDefined(); // spiking ops as before
    }
    // not in ann or snn mode
    const m = new SpikeMonitor();
    forward(topo, params, x, { mode: 'ann', monitor: m }).logits.dispose();
    expect(m.activity()).toEqual([]);
    x.dispose();
    disposeParams(params);
  });

  it('ann mode: plain ReLU network', () => {
    const topo = getTopology('VGG3', small);
    const params = initParams(topo, 2);
    const x = image(2);
    const out = forward(topo, params, x, { mode: 'ann' });
    const ref = tf.tidy(() => {
      const h = tf.avgPool(tf.relu(tf.conv2d(x, params.conv1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
      const f1 = tf.relu(tf.matMul(tf.reshape(h, [2, -1]) as tf.Tensor2D, params.fc1 as tf.Tensor2D));
      return tf.matMul(f1, params.fc2 as tf.Tensor2D);
    });
    expect(maxAbsDiff(out.logits, ref)).toBeLessThan(1e-5);
    tf.dispose([x, out.logits, out.features, ref]);
    disposeParams(params);
  });
});
