import { tf } from './tf.js';
import { simulate, spikingOps, type ConversionNet, type InputCoding } from './convertible.js';
import type { SnnSettings } from './snnSettings.js';

export interface BalanceOptions {
  /** length of the Poisson window (paper: 2,000-2,500 steps) */
  window: number;
  /** time-folding chunk (steps per conv call) */
  chunk: number;
  coding: InputCoding;
  seed: number;
  /** IF reset of the layers already converted while the next is balanced (default soft) */
  reset?: 'soft' | 'hard';
  /** Poisson: spike probability per step = maxRate x pixel intensity (default 1) */
  maxRate?: number;
}

export interface BalancedThreshold {
  op: string;
  param: string;
  unrollStep: number;
  vth: number;
}

/**
 * Threshold balancing (Sengupta et al. 2019, as used by Panda et al. 2020 §conversion): layer by
 * layer, set V_th of layer l to the maximum weighted spike input Σ w·x(t) it receives over a long
 * window of spike trains from training data, with layers < l already converted. Weights never
 * change. A BackRes block unrolled n times has one op per unroll step, each balanced separately
 * (IF_1 with V_th1, IF_2 with V_th2, ...): the thresholds are recorded per unroll step.
 */
export function thresholdBalance(
  net: ConversionNet,
  data: tf.Tensor[],
  opts: BalanceOptions,
): { settings: SnnSettings; thresholds: BalancedThreshold[] } {
  const thresholds: Record<string, number> = {};
  const record: BalancedThreshold[] = [];
  for (const op of spikingOps(net)) {
    let max = -Infinity;
    data.forEach((x, bi) => {
      simulate(net, { thresholds, reset: opts.reset }, x, {
        steps: opts.window,
        chunk: opts.chunk,
        coding: opts.coding,
        seed: opts.seed + bi * 104729,
        maxRate: opts.maxRate,
        stopAt: op.id,
        onCurrent: (o, cur) => {
          if (o.id !== op.id) return;
          for (let i = 0; i < cur.length; i++) if (cur[i] > max) max = cur[i];
        },
      });
    });
    // a layer that never receives positive input would never fire anyway; keep θ positive
    const vth = max > 0 ? max : 1e-6;
    thresholds[op.id] = vth;
    record.push({ op: op.id, param: op.param ?? op.id, unrollStep: op.unrollStep ?? 1, vth });
  }
  return { settings: { thresholds, reset: opts.reset }, thresholds: record };
}

/**
 * The balanced thresholds in the paper's convention (Sengupta et al. 2019, which Panda et al.
 * follow): unit spikes, V_th = max of the weighted spike input. Our IF spikes carry amplitude θ
 * (ifNeuron.ts), so op n's input is scaled by θ_(n-1) and θ_n compounds layer over layer; the
 * unit-spike threshold is V_th,n = θ_n / θ_(n-1) (θ_0 = 1: the Poisson input spikes are unit).
 * Ops are in network order (a chain: each spiking op reads the previous one, through pooling).
 */
export function unitSpikeThresholds(
  thresholds: readonly BalancedThreshold[],
): Array<BalancedThreshold & { theta: number }> {
  return thresholds.map((t, i) => ({ ...t, theta: t.vth, vth: t.vth / (i === 0 ? 1 : thresholds[i - 1]!.vth) }));
}

/**
 * Panda et al.: within a BackRes block, V_th1 < V_th2 < ... < V_thn (unit-spike convention):
 * 1 when it holds for every unrolled block, 0 otherwise; null when the net has no unrolled block.
 */
export function thresholdsIncreaseInBlocks(unit: ReadonlyArray<{ param: string; vth: number }>): number | null {
  const blocks = new Map<string, number[]>();
  for (const t of unit) blocks.set(t.param, [...(blocks.get(t.param) ?? []), t.vth]);
  const unrolled = [...blocks.values()].filter((v) => v.length > 1);
  if (!unrolled.length) return null;
  return unrolled.every((v) => v.every((x, i) => i === 0 || x > v[i - 1]!)) ? 1 : 0;
}
