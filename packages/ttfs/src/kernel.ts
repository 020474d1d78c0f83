/**
 * The temporal kernel of T2FSNN (Park et al. 2020) / Park & Yoon 2021:
 *   kappa_l(t) = exp(-(t - t_d,l) / tau_l)
 * used twice per layer l: as the DENDRITE of the synapses leaving l (an input spike at step t of
 * l's window adds w * kappa_l(t) to the next layer's membrane) and as the DYNAMIC THRESHOLD of l
 * (theta_l(t) = theta0 * kappa_l(t), theta0 = 1: any scale lives in the weights / BN).
 * A neuron with integrated potential u fires once, at the first step t of its window where
 * u >= theta_l(t), i.e. t = ceil(t_d - tau ln u) clipped to [0, T-1]; the value the next layer
 * reads back is kappa_l(t) <= u (a logarithmic quantiser, relative step exp(-1/tau)).
 * tau and t_d are trainable per layer (scalars).
 */
import { tf } from '@snn/backend';

export interface KernelInit {
  tau: number;
  td: number;
}

export interface TemporalKernel {
  /** layer (op) id */
  id: string;
  tau: tf.Variable;
  td: tf.Variable;
  init: KernelInit;
}

/** Lower bound on tau used in every formula (keeps the kernel finite if training pushes tau down). */
export const TAU_MIN = 0.05;

/**
 * Default initial kernel for a window of T steps: t_d = 0 (kappa(0) = 1, the largest value a spike
 * can carry) and tau = (T-1)/R so the smallest representable value kappa(T-1) = exp(-R)
 * (R = 4: values down to ~1.8% of the maximum are kept, smaller ones never fire).
 */
export function defaultKernelInit(T: number, range = 4): KernelInit {
  if (!(Number.isInteger(T) && T >= 2)) throw new Error(`TTFS: window T must be an integer >= 2, got ${T}`);
  return { tau: (T - 1) / range, td: 0 };
}

/** A variable from a fresh initial tensor (which is then disposed: tf.variable copies it). */
export function ownedVariable(init: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const v = tf.variable(init, trainable, `${name}/${Math.random().toString(36).slice(2, 8)}`);
  init.dispose();
  return v;
}

export function makeKernel(id: string, init: KernelInit, trainable = true): TemporalKernel {
  return {
    id,
    tau: ownedVariable(tf.scalar(init.tau), trainable, `ttfs/${id}/tau`),
    td: ownedVariable(tf.scalar(init.td), trainable, `ttfs/${id}/td`),
    init: { ...init },
  };
}

/** tau as used by the formulas (bounded below). */
export function tauOf(k: TemporalKernel): tf.Scalar {
  return tf.maximum(k.tau, TAU_MIN) as tf.Scalar;
}

/** kappa(t) for a tensor of (integer) steps t; differentiable in tau and t_d. */
export function kernelAt(k: TemporalKernel, t: tf.Tensor): tf.Tensor {
  return tf.exp(tf.div(tf.neg(tf.sub(t, k.td)), tauOf(k)));
}

/** kappa(t) for t = 0..T-1 as plain numbers (simulation constants). */
export function kernelValues(k: TemporalKernel, T: number): number[] {
  const tau = Math.max(k.tau.dataSync()[0], TAU_MIN);
  const td = k.td.dataSync()[0];
  return Array.from({ length: T }, (_, t) => Math.exp(-(t - td) / tau));
}

/**
 * Initial-value based regularisation of the kernel parameters (Park & Yoon 2021; formula ours):
 *   R = sum_l [ ((tau_l - tau_l0) / tau_l0)^2 + ((t_d,l - t_d,l0) / tau_l0)^2 ]
 * Both terms are measured in units of the initial time constant, so the penalty does not depend
 * on the window length. Smooth: checked against finite differences in the tests.
 */
export function kernelRegularizer(kernels: readonly TemporalKernel[]): tf.Scalar {
  return tf.tidy(() => {
    const terms = kernels.map((k) => {
      const s = 1 / k.init.tau;
      return tf.add(tf.square(tf.mul(tf.sub(k.tau, k.init.tau), s)), tf.square(tf.mul(tf.sub(k.td, k.init.td), s)));
    });
    return (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
  });
}
