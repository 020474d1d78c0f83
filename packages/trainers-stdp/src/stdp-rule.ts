// The mini-batch STDP rule of Panda et al. 2020 (Sec. "STDP"; after Lee et al. 2018 and
// ReStoCNet, Srinivasan & Roy 2019):
//   Δw = η · (exp(−(t_post − t_pre)/τ) − offset)
// evaluated at every post-synaptic spike against the most recent pre-synaptic spike of each
// synapse. A pre-synaptic "nearest-spike" trace tr = max(decay·tr, x) with decay = exp(−1/τ)
// holds exactly exp(−(t − t_pre)/τ) (0 if the synapse never fired), so at a post spike the
// paper's Δw is η·(tr − offset): causal, close pairs potentiate (tr > offset), late/absent
// pre spikes depress. For shared conv kernels the timing terms are averaged over every post
// spike of the kernel in the mini-batch (all images, positions and steps of a chunk).
import { tf } from './tf.js';

export interface StdpRuleParams {
  /** learning rate η */
  eta: number;
  /** STDP time constant τ, in time steps */
  tau: number;
  /** depression offset: pairs with exp(−Δt/τ) < offset depress (used when offsetMode is 'constant') */
  offset: number;
  /**
   * 'constant': the paper's fixed offset. 'mean-trace': each pre-synaptic channel's offset is its
   * own mean trace over the mini-batch chunk (all images, positions, steps), i.e. the update is
   * E[tr | post spike] − E[tr] (covariance rule, Sejnowski 1977; a BCM-like sliding offset): a
   * pair potentiates only when the pre neuron was more recently active than it usually is. With
   * a constant offset the part of E[tr | post] shared by every kernel (the mean input, e.g. the
   * channels that fire most) is learnt by all kernels alike and they collapse onto it.
   */
  offsetMode: 'constant' | 'mean-trace';
  /** weight bounds; weights are clipped into [wMin, wMax] after each update */
  wMin: number;
  wMax: number;
  /** soft bounds: potentiation scaled by (wMax − w), depression by (w − wMin), normalised to the range */
  softBound: boolean;
  /**
   * heterosynaptic normalisation: after each update every kernel is re-centred to zero mean, so
   * STDP shapes its contrast pattern, not its overall gain (on rate-coded natural images the raw
   * rule otherwise drifts to luminance templates shared by all kernels). Not in the paper: a
   * documented choice (README).
   */
  zeroMean: boolean;
  /**
   * per-kernel weight normalisation: after each update every kernel is rescaled to the L2 norm it
   * had before the update (Diehl & Cook 2015 normalise each neuron's total input weight; ReStoCNet
   * bounds each kernel). With zero-mean kernels this makes STDP an online competitive (spherical
   * k-means-like) rule: only a kernel's direction learns, so its drive, and the threshold set by
   * homeostasis, cannot drift with the update count.
   */
  normalize: boolean;
  /**
   * heterosynaptic decorrelation between the kernels of a layer, after each update:
   * W ← W − λ·W·offdiag(ŴᵀŴ) on the kernels as columns (Ŵ: unit columns), i.e. each kernel is
   * pushed away from the kernels it overlaps with, in proportion to the overlap (a symmetric
   * Földiák/Sanger-style anti-Hebbian competition; 0 = off).
   */
  decorrelate: number;
}

export const DEFAULT_RULE: StdpRuleParams = {
  eta: 0.5,
  tau: 4,
  offset: 0.4,
  offsetMode: 'mean-trace',
  wMin: -1,
  wMax: 1,
  softBound: true,
  zeroMean: true,
  normalize: true,
  decorrelate: 0.5,
};

/** decay of the pre-synaptic trace per step: exp(−1/τ) */
export function traceDecay(tau: number): number {
  return Math.exp(-1 / tau);
}

/** one step of the nearest-spike trace: a spike (or a fractional pooled input) sets it, otherwise it decays */
export function traceStep(trace: tf.Tensor, pre: tf.Tensor, decay: number): tf.Tensor {
  return tf.tidy(() => tf.maximum(tf.mul(trace, decay), pre));
}

/**
 * Σ over rows of the time-folded batch of post[n, y, x, co] · pre[n, y+dy, x+dx, ci]:
 * the correlation a conv2d's filter gradient computes (tf.grad of the conv wrt its filter gives
 * exactly this). Uses the Conv2DBackpropFilter kernel (the backend package registers a fast
 * wasm version).
 */
export function filterCorrelation(
  pre: tf.Tensor4D,
  post: tf.Tensor4D,
  filterShape: [number, number, number, number],
  stride = 1,
  pad: 'same' | 'valid' = 'same',
): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x: pre, dy: post }, {
    strides: [stride, stride],
    pad,
    dataFormat: 'NHWC',
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * Mini-batch STDP weight change for a conv kernel bank.
 * @param preTrace [N, H, W, Cin]: trace value at each post step (N = steps × batch, time-folded)
 * @param post     [N, H', W', Cout]: post spikes (0/1) at the same rows
 * @param w        [k, k, Cin, Cout]: current weights (for soft bounds)
 * @returns Δw (same shape as w) and the number of post spikes per kernel
 */
export function stdpDeltaW(
  preTrace: tf.Tensor4D,
  post: tf.Tensor4D,
  w: tf.Tensor4D,
  p: StdpRuleParams,
  stride = 1,
  pad: 'same' | 'valid' = 'same',
): { dw: tf.Tensor4D; postCount: tf.Tensor1D } {
  return tf.tidy(() => {
    const shape = w.shape as [number, number, number, number];
    // Σ_post-spikes tr_pre  and  Σ_post-spikes 1, per kernel
    const corr = filterCorrelation(preTrace, post, shape, stride, pad);
    const count = tf.sum(post, [0, 1, 2]) as tf.Tensor1D; // [Cout]
    const denom = tf.maximum(count, 1);
    // mean over the mini-batch's post spikes of (exp(−Δt/τ) − offset); 0 for kernels that never fired
    const fired = tf.cast(tf.greater(count, 0), 'float32');
    const offset: tf.Tensor | number =
      p.offsetMode === 'mean-trace' ? tf.reshape(tf.mean(preTrace, [0, 1, 2]), [1, 1, -1, 1]) : p.offset;
    const timing = tf.mul(tf.sub(tf.div(corr, denom), offset), fired);
    let dw = tf.mul(timing, p.eta);
    if (p.softBound) {
      const range = p.wMax - p.wMin;
      const up = tf.div(tf.sub(p.wMax, w), range);
      const down = tf.div(tf.sub(w, p.wMin), range);
      dw = tf.where(tf.greater(dw, 0), tf.mul(dw, up), tf.mul(dw, down));
    }
    return { dw: dw as tf.Tensor4D, postCount: count };
  });
}

/** apply Δw and keep weights inside [wMin, wMax] */
export function applyDeltaW(w: tf.Variable, dw: tf.Tensor, p: StdpRuleParams): void {
  tf.tidy(() => {
    let next: tf.Tensor = tf.add(w, dw);
    if (p.zeroMean && w.rank === 4) next = tf.sub(next, tf.mean(next, [0, 1, 2], true));
    if (p.decorrelate > 0 && w.rank === 4) {
      const [k1, k2, ci, co] = w.shape;
      const Wf = tf.reshape(next, [k1 * k2 * ci, co]);
      const Wn = tf.div(Wf, tf.maximum(tf.norm(Wf, 2, 0, true), 1e-12));
      const G = tf.sub(tf.matMul(Wn, Wn, true, false), tf.eye(co));
      next = tf.reshape(tf.sub(Wf, tf.mul(tf.matMul(Wf, G), p.decorrelate)), [k1, k2, ci, co]);
    }
    if (p.normalize && w.rank === 4) {
      const before = tf.sqrt(tf.sum(tf.square(w), [0, 1, 2], true));
      const after = tf.sqrt(tf.sum(tf.square(next), [0, 1, 2], true));
      next = tf.mul(next, tf.div(before, tf.maximum(after, 1e-12)));
    }
    w.assign(tf.clipByValue(next, p.wMin, p.wMax));
  });
}
