/**
 * SNN training-step benchmark (issue 3): a VGG5 SNN (conv 3-64, avgpool, conv 64-128,
 * conv 128-128, avgpool, FC 8192-1024, FC 1024-10; LIF, Poisson input, T = 25, batch 32), one
 * training step (forward, softmax cross-entropy on the T-averaged classifier, BPTT gradients of
 * every weight) in two schedules of the same executor (@snn/models `forward`):
 *   - time-folded: each layer's synaptic input for all T steps is one op over [T*B, ...];
 *   - step-by-step: a loop over t computing every layer on [B, ...] per step (lifStep).
 * Reported in image-timesteps per second (B*T per step / seconds) and the folded/stepwise ratio.
 * Memory: the wasm heap is capped at 4 GB, and a full batch of 32 x 25 steps does not fit in one
 * graph (measured peak ~0.44 GB at batch 2 folded, ~2.4 GB stepwise, which keeps one weight
 * gradient per step). So both schedules run the batch-32 step as micro-batches (default 8) whose
 * gradients are accumulated: the same gradient as one batch of 32 (mean loss, rescaled).
 * Sizes can be changed: SNN_BENCH_T, SNN_BENCH_BATCH, SNN_BENCH_MICRO, SNN_BENCH_WIDTH, SNN_BENCH_REPS.
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
  const neuron = (): NeuronParams => ({
    kind: 'lif',
    alpha: 0.99,
    vth: 1,
    reset: 'soft',
    surrogate: { name: 'pwl', gamma: 0.3 },
  });
  const micro = Math.min(B, envInt('SNN_BENCH_MICRO', 8));
  if (B % micro !== 0) throw new Error(`SNN_BENCH_BATCH ${B} must be a multiple of SNN_BENCH_MICRO ${micro}`);
  const chunks = Array.from({ length: B / micro }, (_, i) =>
    tf.tidy(() => {
      const x = tf.randomUniform([micro, 32, 32, 3], 0, 1, 'float32', deriveSeed(1, 'bench', 'x', i));
      const spikes = poissonEncode(x, T, deriveSeed(1, 'bench', 'poisson', i));
      const labels = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: micro }, (_, j) => (i * micro + j) % 10),
          'int32',
        ),
        10,
      );
      return { spikes, labels };
    }),
  );

  // one training step of batch B: mean cross-entropy over B, gradients accumulated over micro-batches
  const step = (schedule: 'folded' | 'stepwise') => (): tf.Tensor[] => {
    let acc: tf.Tensor[] | null = null;
    let loss: tf.Tensor = tf.scalar(0);
    for (const { spikes, labels } of chunks) {
      const { value, grads } = tf.variableGrads(() => {
        const { logits } = forward(topo, params, spikes, { mode: 'snn', T, neuron, schedule });
        return tf.mul(tf.losses.softmaxCrossEntropy(labels, logits), micro / B) as tf.Scalar;
      }, Object.values(params));
      const g = Object.values(params).map((v) => grads[v.name]);
      const prev: tf.Tensor[] | null = acc;
      acc = prev ? g.map((t, k) => tf.add(prev[k], t)) : g;
      if (prev) tf.dispose([...prev, ...g]);
      const l = tf.add(loss, value);
      tf.dispose([loss, value]);
      loss = l;
      // force this chunk's work now so its graph memory is released before the next one
      acc.forEach((t) => t.dataSync());
    }
    return [loss, ...(acc ?? [])];
  };

  // MACs per image-timestep (weight ops); a training step ~ 3x the forward FLOPs (fwd + 2 grads)
  const macs = topo.ops.reduce((a, op) => a + op.macs, 0);
  const trainFlops = 3 * 2 * macs * B * T;
  const common = {
    topology: 'VGG5',
    width,
    T,
    batch: B,
    microBatch: micro,
    neuron: 'LIF soft reset alpha 0.99',
    input: 'Poisson 32x32x3',
    macsPerImageStep: macs,
  };
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
  // forward only (inference, folded), to report what a training step costs over its forward pass
  const fwd = await timeIt(
    () => {
      const outs: tf.Tensor[] = [];
      for (const { spikes } of chunks) {
        const logits = tf.tidy(
          () => forward(topo, params, spikes, { mode: 'snn', T, neuron, schedule: 'folded' }).logits,
        );
        logits.dataSync();
        outs.push(logits);
      }
      return outs;
    },
    { warmup: 1, reps },
  );
  results.push({
    group: 'snn-forward',
    case: 'folded',
    ms: fwd.ms,
    samples: fwd.samples,
    flops: trainFlops / 3,
    gflops: gflops(trainFlops / 3, fwd.ms),
    ratios: { 'image-timesteps/s': (B * T) / (fwd.ms / 1000) },
    params: { ...common, schedule: 'folded' },
    engine: engineInfo(),
  });
  results[0].ratios = { ...results[0].ratios, 'train/forward': timings.folded / fwd.ms };
  for (const c of chunks) tf.dispose([c.spikes, c.labels]);
  disposeParams(params);
  return results;
}
