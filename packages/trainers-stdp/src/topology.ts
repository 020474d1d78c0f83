// The STDP conv stack read from @snn/models' topology spec (ResNet2 / ResNet3 / ResNet2x2): every
// spiking conv op before the FC classifier, grouped by shared parameter (BackRes unroll count),
// with its residual shortcut and whether a 2×2 average pool follows its last use.
import type { Topology } from '@snn/models';
import type { StackSpec, StackLayerSpec } from './stack.js';

export function stackSpecFromTopology(topo: Topology): StackSpec {
  const layers: StackLayerSpec[] = [];
  const ops = topo.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.kind === 'fc') break; // the head (FC1, FC2) is trained by backprop, not STDP
    if (op.kind !== 'conv') {
      if (op.kind === 'avgpool' || op.kind === 'maxpool') {
        const last = layers[layers.length - 1];
        if (!last) throw new Error(`${topo.name}: pooling before the first conv is not supported by the STDP stack`);
        last.poolAfter = true;
      }
      continue;
    }
    const param = op.param ?? op.id;
    const prev = layers[layers.length - 1];
    if (prev && prev.id === param) {
      prev.unroll++;
      continue;
    }
    const [k, , cin, cout] = topo.params.find((p) => p.id === param)!.shape;
    layers.push({
      id: param,
      cin,
      cout,
      kernel: k,
      unroll: 1,
      poolAfter: false,
      residual: op.residualFrom !== undefined,
    });
  }
  return { name: topo.name, input: topo.input, layers };
}
