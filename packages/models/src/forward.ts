/**
 * One executor for ANN, SNN and hybrid graphs built from the same topology (Panda et al. 2020:
 * conversion, AGD and hybrid ReLU+LIF nets share their topologies).
 *
 * Time folding (design/architecture.md, "Simulation"): in the SNN part a layer's synaptic input for
 * all T steps is ONE conv/matMul over the time-major folded batch [T*B, ...]; only the membrane
 * recurrence loops over T (`lifSequence`). A tensor identical at every step (direct coding, the
 * output of the ReLU part of a hybrid net) stays [B, ...] ("static") and is never tiled: the first
 * LIF layer gets `repeated: true`. The classifier (last FC) is non-spiking and reads the previous
 * layer's activity averaged over T (Panda et al. 2020, stochmax/softmax head).
 *
 * `schedule: 'stepwise'` runs the same math one time step at a time (lifStep per layer per step):
 * the reference for tests, the baseline of bench/snn-step.ts, and the shape STDP needs.
 */
import { tf } from '@snn/backend';
import {
  lifSequence,
  lifStep,
  timeSlice,
  type NeuronParams,
  type NeuronState,
  type SpikeMonitor,
} from '@snn/core-neurons';
import type { OpSpec, Topology } from './types.js';

export type ForwardMode = 'ann' | 'snn' | 'hybrid';

export interface TapEvent {
  op: OpSpec;
  /** pre-activation (weighted input incl. residual) of a weight op; undefined for pooling */
  current?: tf.Tensor;
  /** the op's output: spikes for LIF/IF ops, activations for ReLU ops, the pooled tensor for pools */
  output: tf.Tensor;
  /** true: tensors are [T*B, ...] time-major; false: [B, ...] (same value at every step) */
  temporal: boolean;
  T: number;
}

export interface ForwardOptions {
  mode: ForwardMode;
  /** time steps (SNN/hybrid); default 1 */
  T?: number;
  /** input is [B, ...] and identical at every step (direct coding); default true for hybrid, false for snn */
  repeated?: boolean;
  /** neuron parameters per spiking op (default: LIF alpha 0.99 / IF, V_th 1, soft reset, pwl gamma 0.3) */
  neuron?: (op: OpSpec) => NeuronParams;
  /** threshold per op (overrides neuron().vth); conversion sets one per op incl. per unroll step */
  threshold?: (op: OpSpec) => number;
  /** records every spiking op's output spikes as (op.id, op.unrollStep) */
  monitor?: SpikeMonitor;
  /** hybrid: ids of ops that are ReLU; default: the ops the topology tags 'relu' */
  hybridReluOps?: string[];
  schedule?: 'folded' | 'stepwise';
  /** ANN part: clipped ReLU min(max(z, 0), clip) instead of ReLU (Deng & Gu 2021 conversion ANNs) */
  clip?: number;
  /**
   * Observes each op's current/output (threshold balancing, calibration, activity). Tensors are
   * valid only during the call (they belong to the forward's tidy scope): read them or tf.keep().
   */
  taps?: (ev: TapEvent) => void;
}

export interface ForwardResult {
  /** classifier input: previous layer's activity averaged over T, flattened [B, n] */
  features: tf.Tensor2D;
  logits: tf.Tensor2D;
}

type Tensors = Record<string, tf.Tensor>;

/** Default spiking neuron for an op: the paper's LIF (alpha in 0.95-0.99) or IF for conversion. */
export function defaultNeuron(op: OpSpec): NeuronParams {
  const kind = op.neuron === 'if' ? 'if' : 'lif';
  return { kind, alpha: kind === 'if' ? 1 : 0.99, vth: 1, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } };
}

/** The ops that run as ReLU for a mode (the classifier and pools never do). */
export function reluOpsFor(topo: Topology, mode: ForwardMode, hybridReluOps?: string[]): Set<string> {
  const weight = topo.ops.filter((op) => (op.kind === 'conv' || op.kind === 'fc') && op.id !== topo.classifier);
  if (mode === 'ann') return new Set(weight.map((op) => op.id));
  if (mode === 'snn') return new Set();
  const ids = hybridReluOps ?? weight.filter((op) => op.neuron === 'relu').map((op) => op.id);
  for (const id of ids)
    if (!weight.some((op) => op.id === id))
      throw new Error(`hybridReluOps: '${id}' is not a hidden weight op of ${topo.name}`);
  return new Set(ids);
}

/** The linear part of a weight op (conv 'same' / fc, + bias `${param}/bias` when present), on any leading batch. */
export function linear(op: OpSpec, params: Tensors, x: tf.Tensor): tf.Tensor {
  const w = params[op.param!];
  if (!w) throw new Error(`forward: missing parameter '${op.param}' for op ${op.id}`);
  let z: tf.Tensor;
  if (op.kind === 'conv') z = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
  else z = tf.matMul(x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0], -1]), w as tf.Tensor2D);
  const b = params[`${op.param}/bias`];
  return b ? tf.add(z, b) : z;
}

/** Average / max pooling, window = stride = op.k (2). */
export function pool(op: OpSpec, x: tf.Tensor): tf.Tensor {
  const k = op.k ?? 2;
  return op.kind === 'avgpool'
    ? tf.avgPool(x as tf.Tensor4D, k, k, 'valid')
    : tf.maxPool(x as tf.Tensor4D, k, k, 'valid');
}

/** [T*B, ...] -> [B, ...] mean over time (the rate a non-spiking reader sees). */
export function meanOverT(x: tf.Tensor, T: number): tf.Tensor {
  if (T === 1) return x;
  const B = x.shape[0] / T;
  return tf.mean(tf.reshape(x, [T, B, ...x.shape.slice(1)]), 0);
}

/** a + b where either may be temporal [T*B, ...] or static [B, ...] (broadcast over T). */
export function addMixed(a: tf.Tensor, aTemporal: boolean, b: tf.Tensor, bTemporal: boolean, T: number): tf.Tensor {
  if (aTemporal === bTemporal) return tf.add(a, b);
  const [tmp, st] = aTemporal ? [a, b] : [b, a];
  const B = st.shape[0];
  return tf.reshape(tf.add(tf.reshape(tmp, [T, B, ...tmp.shape.slice(1)]), tf.expandDims(st, 0)), [
    T * B,
    ...st.shape.slice(1),
  ]);
}

function neuronFor(op: OpSpec, opts: ForwardOptions): NeuronParams {
  const p = (opts.neuron ?? defaultNeuron)(op);
  return opts.threshold ? { ...p, vth: opts.threshold(op) } : p;
}

export function forward(topo: Topology, params: Tensors, input: tf.Tensor, opts: ForwardOptions): ForwardResult {
  const T = opts.mode === 'ann' ? 1 : (opts.T ?? 1);
  if (!Number.isInteger(T) || T < 1) throw new Error(`forward: T must be a positive integer, got ${T}`);
  const relu = reluOpsFor(topo, opts.mode, opts.hybridReluOps);
  const repeated = opts.mode === 'ann' ? true : (opts.repeated ?? opts.mode === 'hybrid');
  if (!repeated && input.shape[0] % T !== 0)
    throw new Error(`forward: input rows ${input.shape[0]} not a multiple of T=${T}`);
  const run = opts.schedule === 'stepwise' ? forwardStepwise : forwardFolded;
  const [features, logits] = tf.tidy(() => {
    const r = run(topo, params, input, opts, T, relu, repeated);
    return [r.features, r.logits];
  });
  return { features: features as tf.Tensor2D, logits: logits as tf.Tensor2D };
}

function forwardFolded(
  topo: Topology,
  params: Tensors,
  input: tf.Tensor,
  opts: ForwardOptions,
  T: number,
  relu: Set<string>,
  repeated: boolean,
): ForwardResult {
  let x = input;
  let temporal = !repeated;
  const outputs = new Map<string, { t: tf.Tensor; temporal: boolean }>([['input', { t: x, temporal }]]);
  for (const op of topo.ops) {
    if (op.id === topo.classifier) break;
    if (op.kind === 'avgpool' || op.kind === 'maxpool') {
      x = pool(op, x);
      opts.taps?.({ op, output: x, temporal, T });
    } else if (relu.has(op.id)) {
      // ANN part: computed once on [B, ...]; a ReLU op after spiking ops reads their rate.
      if (temporal) {
        x = meanOverT(x, T);
        temporal = false;
      }
      let z = linear(op, params, x);
      if (op.residualFrom) {
        const r = outputs.get(op.residualFrom)!;
        z = tf.add(z, r.temporal ? meanOverT(r.t, T) : r.t);
      }
      x = opts.clip !== undefined ? tf.clipByValue(z, 0, opts.clip) : tf.relu(z);
      opts.taps?.({ op, current: z, output: x, temporal: false, T });
      recordReluNonZero(opts, op, x);
    } else {
      let z = linear(op, params, x);
      if (op.residualFrom) {
        const r = outputs.get(op.residualFrom)!;
        z = addMixed(z, temporal, r.t, r.temporal, T);
        temporal = temporal || r.temporal;
      }
      const { spikes } = lifSequence(z, T, neuronFor(op, opts), { repeated: !temporal });
      x = spikes;
      opts.taps?.({ op, current: z, output: x, temporal: true, T });
      temporal = true;
      opts.monitor?.record(op.id, op.unrollStep, x, T);
    }
    outputs.set(op.id, { t: x, temporal });
  }
  const features = (temporal ? meanOverT(x, T) : x) as tf.Tensor;
  const flat = tf.reshape(features, [features.shape[0], -1]) as tf.Tensor2D;
  const cls = topo.ops.find((op) => op.id === topo.classifier)!;
  return { features: flat, logits: linear(cls, params, flat) as tf.Tensor2D };
}

/**
 * Hybrid energy: the LIF op after the ReLU block pays ACs at the fraction of non-zero ReLU outputs
 * it receives (@snn/energy macOpsFor), recorded by the monitor as the ReLU op's "rate" (one step:
 * the ReLU part is static).
 */
function recordReluNonZero(opts: ForwardOptions, op: OpSpec, x: tf.Tensor): void {
  if (opts.mode !== 'hybrid' || !opts.monitor) return;
  tf.tidy(() => opts.monitor!.record(op.id, op.unrollStep, tf.cast(tf.greater(x, 0), 'float32'), 1));
}

/**
 * Reference schedule: per time step, every layer (conv on [B, ...], lifStep). ReLU ops must form
 * a prefix (they are computed once, before the time loop), as in the paper's CIFAR hybrid nets.
 */
function forwardStepwise(
  topo: Topology,
  params: Tensors,
  input: tf.Tensor,
  opts: ForwardOptions,
  T: number,
  relu: Set<string>,
  repeated: boolean,
): ForwardResult {
  const hidden = topo.ops.slice(
    0,
    topo.ops.findIndex((op) => op.id === topo.classifier),
  );
  const firstSpiking = hidden.findIndex((op) => (op.kind === 'conv' || op.kind === 'fc') && !relu.has(op.id));
  const prefixEnd = firstSpiking < 0 ? hidden.length : firstSpiking;
  if (hidden.slice(prefixEnd).some((op) => relu.has(op.id)))
    throw new Error(`forward(stepwise): ReLU ops after spiking ops are supported by the folded schedule only`);
  const B = repeated ? input.shape[0] : input.shape[0] / T;
  // static ReLU prefix (only possible when the input is static)
  let staticX: tf.Tensor | null = repeated ? input : null;
  let start = 0;
  const stepOuts = new Map<string, tf.Tensor>();
  if (repeated) {
    for (; start < prefixEnd; start++) {
      const op = hidden[start];
      if (op.kind === 'avgpool' || op.kind === 'maxpool') staticX = pool(op, staticX!);
      else {
        let z = linear(op, params, staticX!);
        if (op.residualFrom) z = tf.add(z, op.residualFrom === 'input' ? input : stepOuts.get(op.residualFrom)!);
        staticX = opts.clip !== undefined ? tf.clipByValue(z, 0, opts.clip) : tf.relu(z);
        recordReluNonZero(opts, op, staticX);
      }
      stepOuts.set(op.id, staticX!);
    }
  } else if (prefixEnd > 0) {
    throw new Error(`forward(stepwise): ReLU ops need a static (repeated) input`);
  }
  const states = new Map<string, NeuronState>();
  const spikesByOp = new Map<string, tf.Tensor[]>();
  const currentsByOp = new Map<string, tf.Tensor[]>();
  let featureSum: tf.Tensor | null = null;
  for (let t = 0; t < T; t++) {
    let x = staticX ?? timeSlice(input, t, B);
    const outs = new Map<string, tf.Tensor>(stepOuts);
    outs.set('input', x);
    for (let i = start; i < hidden.length; i++) {
      const op = hidden[i];
      if (op.kind === 'avgpool' || op.kind === 'maxpool') x = pool(op, x);
      else {
        let z = linear(op, params, x);
        if (op.residualFrom) z = tf.add(z, outs.get(op.residualFrom)!);
        const p = neuronFor(op, opts);
        const state = states.get(op.id) ?? { v: tf.zeros(z.shape) };
        const r = lifStep(z, state, p);
        states.set(op.id, r.state);
        x = r.spikes;
        if (!spikesByOp.has(op.id)) spikesByOp.set(op.id, []);
        spikesByOp.get(op.id)!.push(x);
        if (opts.taps) {
          if (!currentsByOp.has(op.id)) currentsByOp.set(op.id, []);
          currentsByOp.get(op.id)!.push(z);
        }
      }
      outs.set(op.id, x);
    }
    featureSum = featureSum ? tf.add(featureSum, x) : x;
  }
  for (const op of hidden.slice(start)) {
    const s = spikesByOp.get(op.id);
    if (!s) continue;
    const folded = tf.concat(s, 0);
    opts.monitor?.record(op.id, op.unrollStep, folded, T);
    opts.taps?.({ op, current: tf.concat(currentsByOp.get(op.id)!, 0), output: folded, temporal: true, T });
  }
  const features = firstSpiking < 0 && staticX ? staticX : tf.div(featureSum!, T);
  const flat = tf.reshape(features, [features.shape[0], -1]) as tf.Tensor2D;
  const cls = topo.ops.find((op) => op.id === topo.classifier)!;
  return { features: flat, logits: linear(cls, params, flat) as tf.Tensor2D };
}
