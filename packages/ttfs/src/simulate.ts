/**
 * Time-stepped simulation of the converted TTFS SNN (T2FSNN scheme, Park et al. 2020).
 * Layers work in consecutive windows of T steps: the input fires in window 0, hidden layer l
 * (1..L) integrates the spikes of layer l-1 during window l-1 and fires during window l, and the
 * non-spiking classifier integrates layer L's spikes during window L.
 *  - integration: an input spike of layer l-1 at step t adds w * kappa_{l-1}(t) (dendrite) to the
 *    membrane; the bias is a constant current added once. Average pools are part of the synapses.
 *  - firing: during its own window the neuron compares its potential with the dynamic threshold
 *    theta_l(t) = kappa_l(t) at every step and fires the first time it is crossed, never again.
 * Vectorised over batch and neurons: each layer's synaptic input for all T steps is one conv /
 * matMul over the time-major folded batch [T*B, ...]; only the integration and the firing loop
 * run over t.
 */
import { tf } from '@snn/backend';
import { kernelValues } from './kernel.js';
import { foldBatchNorm, disposeFolded, type FoldedSynapses } from './fold.js';
import { linearOp, poolOp, type TtfsNet } from './net.js';

export interface TtfsSimResult {
  /** classifier potential at the end of its window [B, classes] */
  logits: tf.Tensor2D;
  /** spikes of every hidden op summed over the batch */
  spikes: Record<string, number>;
  /** neurons per sample of every hidden op */
  neurons: Record<string, number>;
  inputSpikes: number;
  inputNeurons: number;
  /** per sample: first step (0..T-1) of the classifier window after which its argmax never changes */
  decisionStep: number[];
  /** maximum spikes any neuron emitted (must be <= 1) */
  maxSpikesPerNeuron: number;
}

/** Fire-once neurons with potential v [B, ...] against kernel thresholds theta[t]: spikes [T*B, ...]. */
export function fireOnce(v: tf.Tensor, theta: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    let fired = tf.zerosLike(v);
    const out: tf.Tensor[] = [];
    for (const th of theta) {
      const s = tf.mul(tf.cast(tf.greaterEqual(v, th), 'float32'), tf.sub(1, fired));
      out.push(s);
      fired = tf.add(fired, s);
    }
    return tf.concat(out, 0);
  });
}

/** Integrate [T*B, ...] per-step currents into [B, ...] (the membrane at the end of the window). */
export function integrate(currents: tf.Tensor, T: number, v0?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const B = currents.shape[0] / T;
    let v = v0 ? tf.clone(v0) : tf.zeros([B, ...currents.shape.slice(1)]);
    for (let t = 0; t < T; t++) v = tf.add(v, tf.slice(currents, t * B, B));
    return v;
  });
}

/** Spikes [T*B, ...] times kappa(t) per step. */
function weightByKernel(spikes: tf.Tensor, kappa: readonly number[]): tf.Tensor {
  const T = kappa.length;
  const B = spikes.shape[0] / T;
  const k = tf.reshape(tf.tensor1d([...kappa]), [T, 1, ...spikes.shape.slice(1).map(() => 1)]);
  return tf.reshape(tf.mul(tf.reshape(spikes, [T, B, ...spikes.shape.slice(1)]), k), spikes.shape);
}

function sumAll(x: tf.Tensor): number {
  return tf.tidy(() => tf.sum(x).dataSync()[0]);
}

export function simulateTtfs(net: TtfsNet, x: tf.Tensor, folded?: FoldedSynapses): TtfsSimResult {
  const T = net.cfg.T;
  const own = folded ?? foldBatchNorm(net);
  const spikes: Record<string, number> = {};
  const neurons: Record<string, number> = {};
  let maxSpikes = 0;
  let inputSpikes = 0;
  const B = x.shape[0];
  try {
    const out = tf.tidy(() => {
      // window 0: TTFS input coding (pixel intensity as potential, fixed input kernel)
      const kIn = kernelValues(net.inputKernel, T);
      const sIn = fireOnce(x, kIn);
      inputSpikes = sumAll(sIn);
      let cur = weightByKernel(sIn, kIn);
      let logits: tf.Tensor2D | null = null;
      let decision: number[] = [];
      for (const op of net.topo.ops) {
        if (op.kind === 'avgpool' || op.kind === 'maxpool') {
          cur = poolOp(op, cur);
          continue;
        }
        const { w, b } = own.weights.get(op.id)!;
        const currents = linearOp(op, w, undefined, cur); // [T*B, ...]
        if (op.id === net.topo.classifier) {
          // classifier: running potential, its final value are the logits
          let v: tf.Tensor = tf.broadcastTo(b, [B, b.shape[0]]);
          const preds: Int32Array[] = [];
          for (let t = 0; t < T; t++) {
            v = tf.add(v, tf.slice(currents, t * B, B));
            preds.push(tf.argMax(v, 1).dataSync() as Int32Array);
          }
          const last = preds[T - 1];
          decision = Array.from({ length: B }, (_, i) => {
            let d = T - 1;
            while (d > 0 && preds[d - 1][i] === last[i]) d--;
            return d;
          });
          logits = v as tf.Tensor2D;
          break;
        }
        const v = integrate(currents, T, tf.broadcastTo(b, [B, ...currents.shape.slice(1)]));
        const kappa = kernelValues(net.kernels.get(op.id)!, T);
        const s = fireOnce(v, kappa);
        spikes[op.id] = sumAll(s);
        neurons[op.id] = op.outShape.reduce((a, c) => a * c, 1);
        const perNeuron = tf.sum(tf.reshape(s, [T, -1]), 0);
        maxSpikes = Math.max(maxSpikes, tf.max(perNeuron).dataSync()[0]);
        cur = weightByKernel(s, kappa);
      }
      if (!logits) throw new Error('TTFS: no classifier op');
      return { logits: logits as tf.Tensor2D, decision };
    });
    return {
      logits: out.logits,
      spikes,
      neurons,
      inputSpikes,
      inputNeurons: x.shape.slice(1).reduce((a, c) => a * c, 1),
      decisionStep: out.decision,
      maxSpikesPerNeuron: maxSpikes,
    };
  } finally {
    if (!folded) disposeFolded(own);
  }
}
