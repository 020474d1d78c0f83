import { tf } from '@snn/backend';

export interface DirectInput {
  /** the analog input itself, [B, ...] (not a copy) */
  input: tf.Tensor;
  repeated: true;
}

/**
 * Direct (real-valued) coding (Rathi & Roy; Zheng et al. 2021): the same analog image drives
 * the first layer at every step. It is NOT tiled over T: the first layer computes its
 * synaptic input once and the neuron sequence reuses it (`repeated: true`).
 */
export function directEncode(x: tf.Tensor, T: number): DirectInput {
  if (!Number.isInteger(T) || T < 1) throw new Error(`directEncode: T must be a positive integer, got ${T}`);
  return { input: x, repeated: true };
}
