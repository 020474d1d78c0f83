import { tf } from './tf.js';
import type { ConversionNet, ConvOp } from './net.js';
import { classifierOp, linearOp } from './net.js';
import type { SnnSettings } from './snnSettings.js';
import { ifChunk, initState, type IfState } from './ifNeuron.js';
import { poissonChunk } from './coding.js';

export type InputCoding = 'poisson' | 'direct';

export interface SimulateOptions {
  /** number of time steps to simulate */
  steps: number;
  /** steps per time-folded chunk (memory ~ chunk·batch·layer size); state carries across chunks */
  chunk: number;
  coding: InputCoding;
  seed: number;
  /** stop after handing this op's input current to `onCurrent` (threshold balancing) */
  stopAt?: string;
  /** stop after this op's output was handed to the hooks (layer-wise calibration) */
  stopAfter?: string;
  /** sees the input tensor of every op per chunk ([tc*B,...], or [B,...] when repeated); do not dispose */
  onInput?: (op: ConvOp, h: tf.Tensor, repeated: boolean, tc: number) => void;
  /** sees each spiking op's input current per chunk (tc*N values, or N when repeated) */
  onCurrent?: (op: ConvOp, current: Float32Array, repeated: boolean, tc: number) => void;
  /** sees each spiking op's output (θ·spikes) per chunk, tc*N values */
  onOutput?: (op: ConvOp, out: Float32Array, tc: number, shape: number[]) => void;
  /** labels: when given, accuracy of the accumulated classifier output is recorded at each t in tList */
  labels?: Int32Array | Uint8Array;
  tList?: number[];
  /** class scores from the time-averaged classifier input and its logits (default: the logits); e.g. a stochmax head */
  readout?: Readout;
}

export type Readout = (features: tf.Tensor2D, logits: tf.Tensor2D) => tf.Tensor2D;

function countCorrect(
  net: ConversionNet,
  cls: ConvOp,
  featSum: Float32Array,
  t: number,
  B: number,
  F: number,
  labels: Int32Array | Uint8Array,
  readout?: Readout,
): number {
  const pred = tf.tidy(() => {
    const f = tf.div(tf.tensor2d(featSum, [B, F]), t) as tf.Tensor2D;
    const logits = linearOp(net, cls, f) as tf.Tensor2D;
    return tf.argMax(readout ? readout(f, logits) : logits, -1).dataSync();
  });
  let c = 0;
  for (let b = 0; b < B; b++) if (pred[b] === labels[b]) c++;
  return c;
}

export interface SimulateResult {
  /** correct count at each t in tList */
  correctAt: Map<number, number>;
  /** spikes per op: count and neuron-steps, for firing rates */
  spikes: Map<string, { count: number; neuronSteps: number }>;
  /** input activity of each weight op (fraction of input neurons firing per step; 1 = analog/MAC input) */
  inputRate: Map<string, { sum: number; n: number }>;
  batch: number;
}

/**
 * Time-folded, chunked simulation of a converted SNN (IF, soft or hard reset: snn.reset; per-op thresholds).
 * Each chunk is one conv over [tc*B, H, W, C] per layer (time as batch); only the IF recurrence
 * loops over time, in JS. Direct coding keeps the input `repeated` so the first layer runs once.
 * The classifier is linear and reads the previous layer's output, so accumulating its per-step
 * output equals applying it to the accumulated features: accuracy at every t comes from ONE run.
 */
export function simulate(net: ConversionNet, snn: SnnSettings, x: tf.Tensor, opts: SimulateOptions): SimulateResult {
  const B = x.shape[0];
  const cls = classifierOp(net);
  const states = new Map<string, IfState>();
  const spikes = new Map<string, { count: number; neuronSteps: number }>();
  const inputRate = new Map<string, { sum: number; n: number }>();
  const tSet = new Set(opts.tList ?? []);
  const correctAt = new Map<number, number>();
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
    // activity of h: spiking rate of the tensor feeding the next weight op (avgpool keeps the mean rate)
    let hRate: number;
    if (opts.coding === 'poisson') {
      h = poissonChunk(x, tc, opts.seed + t0 * 7919);
      repeated = false;
      hRate = tf.tidy(() => tf.mean(h).dataSync()[0]);
    } else {
      h = x.clone();
      repeated = true;
      hRate = 1; // analog input: the first layer does MACs
    }
    for (const op of net.ops) {
      if (op.kind !== 'avgpool') addRate(op.id, hRate * tc, tc);
      opts.onInput?.(op, h, repeated, tc);
      if (op === cls) {
        // accumulate the classifier INPUT (features) and read out at each t in tList
        const F = h.size / (repeated ? B : tc * B);
        const fd = h.dataSync() as Float32Array;
        h.dispose();
        if (!featSum) featSum = new Float32Array(B * F);
        for (let t = 0; t < tc; t++) {
          const base = repeated ? 0 : t * B * F;
          for (let i = 0; i < B * F; i++) featSum[i] += fd[base + i];
          const tt = tGlobal + t + 1;
          if (opts.labels && tSet.has(tt))
            correctAt.set(tt, countCorrect(net, cls, featSum, tt, B, F, opts.labels, opts.readout));
        }
        h = tf.scalar(0);
        continue;
      }
      const lin = linearOp(net, op, h);
      h.dispose();
      if (op.neuron === 'relu') {
        const shape = lin.shape.slice(1);
        const per = shape.reduce((a, b) => a * b, 1);
        const n = B * per;
        const cur = lin.dataSync() as Float32Array;
        lin.dispose();
        opts.onCurrent?.(op, cur, repeated, tc);
        if (op.id === opts.stopAt) {
          h = tf.scalar(0);
          break;
        }
        let st = states.get(op.id);
        if (!st) {
          st = initState(n, snn.v0?.[op.id]);
          states.set(op.id, st);
        }
        const vth = snn.thresholds[op.id];
        if (!(vth > 0)) throw new Error(`no positive threshold for op ${op.id}`);
        const out = new Float32Array(tc * n);
        const count = ifChunk(
          cur,
          repeated,
          tc,
          st,
          { vth, extra: snn.extraCurrent?.[op.id], channels: shape[shape.length - 1], reset: snn.reset },
          out,
        );
        const s = spikes.get(op.id) ?? { count: 0, neuronSteps: 0 };
        s.count += count;
        s.neuronSteps += tc * n;
        spikes.set(op.id, s);
        opts.onOutput?.(op, out, tc, shape);
        h = tf.tensor(out, [tc * B, ...shape]);
        repeated = false;
        hRate = count / (tc * n);
        if (op.id === opts.stopAfter) {
          break;
        }
      } else {
        h = lin; // avgpool or a non-spiking hidden linear op: stays time-folded
        if (op.id === opts.stopAfter) {
          break;
        }
      }
    }
    h.dispose();
    tGlobal += tc;
  }
  return { correctAt, spikes, inputRate, batch: B };
}
