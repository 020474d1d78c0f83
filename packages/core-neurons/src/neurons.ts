import { tf } from '@snn/backend';
import { spikeFn, type SurrogateSpec } from './surrogates.js';

/**
 * Leaky integrate-and-fire (Panda et al. 2020, eq. 1): V[t] = alpha V[t-1] + I[t],
 * S[t] = H(V[t] - V_th), then reset. IF is the same with alpha = 1 (used for conversion).
 */
export interface NeuronParams {
  kind: 'lif' | 'if';
  /** leak factor alpha = exp(-dt/tau_mem); must be 1 for 'if' */
  alpha: number;
  /** per-layer threshold */
  vth: number;
  /** 'soft': subtract V_th (conversion-friendly, Deng & Gu 2021); 'hard': set V to 0 */
  reset: 'soft' | 'hard';
  /** refractory period in steps after a spike (no integration, no spike); 0/undefined = none */
  refractory?: number;
  surrogate: SurrogateSpec;
}

export interface NeuronState {
  v: tf.Tensor;
  /** remaining refractory steps (float32, same shape as v); only used when p.refractory > 0 */
  refrac?: tf.Tensor;
}

export interface StepResult {
  spikes: tf.Tensor;
  state: NeuronState;
}

/** Effective leak: IF ignores alpha (always 1) so a misconfigured IF cannot leak. */
export function leakOf(p: NeuronParams): number {
  return p.kind === 'if' ? 1 : p.alpha;
}

export function validateNeuronParams(p: NeuronParams): void {
  if (!(p.vth > 0)) throw new Error(`NeuronParams.vth must be > 0, got ${p.vth}`);
  if (p.kind === 'lif' && !(p.alpha > 0 && p.alpha <= 1))
    throw new Error(`LIF alpha must be in (0, 1], got ${p.alpha}`);
  if (p.kind === 'if' && p.alpha !== 1) throw new Error(`IF neurons have alpha = 1, got ${p.alpha}`);
  if (p.refractory !== undefined && !(p.refractory >= 0 && Number.isInteger(p.refractory)))
    throw new Error(`refractory must be a non-negative integer, got ${p.refractory}`);
}

/** Heaviside with zero gradient (greaterEqual has a zero gradient in tfjs): used for masks and the detached reset. */
export function heavisideNoGrad(v: tf.Tensor, vth: number): tf.Tensor {
  return tf.cast(tf.greaterEqual(v, vth), 'float32');
}

/**
 * One time step. Pure: returns new tensors, never mutates or disposes `state`.
 *
 * Reset choice (kept identical in lifSequence): the reset term is DETACHED from the graph,
 * i.e. the spike used in the reset carries no surrogate gradient (as snntorch's default and
 * Zenke & Vogels 2021); gradient still flows through the membrane itself:
 *   soft: V <- U - V_th * sg(S)  => dV/dU = 1
 *   hard: V <- U * (1 - sg(S))   => dV/dU = 1 - S
 * Refractory: while the counter is > 0 the neuron holds V, ignores input and cannot fire;
 * a spike sets the counter to `refractory`, and it decreases by one per step otherwise.
 */
export function lifStep(input: tf.Tensor, state: NeuronState, p: NeuronParams): StepResult {
  const spike = spikeFn(p.surrogate);
  const alpha = leakOf(p);
  const refractory = p.refractory ?? 0;
  const out = tf.tidy((): tf.Tensor[] => {
    let u: tf.Tensor;
    let active: tf.Tensor | null = null;
    const integrated = alpha === 1 ? tf.add(state.v, input) : tf.add(tf.mul(state.v, alpha), input);
    if (refractory > 0) {
      const refrac = state.refrac ?? tf.zerosLike(state.v);
      active = heavisideNoGrad(tf.neg(refrac), 0); // refrac <= 0 (GreaterEqual has a zero gradient, LessEqual none)
      u = tf.add(tf.mul(active, integrated), tf.mul(tf.sub(1, active), state.v));
    } else {
      u = integrated;
    }
    let s = spike(u, p.vth);
    if (active) s = tf.mul(s, active);
    const sDetached = active ? tf.mul(heavisideNoGrad(u, p.vth), active) : heavisideNoGrad(u, p.vth);
    const v = p.reset === 'soft' ? tf.sub(u, tf.mul(sDetached, p.vth)) : tf.mul(u, tf.sub(1, sDetached));
    if (refractory > 0) {
      const refrac = state.refrac ?? tf.zerosLike(state.v);
      // spike -> refractory; otherwise count down to 0
      return [s, v, tf.add(tf.mul(sDetached, refractory), tf.mul(tf.sub(1, sDetached), tf.relu(tf.sub(refrac, 1))))];
    }
    return [s, v];
  });
  return { spikes: out[0], state: out.length > 2 ? { v: out[1], refrac: out[2] } : { v: out[1] } };
}

/** Initial state of zeros for a layer of the given shape. */
export function initNeuronState(shape: number[], p: NeuronParams): NeuronState {
  const v = tf.zeros(shape);
  return (p.refractory ?? 0) > 0 ? { v, refrac: tf.zeros(shape) } : { v };
}

/** A threshold: one number, or a tensor that broadcasts against V (e.g. one per channel, [C]). */
export type Threshold = number | tf.Tensor;

/**
 * Forward-only LIF step for callers that simulate step by step without gradients (STDP): the
 * membrane update of `lifStep` (no surrogate, no refractory), with a threshold that may be a
 * tensor (STDP's adaptive per-kernel thresholds) and an optional `gate` that edits the spikes
 * between fire and reset (competition: lateral inhibition, dropout; a gated-off neuron keeps its
 * charge). The same ops as `lifStep`'s forward, in the same order:
 *   U = alpha V + I;  S = gate(H(U - V_th), U);  V' = U - V_th S (soft) | U (1 - S) (hard)
 * Pure: returns new tensors, never disposes `v`.
 */
export function lifStepForward(
  input: tf.Tensor,
  v: tf.Tensor,
  p: { alpha: number; vth: Threshold; reset: 'soft' | 'hard' },
  gate?: (spikes: tf.Tensor, u: tf.Tensor) => tf.Tensor,
): { spikes: tf.Tensor; u: tf.Tensor; v: tf.Tensor } {
  const [spikes, u, vNext] = tf.tidy((): tf.Tensor[] => {
    const u = p.alpha === 1 ? tf.add(v, input) : tf.add(tf.mul(v, p.alpha), input);
    const fired = tf.cast(tf.greaterEqual(u, p.vth), 'float32');
    const s = gate ? gate(fired, u) : fired;
    const next = p.reset === 'soft' ? tf.sub(u, tf.mul(s, p.vth)) : tf.mul(u, tf.sub(1, s));
    return [s, u, next];
  });
  return { spikes: spikes!, u: u!, v: vNext! };
}
