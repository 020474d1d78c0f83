/**
 * The native engine (tfjs-node) against the cpu reference, and "same seed, same engine, same
 * numbers" on every engine: a short AGD training run twice from the same seed must give
 * bit-identical weights and losses. Skipped where tfjs-node does not load, unless
 * SNN_REQUIRE_NATIVE=1 (CI sets it when the install's native set-up succeeded), which turns a
 * missing engine into a failure.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { initEngine, tf, type EngineName } from '@snn/backend';
import { getTopology, type Topology } from '@snn/models';
import { batches } from '@snn/datasets';
import { AgdTrainer, trainAgd, type AgdConfig } from '../src/index.js';
import { quadrantTask } from './synthetic.js';

const saved = process.env.SNN_BACKEND;
afterAll(() => {
  if (saved === undefined) delete process.env.SNN_BACKEND;
  else process.env.SNN_BACKEND = saved;
});

async function use(engine: EngineName): Promise<boolean> {
  delete process.env.SNN_BACKEND;
  try {
    await initEngine({ backend: engine, quiet: true });
    return true;
  } catch {
    return false;
  }
}

const nativeLoads = await use('tensorflow');
const required = process.env.SNN_REQUIRE_NATIVE === '1';

const tiny = (): Topology => getTopology('VGG3', { width: 1 / 8, input: [8, 8, 1], classes: 4 });
const cfg = (over: Partial<AgdConfig> = {}): AgdConfig => ({
  mode: 'snn',
  T: 6,
  head: 'stochmax',
  neuron: { alpha: 0.97, vth: 1, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } },
  optimizer: { name: 'adam', lr: 0.01 },
  epochs: 2,
  batchSize: 16,
  seed: 7,
  ...over,
});

async function trainTwice(
  engine: EngineName,
): Promise<{ a: Float32Array[]; b: Float32Array[]; lossA: number[]; lossB: number[] }> {
  expect(await use(engine)).toBe(true);
  const data = quadrantTask(64, 3);
  const once = async (): Promise<{ w: Float32Array[]; loss: number[] }> => {
    const r = await trainAgd(tiny(), cfg(), data);
    const w = Object.keys(r.trainer.params)
      .sort()
      .map((k) => r.trainer.params[k]!.dataSync() as Float32Array);
    const loss = r.history.map((h) => h.loss);
    r.trainer.dispose();
    return { w, loss };
  };
  const x = await once();
  const y = await once();
  return { a: x.w, b: y.w, lossA: x.loss, lossB: y.loss };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
    s = Math.max(s, Math.abs(b[i] as number));
  }
  return d / Math.max(s, 1e-6);
}

describe('same seed, same engine, same numbers', () => {
  for (const engine of ['wasm', 'tensorflow'] as const) {
    const run = engine === 'wasm' || nativeLoads || required;
    it.runIf(run)(`${engine}: two AGD trainings from one seed give bit-identical weights and losses`, async () => {
      const { a, b, lossA, lossB } = await trainTwice(engine);
      expect(lossA).toEqual(lossB);
      expect(a.length).toBeGreaterThan(0);
      a.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(b[i]!)));
      // and the run moved the weights at all (the comparison is not of two untouched inits)
      expect(lossA.length).toBe(2);
    });
  }
});

describe.runIf(nativeLoads || required)('tfjs-node matches the cpu reference', () => {
  it('loads when required', () => {
    expect(nativeLoads).toBe(true);
  });

  it('conv2d and both of its gradients', async () => {
    const f = (): tf.Tensor[] =>
      tf.tidy(() => {
        const x = tf.randomNormal([4, 16, 16, 8], 0, 1, 'float32', 1);
        const w = tf.randomNormal([3, 3, 8, 16], 0, 0.2, 'float32', 2);
        const dy = tf.randomNormal([4, 8, 8, 16], 0, 1, 'float32', 3);
        const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'), dy)),
        );
        const [dx, dw] = g([x, w]);
        return [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), dx!, dw!];
      });
    await use('tensorflow');
    const onTf = f().map((t) => t.dataSync().slice());
    await use('cpu');
    const onCpu = f().map((t) => t.dataSync().slice());
    onTf.forEach((v, i) => expect(maxRelDiff(v, onCpu[i]!)).toBeLessThan(1e-5));
  });

  it('an SNN loss and its BPTT gradients (LIF, surrogate, softmax head)', async () => {
    const data = quadrantTask(16, 5);
    const lossAndGrads = (): Float32Array[] => {
      const tr = new AgdTrainer(tiny(), cfg({ head: 'softmax' }));
      const [b] = [...batches(data, { batchSize: 16, seed: 0, shuffle: false })];
      const vars = Object.keys(tr.params)
        .sort()
        .map((k) => tr.params[k]!);
      const { value, grads } = tf.variableGrads(() => tr.loss(b!.x, b!.y, 1), vars);
      const out = [
        value.dataSync().slice() as Float32Array,
        ...vars.map((v) => grads[v.name]!.dataSync().slice() as Float32Array),
      ];
      tf.dispose([value, ...Object.values(grads)]);
      tr.dispose();
      return out;
    };
    await use('tensorflow');
    const onTf = lossAndGrads();
    await use('cpu');
    const onCpu = lossAndGrads();
    expect(onTf.length).toBe(onCpu.length);
    onTf.forEach((v, i) => expect(maxRelDiff(v, onCpu[i]!)).toBeLessThan(1e-4));
  });
});
