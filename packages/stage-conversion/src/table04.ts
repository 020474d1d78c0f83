/**
 * Rows of table-04 (ImageNet conversion, VGG16 vs VGG11x2; threshold balancing, Sengupta et al.
 * 2019, one threshold per unroll step). Without SNN_IMAGENET_DIR every row is "needs ImageNet"
 * (RowSkipped). Everything a row computes is shared by content:
 *   data        decoded once per process, keyed by the chosen files' names, sizes and mtimes (kept
 *               in memory only: on disk it would be a second copy of the ImageNet subset)
 *   ANN         trained once into artifacts/checkpoints/conversion-ann-imagenet/<data hash>/ (by
 *               its config hash, trainer code and engine: @snn/trainers-conversion's cachedAnn)
 *   balancing,  artifacts/cache/conversion-balance, conversion-eval (./shared.ts), keyed by the
 *   evaluation  ANN, the decoded images' sha256 and every option
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot, RowSkipped, sha256, stableStringify, type RowContext, type RowResult } from '@snn/pipeline';
import { TOPOLOGY_NAMES, type TopologyName } from '@snn/models';
import { uniqueParams } from '@snn/energy';
import {
  cachedAnn,
  labelledBatches,
  unitSpikeThresholds,
  imageCount,
  evaluateSnn,
  conversionEE,
  annConfigHash,
  type ConvertibleAnnConfig,
  type SnnEvaluation,
} from '@snn/trainers-conversion';
import { imageNetListing, loadImageNetSplit } from './imagenet.js';
import { sharedStore, shared, type SharedStore } from './shared.js';
import { balanceShared } from './balance.js';
import { siblingTs } from './table02.js';

export const imagenetRowFields = {
  topology: z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]),
  method: z.literal('conversion'),
  coding: z.enum(['poisson', 'direct']),
  width: z.number().positive(),
  imageSize: z.number().int().positive(),
  epochs: z.number().int().positive(),
  lr: z.number().positive(),
  batchSize: z.number().int().positive(),
  trainPerClass: z.number().int().positive(),
  testPerClass: z.number().int().positive(),
  classes: z.number().int().positive(),
  balanceSamples: z.number().int().positive(),
  balanceWindow: z.number().int().positive(),
  chunk: z.number().int().positive(),
  evalBatch: z.number().int().positive(),
};

export interface ImageNetRow {
  id: string;
  topology: TopologyName;
  method: 'conversion';
  coding: 'poisson' | 'direct';
  T?: number;
  seed: number;
  width: number;
  imageSize: number;
  epochs: number;
  lr: number;
  batchSize: number;
  trainPerClass: number;
  testPerClass: number;
  classes: number;
  balanceSamples: number;
  balanceWindow: number;
  chunk: number;
  evalBatch: number;
}

/** what cachedAnn reads (train, test batches, ...) and the content hash of it all */
type ImageNetData = Parameters<typeof cachedAnn>[1] & {
  /** sha256 of the decoded images and labels (train, test, calibration subset, batching) */
  hash: string;
};

// decoded subsets of this process, by content key (see the header: not on disk)
const decoded = new Map<string, Promise<ImageNetData>>();

function imageNetData(dir: string, row: ImageNetRow, ctx: RowContext): Promise<ImageNetData> {
  const split = (perClass: number) => ({ classes: row.classes, perClass, size: row.imageSize });
  const key = sha256(
    stableStringify({
      train: imageNetListing(dir, 'train', split(row.trainPerClass)),
      val: imageNetListing(dir, 'val', split(row.testPerClass)),
      ...split(0),
      evalBatch: row.evalBatch,
      balanceSamples: row.balanceSamples,
    }),
  );
  let p = decoded.get(key);
  if (!p) {
    p = (async () => {
      ctx.progress({ note: 'decoding ImageNet subset' });
      const train = await loadImageNetSplit(dir, 'train', split(row.trainPerClass));
      const test = await loadImageNetSplit(dir, 'val', split(row.testPerClass));
      const calibSet = { ...train, n: Math.min(row.balanceSamples, train.n) };
      calibSet.images = train.images.subarray(0, calibSet.n * train.height * train.width * 3);
      calibSet.labels = train.labels.subarray(0, calibSet.n);
      const h = createHash('sha256');
      for (const s of [train, test])
        h.update(s.images)
          .update(s.labels)
          .update(`${s.n}|${s.classes.join(',')}\0`);
      h.update(`${calibSet.n}|${row.evalBatch}`);
      return {
        train,
        test: labelledBatches(test, row.evalBatch),
        testSet: test,
        calib: labelledBatches(calibSet, row.evalBatch),
        hash: h.digest('hex').slice(0, 24),
      };
    })();
    decoded.set(key, p);
    p.catch(() => decoded.delete(key));
  }
  return p;
}

/** One table-04 row; `siblings`: every row of the stage for this profile (the T of a net share one simulation). */
export async function runImageNetRow(
  row: ImageNetRow,
  siblings: readonly ImageNetRow[],
  ctx: RowContext,
  store: SharedStore = sharedStore(ctx.engine),
): Promise<RowResult> {
  const dir = process.env.SNN_IMAGENET_DIR;
  if (!dir)
    throw new RowSkipped('needs ImageNet (set SNN_IMAGENET_DIR to a folder with train/<wnid>/ and val/<wnid>/)');
  if (!row.T) throw new Error(`row ${row.id} needs T`);
  const data = await imageNetData(dir, row, ctx);
  const annCfg: ConvertibleAnnConfig = {
    topology: row.topology,
    width: row.width,
    classifier: 'softmax',
    epochs: row.epochs,
    batchSize: row.batchSize,
    lr: row.lr,
    trainSamples: data.train.n,
    seed: row.seed,
    augment: false,
  };
  // the checkpoint folder is per data content: the config alone does not say which images it saw
  const cacheRoot = join(repoRoot(), 'artifacts', 'checkpoints', 'conversion-ann-imagenet', data.hash.slice(0, 16));
  const ann = await cachedAnn(annCfg, data, cacheRoot, { progress: (p) => ctx.progress(p), log: (m) => ctx.log(m) });
  const annKey = annConfigHash(annCfg);
  const tList = siblingTs(row as ImageNetRow & { T: number }, siblings, (r) => r.topology === row.topology);
  const label = row.topology;
  const bal = await balanceShared(
    store,
    {
      ann: annKey,
      images: { imagenet: data.hash, take: 'calib' },
      opts: { window: row.balanceWindow, chunk: row.chunk, coding: row.coding, seed: row.seed + 17, reset: 'hard' },
      label,
    },
    ann.net,
    () => data.calib.map((b) => b.x),
    { log: (m) => ctx.log(m) },
  );
  const evalOpts = { tList, coding: row.coding, seed: row.seed + 31, chunk: row.chunk };
  const { value: ev } = await shared<SnnEvaluation>(store, {
    name: 'conversion-eval',
    label,
    key: {
      kind: 'snn-evaluation',
      ann: annKey,
      settings: bal.key,
      test: { imagenet: data.hash, take: 'test' },
      opts: evalOpts,
    },
    what: `SNN evaluation ${label} (ImageNet) up to T=${tList[tList.length - 1]}`,
    log: (m) => ctx.log(m),
    compute: () => evaluateSnn(ann.net, bal.settings, data.test, evalOpts),
  });
  const acc = ev.accuracy.find((a) => a.t === row.T)!.accuracy;
  const eff = conversionEE(ann.topo, ev.inputRate, row.T, row.coding);
  return {
    metrics: [
      { metric: 'accuracy', value: 100 * acc, unit: '%' },
      { metric: 'ann_accuracy', value: 100 * ann.testAccuracy, unit: '%' },
      { metric: 'gap_to_ann', value: 100 * (acc - ann.testAccuracy), unit: 'pts' },
      { metric: 'ee', value: eff.full, unit: 'x' },
      { metric: 'unique_params', value: uniqueParams(ann.topo), unit: 'count' },
      { metric: 'test_samples', value: imageCount(data.test), unit: 'count' },
      ...unitSpikeThresholds(bal.thresholds).flatMap((t) => [
        { metric: `vth:${t.op}`, value: t.vth },
        { metric: `theta:${t.op}`, value: t.theta },
      ]),
    ],
    activity: ev.activity.map((a) => ({ layer: a.op, unrollStep: a.unrollStep, rate: a.rate })),
    reconstructed: ann.topo.reconstructed,
  };
}
