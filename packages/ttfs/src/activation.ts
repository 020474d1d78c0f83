/**
 * The surrogate DNN's activation (Park & Yoon 2021, "surrogate DNN"): the value a TTFS neuron
 * passes on, computed without simulating time.
 *   u        integrated potential (pre-activation, after BN)
 *   t*       = max(0, ceil(t_d - tau ln u))   first step with u >= kappa(t)  (deterministic)
 *   fires    = u > 0 and t* <= T-1
 *   a        = fires ? kappa(t*) : 0
 * Stochastically relaxed activation (switch `stochastic`, training only; formula ours): the
 * rounding of the spike time is made random and unbiased, t* = floor(t_d - tau ln u + xi),
 * xi ~ U[0, 1) (stochastic rounding), so E[t*] equals the continuous spike time and the
 * quantisation error becomes zero-mean noise the net learns to tolerate.
 * Gradients: straight-through in u inside the representable range (0 where the neuron saturates
 * at t* = 0 or stays silent); kappa(t*) with t* held fixed gives the gradients of tau and t_d.
 */
import { tf } from '@snn/backend';
import { kernelAt, TAU_MIN, type TemporalKernel } from './kernel.js';

/** Identity forward, zero gradient (tfjs has no stop_gradient op). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

export interface ActivationOptions {
  /** stochastically relaxed spike time (training only) */
  stochastic?: boolean;
  seed?: number;
}

const EPS = 1e-12;

/**
 * Continuous spike time t_d - tau ln u (u clamped to EPS), the integer spike step (clipped at 0),
 * the unclipped step `raw` and the 0/1 `fires` mask. Piecewise constant: no gradient flows
 * through it (one custom op, so the comparisons never reach the gradient tape).
 */
export function spikeStep(
  u: tf.Tensor,
  k: TemporalKernel,
  T: number,
  opts: ActivationOptions = {},
): { step: tf.Tensor; fires: tf.Tensor; raw: tf.Tensor } {
  const op = tf.customGrad(((uu: tf.Tensor, tau: tf.Tensor, td: tf.Tensor) => {
    const value = tf.tidy(() => {
      const tCont = tf.sub(td, tf.mul(tf.maximum(tau, TAU_MIN), tf.log(tf.maximum(uu, EPS))));
      const raw = opts.stochastic
        ? tf.floor(tf.add(tCont, tf.randomUniform(uu.shape, 0, 1, 'float32', opts.seed)))
        : tf.ceil(tCont);
      const step = tf.maximum(raw, 0);
      const fires = tf.cast(tf.logicalAnd(tf.greater(uu, 0), tf.lessEqual(raw, T - 1)), 'float32');
      return tf.stack([step, fires, raw]);
    });
    return { value, gradFunc: () => [tf.zerosLike(uu), tf.zerosLike(tau), tf.zerosLike(td)] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    u: tf.Tensor,
    tau: tf.Tensor,
    td: tf.Tensor,
  ) => tf.Tensor;
  return tf.tidy(() => {
    const [step, fires, raw] = tf.unstack(op(u, k.tau, k.td));
    return { step, fires, raw };
  });
}

/** The decoded TTFS activation kappa(t*) (0 if silent); see the file comment for its gradient. */
export function ttfsActivation(u: tf.Tensor, k: TemporalKernel, T: number, opts: ActivationOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    const { step, fires, raw } = spikeStep(u, k, T, opts);
    const value = tf.mul(kernelAt(k, step), fires);
    // straight-through path for u where the spike time is not clipped at 0 (not saturated)
    const inRange = tf.mul(fires, tf.cast(tf.greaterEqual(raw, 0), 'float32'));
    return tf.add(value, tf.mul(tf.sub(u, stopGradient(u)), inRange));
  });
}
