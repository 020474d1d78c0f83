import { tf, deriveSeed } from '@snn/backend';
import type { Topology } from './types.js';

export type Params = Record<string, tf.Variable>;

/**
 * Seeded He/Kaiming-normal init (std = sqrt(2 / fanIn)), suited to ReLU and to LIF layers driven
 * by non-negative spike inputs; biases (only if the topology has them) start at 0. Each weight
 * has its own seed derived from (seed, param id), so adding a layer does not shift the others.
 */
export function initParams(topo: Topology, seed: number, opts: { gain?: number } = {}): Params {
  const gain = opts.gain ?? Math.SQRT2;
  const out: Params = {};
  for (const p of topo.params) {
    const t = tf.tidy(() =>
      p.role === 'bias'
        ? tf.zeros(p.shape)
        : tf.randomNormal(p.shape, 0, gain / Math.sqrt(p.fanIn), 'float32', deriveSeed(seed, 'init', p.id)),
    );
    out[p.id] = tf.variable(t, true, `${topo.name}/${p.id}/${seed}/${Math.random().toString(36).slice(2, 8)}`);
    t.dispose();
  }
  return out;
}

/** Disposes every variable of a parameter set. */
export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}
