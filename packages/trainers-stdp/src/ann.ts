// ANN baseline of the same topology as the STDP stack (Panda et al. 2020, Table 6/12 "ANN"
// columns): the same convs (shared weights applied n times for BackRes unrolls, identity
// shortcuts, 2×2 average pooling), ReLU instead of LIF, no bias, no batch norm (the paper's ANN
// baselines are unregularised), trained end to end by backprop together with the same head.
import { tf } from './tf.js';
import type { StackSpec } from './stack.js';

export interface AnnFront {
  vars: tf.Variable[];
  apply(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

export function makeAnnFront(spec: StackSpec, seed: number): AnnFront {
  const ws = spec.layers.map((l, i) =>
    tf.tidy(() => {
      // He-uniform init (ReLU)
      const lim = Math.sqrt(6 / (l.kernel * l.kernel * l.cin));
      return tf.variable(
        tf.randomUniform([l.kernel, l.kernel, l.cin, l.cout], -lim, lim, 'float32', seed * 31 + i),
        true,
        `ann-${spec.name}-${l.id}-${seed}`,
      );
    }),
  );
  return {
    vars: ws,
    apply(x) {
      let cur = x;
      spec.layers.forEach((l, i) => {
        for (let m = 0; m < l.unroll; m++) {
          const c = tf.conv2d(cur, ws[i] as tf.Tensor4D, 1, 'same');
          cur = tf.relu(l.residual && l.cin === l.cout ? (tf.add(c, cur) as tf.Tensor4D) : c);
        }
        if (l.poolAfter) cur = tf.avgPool(cur, 2, 2, 'valid');
      });
      return cur;
    },
    dispose() {
      for (const w of ws) w.dispose();
    },
  };
}
