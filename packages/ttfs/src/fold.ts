/**
 * Conversion of the surrogate DNN into SNN synapses: BN (eval mode, running statistics) folds into
 * each hidden op's weights and bias,
 *   y = s (gamma (Wx + b - mu)/sqrt(var + eps) + beta),   s = kappa_l(t_ref) for TKA-BN, else 1
 *   W' = W * s gamma / sqrt(var + eps)   (per output channel)
 *   b' = s (gamma (b - mu) / sqrt(var + eps) + beta)
 * so the SNN neuron's integrated potential equals the surrogate's pre-activation exactly.
 */
import { tf } from '@snn/backend';
import { BN_EPS, type TtfsNet } from './net.js';

export interface FoldedSynapses {
  /** by weight op id (hidden ops and the classifier) */
  weights: Map<string, { w: tf.Tensor; b: tf.Tensor }>;
}

export function foldBatchNorm(net: TtfsNet): FoldedSynapses {
  const weights = new Map<string, { w: tf.Tensor; b: tf.Tensor }>();
  for (const op of net.topo.ops) {
    if (op.kind !== 'conv' && op.kind !== 'fc') continue;
    const w = net.weight(op);
    const b = net.bias(op);
    const bn = net.bnState.get(op.id);
    if (!bn) {
      weights.set(op.id, { w: tf.clone(w), b: tf.clone(b) });
      continue;
    }
    const folded = tf.tidy(() => {
      const g = tf.div(tf.mul(net.bnScale(op), bn.gamma), tf.sqrt(tf.add(bn.variance, BN_EPS))); // [out]
      return { w: tf.mul(w, g), b: tf.add(tf.mul(g, tf.sub(b, bn.mean)), tf.mul(net.bnScale(op), bn.beta)) };
    });
    weights.set(op.id, folded);
  }
  return { weights };
}

export function disposeFolded(f: FoldedSynapses): void {
  for (const { w, b } of f.weights.values()) tf.dispose([w, b]);
}
