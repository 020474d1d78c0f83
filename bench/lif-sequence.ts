/**
 * Membrane recurrence benchmark (issue 3): the package bench (packages/core-neurons/bench:
 * time-folded lifSequence vs the lifStep loop, slicing strategies) plus the before/after of the
 * fused LIF kernels: `lifSequenceOps` (tfjs ops, one custom-gradient node) vs `lifSequenceFused`
 * (one JS pass forward, one reverse pass backward, on the backend's arrays), forward and
 * forward+backward on [T*B, 16, 16, 64], T = 25, B = 32, LIF soft reset, pwl surrogate.
 * SNN_BENCH_REPS sets the repetitions (default 5); SNN_BENCH_SKIP_STEPWISE=1 skips the package
 * bench (its stepwise forward+backward is O(T^2) and takes ~30 s).
 */
import {
  tf,
  initEngine,
  engineInfo,
  timeIt,
  type BenchResult,
  type BenchTiming,
} from '../packages/backend/src/index.js';
import { run as runPackageBench } from '../packages/core-neurons/bench/lif-sequence.js';
import { fusedLifAvailable, lifSequenceFused, lifSequenceOps } from '../packages/core-neurons/src/sequence.js';
import type { NeuronParams } from '../packages/core-neurons/src/index.js';

const REPS = Number(process.env.SNN_BENCH_REPS ?? 5);

async function fusedVsOps(): Promise<BenchResult[]> {
  await initEngine({ quiet: true });
  const T = 25;
  const B = 32;
  const unit = [16, 16, 64];
  const p: NeuronParams = { kind: 'lif', alpha: 0.99, vth: 1, reset: 'soft', surrogate: { name: 'pwl' } };
  const params = { T, B, shape: unit.join('x'), neuron: 'lif soft pwl' };
  const results: BenchResult[] = [];
  if (!fusedLifAvailable()) {
    process.stderr.write(`lif-sequence: no fused kernels on engine '${tf.getBackend()}' ; fused cases skipped\n`);
    return results;
  }
  const cur = tf.randomUniform([T * B, ...unit], 0, 0.25, 'float32', 1);
  const R = tf.randomNormal([T * B, ...unit], 0, 1, 'float32', 2);
  const add = (c: string, t: BenchTiming, ratios?: Record<string, number>): void => {
    results.push({
      group: 'lif-fused',
      case: c,
      ms: t.ms,
      cpuMs: t.cpuMs,
      minMs: t.minMs,
      samples: t.samples,
      params,
      engine: engineInfo(),
      ratios,
    });
    process.stderr.write(
      `lif-fused ${c}: ${t.ms.toFixed(1)} ms (cpu ${t.cpuMs.toFixed(1)}, min ${t.minMs.toFixed(1)})\n`,
    );
  };
  const speedup = (before: BenchTiming, after: BenchTiming): Record<string, number> => ({
    'ops/fused': before.ms / after.ms,
    'ops/fused cpu': before.cpuMs / after.cpuMs,
  });
  // Results are forced through a scalar sum: reading a 52 MB result back with dataSync costs
  // ~300 ms here (fresh pages), more than the recurrence itself, and a training step never does it.
  const fwdO = await timeIt(() => tf.sum(lifSequenceOps(cur, T, p).spikes), { reps: REPS });
  add('forward ops', fwdO);
  const fwdF = await timeIt(() => tf.sum(lifSequenceFused(cur, T, p).spikes), { reps: REPS });
  add('forward fused', fwdF, speedup(fwdO, fwdF));
  const loss = (impl: typeof lifSequenceOps) => (c: tf.Tensor) => tf.sum(tf.mul(impl(c, T, p).spikes, R));
  const gO = tf.grad(loss(lifSequenceOps));
  const gF = tf.grad(loss(lifSequenceFused));
  const bwdO = await timeIt(() => tf.sum(gO(cur)), { reps: REPS });
  add('fwd+bwd ops', bwdO);
  const bwdF = await timeIt(() => tf.sum(gF(cur)), { reps: REPS });
  add('fwd+bwd fused', bwdF, speedup(bwdO, bwdF));
  tf.dispose([cur, R]);
  return results;
}

export async function run(): Promise<BenchResult[]> {
  const pkg = process.env.SNN_BENCH_SKIP_STEPWISE === '1' ? [] : await runPackageBench();
  return [...pkg, ...(await fusedVsOps())];
}
