import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { dataFingerprint, engineLabel, engineTag, moduleCodeFingerprint, repoRoot, withLock } from '@snn/pipeline';
import { engineInfo } from '@snn/backend';
import { tf } from './tf.js';
import { getTopology, type Topology, type TopologyName } from '@snn/models';
import { batches, type ImageSet } from '@snn/datasets';
import { trainAgd, type AgdContext, type AgdTrainer } from '@snn/trainers-agd';
import type { ConversionNet } from './net.js';
import { fromTopology } from './topology.js';
import type { Readout } from './simulate.js';
import type { LabelledBatch } from './evaluate.js';

/**
 * The ANN to convert (Panda et al. 2020 / Sengupta et al. 2019): ReLU, average pooling, no bias,
 * no batch norm; trained by the AGD trainer in 'ann' mode (reused, not duplicated) with a softmax
 * or stochmax head. The trained weights are cached by the config's own hash and the trainer code (per-epoch AGD
 * checkpoints: a finished run resumes with zero epochs left), so every stage and row that
 * converts the same ANN reuses it.
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
  trainer: AgdTrainer;
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
  ctx: AgdContext = {},
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
    trainAgd(
      topo,
      {
        mode: 'ann',
        T: 1,
        head: cfg.classifier,
        // unused in 'ann' mode; the trainer's config type requires a neuron
        neuron: { alpha: 1, vth: 1, surrogate: { name: 'pwl' } },
        optimizer: { name: 'adam', lr: cfg.lr },
        epochs: cfg.epochs,
        batchSize: cfg.batchSize,
        seed: cfg.seed,
        augment: cfg.augment ? { crop: 4, flip: true } : undefined,
      },
      train,
      { ...ctx, checkpointDir: cacheDir },
    ),
  );
  const trainer = run.trainer;
  const net = fromTopology(topo, trainer.params);
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
