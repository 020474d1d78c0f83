/**
 * Long-window, chunked simulation of a converted (IF) SNN from a topology + params: what ANN-to-SNN
 * conversion runs (threshold balancing over 2,000+ steps, calibration, evaluation at every t).
 *
 * The window runs in chunks of `chunk` steps; within a chunk every weight op is ONE conv/matMul over
 * the time-folded [tc*B, ...] input (forward.ts' `linear`, `pool`, `addMixed`), and only the IF
 * recurrence loops over time, in the core's array kernel (`lifForwardArrays`, @snn/core-neurons)
 * with the membrane carried from chunk to chunk. Direct coding keeps the input static ([B, ...],
 * `repeated`), so the first op runs once per chunk. Spikes carry amplitude V_th by default (the
 * time-averaged output then approximates the ANN activation; Sengupta et al. 2019 by the scale
 * invariance of IF). The classifier is linear and reads the previous op's output: its input is
 * accumulated over time and read out at any t in `readAt` from the same run.
 */
import { tf } from '@snn/backend';
import { lifForwardArrays, type LifKernelAttrs } from '@snn/core-neurons';
import { poissonEncodeChunk } from '@snn/encoders';
import { addMixed, linear, pool } from './forward.js';
import type { OpSpec, Topology } from './types.js';

export type InputCoding = 'poisson' | 'direct';

export interface ChunkedSimOptions {
  /** time steps to simulate */
  steps: number;
  /** steps per time-folded chunk (memory ~ chunk x batch x layer size); neuron state carries across chunks */
  chunk: number;
  /** poisson: @snn/encoders poissonEncodeChunk (seed of each chunk from its start step); direct: the analog input */
  coding: InputCoding;
  seed: number;
  /** Poisson: spike probability per step = maxRate x pixel intensity (default 1) */
  maxRate?: number;
  /** IF threshold of every spiking op (each BackRes unroll step is its own op) */
  threshold: (op: OpSpec) => number;
  /** 'soft' (default; V -= V_th) or 'hard' (V = 0) */
  reset?: 'soft' | 'hard';
  /** constant extra input current per step: one value or one per channel (bias shift, bias correction) */
  extraCurrent?: (op: OpSpec) => number | Float32Array | undefined;
  /** initial membrane, one sample's shape (tiled over the batch; potential correction) */
  v0?: (op: OpSpec) => Float32Array | undefined;
  /** value of a spike: 'threshold' (default; conversion) or 'unit' */
  amplitude?: 'threshold' | 'unit';
  /** stop after handing this op's input current to `onCurrent` (threshold balancing) */
  stopAt?: string;
  /** stop after this op's output was handed to the hooks (layer-wise calibration) */
  stopAfter?: string;
  /** every op's input per chunk ([tc*B, ...], or [B, ...] when repeated); valid during the call only */
  onInput?: (op: OpSpec, h: tf.Tensor, repeated: boolean, tc: number) => void;
  /** each spiking op's input current per chunk (tc*N values, or N when repeated); incl. residual, excl. extra current */
  onCurrent?: (op: OpSpec, current: Float32Array, repeated: boolean, tc: number) => void;
  /** each spiking op's output (amplitude x spikes) per chunk, tc*N values, and one sample's shape */
  onOutput?: (op: OpSpec, out: Float32Array, tc: number, shape: number[]) => void;
  /** steps t (1-based) after which the classifier is read out */
  readAt?: number[];
  /** sees the time-averaged classifier input [B, F] and its logits at each t in readAt (inside a tidy) */
  onReadout?: (t: number, features: tf.Tensor2D, logits: tf.Tensor2D) => void;
}

export interface ChunkedSimResult {
  /** spikes per spiking op: count and neuron-steps (firing rate = count / neuronSteps) */
  spikes: Map<string, { count: number; neuronSteps: number }>;
  /** input activity of each weight op (fraction of its input neurons firing per step; 1 = analog/MAC input) */
  inputRate: Map<string, { sum: number; n: number }>;
  batch: number;
}

/** The ops that spike in a converted net: every hidden weight op (the classifier stays linear). */
export function spikingOpsOf(topo: Topology): OpSpec[] {
  return topo.ops.filter((op) => (op.kind === 'conv' || op.kind === 'fc') && op.id !== topo.classifier);
}

export function simulateChunked(
  topo: Topology,
  params: Record<string, tf.Tensor>,
  x: tf.Tensor,
  opts: ChunkedSimOptions,
): ChunkedSimResult {
  const B = x.shape[0];
  const states = new Map<string, Float32Array>();
  const spikes = new Map<string, { count: number; neuronSteps: number }>();
  const inputRate = new Map<string, { sum: number; n: number }>();
  const readAt = new Set(opts.readAt ?? []);
  const cls = topo.ops.find((o) => o.id === topo.classifier)!;
  for (const op of topo.ops) {
    if (op.kind === 'maxpool')
      throw new Error(`simulateChunked: op ${op.id} is max pooling; rate-coded nets use average pooling`);
  }
  // outputs later read by a residual shortcut (kept for the chunk)
  const residualSources = new Set(topo.ops.map((o) => o.residualFrom).filter((r): r is string => !!r));
  const soft = opts.reset !== 'hard';
  const unit = opts.amplitude === 'unit';
  let featSum: Float32Array | null = null;
  let tGlobal = 0;
  const addRate = (id: string, sum: number, n: number) => {
    const r = inputRate.get(id) ?? { sum: 0, n: 0 };
    r.sum += sum;
    r.n += n;
    inputRate.set(id, r);
  };

  for (let t0 = 0; t0 < opts.steps; t0 += opts.chunk) {
    const tc = Math.min(opts.chunk, opts.steps - t0);
    let h: tf.Tensor;
    let repeated: boolean;
    // activity of h: spike rate of the tensor feeding the next weight op (avgpool keeps the mean rate)
    let hRate: number;
    if (opts.coding === 'poisson') {
      h = poissonEncodeChunk(x, { t0, steps: tc, seed: opts.seed, maxRate: opts.maxRate });
      repeated = false;
      hRate = tf.tidy(() => tf.mean(h).dataSync()[0]);
    } else {
      h = x.clone();
      repeated = true;
      hRate = 1; // analog input: the first layer does MACs
    }
    const kept = new Map<string, { t: tf.Tensor; temporal: boolean }>();
    if (residualSources.has('input')) kept.set('input', { t: h.clone(), temporal: !repeated });
    const keep = (op: OpSpec, t: tf.Tensor, temporal: boolean) => {
      if (residualSources.has(op.id)) kept.set(op.id, { t: t.clone(), temporal });
    };
    for (const op of topo.ops) {
      if (op.kind !== 'avgpool') addRate(op.id, hRate * tc, tc);
      opts.onInput?.(op, h, repeated, tc);
      if (op === cls) {
        // accumulate the classifier INPUT (features) and read out at each t in readAt
        const F = h.size / (repeated ? B : tc * B);
        const fd = h.dataSync() as Float32Array;
        if (!featSum) featSum = new Float32Array(B * F);
        for (let t = 0; t < tc; t++) {
          const base = repeated ? 0 : t * B * F;
          for (let i = 0; i < B * F; i++) featSum[i] += fd[base + i];
          const tt = tGlobal + t + 1;
          if (opts.onReadout && readAt.has(tt)) {
            const fs = featSum;
            tf.tidy(() => {
              const f = tf.div(tf.tensor2d(fs, [B, F]), tt) as tf.Tensor2D;
              opts.onReadout!(tt, f, linear(cls, params, f) as tf.Tensor2D);
            });
          }
        }
        break;
      }
      if (op.kind === 'avgpool') {
        const p = pool(op, h);
        h.dispose();
        h = p;
        keep(op, h, !repeated);
        if (op.id === opts.stopAfter) break;
        continue;
      }
      // weight op: one conv/matMul over the chunk (+ residual shortcut), then the IF recurrence
      let temporal = !repeated;
      const lin = tf.tidy(() => {
        let z = linear(op, params, h);
        if (op.residualFrom) {
          const r = kept.get(op.residualFrom);
          if (!r) throw new Error(`simulateChunked: residual source ${op.residualFrom} of ${op.id} not found`);
          z = addMixed(z, temporal, r.t, r.temporal, tc);
          temporal = temporal || r.temporal;
        }
        return z;
      });
      h.dispose();
      const rep = !temporal;
      const shape = lin.shape.slice(1);
      const per = shape.reduce((a, b) => a * b, 1);
      const n = B * per;
      const cur = lin.dataSync() as Float32Array;
      lin.dispose();
      opts.onCurrent?.(op, cur, rep, tc);
      if (op.id === opts.stopAt) {
        h = tf.scalar(0);
        break;
      }
      let v = states.get(op.id);
      if (!v) {
        v = new Float32Array(n);
        const v0 = opts.v0?.(op);
        if (v0) for (let i = 0; i < n; i++) v[i] = v0[i % v0.length];
      }
      const vth = opts.threshold(op);
      if (!(vth > 0)) throw new Error(`simulateChunked: no positive threshold for op ${op.id}`);
      const attrs: LifKernelAttrs = { T: tc, alpha: 1, vth, soft, refractory: 0, repeated: rep, surrogate: '' };
      // the membrane v is carried in place from chunk to chunk; out holds this chunk's spikes
      const out = new Float32Array(tc * n);
      const count = lifForwardArrays(cur, v, out, attrs, {
        extra: opts.extraCurrent?.(op),
        amplitude: unit ? 1 : vth,
        inPlace: true,
      });
      states.set(op.id, v);
      const s = spikes.get(op.id) ?? { count: 0, neuronSteps: 0 };
      s.count += count;
      s.neuronSteps += tc * n;
      spikes.set(op.id, s);
      opts.onOutput?.(op, out, tc, shape);
      h = tf.tensor(out, [tc * B, ...shape]);
      repeated = false;
      hRate = count / (tc * n);
      keep(op, h, true);
      if (op.id === opts.stopAfter) break;
    }
    if (!h.isDisposed) h.dispose();
    for (const k of kept.values()) k.t.dispose();
    tGlobal += tc;
  }
  return { spikes, inputRate, batch: B };
}
