/**
 * Stage `table-04` (Panda, Aketi & Roy 2020, Table 4): ImageNet conversion of VGG16 vs the BackRes
 * VGG11x2 at T = 2,500 and 250 (threshold balancing, Sengupta et al. 2019; one threshold per
 * unroll step). Complete code path, but ImageNet is not downloadable here: without
 * SNN_IMAGENET_DIR every row is reported "needs ImageNet" (RowSkipped: not run, not a failure).
 */
import { join } from 'node:path';
import { z } from 'zod';
import {
  baseRow,
  runStage,
  loadStageConfig,
  repoRoot,
  RowSkipped,
  type RowContext,
  type RowResult,
} from '@snn/pipeline';
import { TOPOLOGY_NAMES, type TopologyName } from '@snn/models';
import { uniqueParams } from '@snn/energy';
import type { ImageSet } from '@snn/datasets';
import {
  trainConvertibleAnn,
  labelledBatches,
  evaluateAnn,
  thresholdBalance,
  unitSpikeThresholds,
  imageCount,
  evaluateSnn,
  conversionEE,
  memo,
  annConfigHash,
  type ConvertibleAnnConfig,
  type ConvertibleAnn,
  type SnnEvaluation,
  type LabelledBatch,
  type BalancedThreshold,
} from '@snn/trainers-conversion';
import { loadImageNetSplit } from './imagenet.js';

export const rowSchema = baseRow.extend({
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
});
type Row = z.output<typeof rowSchema>;
const config = new URL('../config.json', import.meta.url);

const dataMemo = new Map<string, Promise<{ train: ImageSet; test: LabelledBatch[]; calib: LabelledBatch[] }>>();
const annMemo = new Map<string, Promise<ConvertibleAnn & { acc: number }>>();
const evalMemo = new Map<string, Promise<{ ev: SnnEvaluation; vth: BalancedThreshold[] }>>();

async function runRow(row: Row, ctx: RowContext): Promise<RowResult> {
  const dir = process.env.SNN_IMAGENET_DIR;
  if (!dir)
    throw new RowSkipped('needs ImageNet (set SNN_IMAGENET_DIR to a folder with train/<wnid>/ and val/<wnid>/)');
  if (!row.T) throw new Error(`row ${row.id} needs T`);
  const dkey = JSON.stringify([
    dir,
    row.classes,
    row.trainPerClass,
    row.testPerClass,
    row.imageSize,
    row.evalBatch,
    row.balanceSamples,
  ]);
  const data = await memo(dataMemo, dkey, async () => {
    ctx.progress({ note: 'decoding ImageNet subset' });
    const train = await loadImageNetSplit(dir, 'train', {
      classes: row.classes,
      perClass: row.trainPerClass,
      size: row.imageSize,
    });
    const test = await loadImageNetSplit(dir, 'val', {
      classes: row.classes,
      perClass: row.testPerClass,
      size: row.imageSize,
    });
    const calibSet = { ...train, n: Math.min(row.balanceSamples, train.n) };
    calibSet.images = train.images.subarray(0, calibSet.n * train.height * train.width * 3);
    calibSet.labels = train.labels.subarray(0, calibSet.n);
    return { train, test: labelledBatches(test, row.evalBatch), calib: labelledBatches(calibSet, row.evalBatch) };
  });
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
  const ann = await memo(annMemo, annConfigHash(annCfg) + dkey, async () => {
    const a = await trainConvertibleAnn(
      annCfg,
      data.train,
      join(repoRoot(), 'artifacts', 'checkpoints', 'conversion-ann-imagenet'),
      { progress: (p) => ctx.progress(p), log: (m) => ctx.log(m) },
    );
    return { ...a, acc: evaluateAnn(a.net, data.test) };
  });
  const siblings = loadStageConfig(config, rowSchema, ctx.profile)
    .rows.map((r) => r.row)
    .filter((r) => r.topology === row.topology && r.T);
  const tList = [...new Set(siblings.map((r) => r.T as number).concat(row.T))].sort((a, b) => a - b);
  const { ev, vth } = await memo(
    evalMemo,
    `${annConfigHash(annCfg)}${dkey}|${tList.join(',')}|${row.balanceWindow}`,
    async () => {
      const bal = thresholdBalance(
        ann.net,
        data.calib.map((b) => b.x),
        { window: row.balanceWindow, chunk: row.chunk, coding: row.coding, seed: row.seed + 17, reset: 'hard' },
      );
      const e = evaluateSnn(ann.net, bal.settings, data.test, {
        tList,
        coding: row.coding,
        seed: row.seed + 31,
        chunk: row.chunk,
      });
      return { ev: e, vth: bal.thresholds };
    },
  );
  const acc = ev.accuracy.find((a) => a.t === row.T)!.accuracy;
  const eff = conversionEE(ann.topo, ev.inputRate, row.T, row.coding);
  return {
    metrics: [
      { metric: 'accuracy', value: 100 * acc, unit: '%' },
      { metric: 'ann_accuracy', value: 100 * ann.acc, unit: '%' },
      { metric: 'gap_to_ann', value: 100 * (acc - ann.acc), unit: 'pts' },
      { metric: 'ee', value: eff.full, unit: 'x' },
      { metric: 'unique_params', value: uniqueParams(ann.topo), unit: 'count' },
      { metric: 'test_samples', value: imageCount(data.test), unit: 'count' },
      ...unitSpikeThresholds(vth).flatMap((t) => [
        { metric: `vth:${t.op}`, value: t.vth },
        { metric: `theta:${t.op}`, value: t.theta },
      ]),
    ],
    activity: ev.activity.map((a) => ({ layer: a.op, unrollStep: a.unrollStep, rate: a.rate })),
    reconstructed: ann.topo.reconstructed,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStage({ stage: 'table-04', config, rowSchema, needsEngine: !!process.env.SNN_IMAGENET_DIR, runRow });
}
