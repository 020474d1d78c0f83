import { tf } from '@snn/backend';

/**
 * Poisson rate coding (Panda et al. 2020; Sengupta et al. 2019): at each of T steps a pixel
 * of intensity x in [0, 1] spikes with probability p = maxRate * x, independently.
 * All T steps come from ONE seeded randomUniform of shape [T*B, ...] (time-major, row
 * t*B + b), compared against x broadcast over time, so nothing is tiled. Same seed -> same
 * spikes; derive a fresh seed per batch (deriveSeed(seed, epoch, batch)).
 */
export function poissonEncode(x: tf.Tensor, T: number, seed: number, maxRate = 1): tf.Tensor {
  if (!Number.isInteger(T) || T < 1) throw new Error(`poissonEncode: T must be a positive integer, got ${T}`);
  if (!(maxRate >= 0 && maxRate <= 1)) throw new Error(`poissonEncode: maxRate must be in [0, 1], got ${maxRate}`);
  if (!Number.isFinite(seed)) throw new Error(`poissonEncode: seed must be a finite number, got ${seed}`);
  return tf.tidy(() => {
    const [B, ...rest] = x.shape;
    const u = tf.randomUniform([T, B, ...rest], 0, 1, 'float32', seed);
    const p = maxRate === 1 ? x : tf.mul(x, maxRate);
    const spikes = tf.cast(tf.less(u, p), 'float32'); // p broadcasts over the leading T axis
    return tf.reshape(spikes, [T * B, ...rest]);
  });
}
