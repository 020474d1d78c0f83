/**
 * SNN training-step benchmark (issue 3): a VGG5 SNN (conv 3-64, avgpool, conv 64-128,
 * conv 128-128, avgpool, FC 8192-1024, FC 1024-10; LIF, Poisson input, T = 25, batch 32), one
 * training step (forward, softmax cross-entropy on the T-averaged classifier, BPTT gradients of
 * every weight) in two schedules of the same executor (@snn/models `forward`):
 *   - time-folded: each layer's synaptic input for all T steps is one op over [T*B, ...];
 *   - step-by-step: a loop over t computing every layer on [B, ...] per step (lifStep).
 * Reported in image-timesteps per second (B*T per step / seconds) and the folded/stepwise ratio.
 * Sizes can be shrunk for a smoke run: SNN_BENCH_T, SNN_BENCH_BATCH, SNN_BENCH_WIDTH, SNN_BENCH_REPS.
 */
import { tf, initEngine, engineInfo, timeIt, gflops, deriveSeed } from '../packages/backend/src/index.js';
import type { BenchResult } from '../packages/backend/src/index.js';
import { poissonEncode } from '../packages/encoders/src/index.js';
import { forward, getTopology, initParams, disposeParams } from '../packages/models/src/index.js';
import type { NeuronParams } from '../packages/core-neurons/src/index.js';

const envInt = (name: string, dflt: number): number => {
  const v = process.env[name];
  return v ? Number(v) : dflt;
};

export async function run(): Promise<BenchResult[]> {
  await initEngine();
  const T = envInt('SNN_BENCH_T', 25);
  const B = envInt('SNN_BENCH_BATCH', 32);
  const width = envInt('SNN_BENCH_WIDTH', 1);
  const reps = envInt('SNN_BENCH_REPS', 3);
  const topo = getTopology('VGG5', { width });
  const params = initParams(topo, 1);
  const neuron = (): NeuronParams => ({ kind: 'lif', alpha: 0.99, vth: 1, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } });
  const x = tf.randomUniform([B, 32, 32, 3], 0, 1, 'float32', 7);
  const spikes = poissonEncode(x, T, deriveSeed(1, 'bench', 'poisson'));
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => i % 10), 'int32'), 10);

  const step = (schedule: 'folded' | 'stepwise') => (): tf.Tensor[] => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = forward(topo, params, spikes, { mode: 'snn', T, neuron, schedule });
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, Object.values(params));
    return [value, ...Object.values(grads)];
  };

  // MACs per image-timestep (weight ops); a training step ~ 3x the forward FLOPs (fwd + 2 grads)
  const macs = topo.ops.reduce((a, op) => a + op.macs, 0);
  const trainFlops = 3 * 2 * macs * B * T;
  const common = { topology: 'VGG5', width, T, batch: B, neuron: 'LIF soft reset alpha 0.99', input: 'Poisson 32x32x3', macsPerImageStep: macs };
  const results: BenchResult[] = [];
  const timings: Record<string, number> = {};
  for (const schedule of ['folded', 'stepwise'] as const) {
    const t = await timeIt(step(schedule), { warmup: 1, reps });
    timings[schedule] = t.ms;
    results.push({
      group: 'snn-train-step',
      case: `${schedule}`,
      ms: t.ms,
      samples: t.samples,
      flops: trainFlops,
      gflops: gflops(trainFlops, t.ms),
      ratios: { 'image-timesteps/s': (B * T) / (t.ms / 1000) },
      params: { ...common, schedule },
      engine: engineInfo(),
    });
  }
  const ratio = timings.stepwise / timings.folded;
  results[0].ratios = { ...results[0].ratios, 'folded/stepwise speed': ratio };
  tf.dispose([x, spikes, labels]);
  disposeParams(params);
  return results;
}
