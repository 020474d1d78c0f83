// ANN baseline of the same topology as the STDP stack (Panda et al. 2020, Table 6/12 "ANN"
// columns): the @snn/models topology with the row's head as layers of it (`fc`: the topology's own
// FC1-FC2; `convnn`: the ConvNN head of heads.ts as LayerDecls), run by @snn/models' `forward` in
// mode 'ann' (shared weights applied n times for BackRes unrolls, identity shortcuts, 2×2 average
// pooling, ReLU instead of LIF), no bias in the conv stack, no batch norm (the paper's ANN baselines
// are unregularised), trained end to end by backprop with the same loss as the STDP heads.
import { forward, getTopology, type LayerDecl, type Topology, type TopologyName } from '@snn/models';
import { tf } from './tf.js';
import type { HeadArch, HeadNet } from './heads.js';

/** the ConvNN head (heads.ts) as topology layers on C feature channels: conv3x3(2C) ReLU ×2, avgpool 2, FC1, FC2 */
function convnnLayers(features: LayerDecl[], c: number, width: number): LayerDecl[] {
  // a LayerDecl's width is scaled by `width`: 2C / width scales back to exactly 2C channels
  const out = (2 * c) / width;
  return [
    ...features,
    { conv: 'hc1', out },
    { conv: 'hc2', out },
    { pool: 'avg', size: 2 },
    { fc: 'fc1', out: 1024 },
    { fc: 'fc2', out: 'classes' },
  ];
}

/** the topology of the ANN baseline: the STDP topology's conv stack followed by the row's head */
export function annTopology(name: TopologyName, width: number, arch: HeadArch): Topology {
  const base = getTopology(name, { width });
  if (arch === 'fc') return base;
  const convs = base.ops.filter((op) => op.kind === 'conv');
  const c = convs[convs.length - 1].outShape[2];
  const topo = getTopology(name, { width, head: (f) => convnnLayers(f, c, width) });
  const hc1 = topo.params.find((p) => p.id === 'hc1')!;
  if (hc1.shape[3] !== 2 * c) throw new Error(`${name}: ConvNN head has ${hc1.shape[3]} channels, expected ${2 * c}`);
  return topo;
}

/**
 * The ANN baseline as a HeadNet (for heads.ts' trainHead / evaluateHead): `forward` in mode 'ann'.
 * Init as the STDP heads and the earlier hand-written ANN: the stack's convs He-uniform (seed
 * `frontSeed`·31 + i), the head's weights Glorot-uniform (seed `headSeed` + j), head biases 0.
 */
export function annNet(topo: Topology, arch: HeadArch, frontSeed: number, headSeed: number): HeadNet {
  const stack = new Set(
    getTopology(topo.name as TopologyName, { width: topo.width })
      .params.filter((p) => p.shape.length === 4)
      .map((p) => p.id),
  );
  const params: Record<string, tf.Variable> = {};
  let i = 0;
  let j = 0;
  for (const p of topo.params) {
    const [fanIn, fanOut] =
      p.shape.length === 4 ? [p.fanIn, p.shape[0] * p.shape[1] * p.shape[3]] : [p.fanIn, p.shape[1]];
    const front = stack.has(p.id);
    // He-uniform (ReLU) in the stack, Glorot-uniform in the head
    const lim = front ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    const seed = front ? frontSeed * 31 + i++ : headSeed + j++;
    params[p.id] = tf.tidy(() =>
      tf.variable(tf.randomUniform(p.shape, -lim, lim, 'float32', seed), true, `ann-${topo.name}-${p.id}-${seed}`),
    );
    if (!front) {
      const n = p.shape[p.shape.length - 1];
      params[`${p.id}/bias`] = tf.tidy(() => tf.variable(tf.zeros([n]), true, `ann-${topo.name}-${p.id}-b-${seed}`));
    }
  }
  const vars = Object.values(params);
  return {
    arch,
    vars,
    apply(x) {
      const { features, logits } = forward(topo, params, x, { mode: 'ann' });
      return { features, logits };
    },
    dispose() {
      for (const v of vars) v.dispose();
    },
  };
}
