import { tf, arrayKernelAvailable, runArrayKernel } from '@snn/backend';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { getSurrogate } from './surrogates.js';
import { surrogateArrayGrad } from './surrogate-arrays.js';
import { LIF_BACKWARD_KERNEL, LIF_FORWARD_KERNEL, type LifKernelAttrs } from './lif-fused.js';
import {
  heavisideNoGrad,
  leakOf,
  lifStep,
  validateNeuronParams,
  type NeuronParams,
  type NeuronState,
} from './neurons.js';

export interface SequenceOptions {
  /** currents is [B, ...] and identical at every step (direct coding, ANN part of a hybrid net) */
  repeated?: boolean;
  /** initial membrane potential [B, ...] (e.g. potential correction, Li et al. 2021); default 0 */
  v0?: tf.Tensor;
}

export interface SequenceResult {
  /** [T*B, ...], row t*B + b */
  spikes: tf.Tensor;
  /** membrane after the last step and its reset, [B, ...] */
  vFinal: tf.Tensor;
}

/** Rows [t*B, (t+1)*B) of a time-major folded tensor (one contiguous copy). */
export function timeSlice(x: tf.Tensor, t: number, B: number): tf.Tensor {
  const begin = new Array<number>(x.rank).fill(0);
  begin[0] = t * B;
  const size = new Array<number>(x.rank).fill(-1);
  size[0] = B;
  return tf.slice(x, begin, size);
}

/**
 * Time-folded neuron layer: the synaptic input for all T steps arrives as one tensor
 * [T*B, ...] (one conv over T*B images upstream), and only the element-wise membrane
 * recurrence loops over T here. The spikes are assembled with a single concat.
 *
 * The whole recurrence is ONE custom-gradient node with a hand-written BPTT backward:
 * autodiff through T slices would pad each step's gradient back to the full [T*B, ...]
 * shape (O(T^2) work); here the backward is one reverse loop over T, element-wise.
 * Dynamics and the detached reset are identical to `lifStep` (tested against it):
 *   U_t = alpha V_{t-1} + I_t;  S_t = H(U_t - V_th);  V_t = U_t - V_th sg(S_t)  (soft)
 *                                                      V_t = U_t (1 - sg(S_t)) (hard)
 * Backward: dU_t = dL/dV_t * dV_t/dU_t + dL/dS_t * surrogate'(U_t);  dI_t = dU_t;
 *           dL/dV_{t-1} = alpha dU_t.  (With refractory, inactive steps hold V: dI = 0,
 *           dL/dV_{t-1} = dL/dV_t.)
 * On the cpu engine (or with SNN_LIF_FUSED=1 on wasm) this node runs as two fused kernels
 * (`lifSequenceFused`, lif-fused.ts: one pass forward, one reverse pass backward); otherwise as
 * tfjs ops (`lifSequenceOps`). Both give the same spikes and gradients (test/lif-fused.test.ts).
 */
export function lifSequence(
  currents: tf.Tensor,
  T: number,
  p: NeuronParams,
  opts: SequenceOptions = {},
): SequenceResult {
  return fusedLifEnabled(currents, opts)
    ? lifSequenceFused(currents, T, p, opts)
    : lifSequenceOps(currents, T, p, opts);
}

/** Whether the fused kernels can run here: cpu or wasm engine, float32 data. */
export function fusedLifAvailable(currents?: tf.Tensor, opts: SequenceOptions = {}): boolean {
  if (!arrayKernelAvailable(LIF_FORWARD_KERNEL) || !arrayKernelAvailable(LIF_BACKWARD_KERNEL)) return false;
  if (currents && currents.dtype !== 'float32') return false;
  return !(opts.v0 && opts.v0.dtype !== 'float32');
}

/**
 * Whether `lifSequence` takes the fused path. Default: on the cpu engine only. Measured
 * (bench/lif-sequence.ts, VGG5 step profile): on cpu the fused path is ~5x faster forward and ~2x
 * forward+backward; on wasm the plain-JS loops (~6 ns/element/pass here) only tie XNNPACK's SIMD
 * element-wise ops forward and lose ~2x backward, so wasm keeps the op path.
 * SNN_LIF_FUSED=1 forces the fused path wherever available, SNN_LIF_FUSED=0 disables it.
 */
export function fusedLifEnabled(currents?: tf.Tensor, opts: SequenceOptions = {}): boolean {
  const flag = process.env.SNN_LIF_FUSED;
  if (flag === '0' || !fusedLifAvailable(currents, opts)) return false;
  return flag === '1' || tf.getBackend() === 'cpu';
}

interface Prepared {
  repeated: boolean;
  B: number;
  unitShape: number[];
}

function prepare(name: string, currents: tf.Tensor, T: number, p: NeuronParams, opts: SequenceOptions): Prepared {
  validateNeuronParams(p);
  if (!Number.isInteger(T) || T < 1) throw new Error(`${name}: T must be a positive integer, got ${T}`);
  const repeated = opts.repeated ?? false;
  const B = repeated ? currents.shape[0] : currents.shape[0] / T;
  if (!Number.isInteger(B)) throw new Error(`${name}: leading dim ${currents.shape[0]} is not a multiple of T=${T}`);
  const unitShape = [B, ...currents.shape.slice(1)];
  if (opts.v0 && opts.v0.shape.join(',') !== unitShape.join(','))
    throw new Error(`${name}: v0 shape [${opts.v0.shape}] != [${unitShape}]`);
  return { repeated, B, unitShape };
}

/** Splits the packed [(T+1)*B, ...] result into spikes [T*B, ...] and vFinal [B, ...]. */
function unpack(packed: tf.Tensor, T: number, B: number): { spikes: tf.Tensor; vFinal: tf.Tensor } {
  // One split, not two slices: a slice's gradient pads dy back to the packed shape (PadV2, then an
  // Add of the two padded halves), a split's is one Concat; same values, about 7% of a full-width
  // VGG5 training step on tfjs-node (bench agd-step-kernels).
  const [spikes, vFinal] = tf.split(packed, [T * B, B], 0);
  return { spikes: spikes!, vFinal: vFinal! };
}

/**
 * The fused path: the same single custom-gradient node, whose forward and backward are each one
 * kernel call (SnnLifForward / SnnLifBackward, lif-fused.ts). The backward recomputes the
 * membrane from the saved inputs, so nothing beyond (currents, v0) is kept for it.
 */
export function lifSequenceFused(
  currents: tf.Tensor,
  T: number,
  p: NeuronParams,
  opts: SequenceOptions = {},
): SequenceResult {
  const { repeated, B, unitShape } = prepare('lifSequence', currents, T, p, opts);
  if (!fusedLifAvailable(currents, opts))
    throw new Error(`lifSequenceFused: no fused LIF kernel on engine '${tf.getBackend()}'`);
  const attrs: LifKernelAttrs = {
    T,
    alpha: leakOf(p),
    vth: p.vth,
    soft: p.reset === 'soft',
    refractory: p.refractory ?? 0,
    repeated,
    surrogate: JSON.stringify(p.surrogate),
  };
  if (!surrogateArrayGrad(p.surrogate, p.vth)) return lifSequenceOps(currents, T, p, opts);
  const kAttrs = attrs as unknown as NamedAttrMap;
  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const cur = args[0] as tf.Tensor;
    const v0 = args[1] as tf.Tensor;
    (args[2] as tf.GradSaveFunc)([cur, v0]);
    const [packed] = runArrayKernel(LIF_FORWARD_KERNEL, { x: cur, v0 }, kAttrs);
    return {
      value: packed as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        runArrayKernel(LIF_BACKWARD_KERNEL, { x: saved[0] as tf.Tensor, v0: saved[1] as tf.Tensor, dy }, kAttrs),
    };
  });
  return tf.tidy(() => unpack(run(currents, opts.v0 ?? tf.zeros(unitShape)), T, B));
}

/**
 * The tfjs-op path (any engine; the reference for the fused kernels): the recurrence written
 * with element-wise tf ops, one custom-gradient node with a hand-written BPTT backward.
 */
export function lifSequenceOps(
  currents: tf.Tensor,
  T: number,
  p: NeuronParams,
  opts: SequenceOptions = {},
): SequenceResult {
  const { repeated, B, unitShape } = prepare('lifSequence', currents, T, p, opts);
  const alpha = leakOf(p);
  const vth = p.vth;
  const soft = p.reset === 'soft';
  const refractory = p.refractory ?? 0;
  const surrogate = getSurrogate(p.surrogate.name);
  const spec = p.surrogate;

  const run = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const cur = args[0] as tf.Tensor;
    const v0 = args[1] as tf.Tensor;
    const save = args[2] as tf.GradSaveFunc;
    const us: tf.Tensor[] = [];
    const actives: tf.Tensor[] = [];
    const outs: tf.Tensor[] = [];
    let v = v0;
    let refrac: tf.Tensor | null = refractory > 0 ? tf.zerosLike(v0) : null;
    for (let t = 0; t < T; t++) {
      const I = repeated ? cur : timeSlice(cur, t, B);
      const integrated = alpha === 1 ? tf.add(v, I) : tf.add(tf.mul(v, alpha), I);
      let u = integrated;
      let s = heavisideNoGrad(integrated, vth);
      if (refrac) {
        const active = heavisideNoGrad(tf.neg(refrac), 0); // refrac <= 0 (GreaterEqual has a zero gradient, LessEqual none)
        u = tf.add(tf.mul(active, integrated), tf.mul(tf.sub(1, active), v));
        s = tf.mul(heavisideNoGrad(u, vth), active);
        refrac = tf.add(tf.mul(s, refractory), tf.mul(tf.sub(1, s), tf.relu(tf.sub(refrac, 1))));
        actives.push(active);
      }
      v = soft ? tf.sub(u, tf.mul(s, vth)) : tf.mul(u, tf.sub(1, s));
      us.push(u);
      outs.push(s);
    }
    outs.push(v);
    save([...us, ...actives]);
    return {
      // spikes and vFinal packed into one tensor [(T+1)*B, ...]: customGrad has one output
      value: tf.concat(outs, 0),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const sU = saved.slice(0, T);
        const sA = refractory > 0 ? saved.slice(T, 2 * T) : null;
        let gv: tf.Tensor = timeSlice(dy, T, B); // dL/dV_T
        const dI: tf.Tensor[] = new Array<tf.Tensor>(T);
        let dIsum: tf.Tensor | null = null;
        for (let t = T - 1; t >= 0; t--) {
          const u = sU[t];
          const dS = timeSlice(dy, t, B);
          let sg = surrogate.grad(u, vth, spec);
          let dvdu: tf.Tensor | null = soft ? null : tf.sub(1, heavisideNoGrad(u, vth));
          if (sA) {
            sg = tf.mul(sg, sA[t]);
            if (dvdu) dvdu = tf.sub(1, tf.mul(heavisideNoGrad(u, vth), sA[t]));
          }
          const du = tf.add(dvdu ? tf.mul(gv, dvdu) : gv, tf.mul(dS, sg));
          const dIt = sA ? tf.mul(du, sA[t]) : du;
          if (repeated) dIsum = dIsum ? tf.add(dIsum, dIt) : dIt;
          else dI[t] = dIt;
          if (sA) {
            // active: dV_{t-1} = alpha dU; inactive (held): dV_{t-1} = dU
            gv = tf.mul(du, tf.add(tf.mul(sA[t], alpha - 1), 1));
          } else {
            gv = alpha === 1 ? du : tf.mul(du, alpha);
          }
        }
        const dCur = repeated ? (dIsum as tf.Tensor) : tf.concat(dI, 0);
        return [dCur, gv];
      },
    };
  });

  return tf.tidy(() => {
    const v0 = opts.v0 ?? tf.zeros(unitShape);
    return unpack(run(currents, v0), T, B);
  });
}

/**
 * Step-by-step reference path: `lifStep` in a JS loop, autodiff through every step. Same
 * contract as `lifSequence`; used to check it and as the baseline in benchmarks. Callers that
 * compute per-step inputs themselves (STDP) call `lifStep` directly.
 */
export function lifSequenceStepwise(
  currents: tf.Tensor,
  T: number,
  p: NeuronParams,
  opts: SequenceOptions = {},
): SequenceResult {
  validateNeuronParams(p);
  const repeated = opts.repeated ?? false;
  const B = repeated ? currents.shape[0] : currents.shape[0] / T;
  if (!Number.isInteger(B))
    throw new Error(`lifSequenceStepwise: leading dim ${currents.shape[0]} is not a multiple of T=${T}`);
  return tf.tidy(() => {
    const unitShape = [B, ...currents.shape.slice(1)];
    let state: NeuronState = { v: opts.v0 ?? tf.zeros(unitShape) };
    const spikes: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const r = lifStep(repeated ? currents : timeSlice(currents, t, B), state, p);
      spikes.push(r.spikes);
      state = r.state;
    }
    return { spikes: tf.concat(spikes, 0), vFinal: state.v };
  });
}
