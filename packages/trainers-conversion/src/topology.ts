import type { tf } from './tf.js';
import type { ConversionNet, ConvOp } from './net.js';

/** The slice of @snn/models' Topology/OpSpec that conversion reads (structural, so no hard import cycle). */
export interface TopologyLike {
  ops: Array<{
    id: string;
    param?: string;
    unrollStep: number;
    kind: string;
    neuron: string;
    k?: number;
    residualFrom?: string;
  }>;
  classifier: string;
}

/**
 * A @snn/models topology + its params as a convertible net: every hidden weight op becomes a
 * ReLU↔IF op, pooling must be average (max pooling does not convert to rates), the classifier
 * stays linear. Biases are read from '<param>/bias' when the topology has them.
 */
export function fromTopology(
  topo: TopologyLike,
  params: Record<string, tf.Tensor>,
  opts: { clip?: number } = {},
): ConversionNet {
  const ops: ConvOp[] = topo.ops.map((o) => {
    if (o.residualFrom)
      throw new Error(`conversion: op ${o.id} has a residual shortcut, not supported by this converter`);
    if (o.kind === 'maxpool')
      throw new Error(
        `conversion: op ${o.id} is max pooling; convertible nets use average pooling (Sengupta et al. 2019)`,
      );
    if (o.kind === 'avgpool')
      return { id: o.id, kind: 'avgpool', neuron: 'none', pool: o.k ?? 2, unrollStep: o.unrollStep };
    if (o.kind !== 'conv' && o.kind !== 'fc') throw new Error(`conversion: unsupported op kind ${o.kind}`);
    const isCls = o.id === topo.classifier;
    return {
      id: o.id,
      kind: o.kind,
      param: o.param ?? o.id,
      unrollStep: o.unrollStep,
      neuron: isCls ? 'none' : 'relu',
      stride: 1,
      padding: 'same',
    };
  });
  const weights: Record<string, tf.Tensor> = {};
  const biases: Record<string, tf.Tensor1D> = {};
  for (const op of ops) {
    if (!op.param || weights[op.param]) continue;
    const w = params[op.param];
    if (!w) throw new Error(`conversion: params lack ${op.param}`);
    weights[op.param] = w;
    const b = params[`${op.param}/bias`];
    if (b) biases[op.param] = b as tf.Tensor1D;
  }
  return { ops, weights, biases: Object.keys(biases).length ? biases : undefined, clip: opts.clip };
}
