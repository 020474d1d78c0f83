import { tf } from './tf.js';
import type { ConversionNet, ConvOp } from './net.js';
import { linearOp } from './net.js';

export interface AnnCapture {
  /** called with the op's post-activation output (ReLU / clipped ReLU applied); tensors are kept by the callee via clone or data */
  (op: ConvOp, output: tf.Tensor, input: tf.Tensor): void;
}

/**
 * ANN forward of a convertible net: ReLU (or clipped ReLU, Deng & Gu) after every 'relu' op, average
 * pooling, linear classifier. `capture` sees every op's output (for threshold search and calibration).
 * Returns the logits.
 */
export function annForward(
  net: ConversionNet,
  x: tf.Tensor,
  opts: { capture?: AnnCapture; stopAfter?: string } = {},
): tf.Tensor {
  return tf.tidy(() => {
    let h = x;
    for (const op of net.ops) {
      const pre = linearOp(net, op, h);
      const out =
        op.neuron === 'relu' ? (net.clip !== undefined ? tf.clipByValue(pre, 0, net.clip) : tf.relu(pre)) : pre;
      opts.capture?.(op, out, h);
      h = out;
      if (op.id === opts.stopAfter) break;
    }
    return h;
  });
}
