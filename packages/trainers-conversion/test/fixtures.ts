import { tf } from '@snn/backend';
import { buildTopology, type LayerDecl } from '@snn/models';
import type { ConversionNet } from '../src/convertible.js';

/** A convertible net from declared layers (IF ops, no bias) and seeded params. */
export function netOf(
  layers: LayerDecl[],
  input: [number, number, number],
  classes: number,
  params: Record<string, tf.Tensor>,
): ConversionNet {
  const topo = buildTopology(
    'test',
    layers,
    { width: 1, classes, bias: false, neuron: 'if', input },
    {
      rule: 'test',
      reconstructed: false,
    },
  );
  return { topo, params };
}

/** conv 3x3 (1→4) · avgpool 2 · fc 16→8 · fc 8→3 (classifier); seeded He-like weights, no bias. */
export function tinyNet(seed = 1): ConversionNet {
  return netOf(
    [
      { conv: 'conv1', out: 4, k: 3 },
      { pool: 'avg', size: 2 },
      { fc: 'fc1', out: 8 },
      { fc: 'fc2', out: 'classes' },
    ],
    [4, 4, 1],
    3,
    {
      conv1: tf.randomNormal([3, 3, 1, 4], 0.1, Math.sqrt(2 / 9), 'float32', seed),
      fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', seed + 1),
      fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', seed + 2),
    },
  );
}

/** BackRes: conv1 · conv2 unrolled 3 times (shared weights) · avgpool · fc1 · fc2. */
export function tinyBackRes(seed = 3): ConversionNet {
  return netOf(
    [
      { conv: 'conv1', out: 4, k: 3 },
      { repeat: [{ conv: 'conv2', out: 4, k: 3 }], times: 3 },
      { pool: 'avg', size: 2 },
      { fc: 'fc1', out: 8 },
      { fc: 'fc2', out: 'classes' },
    ],
    [4, 4, 1],
    3,
    {
      conv1: tf.randomNormal([3, 3, 1, 4], 0.05, Math.sqrt(2 / 9), 'float32', seed),
      conv2: tf.randomNormal([3, 3, 4, 4], 0.02, Math.sqrt(2 / 36), 'float32', seed + 1),
      fc1: tf.randomNormal([16, 8], 0.05, Math.sqrt(2 / 16), 'float32', seed + 2),
      fc2: tf.randomNormal([8, 3], 0, Math.sqrt(2 / 8), 'float32', seed + 3),
    },
  );
}

export function images(n: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, 4, 4, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
}
