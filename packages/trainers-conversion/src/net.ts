import { tf } from './tf.js';

/**
 * A convertible network: the op list of a topology (BackRes unrolls already expanded, one op per
 * unroll step sharing the weights of `param`) plus its weights. Conversion needs ReLU, average
 * pooling and (optionally) no bias — Sengupta et al. 2019 / Panda et al. 2020. Ops whose `neuron`
 * is 'relu' become IF neurons in the SNN; the last op (the classifier) stays non-spiking and reads
 * the previous layer's output averaged over time.
 */
export type ConvOpKind = 'conv' | 'fc' | 'avgpool';

export interface ConvOp {
  id: string;
  kind: ConvOpKind;
  /** weight id; several ops share one param in a BackRes unroll */
  param?: string;
  unrollStep?: number;
  neuron: 'relu' | 'none';
  /** conv stride (1) and padding ('same'); avgpool window = stride = pool (2) */
  stride?: number;
  padding?: 'same' | 'valid';
  pool?: number;
}

export interface ConversionNet {
  ops: ConvOp[];
  /** conv: [k, k, cin, cout]; fc: [in, out] */
  weights: Record<string, tf.Tensor>;
  /** optional bias per param (Deng & Gu need one for the shift; Sengupta's ANN has none) */
  biases?: Record<string, tf.Tensor1D>;
  /** clipped ReLU ceiling used during ANN training (Deng & Gu 2021); undefined = plain ReLU */
  clip?: number;
}

export function spikingOps(net: ConversionNet): ConvOp[] {
  return net.ops.filter((o) => o.neuron === 'relu');
}

export function classifierOp(net: ConversionNet): ConvOp {
  const last = net.ops[net.ops.length - 1];
  if (last.kind !== 'fc' || last.neuron !== 'none')
    throw new Error(`classifier must be a non-spiking fc, got ${last.id}`);
  return last;
}

/** The linear part of one weight op (conv / fc / avgpool), on any leading batch (time-folded ok). */
export function linearOp(net: ConversionNet, op: ConvOp, x: tf.Tensor, withBias = true): tf.Tensor {
  return tf.tidy(() => {
    if (op.kind === 'avgpool') {
      const p = op.pool ?? 2;
      return tf.avgPool(x as tf.Tensor4D, p, p, 'valid');
    }
    const w = net.weights[op.param ?? op.id];
    if (!w) throw new Error(`no weights for op ${op.id} (param ${op.param ?? op.id})`);
    let y: tf.Tensor;
    if (op.kind === 'conv') {
      y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, op.stride ?? 1, op.padding ?? 'same');
    } else {
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0], -1]);
      y = tf.matMul(flat as tf.Tensor2D, w as tf.Tensor2D);
    }
    const b = net.biases?.[op.param ?? op.id];
    return withBias && b ? tf.add(y, b) : y;
  });
}

/** Deep copy (weights cloned) so calibration can return a new net and leave the input intact. */
export function cloneNet(net: ConversionNet): ConversionNet {
  const weights: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(net.weights)) weights[k] = v.clone();
  const biases = net.biases
    ? Object.fromEntries(Object.entries(net.biases).map(([k, v]) => [k, v.clone()]))
    : undefined;
  return { ops: net.ops.map((o) => ({ ...o })), weights, biases, clip: net.clip };
}

export function disposeNet(net: ConversionNet): void {
  for (const v of Object.values(net.weights)) v.dispose();
  for (const v of Object.values(net.biases ?? {})) v.dispose();
}

/** Unique parameters (weights + biases, shared BackRes weights counted once). */
export function uniqueParamCount(net: ConversionNet): number {
  let n = 0;
  for (const w of Object.values(net.weights)) n += w.size;
  for (const b of Object.values(net.biases ?? {})) n += b.size;
  return n;
}
