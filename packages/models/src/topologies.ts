/**
 * Named topologies of Panda, Aketi & Roy 2020. The paper's tables were images, so every spec is
 * RECONSTRUCTED from the naming rules in its text (shared/reference/panda2020.md, "Topologies")
 * and says so (`reconstructed: true`, `rule`).
 *
 * Common reading (all specs):
 * - CIFAR-10 nets follow the paper's rule VGG<N> = N weight layers, the last two FC1 (1024) and
 *   FC2 (classifier). ImageNet nets (VGG16, VGG13, VGG11x2) follow the standard VGG configurations
 *   D/B/A with three FC layers (4096, 4096, classes) as in Sengupta et al. 2019, whose VGG16 the
 *   conversion experiments reuse.
 * - Widths VGG-style (64, 128, 256, 512) at width = 1, scaled by `width` (min 4 channels).
 * - 3x3 convs, stride 1, 'same' padding, no bias by default; 2x2 average pooling (stride 2) after
 *   each conv stage, as in Sengupta et al. 2019 / Panda et al. (avg pooling converts cleanly).
 * - BackRes (XxN): a block repeated N times with SHARED weights, unrolled in logical order so the
 *   logical depth of the feed-forward twin is preserved. A block must have equal in/out channels
 *   (the paper's experiments do), so the conv feeding a CIFAR BackRes block is as wide as the block.
 *   The text does not say which way: our default widens Conv1 to the block (128), which gives the
 *   BackRes nets more MACs than their feed-forward twins and a wider Poisson-input layer; the
 *   other reading keeps Conv1 at 64 and runs the block at 64 (`<name>-b64`, both kept as rows).
 */
import type { LayerDecl, TopologyName } from './types.js';

export interface TopologyDecl {
  name: TopologyName;
  dataset: 'cifar10' | 'imagenet';
  rule: string;
  layers: LayerDecl[];
  feedForward?: TopologyName;
}

const c = (id: string, out: number, extra: { residual?: boolean; relu?: boolean } = {}): LayerDecl => ({
  conv: id,
  out,
  ...extra,
});
const P: LayerDecl = { pool: 'avg', size: 2 };
const rep = (times: number, ...body: LayerDecl[]): LayerDecl => ({ repeat: body, times });
const cifarHead: LayerDecl[] = [
  { fc: 'fc1', out: 1024 },
  { fc: 'fc2', out: 'classes' },
];
const imagenetHead: LayerDecl[] = [
  { fc: 'fc1', out: 4096 },
  { fc: 'fc2', out: 4096 },
  { fc: 'fc3', out: 'classes' },
];

/** The second reading of a CIFAR BackRes net: Conv1 stays at VGG's 64 and the block runs at 64. */
function b64(of: string, feedForward: TopologyName, layers: LayerDecl[]): TopologyDecl {
  return {
    name: `${of}-b64` as TopologyName,
    dataset: 'cifar10',
    rule:
      `${of} under the other reading of the text: Conv1 at 64 as in VGG, and the shared block at 64 channels ` +
      `(in = out), instead of widening Conv1 to the 128 of the default ${of}`,
    layers,
    feedForward,
  };
}

const FF_RULE = 'VGG<N> = N weight layers, the last two FC1 and FC2 (FC2 the classifier), so N-2 convs';
const BR_RULE =
  'XxN = X unique conv layers, a block repeated N times with shared weights (BackRes), logical depth preserved';

export const TOPOLOGY_DECLS: Record<TopologyName, TopologyDecl> = {
  VGG3: {
    name: 'VGG3',
    dataset: 'cifar10',
    rule: `${FF_RULE}: Conv1(64), avgpool, FC1, FC2 (stochmax study)`,
    layers: [c('conv1', 64), P, ...cifarHead],
  },
  VGG5: {
    name: 'VGG5',
    dataset: 'cifar10',
    rule: `${FF_RULE}: Conv1(64), avgpool, Conv2(128), Conv3(128), avgpool, FC1(8192-1024), FC2 (the VGG5-like net of design/architecture.md)`,
    layers: [c('conv1', 64), P, c('conv2', 128), c('conv3', 128), P, ...cifarHead],
  },
  VGG7: {
    name: 'VGG7',
    dataset: 'cifar10',
    rule: `${FF_RULE}: Conv1(64), avgpool, Conv2-Conv5(128), avgpool, FC1, FC2`,
    layers: [c('conv1', 64), P, c('conv2', 128), c('conv3', 128), c('conv4', 128), c('conv5', 128), P, ...cifarHead],
  },
  VGG9: {
    name: 'VGG9',
    dataset: 'cifar10',
    rule:
      `${FF_RULE}: Conv1-2(64), avgpool, Conv3-4(128), avgpool, Conv5-7(256), avgpool, FC1, FC2; ` +
      'hybrid (paper, CIFAR10): Conv1 and Conv2 are ReLU, the rest LIF',
    layers: [
      c('conv1', 64, { relu: true }),
      c('conv2', 64, { relu: true }),
      P,
      c('conv3', 128),
      c('conv4', 128),
      P,
      c('conv5', 256),
      c('conv6', 256),
      c('conv7', 256),
      P,
      ...cifarHead,
    ],
  },
  VGG2x4: {
    name: 'VGG2x4',
    dataset: 'cifar10',
    rule: `${BR_RULE}: Conv1(128), avgpool, Conv2(128) x4, avgpool, FC1, FC2 (logical depth 7 = VGG7; Conv1 as wide as the block so in = out)`,
    layers: [c('conv1', 128), P, rep(4, c('conv2', 128)), P, ...cifarHead],
    feedForward: 'VGG7',
  },
  'VGG3x2-v1': {
    name: 'VGG3x2-v1',
    dataset: 'cifar10',
    rule: `${BR_RULE}: Conv1(128), avgpool, (Conv2, Conv3)(128) x2, avgpool, FC1, FC2 (logical depth 7 = VGG7)`,
    layers: [c('conv1', 128), P, rep(2, c('conv2', 128), c('conv3', 128)), P, ...cifarHead],
    feedForward: 'VGG7',
  },
  'VGG3x2-v2': {
    name: 'VGG3x2-v2',
    dataset: 'cifar10',
    rule:
      'AGD tables (reading, not stated in the text): VGG<X>x<N> = X unique non-classifier weight layers (Conv1, Conv2, FC1) ' +
      'with Conv2 unrolled N times: Conv1(128), avgpool, Conv2(128) x2, avgpool, FC1, FC2 (logical depth 5 = VGG5)',
    layers: [c('conv1', 128), P, rep(2, c('conv2', 128)), P, ...cifarHead],
    feedForward: 'VGG5',
  },
  VGG3x4: {
    name: 'VGG3x4',
    dataset: 'cifar10',
    rule:
      'AGD tables (reading, not stated in the text): VGG<X>x<N> = X unique non-classifier weight layers (Conv1, Conv2, FC1) ' +
      'with Conv2 unrolled N times: Conv1(128), avgpool, Conv2(128) x4, avgpool, FC1, FC2 (logical depth 7 = VGG7). ' +
      'Under this reading it has the same structure as VGG2x4 (conversion tables name it by conv count).',
    layers: [c('conv1', 128), P, rep(4, c('conv2', 128)), P, ...cifarHead],
    feedForward: 'VGG7',
  },
  'VGG2x4-b64': b64('VGG2x4', 'VGG7', [c('conv1', 64), P, rep(4, c('conv2', 64)), P, ...cifarHead]),
  'VGG3x2-v1-b64': b64('VGG3x2-v1', 'VGG7', [
    c('conv1', 64),
    P,
    rep(2, c('conv2', 64), c('conv3', 64)),
    P,
    ...cifarHead,
  ]),
  'VGG3x2-v2-b64': b64('VGG3x2-v2', 'VGG5', [c('conv1', 64), P, rep(2, c('conv2', 64)), P, ...cifarHead]),
  'VGG3x4-b64': b64('VGG3x4', 'VGG7', [c('conv1', 64), P, rep(4, c('conv2', 64)), P, ...cifarHead]),
  VGG8x2: {
    name: 'VGG8x2',
    dataset: 'cifar10',
    rule:
      'X unique weight layers (Conv1-Conv6 + FC1, FC2 = 8) with one conv repeated twice: VGG9 with Conv6 (256) x2 in place of ' +
      'Conv6, Conv7 (logical depth 9 = VGG9); hybrid: Conv1 and Conv2 ReLU',
    layers: [
      c('conv1', 64, { relu: true }),
      c('conv2', 64, { relu: true }),
      P,
      c('conv3', 128),
      c('conv4', 128),
      P,
      c('conv5', 256),
      rep(2, c('conv6', 256)),
      P,
      ...cifarHead,
    ],
    feedForward: 'VGG9',
  },
  ResNet2: {
    name: 'ResNet2',
    dataset: 'cifar10',
    rule:
      'STDP (ReStoCNet-like reading): ResNet<K> = K conv layers, Conv1(64), avgpool, then K-1 residual convs (64, identity ' +
      'shortcut added to the pre-activation), avgpool, FC1, FC2',
    layers: [c('conv1', 64), P, c('conv2', 64, { residual: true }), P, ...cifarHead],
  },
  ResNet3: {
    name: 'ResNet3',
    dataset: 'cifar10',
    rule:
      'STDP (ReStoCNet-like reading): ResNet<K> = K conv layers, Conv1(64), avgpool, then K-1 residual convs (64, identity ' +
      'shortcut added to the pre-activation), avgpool, FC1, FC2',
    layers: [
      c('conv1', 64),
      P,
      c('conv2', 64, { residual: true }),
      c('conv3', 64, { residual: true }),
      P,
      ...cifarHead,
    ],
  },
  ResNet2x2: {
    name: 'ResNet2x2',
    dataset: 'cifar10',
    rule: 'ResNet2 with its residual Conv2 unrolled x2 with shared weights (BackRes): logical depth = ResNet3',
    layers: [c('conv1', 64), P, rep(2, c('conv2', 64, { residual: true })), P, ...cifarHead],
    feedForward: 'ResNet3',
  },
  VGG16: {
    name: 'VGG16',
    dataset: 'imagenet',
    rule: 'standard VGG16 (configuration D: 13 conv + 3 FC) as in Sengupta et al. 2019, avg pooling',
    layers: [
      c('conv1', 64),
      c('conv2', 64),
      P,
      c('conv3', 128),
      c('conv4', 128),
      P,
      c('conv5', 256),
      c('conv6', 256),
      c('conv7', 256),
      P,
      c('conv8', 512),
      c('conv9', 512),
      c('conv10', 512),
      P,
      c('conv11', 512),
      c('conv12', 512),
      c('conv13', 512),
      P,
      ...imagenetHead,
    ],
  },
  VGG13: {
    name: 'VGG13',
    dataset: 'imagenet',
    rule:
      'standard VGG13 (configuration B: 10 conv + 3 FC), avg pooling; hybrid (paper, ImageNet): ReLU at the start and the end, ' +
      'the middle two weight layers (6 and 7 of 13: Conv6, Conv7) LIF',
    layers: [
      c('conv1', 64, { relu: true }),
      c('conv2', 64, { relu: true }),
      P,
      c('conv3', 128, { relu: true }),
      c('conv4', 128, { relu: true }),
      P,
      c('conv5', 256, { relu: true }),
      c('conv6', 256),
      P,
      c('conv7', 512),
      c('conv8', 512, { relu: true }),
      P,
      c('conv9', 512, { relu: true }),
      c('conv10', 512, { relu: true }),
      P,
      { fc: 'fc1', out: 4096, relu: true },
      { fc: 'fc2', out: 4096, relu: true },
      { fc: 'fc3', out: 'classes' },
    ],
  },
  VGG11x2: {
    name: 'VGG11x2',
    dataset: 'imagenet',
    rule:
      'reading: 11 unique weight layers (8 conv + 3 FC) laid out on VGG16-D logical shapes (logical depth 16): ' +
      'Conv1-2(64), P, Conv3-4(128), P, Conv5(256), Conv6(256) x2, P, Conv7(512), Conv8(512) x2, P, Conv8 x3 ' +
      '(the same shared 512 kernel re-entered after pooling, unroll steps 3-5), P, FC1-3',
    layers: [
      c('conv1', 64),
      c('conv2', 64),
      P,
      c('conv3', 128),
      c('conv4', 128),
      P,
      c('conv5', 256),
      rep(2, c('conv6', 256)),
      P,
      c('conv7', 512),
      rep(2, c('conv8', 512)),
      P,
      rep(3, c('conv8', 512)),
      P,
      ...imagenetHead,
    ],
    feedForward: 'VGG16',
  },
};

export const TOPOLOGY_NAMES = Object.keys(TOPOLOGY_DECLS) as TopologyName[];
