// One STDP experiment of Panda et al. 2020 Tables 6 / 12 for one topology:
//   1. the conv stack learns by layer-wise unsupervised STDP on `stdpImages` training images,
//      then is frozen;
//   2. frozen features (output spikes averaged over the T-step window) are computed ONCE per
//      image and cached for head training;
//   3. heads (FC1-FC2 or ConvNN, softmax or stochmax loss) learn by backprop on those features;
//   4. baselines: the same head on RANDOM frozen kernels (same homeostatic thresholds, no STDP),
//      and the ANN of the same topology + same head trained end to end;
//   5. energy: EE_Full and EE_Conv from the measured input spike rates (@snn/energy).
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@snn/runtime';
import { annEnergy, energyEfficiency, snnEnergy, uniqueParams, type EnergyPresetName } from '@snn/energy';
import { getTopology, type TopologyName } from '@snn/models';
import type { ImageSet } from '@snn/datasets';
import type { HeadName } from '@snn/training';
import { tf } from './tf.js';
import { StdpStack, RateAccumulator, trainStackStdp, extractFeatures, stackOutShape } from './stack.js';
import { stackSpecFromTopology } from './topology.js';
import { makeHeadNet, trainHead, evaluateHead, type HeadArch, type HeadNet } from './heads.js';
import { annNet, annTopology } from './ann.js';
import type { Competition, StdpLayerParams } from './stdp-layer.js';
import type { StdpRuleParams } from './stdp-rule.js';

function toTensor(set: ImageSet): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return tf.tidy(() => ({
    x: tf.div(tf.tensor4d(set.images, [set.n, set.height, set.width, set.channels], 'int32'), 255) as tf.Tensor4D,
    y: tf.tensor1d(set.labels, 'int32'),
  }));
}

/** per-channel standardisation with train statistics (spike rates are small and skewed) */
function standardize(train: tf.Tensor4D, test: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(train, [0, 1, 2]);
    const sd = tf.add(tf.sqrt(variance), 1e-3);
    return [tf.div(tf.sub(train, mean), sd) as tf.Tensor4D, tf.div(tf.sub(test, mean), sd) as tf.Tensor4D];
  });
}

export interface KernelCache {
  file: string;
  /** what the file must say it was made from (configuration + code fingerprint) */
  key: string;
}

interface KernelFile {
  format: 1;
  key: string;
  seconds: number;
  layers: Array<{ id: string; shape: number[]; w: number[]; vth: number[]; updates: number }>;
}

/** load a kernel checkpoint into `stack`; null (and the caller relearns) if absent, stale or malformed */
function loadKernels(stack: StdpStack, c: KernelCache): { seconds: number } | null {
  if (!existsSync(c.file)) return null;
  let k: KernelFile;
  try {
    k = JSON.parse(readFileSync(c.file, 'utf8')) as KernelFile;
  } catch {
    return null;
  }
  const fits =
    k.format === 1 &&
    k.key === c.key &&
    Array.isArray(k.layers) &&
    k.layers.length === stack.layers.length &&
    k.layers.every((l, i) => {
      const layer = stack.layers[i];
      return (
        l.id === layer.id &&
        l.shape.join() === layer.w.shape.join() &&
        l.w.length === layer.w.size &&
        l.vth.length === layer.vth.size
      );
    });
  if (!fits) return null;
  k.layers.forEach((l, i) => {
    const layer = stack.layers[i];
    tf.tidy(() => {
      layer.w.assign(tf.tensor(l.w, layer.w.shape) as tf.Tensor4D);
      layer.vth.assign(tf.tensor1d(l.vth));
    });
    layer.updates = l.updates;
  });
  return { seconds: k.seconds };
}

function saveKernels(stack: StdpStack, c: KernelCache, seconds: number): void {
  const k: KernelFile = {
    format: 1,
    key: c.key,
    seconds,
    layers: stack.layers.map((l) => ({
      id: l.id,
      shape: l.w.shape,
      w: Array.from(l.w.dataSync()),
      vth: Array.from(l.vth.dataSync()),
      updates: l.updates,
    })),
  };
  writeFileAtomic(c.file, `${JSON.stringify(k)}\n`);
}

function now(): number {
  return performance.now() / 1000;
}

/** What the STDP (or random-kernel) front end produced: cached features + measured activity. */
export interface FrozenFeatures {
  topology: string;
  reconstructed: boolean;
  featShape: [number, number, number];
  hidden: number;
  classes: number;
  /** standardised features [N, h, w, c] (train statistics) */
  xtr: tf.Tensor4D;
  ytr: tf.Tensor1D;
  xte: tf.Tensor4D;
  yte: tf.Tensor1D;
  /** input spike rate per step of each conv op (test set) */
  inputRates: Record<string, number>;
  /** output spike rate per step per conv op and unroll step */
  activity: Array<{ layer: string; unrollStep: number; rate: number }>;
  /** STDP updates per layer (k × n × windows) */
  updates: Record<string, number>;
  seconds: Record<string, number>;
}

export interface FrozenFeatureOptions {
  topology: TopologyName;
  width: number;
  T: number;
  /** images the conv layers learn on (paper: 5,000) */
  stdpImages: ImageSet;
  stdpEpochs: number;
  train: ImageSet;
  test: ImageSet;
  batchSize: number;
  seed: number;
  /** 'stdp': kernels learnt by STDP; 'random': random frozen kernels (same homeostatic thresholds) */
  kernels: 'stdp' | 'random';
  /** name in logs (default: kernels) */
  label?: string;
  /**
   * learnt kernels and thresholds are saved to / loaded from this file (a JSON checkpoint of the
   * frozen stack), so stages with the same STDP configuration (Tables 6 and 12) learn them once.
   * The caller keys the file by the full configuration and the code fingerprint.
   */
  kernelCache?: KernelCache;
  maxRate?: number;
  stdp?: Partial<Omit<StdpLayerParams, 'rule'>> & { rule?: Partial<StdpRuleParams> };
  /** how the frozen stack runs when it extracts features (inference-only: the kernels do not depend on it) */
  inference?: StdpInference;
  /** images of the threshold re-adaptation pass (`inference: 'readapt'`): the first n STDP images (default all) */
  readaptImages?: number;
  log?: (msg: string) => void;
  progress?: (p: { step?: number; of?: number; note?: string }) => void;
}

/**
 * Inference reading of the frozen stack. The thresholds adapt to `targetRate` under WTA and
 * dropout, which act only while layers are shaped, so:
 *  - 'free' (default, the original reading): no competition at inference; the same thresholds
 *    then fire well above the target rate;
 *  - 'wta': the lateral inhibition (per-position winner-take-all, lateral reset) kept at
 *    inference, no dropout: the competition the thresholds were adapted under;
 *  - 'readapt': no competition at inference, but the thresholds are first re-adapted to the target
 *    rate without it, layer by layer, on the STDP (training) images; the kernels stay as learnt.
 */
export type StdpInference = 'free' | 'wta' | 'readapt';

/**
 * Layer-wise STDP (or threshold-only adaptation for random kernels) on `stdpImages`, then the
 * frozen stack's features for the train and test sets, computed once (cache them: see memo below).
 */
export function frozenFeatures(o: FrozenFeatureOptions): FrozenFeatures {
  const log = o.log ?? (() => {});
  const topo = getTopology(o.topology, { width: o.width });
  const spec = stackSpecFromTopology(topo);
  const seconds: Record<string, number> = {};
  const fc1 = topo.params.find((p) => p.id === 'fc1' && p.role === 'weight');
  const hidden = fc1 ? fc1.shape[1] : 256;
  const featShape = stackOutShape(spec);
  const train = toTensor(o.train);
  const test = toTensor(o.test);
  const stdpX = tf.tidy(() => toTensor(o.stdpImages).x);

  let t0 = now();
  const stack = new StdpStack(spec, o.stdp ?? {}, o.seed + 1);
  const cached = o.kernelCache ? loadKernels(stack, o.kernelCache) : null;
  if (cached) {
    seconds[o.kernels] = cached.seconds;
    log(
      `${topo.name} ${o.label ?? o.kernels}: kernels from ${o.kernelCache!.file} (learnt in ${cached.seconds.toFixed(1)} s)`,
    );
  } else {
    const nb = Math.ceil(stdpX.shape[0] / o.batchSize) * spec.layers.length * o.stdpEpochs;
    let done = 0;
    trainStackStdp(stack, stdpX, {
      T: o.T,
      batchSize: o.batchSize,
      epochs: o.stdpEpochs,
      seed: o.seed + 17,
      maxRate: o.maxRate,
      learn: o.kernels === 'stdp',
      onProgress: (p) =>
        o.progress?.({ step: ++done, of: nb, note: `${o.kernels === 'stdp' ? 'STDP' : 'thresholds'} ${p.layer}` }),
    });
    seconds[o.kernels] = now() - t0;
    if (o.kernelCache) saveKernels(stack, o.kernelCache, seconds[o.kernels]);
  }
  const updates = Object.fromEntries(stack.layers.map((l) => [l.id, l.updates]));
  if (!cached)
    log(
      `${topo.name} ${o.label ?? o.kernels}: ${stdpX.shape[0]} images, updates ${JSON.stringify(updates)}, ${seconds[o.kernels].toFixed(1)} s`,
    );
  if (o.inference === 'readapt') {
    // after the checkpoint was written: the cached kernels and thresholds stay those of learning
    t0 = now();
    const n = Math.min(o.readaptImages ?? stdpX.shape[0], stdpX.shape[0]);
    const xr = n < stdpX.shape[0] ? tf.slice(stdpX, [0, 0, 0, 0], [n, -1, -1, -1]) : stdpX;
    const nb = Math.ceil(n / o.batchSize) * spec.layers.length;
    let done = 0;
    trainStackStdp(stack, xr, {
      T: o.T,
      batchSize: o.batchSize,
      epochs: 1,
      seed: o.seed + 29,
      maxRate: o.maxRate,
      learn: false,
      adaptCompetition: {},
      onProgress: (p) => o.progress?.({ step: ++done, of: nb, note: `thresholds for inference ${p.layer}` }),
    });
    if (xr !== stdpX) xr.dispose();
    seconds.readapt = now() - t0;
    log(
      `${topo.name} ${o.label ?? o.kernels}: thresholds re-adapted without competition on ${n} images in ${seconds.readapt.toFixed(1)} s`,
    );
  }
  const competition: Competition | undefined = o.inference === 'wta' ? { wta: true } : undefined;

  t0 = now();
  const rates = new RateAccumulator();
  const outRates = new RateAccumulator();
  const ftr = extractFeatures(stack, train.x, {
    T: o.T,
    batchSize: o.batchSize,
    seed: o.seed * 3 + 1,
    maxRate: o.maxRate,
    competition,
  });
  const fte = extractFeatures(stack, test.x, {
    T: o.T,
    batchSize: o.batchSize,
    seed: o.seed * 3 + 2,
    maxRate: o.maxRate,
    competition,
    rates,
    outRates,
  });
  seconds.features = now() - t0;
  const [xtr, xte] = tf.tidy(() => {
    const r4 = (f: tf.Tensor2D) => tf.reshape(f, [f.shape[0], ...featShape]) as tf.Tensor4D;
    return standardize(r4(ftr), r4(fte));
  });
  ftr.dispose();
  fte.dispose();
  const inputRates = rates.result();
  const activity = Object.entries(outRates.result()).map(([id, rate]) => {
    const [layer, step] = id.split('@');
    return { layer, unrollStep: step ? Number(step) : 1, rate };
  });
  rates.dispose();
  outRates.dispose();
  log(
    `${topo.name} ${o.label ?? o.kernels}: features ${featShape.join('x')} for ${o.train.n}+${o.test.n} images in ${seconds.features.toFixed(1)} s; rates ${activity.map((a) => `${a.layer}@${a.unrollStep} ${a.rate.toFixed(3)}`).join(', ')}`,
  );
  train.x.dispose();
  test.x.dispose();
  stdpX.dispose();
  stack.dispose();
  return {
    topology: topo.name,
    reconstructed: topo.reconstructed,
    featShape,
    hidden,
    classes: topo.classes,
    xtr,
    ytr: train.y,
    xte,
    yte: test.y,
    inputRates,
    activity,
    updates,
    seconds,
  };
}

export function disposeFeatures(f: FrozenFeatures): void {
  for (const t of [f.xtr, f.ytr, f.xte, f.yte]) t.dispose();
}

export interface HeadRunOptions {
  arch: HeadArch;
  loss: HeadName;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** per-epoch checkpoints of this head's training (a folder of its own; resume from it if it holds one) */
  checkpoint?: string;
  log?: (msg: string) => void;
  progress?: (p: { epoch?: number; of?: number; step?: number; note?: string }) => void;
  /** prefix of the per-epoch log lines */
  logPrefix?: string;
}

/**
 * Train `net` + a fresh head (seeded `h.seed * 13 + seedOffset`) on (x, y) and return its top-1
 * accuracy on (xte, yte); `correct` gets 1 for each test image predicted right. Frees the head
 * (the caller owns `net` and the data).
 */
async function trainAndTest(
  net: HeadNet,
  data: { x: tf.Tensor4D; y: tf.Tensor1D; xte: tf.Tensor4D; yte: tf.Tensor1D; classes: number },
  h: HeadRunOptions,
  seedOffset: number,
  correct?: Uint8Array,
): Promise<number> {
  const head = await trainHead(net, data.x, data.y, data.classes, {
    loss: h.loss,
    epochs: h.epochs,
    batchSize: h.batchSize,
    lr: h.lr,
    seed: h.seed * 13 + seedOffset,
    checkpoint: h.checkpoint,
    log: h.log,
    progress: h.progress,
    logPrefix: h.logPrefix,
  });
  const acc = evaluateHead(net, head, data.xte, data.yte, 100, undefined, correct);
  for (const v of Object.values(head.variables)) v.dispose();
  return acc;
}

/** train a head on cached frozen features; returns test top-1 accuracy in [0, 1] */
export async function headAccuracy(f: FrozenFeatures, h: HeadRunOptions, correct?: Uint8Array): Promise<number> {
  const net = makeHeadNet(h.arch, f.featShape, f.classes, { hidden: f.hidden, seed: h.seed * 11 + 5 });
  try {
    return await trainAndTest(net, { x: f.xtr, y: f.ytr, xte: f.xte, yte: f.yte, classes: f.classes }, h, 1, correct);
  } finally {
    net.dispose();
  }
}

/** ANN of the same topology + the same head, trained end to end; test top-1 accuracy in [0, 1] */
export async function annAccuracy(
  o: { topology: TopologyName; width: number; train: ImageSet; test: ImageSet },
  h: HeadRunOptions,
  correct?: Uint8Array,
): Promise<number> {
  const topo = annTopology(o.topology, o.width, h.arch);
  const train = toTensor(o.train);
  const test = toTensor(o.test);
  const net = annNet(topo, h.arch, h.seed * 5 + 3, h.seed * 11 + 5);
  try {
    const data = { x: train.x, y: train.y, xte: test.x, yte: test.y, classes: topo.classes };
    return await trainAndTest(net, data, h, 2, correct);
  } finally {
    net.dispose();
    for (const t of [train.x, train.y, test.x, test.y]) t.dispose();
  }
}

/**
 * EE = E_ANN / E_SNN (45 nm) with measured input rates: convs are AC ops (rate × MACs × T), the
 * head reads activity accumulated over the window and pays MACs once per image in both nets.
 * `head: 'convnn'` replaces FC1-FC2 by the ConvNN head's MACs on both sides.
 */
export function stdpEnergy(o: {
  topology: TopologyName;
  width: number;
  T: number;
  inputRates: Record<string, number>;
  head: HeadArch;
  preset?: EnergyPresetName;
}): { eeFull: number; eeConv: number; eAnn: number; eSnn: number } {
  const topo = getTopology(o.topology, { width: o.width });
  const preset = o.preset ?? 'int32_45nm';
  const annE = annEnergy(topo, preset);
  const fcOps = topo.ops.filter((op) => op.kind === 'fc').map((op) => op.id);
  const snnE = snnEnergy(topo, { activity: o.inputRates, T: o.T, macOps: fcOps, preset });
  const ee = energyEfficiency(annE, snnE);
  if (o.head === 'fc') return { eeFull: ee.full, eeConv: ee.conv, eAnn: ee.eAnn, eSnn: ee.eSnn };
  // the ConvNN head's MACs: its ops in the ANN baseline's topology (everything after the stack's last pool)
  const convnn = annTopology(o.topology, o.width, 'convnn').ops;
  const stackEnd = topo.ops.findIndex((op) => op.kind === 'fc');
  const headE = convnn.slice(stackEnd).reduce((a, op) => a + op.macs, 0) * annE.constants.mac;
  const conv = (r: typeof annE) => r.perOp.filter((e) => e.kind === 'conv').reduce((a, e) => a + e.energy, 0);
  const eAnn = conv(annE) + headE;
  const eSnn = conv(snnE) + headE;
  return { eeFull: eAnn / eSnn, eeConv: ee.conv, eAnn, eSnn };
}

export { uniqueParams };
