/**
 * Where an AGD training step spends its time, kernel by kernel (tf.profile): the `quick` profile's
 * AGD net (VGG5 SNN, width 0.125, T = 25, batch 32, LIF, Poisson input, time-folded schedule), one
 * forward + BPTT step. Each result is one kernel name, its summed ms over the step and its share
 * of the step; the groups to work on next are the ones at the top.
 * Sizes: SNN_BENCH_T, SNN_BENCH_BATCH, SNN_BENCH_WIDTH.
 */
import { tf, initEngine, engineInfo, deriveSeed } from '../packages/backend/src/index.js';
import type { BenchResult } from '../packages/backend/src/index.js';
import { poissonEncode } from '../packages/encoders/src/index.js';
import { forward, getTopology, initParams, disposeParams } from '../packages/models/src/index.js';
import type { NeuronParams } from '../packages/core-neurons/src/index.js';

const envNum = (name: string, dflt: number): number => (process.env[name] ? Number(process.env[name]) : dflt);

export async function run(): Promise<BenchResult[]> {
  await initEngine();
  const T = envNum('SNN_BENCH_T', 25);
  const B = envNum('SNN_BENCH_BATCH', 32);
  const width = envNum('SNN_BENCH_WIDTH', 0.125);
  const topo = getTopology('VGG5', { width });
  const params = initParams(topo, 1);
  const neuron = (): NeuronParams => ({
    kind: 'lif',
    alpha: 0.97,
    vth: 1,
    reset: 'soft',
    surrogate: { name: 'pwl', gamma: 0.3 },
  });
  const { spikes, labels } = tf.tidy(() => {
    const x = tf.randomUniform([B, 32, 32, 3], 0, 1, 'float32', deriveSeed(1, 'bench', 'x'));
    return {
      spikes: poissonEncode(x, T, deriveSeed(1, 'bench', 'poisson')),
      labels: tf.oneHot(
        tf.tensor1d(
          Array.from({ length: B }, (_, j) => j % 10),
          'int32',
        ),
        10,
      ),
    };
  });
  const step = (): void => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = forward(topo, params, spikes, { mode: 'snn', T, neuron, schedule: 'folded' });
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, Object.values(params));
    tf.dispose([value, ...Object.values(grads)]);
  };
  step(); // warm-up (kernel compilation, allocations)
  const t0 = performance.now();
  step();
  const stepMs = performance.now() - t0;
  const prof = await tf.profile(() => {
    step();
  });
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of prof.kernels) {
    const e = by.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.calls++;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((a, e) => a + e.ms, 0);
  const engine = engineInfo();
  const params_ = { net: 'VGG5', width, T, batch: B, schedule: 'folded', stepMs: Math.round(stepMs) };
  tf.dispose([spikes, labels]);
  disposeParams(params);
  return [...by.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .filter(([, e]) => e.ms >= 0.01 * total)
    .map(([name, e]) => ({
      group: 'agd-step kernels',
      case: name,
      ms: e.ms,
      samples: [e.ms],
      ratios: { 'share of step': e.ms / total, calls: e.calls },
      params: params_,
      engine,
    }));
}
