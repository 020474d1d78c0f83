import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { dataFingerprint, engineLabel, engineTag, moduleCodeFingerprint, repoRoot, withLock } from '@snn/runtime';
import { deriveSeed, engineInfo } from '@snn/backend';
import { tf } from './tf.js';
import { forward, getTopology, initParams, type ForwardOptions, type Topology, type TopologyName } from '@snn/models';
import { batches, type Batch, type ImageSet } from '@snn/datasets';
import {
  HeadTrainer,
  checkDivergence,
  classifierFeatureDim,
  makeHead,
  runEpochs,
  setLearningRate,
  type EpochStats,
  type HeadOutput,
  type TrainContext,
} from '@snn/training';
import type { ConversionNet, Readout } from './convertible.js';
import type { LabelledBatch } from './evaluate.js';

/**
 * The ANN to convert (Panda et al. 2020 / Sengupta et al. 2019): ReLU, average pooling, no bias,
 * no batch norm; trained by backprop with @snn/training's head trainer and epoch loop (the same
 * step, seeds and loop as the AGD trainer's 'ann' mode, so the same numbers) with a softmax or
 * stochmax head. The trained weights are cached by the config's own hash and the trainer code
 * (per-epoch checkpoints: a finished run resumes with zero epochs left), so every stage and row
 * that converts the same ANN reuses it.
 */
export interface ConvertibleAnnConfig {
  topology: TopologyName;
  width: number;
  classifier: 'softmax' | 'stochmax';
  epochs: number;
  batchSize: number;
  lr: number;
  trainSamples: number;
  seed: number;
  augment: boolean;
}

export interface ConvertibleAnn {
  topo: Topology;
  net: ConversionNet;
  trainer: AnnTrainer;
  /** stochmax: the head's test-time log-probabilities; softmax: undefined (argmax of the logits) */
  readout?: Readout;
  cacheDir: string;
  trainedEpochs: number;
}

export function annConfigHash(cfg: ConvertibleAnnConfig): string {
  const keys = Object.keys(cfg).sort() as Array<keyof ConvertibleAnnConfig>;
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, cfg[k]])))
    .digest('hex')
    .slice(0, 16);
}

/** unused by 'ann' forward passes (ReLU everywhere); models.forward's options require a neuron */
const annNeuron: NonNullable<ForwardOptions['neuron']> = () => ({
  kind: 'lif',
  alpha: 1,
  vth: 1,
  reset: 'soft',
  surrogate: { name: 'pwl' },
});

/** The ANN trainer: params initialised from `deriveSeed(seed, 'init')`, the head from `deriveSeed(seed, 'head')`, Adam. */
export class AnnTrainer extends HeadTrainer {
  constructor(
    readonly topo: Topology,
    classifier: 'softmax' | 'stochmax',
    lr: number,
    seed: number,
  ) {
    const params = initParams(topo, deriveSeed(seed, 'init'));
    const head = makeHead(classifier, classifierFeatureDim(topo), topo.classes, deriveSeed(seed, 'head'));
    super({ params, head, optimizer: { name: 'adam', lr } });
  }

  run(x: tf.Tensor): HeadOutput {
    return forward(this.topo, this.params, x, { mode: 'ann', T: 1, repeated: false, neuron: annNeuron });
  }
}

/** Train `cfg.epochs` epochs with per-epoch checkpoints in `checkpointDir` (resuming from them). */
async function trainAnn(
  topo: Topology,
  cfg: ConvertibleAnnConfig,
  train: ImageSet,
  checkpointDir: string,
  ctx: TrainContext,
): Promise<{ trainer: AnnTrainer; resumedEpochs: number }> {
  const trainer = new AnnTrainer(topo, cfg.classifier, cfg.lr, cfg.seed);
  const augment = cfg.augment ? { crop: 4, flip: true } : undefined;
  const run = await runEpochs<Batch, EpochStats & { lr: number }, Record<string, never>>({
    epochs: cfg.epochs,
    stepsPerEpoch: Math.ceil(train.n / cfg.batchSize),
    startEpoch: () => setLearningRate(trainer.optimizer, cfg.lr),
    batches: (epoch) =>
      batches(train, {
        batchSize: cfg.batchSize,
        seed: deriveSeed(cfg.seed, 'shuffle', epoch),
        shuffle: true,
        augment,
      }),
    step: (b, epoch, bi) => ({
      ...trainer.trainBatch(b.x, b.y, deriveSeed(cfg.seed, 'batch', epoch, bi)),
      size: b.size,
    }),
    release: (b) => tf.dispose([b.x, b.y]),
    checkLoss: checkDivergence,
    record: (st) => ({ ...st, lr: cfg.lr }),
    checkpoint: {
      dir: checkpointDir,
      tensors: () => trainer.checkpointTensors(),
      restore: (tensors) => trainer.restore(tensors),
    },
    progress: ctx.progress,
    log: ctx.log,
  });
  return { trainer, resumedEpochs: run.resumedEpochs };
}

let codeHash: string | undefined;
/** fingerprint of this package's code and its workspace dependencies (the ANN trainer among them) */
function trainerCode(): string {
  codeHash ??= moduleCodeFingerprint(import.meta.url).slice(0, 12);
  return codeHash;
}

/**
 * Train (or load from `cacheRoot`) the ANN that conversion stages share. The cache folder is keyed
 * by the ANN configuration, the trainer code and the engine, so a code change retrains instead of
 * reusing, and one engine never loads another's weights.
 */
export async function trainConvertibleAnn(
  cfg: ConvertibleAnnConfig,
  train: ImageSet,
  cacheRoot: string,
  ctx: TrainContext = {},
): Promise<ConvertibleAnn> {
  const topo = getTopology(cfg.topology, {
    width: cfg.width,
    input: [train.height, train.width, train.channels],
    classes: train.classes.length,
  });
  // keyed by engine too: an ANN trained on tensorflow is never the wasm run's ANN
  const engine = engineTag(engineLabel(engineInfo()));
  const cacheDir = join(
    cacheRoot,
    `${cfg.topology}-${cfg.classifier}-${annConfigHash(cfg)}-${trainerCode()}-${engine}-d${dataFingerprint(repoRoot()).slice(0, 8)}`,
  );
  // table-02 and ext-calibration convert the same ANN and may run at once: one trains it (into
  // the shared checkpoint folder), the other's row is deferred until it is done (RowBusy)
  const run = await withLock(`${cacheDir}.lock`, `ANN ${cfg.topology} ${cfg.classifier} (${annConfigHash(cfg)})`, () =>
    trainAnn(topo, cfg, train, cacheDir, ctx),
  );
  const trainer = run.trainer;
  const net: ConversionNet = { topo, params: trainer.params };
  const readout: Readout | undefined =
    cfg.classifier === 'stochmax' ? (f, o) => trainer.head.logProbs({ features: f, logits: o }) : undefined;
  return { topo, net, trainer, readout, cacheDir, trainedEpochs: cfg.epochs - run.resumedEpochs };
}

/** Materialised batches in [0, 1] (Poisson rates are the intensities), labels as Int32Array. */
export function labelledBatches(set: ImageSet, batchSize: number): LabelledBatch[] {
  const out: LabelledBatch[] = [];
  for (const b of batches(set, { batchSize, seed: 0, shuffle: false, normalize: 'unit' })) {
    const y = Int32Array.from(b.y.dataSync());
    b.y.dispose();
    out.push({ x: b.x, y });
  }
  return out;
}

export function disposeBatches(bs: LabelledBatch[]): void {
  tf.dispose(bs.map((b) => b.x));
}
