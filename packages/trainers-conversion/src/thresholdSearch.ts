import { tf } from './tf.js';
import { annForward, spikingOps, type ConversionNet } from './convertible.js';
import type { SnnSettings } from './snnSettings.js';

export type ThresholdMethod = 'max' | 'percentile' | 'mmse';

/**
 * The rate an IF layer with threshold θ can express in T steps (Deng & Gu 2021, Li et al. 2021):
 * clamp(floor(a·T/θ + shift), 0, T)·θ/T, shift = 0.5 with the θ/(2T) bias shift, else 0.
 */
export function clipFloor(a: number, T: number, theta: number, shift: boolean): number {
  const q = Math.floor((a * T) / theta + (shift ? 0.5 : 0));
  return (Math.min(Math.max(q, 0), T) * theta) / T;
}

/** Σ (a − clipFloor(a))² over a sample of activations. */
export function quantisationError(acts: Float32Array, T: number, theta: number, shift: boolean): number {
  let e = 0;
  for (let i = 0; i < acts.length; i++) {
    const d = acts[i] - clipFloor(acts[i], T, theta, shift);
    e += d * d;
  }
  return e;
}

/** One op's threshold from its ANN activations: max, a percentile, or the MMSE grid θ = max·(1 − 0.01·i), i = 0..94 (Li et al. 2021). */
export function searchThreshold(
  acts: Float32Array,
  method: ThresholdMethod,
  opts: { T: number; percentile?: number; shift?: boolean },
): number {
  let max = 0;
  for (let i = 0; i < acts.length; i++) if (acts[i] > max) max = acts[i];
  if (max <= 0) return 1e-6;
  if (method === 'max') return max;
  if (method === 'percentile') {
    const sorted = Float32Array.from(acts).sort();
    const q = (opts.percentile ?? 99.99) / 100;
    const v = sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
    return v > 0 ? v : max;
  }
  let best = max;
  let bestErr = Infinity;
  for (let i = 0; i <= 94; i++) {
    const th = max * (1 - 0.01 * i);
    const e = quantisationError(acts, opts.T, th, opts.shift ?? true);
    if (e < bestErr) {
      bestErr = e;
      best = th;
    }
  }
  return best;
}

/**
 * Thresholds from ANN activations on calibration data (Li et al. 2021): every spiking op's θ is
 * chosen from its own ANN output statistics. Activations are subsampled to `maxSamples` per op
 * (deterministic stride) to keep the MMSE search cheap.
 */
export function thresholdsFromAnn(
  net: ConversionNet,
  data: tf.Tensor[],
  opts: { method: ThresholdMethod; T: number; percentile?: number; shift?: boolean; maxSamples?: number },
): SnnSettings {
  const acts = collectAnnActivations(net, data, opts.maxSamples ?? 200_000);
  const thresholds: Record<string, number> = {};
  for (const op of spikingOps(net)) thresholds[op.id] = searchThreshold(acts.get(op.id)!, opts.method, opts);
  return { thresholds };
}

export function collectAnnActivations(
  net: ConversionNet,
  data: tf.Tensor[],
  maxSamples: number,
): Map<string, Float32Array> {
  const parts = new Map<string, Float32Array[]>();
  const spiking = new Set(spikingOps(net).map((o) => o.id));
  for (const x of data) {
    tf.tidy(() => {
      annForward(net, x, (op, out) => {
        if (!spiking.has(op.id)) return;
        const a = out.dataSync() as Float32Array;
        const arr = parts.get(op.id) ?? [];
        arr.push(Float32Array.from(a));
        parts.set(op.id, arr);
      });
    });
  }
  const res = new Map<string, Float32Array>();
  for (const [id, arrs] of parts) {
    const total = arrs.reduce((n, a) => n + a.length, 0);
    const stride = Math.max(1, Math.ceil(total / maxSamples));
    const out = new Float32Array(Math.ceil(total / stride));
    let k = 0;
    let j = 0;
    for (const a of arrs)
      for (let i = 0; i < a.length; i++, j++) if (j % stride === 0 && k < out.length) out[k++] = a[i];
    res.set(id, out.subarray(0, k));
  }
  return res;
}
