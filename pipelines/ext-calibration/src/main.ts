/**
 * Stage `ext-calibration` (extension): Panda et al.'s BackRes nets (VGG2x4, VGG3x2-v1; one IF
 * threshold per unroll step) converted at low latency T in {16, 32, 64, 128, 256}:
 *   tb        threshold balancing (Sengupta et al. 2019)
 *   tb-shift  + bias shift θ/(2T) (Deng & Gu 2021)
 *   light     Li et al. 2021 light pipeline: MMSE thresholds (at this T) + shift + bias correction
 *   advanced  light + potential correction + a few steps of layer-wise weight calibration
 * Each method is a named recipe of @snn/trainers-conversion (CALIBRATION_RECIPES, chosen by `method`).
 * The ANN is the table-02 ANN (same config → same disk cache). `tb` runs once for max(T) and is
 * read at every T; the other methods depend on T and run once per T.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { tf } from '@snn/backend';
import { baseRow, runStage, loadStageConfig, repoRoot, type RowContext, type RowResult } from '@snn/pipeline';
import { TOPOLOGY_NAMES, type TopologyName } from '@snn/models';
import { correctSeries } from '@snn/datasets';
import {
  cifarSubsets,
  cachedAnn,
  memo,
  imageCount,
  thresholdBalance,
  calibrationRecipe,
  evaluateSnn,
  conversionEE,
  annConfigHash,
  disposeNet,
  type ConvertibleAnnConfig,
  type SnnSettings,
  type SnnEvaluation,
} from '@snn/trainers-conversion';

export const rowSchema = baseRow.extend({
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
});
type Row = z.output<typeof rowSchema>;
const config = new URL('../config.json', import.meta.url);

const tbMemo = new Map<string, Promise<SnnSettings>>();
const evalMemo = new Map<string, Promise<{ ev: SnnEvaluation; calibSeconds: number; evalSeconds: number }>>();

async function runRow(row: Row, ctx: RowContext): Promise<RowResult> {
  // same data subset and ANN config as table-02 → the ANN comes from the shared disk cache
  const data = await cifarSubsets({
    trainSamples: row.trainSamples,
    testSamples: row.testSamples,
    calibSamples: Math.max(row.balanceSamples, row.calibSamples),
    seed: row.seed,
    batchSize: row.evalBatch,
  });
  const annCfg: ConvertibleAnnConfig = {
    topology: row.topology,
    width: row.width,
    classifier: 'softmax',
    epochs: row.epochs,
    batchSize: row.batchSize,
    lr: row.lr,
    trainSamples: row.trainSamples,
    seed: row.seed,
    augment: row.augment,
  };
  const ann = await cachedAnn(annCfg, data, join(repoRoot(), 'artifacts', 'checkpoints', 'conversion-ann'), {
    progress: (p) => ctx.progress(p),
    log: (m) => ctx.log(m),
  });
  const key = `${annConfigHash(annCfg)}|${row.coding}|${row.testSamples}|${row.balanceWindow}|${row.balanceSamples}`;
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
  const tb = await memo(tbMemo, key, async () => {
    ctx.progress({ note: `threshold balancing, window ${row.balanceWindow}` });
    return thresholdBalance(ann.net, balanceImgs(), {
      window: row.balanceWindow,
      chunk: row.chunk,
      coding: row.coding,
      seed: row.seed + 17,
    }).settings;
  });
  const allT = [
    ...new Set(
      loadStageConfig(config, rowSchema, ctx.profile)
        .rows.map((r) => r.row)
        .filter((r) => r.topology === row.topology && r.method === 'tb')
        .map((r) => r.T)
        .concat(row.method === 'tb' ? [row.T] : []),
    ),
  ].sort((a, b) => a - b);
  const evalOpts = (tList: number[]) => ({ tList, coding: row.coding, seed: row.seed + 31, chunk: row.chunk });
  const recipeOpts = {
    T: row.T,
    coding: row.coding,
    seed: row.seed + 53,
    chunk: row.chunk,
    weightSteps: row.weightSteps,
    weightLr: row.weightLr,
  };
  const recipe = calibrationRecipe(row.method);
  const evKey = !recipe.dependsOnT
    ? `${key}|tb|${allT.join(',')}`
    : `${key}|${row.method}|${row.T}|${row.calibSamples}|${row.weightSteps}|${row.weightLr}`;
  const { ev, calibSeconds, evalSeconds } = await memo(evalMemo, evKey, async () => {
    const c0 = performance.now();
    if (!recipe.dependsOnT) {
      // threshold balancing alone: one simulation for max(T), read out at every T
      const e0 = performance.now();
      const r = await recipe.apply({ net: ann.net, balanced: tb, ...recipeOpts });
      return {
        ev: evaluateSnn(r.net, r.settings, data.test, evalOpts(allT)),
        calibSeconds: 0,
        evalSeconds: (performance.now() - e0) / 1000,
      };
    }
    const calibX = recipe.usesCalibration
      ? tf.concat(data.calib.map((b) => b.x)).slice(0, Math.min(row.calibSamples, row.calibBatch))
      : undefined;
    if (recipe.usesCalibration) ctx.progress({ note: `calibration (${row.method}) at T=${row.T}` });
    const { net, settings } = await recipe.apply({ net: ann.net, balanced: tb, calib: calibX, ...recipeOpts });
    calibX?.dispose();
    const e0 = performance.now();
    const ev = evaluateSnn(net, settings, data.test, evalOpts([row.T]));
    if (net !== ann.net) disposeNet(net); // weightCalibration returns a deep copy
    return { ev, calibSeconds: (e0 - c0) / 1000, evalSeconds: (performance.now() - e0) / 1000 };
  });
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

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStage({ stage: 'ext-calibration', config, rowSchema, runRow });
}
