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

/**
 * The seed of the chunk of a long Poisson stream that starts at step `t0` (chunked simulation,
 * ANN-to-SNN conversion): every chunk is an independent seeded draw, so chunking keeps the
 * stream's statistics (i.i.d. Bernoulli(x) per pixel and step) while memory stays one chunk.
 */
export function poissonChunkSeed(seed: number, t0: number): number {
  return (seed + t0 * 7919) >>> 0;
}

/**
 * Steps [t0, t0 + steps) of a long Poisson stream (see poissonChunkSeed): [steps*B, ...] of 0/1,
 * time-major. A stream simulated in chunks of any size draws each chunk from its own start step.
 */
export function poissonEncodeChunk(
  x: tf.Tensor,
  o: { t0: number; steps: number; seed: number; maxRate?: number },
): tf.Tensor {
  return poissonEncode(x, o.steps, poissonChunkSeed(o.seed, o.t0), o.maxRate);
}
