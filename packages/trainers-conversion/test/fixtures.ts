import { tf } from '@snn/backend';
import type { ConversionNet } from '../src/index.js';

/** conv 3x3 (1→4) · avgpool 2 · fc 16→8 · fc 8→3 (classifier); seeded He-like weights, no bias. */
export function tinyNet(seed = 1): ConversionNet {
  return {
    ops: [
      { id: 'conv1', kind: 'conv', param: 'conv1', neuron: 'relu' },
      { id: 'pool1', kind: 'avgpool', neuron: 'none', pool: 2 },
      { id: 'fc1', kind: 'fc', param: 'fc1', neuron: 'relu' },
      { id: 'fc2', kind: 'fc', param: 'fc2', neuron: 'none' },
    ],
    weights: {
      conv1: tf.randomNormal([3, 3, 1, 4], 0.1, Math.sqrt(2 / 9), 'float32', seed),
      fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', seed + 1),
      fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', seed + 2),
    },
  };
}

/** BackRes: conv1 · conv2 unrolled 3 times (shared weights) · avgpool · fc1 · fc2. */
export function tinyBackRes(seed = 3): ConversionNet {
  return {
    ops: [
      { id: 'conv1', kind: 'conv', param: 'conv1', neuron: 'relu', unrollStep: 1 },
      { id: 'conv2@1', kind: 'conv', param: 'conv2', neuron: 'relu', unrollStep: 1 },
      { id: 'conv2@2', kind: 'conv', param: 'conv2', neuron: 'relu', unrollStep: 2 },
      { id: 'conv2@3', kind: 'conv', param: 'conv2', neuron: 'relu', unrollStep: 3 },
      { id: 'pool1', kind: 'avgpool', neuron: 'none', pool: 2 },
      { id: 'fc1', kind: 'fc', param: 'fc1', neuron: 'relu' },
      { id: 'fc2', kind: 'fc', param: 'fc2', neuron: 'none' },
    ],
    weights: {
      conv1: tf.randomNormal([3, 3, 1, 4], 0.05, Math.sqrt(2 / 9), 'float32', seed),
      conv2: tf.randomNormal([3, 3, 4, 4], 0.02, Math.sqrt(2 / 36), 'float32', seed + 1),
      fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', seed + 2),
      fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', seed + 3),
    },
  };
}

export function images(n: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, 4, 4, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
}
