import { tf } from '@snn/backend';

/**
 * Latency / time-to-first-spike coding (Park & Yoon 2021; T2FSNN): each pixel spikes at most
 * once, at step t = round((1 - x) * (T - 1)) (half rounds up), so the brightest pixel (x = 1)
 * fires at t = 0 and x -> 0+ fires at t = T - 1. x = 0 (no intensity) never fires.
 * Returns [T*B, ...] 0/1, time-major (row t*B + b), built with one broadcast comparison.
 */
export function latencyEncode(x: tf.Tensor, T: number): tf.Tensor {
  if (!Number.isInteger(T) || T < 1) throw new Error(`latencyEncode: T must be a positive integer, got ${T}`);
  return tf.tidy(() => {
    const [B, ...rest] = x.shape;
    const fireAt = tf.floor(tf.add(tf.mul(tf.sub(1, tf.clipByValue(x, 0, 1)), T - 1), 0.5)); // [B, ...]
    const steps = tf.reshape(tf.range(0, T, 1, 'float32'), [T, ...new Array<number>(x.rank).fill(1)]);
    const hit = tf.logicalAnd(tf.equal(steps, fireAt), tf.greater(x, 0)); // [T, B, ...]
    return tf.reshape(tf.cast(hit, 'float32'), [T * B, ...rest]);
  });
}
