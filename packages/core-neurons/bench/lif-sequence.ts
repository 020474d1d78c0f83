/**
 * Benchmark of the membrane recurrence on the default engine: lifSequence (time-folded, one
 * custom-gradient node, hand-written BPTT) vs lifSequenceStepwise (lifStep loop, autodiff),
 * forward + backward, for a VGG-like layer [T*B, 16, 16, 64] with T = 25, B = 32. Also compares
 * ways to take per-step slices of a folded tensor (tf.slice / reshape+gather / unstack).
 * Exports `run()` for `pnpm bench`; `tsx packages/core-neurons/bench/lif-sequence.ts` runs it alone.
 */
import { fileURLToPath } from 'node:url';
import { tf, initEngine, timeIt, type BenchResult } from '@snn/backend';
import { lifSequence, lifSequenceStepwise, type NeuronParams } from '../src/index.js';

export async function run(): Promise<BenchResult[]> {
  const engine = await initEngine({ quiet: true });
  const T = 25;
  const B = 32;
  const unit = [16, 16, 64];
  const p: NeuronParams = { kind: 'lif', alpha: 0.99, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } };
  const cur = tf.randomUniform([T * B, ...unit], 0, 0.25, 'float32', 1);
  const R = tf.randomNormal([T * B, ...unit], 0, 1, 'float32', 2);
  const params = { T, B, shape: unit.join('x'), neuron: 'lif soft pwl' };
  const results: BenchResult[] = [];
  const add = (group: string, c: string, t: { ms: number; samples: number[] }, ratios?: Record<string, number>) => {
    results.push({ group, case: c, ms: t.ms, samples: t.samples, params, engine, ratios });
    process.stderr.write(`${group} ${c}: ${t.ms.toFixed(1)} ms\n`);
  };

  // 1) slicing strategies (forward only; the sequence's backward never differentiates a slice)
  const N = unit.reduce((a, b) => a * b, 1);
  const sliceT = await timeIt(
    () => {
      const out: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) out.push(tf.slice(cur, [t * B, 0, 0, 0], [B, -1, -1, -1]));
      return out;
    },
    { reps: 5 },
  );
  add('time-slice', 'tf.slice', sliceT);
  const gatherT = await timeIt(
    () => {
      const flat = tf.reshape(cur, [T, B * N]);
      const out: tf.Tensor[] = [];
      for (let t = 0; t < T; t++) out.push(tf.gather(flat, [t]));
      return out;
    },
    { reps: 5 },
  );
  add('time-slice', 'reshape+gather', gatherT);
  const unstackT = await timeIt(() => tf.unstack(tf.reshape(cur, [T, B * N])), { reps: 5 });
  add('time-slice', 'unstack', unstackT);

  // 2) sequence forward and forward+backward
  const loss = (impl: typeof lifSequence) => (c: tf.Tensor) => tf.sum(tf.mul(impl(c, T, p).spikes, R));
  const fwdF = await timeIt(() => lifSequence(cur, T, p).spikes, { reps: 5 });
  add('lif-sequence', 'forward folded', fwdF);
  const fwdS = await timeIt(() => lifSequenceStepwise(cur, T, p).spikes, { reps: 5 });
  add('lif-sequence', 'forward stepwise', fwdS, { 'stepwise/folded': fwdS.ms / fwdF.ms });
  const gradF = tf.grad(loss(lifSequence));
  const gradS = tf.grad(loss(lifSequenceStepwise));
  const bwdF = await timeIt(() => gradF(cur), { reps: 5 });
  add('lif-sequence', 'fwd+bwd folded', bwdF);
  // autodiff through T slices pads every step's gradient to [T*B, ...]: O(T^2), so one rep
  const bwdS = await timeIt(() => gradS(cur), { warmup: 0, reps: 1 });
  add('lif-sequence', 'fwd+bwd stepwise', bwdS, { 'stepwise/folded': bwdS.ms / bwdF.ms });
  tf.dispose([cur, R]);
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run();
  console.log(
    JSON.stringify(
      r.map(({ group, case: c, ms, ratios }) => ({ group, case: c, ms: +ms.toFixed(1), ratios })),
      null,
      1,
    ),
  );
}
