// Poisson rate coding of a chunk of steps, time-major folded [Tc·B, H, W, C]: @snn/encoders.
import { poissonEncode } from '@snn/encoders';
import { tf } from './tf.js';

export function poissonChunk(x: tf.Tensor4D, steps: number, seed: number, maxRate = 1): tf.Tensor4D {
  return poissonEncode(x, steps, seed >>> 0, maxRate) as tf.Tensor4D;
}
