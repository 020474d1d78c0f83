/**
 * Rows of ext-calibration (extension): Panda et al.'s BackRes nets converted at low latency T, each
 * method a named conversion recipe of @snn/trainers-conversion (calibrationRecipe(row.method):
 * tb, tb-shift, light, advanced). The ANN is the table-02 ANN (same config → same disk cache). The
 * threshold balancing all methods start from and every SNN evaluation are shared by content
 * (./shared.ts): a recipe that does not depend on T (tb) runs once for max(T) of its sibling rows
 * and is read at every T; the others run once per T.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { tf } from '@snn/backend';
import { repoRoot, type RowContext, type RowResult } from '@snn/pipeline';
import { TOPOLOGY_NAMES, type TopologyName } from '@snn/models';
import { correctSeries } from '@snn/datasets';
import {
  cifarSubsets,
  cachedAnn,
  imageCount,
  calibrationRecipe,
  evaluateSnn,
  conversionEE,
  annConfigHash,
  disposeNet,
  type SnnEvaluation,
} from '@snn/trainers-conversion';
import { sharedStore, shared, type SharedStore } from './shared.js';
import { balanceShared } from './balance.js';
import { annConfigOf, siblingTs } from './table02.js';

export const calibrationRowFields = {
  topology: z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]),
  /** a conversion recipe by name (@snn/trainers-conversion CALIBRATION_RECIPES) */
  method: z.enum(['tb', 'tb-shift', 'light', 'advanced']),
  T: z.number().int().positive(),
  coding: z.enum(['poisson', 'direct']),
  width: z.number().positive(),
  epochs: z.number().int().positive(),
  lr: z.number().positive(),
  batchSize: z.number().int().positive(),
  augment: z.boolean(),
  trainSamples: z.number().int().positive(),
  testSamples: z.number().int().positive(),
  balanceSamples: z.number().int().positive(),
  balanceWindow: z.number().int().positive(),
  chunk: z.number().int().positive(),
  evalBatch: z.number().int().positive(),
  /** calibration images (Li et al.: ~1,000) and the Adam steps/lr of weight calibration */
  calibSamples: z.number().int().positive(),
  calibBatch: z.number().int().positive(),
  weightSteps: z.number().int().nonnegative(),
  weightLr: z.number().positive(),
};

export interface CalibrationRow {
  id: string;
  topology: TopologyName;
  method: 'tb' | 'tb-shift' | 'light' | 'advanced';
  T: number;
  seed: number;
  coding: 'poisson' | 'direct';
  width: number;
  epochs: number;
  lr: number;
  batchSize: number;
  augment: boolean;
  trainSamples: number;
  testSamples: number;
  balanceSamples: number;
  balanceWindow: number;
  chunk: number;
  evalBatch: number;
  calibSamples: number;
  calibBatch: number;
  weightSteps: number;
  weightLr: number;
}

interface CalibratedEvaluation {
  ev: SnnEvaluation;
  calibSeconds: number;
  evalSeconds: number;
}

/** One ext-calibration row; `siblings`: every row of the stage for this profile (RowContext.stageRows). */
export async function runCalibrationRow(
  row: CalibrationRow,
  siblings: readonly CalibrationRow[],
  ctx: RowContext,
  store: SharedStore = sharedStore(ctx.engine),
): Promise<RowResult> {
  // same data subset and ANN config as table-02 → the ANN comes from the shared disk cache
  const subsets = {
    trainSamples: row.trainSamples,
    testSamples: row.testSamples,
    calibSamples: Math.max(row.balanceSamples, row.calibSamples),
    seed: row.seed,
    batchSize: row.evalBatch,
  };
  const data = await cifarSubsets(subsets);
  const annCfg = annConfigOf({ ...row, classifier: 'softmax' });
  const ann = await cachedAnn(annCfg, data, join(repoRoot(), 'artifacts', 'checkpoints', 'conversion-ann'), {
    progress: (p) => ctx.progress(p),
    log: (m) => ctx.log(m),
  });
  const annKey = annConfigHash(annCfg);
  const balanceImgs = () => {
    const out: tf.Tensor[] = [];
    let n = 0;
    for (const b of data.calib)
      if (n < row.balanceSamples) {
        out.push(b.x);
        n += b.x.shape[0];
      }
    return out;
  };
  const label = `${row.topology}-softmax`;
  const tb = await balanceShared(
    store,
    {
      ann: annKey,
      // the leading calibration batches holding balanceSamples images
      images: { cifar: subsets, take: 'calib', images: row.balanceSamples },
      opts: { window: row.balanceWindow, chunk: row.chunk, coding: row.coding, seed: row.seed + 17 },
      label,
    },
    ann.net,
    balanceImgs,
    { progress: (note) => ctx.progress({ note }), log: (m) => ctx.log(m) },
  );
  const recipe = calibrationRecipe(row.method);
  // a recipe that does not depend on T: one simulation for max(T) of its sibling rows, read at every T
  const tList = !recipe.dependsOnT
    ? siblingTs(row, siblings, (r) => r.topology === row.topology && r.method === row.method)
    : [row.T];
  const evalOpts = { tList, coding: row.coding, seed: row.seed + 31, chunk: row.chunk };
  const recipeOpts = {
    T: row.T,
    coding: row.coding,
    seed: row.seed + 53,
    chunk: row.chunk,
    weightSteps: row.weightSteps,
    weightLr: row.weightLr,
  };
  const calibImages = Math.min(row.calibSamples, row.calibBatch);
  const { value } = await shared<CalibratedEvaluation>(store, {
    name: 'conversion-eval',
    label: `${label}-${recipe.name}`,
    key: {
      kind: 'calibrated-snn-evaluation',
      ann: annKey,
      balanced: tb.key,
      recipe: recipe.name,
      // what the recipe reads: its options (T only if it depends on T) and the calibration images
      recipeOpts: { ...recipeOpts, T: recipe.dependsOnT ? row.T : undefined },
      ...(recipe.usesCalibration ? { calib: { cifar: subsets, take: 'calib', images: calibImages } } : {}),
      test: { cifar: subsets, take: 'test' },
      opts: evalOpts,
    },
    what: `${recipe.name} conversion of ${row.topology} at T=${tList.join(',')}`,
    log: (m) => ctx.log(m),
    compute: async () => {
      const c0 = performance.now();
      const calibX = recipe.usesCalibration ? tf.concat(data.calib.map((b) => b.x)).slice(0, calibImages) : undefined;
      if (recipe.usesCalibration) ctx.progress({ note: `calibration (${recipe.name}) at T=${row.T}` });
      const { net, settings } = await recipe.apply({
        net: ann.net,
        balanced: tb.settings,
        calib: calibX,
        ...recipeOpts,
      });
      calibX?.dispose();
      const e0 = performance.now();
      const ev = evaluateSnn(net, settings, data.test, evalOpts);
      if (net !== ann.net) disposeNet(net); // weightCalibration returns a deep copy
      // the recipe's own time (none for threshold balancing alone: the balancing is reported apart)
      const calibSeconds = recipe.dependsOnT ? (e0 - c0) / 1000 : 0;
      return { ev, calibSeconds, evalSeconds: (performance.now() - e0) / 1000 };
    },
  });
  const { ev, calibSeconds, evalSeconds } = value;
  const acc = ev.accuracy.find((a) => a.t === row.T)!.accuracy;
  const eff = conversionEE(ann.topo, ev.inputRate, row.T, row.coding);
  return {
    metrics: [
      { metric: 'accuracy', value: 100 * acc, unit: '%' },
      { metric: 'ann_accuracy', value: 100 * ann.testAccuracy, unit: '%' },
      { metric: 'gap_to_ann', value: 100 * (acc - ann.testAccuracy), unit: 'pts' },
      { metric: 'ee', value: eff.full, unit: 'x' },
      { metric: 'test_samples', value: imageCount(data.test), unit: 'count' },
      { metric: 'calib_seconds', value: calibSeconds, unit: 's' },
      { metric: 'eval_seconds', value: evalSeconds, unit: 's' },
    ],
    activity: ev.activity.map((a) => ({ layer: a.op, unrollStep: a.unrollStep, rate: a.rate })),
    series: correctSeries(data.testSet, ev.correct.get(row.T)!),
    reconstructed: ann.topo.reconstructed,
  };
}
