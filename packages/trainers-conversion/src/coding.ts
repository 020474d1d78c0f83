import { tf } from './tf.js';

/**
 * Poisson rate coding of a chunk of `tc` steps: pixel intensity in [0,1] is the per-step spike
 * probability (Panda et al. 2020, rate coding). Output [tc*B, ...] time-major (row t*B + b).
 * Seeded; a chunk's seed is derived from its start step so chunking does not change the stream's
 * statistics.
 */
export function poissonChunk(x: tf.Tensor, tc: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.randomUniform([tc, ...x.shape], 0, 1, 'float32', seed >>> 0);
    const s = tf.cast(tf.less(u, tf.expandDims(x, 0)), 'float32');
    return tf.reshape(s, [tc * x.shape[0], ...x.shape.slice(1)]);
  });
}
