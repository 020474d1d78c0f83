/**
 * Rows of table-02 (ANN→SNN conversion on CIFAR-10): train/reuse the ANN, balance thresholds once
 * per net (Sengupta et al. 2019; per BackRes unroll step), simulate once for max(T) of the sibling
 * rows and read accuracy at every T. The balancing and the simulation are shared by content
 * (./shared.ts): sibling rows, other stages and reruns read them from artifacts/cache.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot, type RowContext, type RowResult, type MetricValue } from '@snn/pipeline';
import { getTopology, TOPOLOGY_NAMES, type TopologyName } from '@snn/models';
import { correctSeries } from '@snn/datasets';
import { uniqueParams } from '@snn/energy';
import {
  cifarSubsets,
  cachedAnn,
  imageCount,
  unitSpikeThresholds,
  thresholdsIncreaseInBlocks,
  evaluateSnn,
  evaluateAnn,
  conversionEE,
  annConfigHash,
  type ConvertibleAnnConfig,
  type SnnEvaluation,
} from '@snn/trainers-conversion';
import { sharedStore, shared, type SharedStore } from './shared.js';
import { balanceShared } from './balance.js';

export const conversionRowFields = {
  topology: z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]),
  /**
   * 'conversion': hard reset (Sengupta et al. 2019, the paper's); 'conversion-soft': the same with
   * soft reset; 'conversion-input-rate': hard reset at another Poisson input rate (maxRate < 1), the
   * sensitivity rows, labelled apart so the claims' 'conversion' rows are the pixel-rate reading
   */
  method: z.enum(['ann', 'conversion', 'conversion-soft', 'conversion-input-rate']),
  classifier: z.enum(['softmax', 'stochmax']).default('softmax'),
  coding: z.enum(['poisson', 'direct']).default('poisson'),
  width: z.number().positive(),
  epochs: z.number().int().positive(),
  lr: z.number().positive(),
  batchSize: z.number().int().positive(),
  augment: z.boolean().default(false),
  trainSamples: z.number().int().positive(),
  testSamples: z.number().int().positive(),
  /** training images whose spike trains set the thresholds */
  balanceSamples: z.number().int().positive(),
  /** Poisson window of threshold balancing (paper: 2,000-2,500 steps) */
  balanceWindow: z.number().int().positive(),
  /** time-folding chunk (steps per conv call) */
  chunk: z.number().int().positive(),
  evalBatch: z.number().int().positive().default(50),
  /**
   * Poisson input: spike probability per step = maxRate x pixel intensity (default 1, pixel
   * intensity itself). The paper takes its input rate from earlier work and does not state it; the
   * Poisson layer's ACs bound the EE, so rows at another rate show how much the EE depends on it.
   */
  maxRate: z.number().positive().max(1).default(1),
};

export interface ConversionRow {
  id: string;
  topology: TopologyName;
  method: 'ann' | 'conversion' | 'conversion-soft' | 'conversion-input-rate';
  classifier: 'softmax' | 'stochmax';
  coding: 'poisson' | 'direct';
  T?: number;
  seed: number;
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
  maxRate: number;
}

/** The ANN a conversion row converts (ext-calibration's rows build theirs with it too, so the two stages share it). */
export function annConfigOf(
  row: Pick<
    ConversionRow,
    'topology' | 'width' | 'classifier' | 'epochs' | 'batchSize' | 'lr' | 'trainSamples' | 'seed' | 'augment'
  >,
): ConvertibleAnnConfig {
  return {
    topology: row.topology,
    width: row.width,
    classifier: row.classifier,
    epochs: row.epochs,
    batchSize: row.batchSize,
    lr: row.lr,
    trainSamples: row.trainSamples,
    seed: row.seed,
    augment: row.augment,
  };
}

export const pct = (x: number): number => 100 * x;

/**
 * The T of `row` and of every sibling that `sameNet` says shares its simulation, unique and
 * ascending: one simulation of max(T) steps is read out at each of them.
 */
export function siblingTs<R extends { T?: number }>(
  row: R & { T: number },
  siblings: readonly R[],
  sameNet: (s: R) => boolean,
): number[] {
  const ts = siblings.filter((s) => s.T && sameNet(s)).map((s) => s.T as number);
  return [...new Set([...ts, row.T])].sort((a, b) => a - b);
}

/**
 * One table-02 row. `siblings`: every row of the stage for this profile (RowContext.stageRows);
 * the conversion rows of one net share one simulation of max(T) steps.
 */
export async function runConversionRow(
  row: ConversionRow,
  siblings: readonly ConversionRow[],
  ctx: RowContext,
  store: SharedStore = sharedStore(ctx.engine),
): Promise<RowResult> {
  const subsets = {
    trainSamples: row.trainSamples,
    testSamples: row.testSamples,
    calibSamples: row.balanceSamples,
    seed: row.seed,
    batchSize: row.evalBatch,
  };
  const data = await cifarSubsets(subsets);
  const cacheRoot = join(repoRoot(), 'artifacts', 'checkpoints', 'conversion-ann');
  const t0 = performance.now();
  const ann = await cachedAnn(annConfigOf(row), data, cacheRoot, {
    progress: (p) => ctx.progress(p),
    log: (m) => ctx.log(m),
  });
  const metrics: MetricValue[] = [
    { metric: 'ann_accuracy', value: pct(ann.testAccuracy), unit: '%' },
    { metric: 'unique_params', value: uniqueParams(ann.topo), unit: 'count' },
    { metric: 'test_samples', value: imageCount(data.test), unit: 'count' },
  ];
  metrics.push({ metric: 'width', value: row.width, unit: 'x' });
  if (row.method === 'ann') {
    metrics.unshift({ metric: 'accuracy', value: pct(ann.testAccuracy), unit: '%' });
    metrics.push({ metric: 'train_seconds', value: (performance.now() - t0) / 1000, unit: 's' });
    const hits = new Uint8Array(data.testSet.n);
    evaluateAnn(ann.net, data.test, ann.readout, hits);
    return { metrics, reconstructed: ann.topo.reconstructed, series: correctSeries(data.testSet, hits) };
  }
  if (!row.T) throw new Error(`conversion row ${row.id} needs T`);
  if ((row.method === 'conversion-input-rate') !== row.maxRate < 1)
    throw new Error(
      `conversion row ${row.id}: method '${row.method}' with maxRate ${row.maxRate} (input-rate rows are 'conversion-input-rate' with maxRate < 1, the others maxRate 1)`,
    );
  const annKey = annConfigHash(annConfigOf(row));
  const reset = row.method === 'conversion-soft' ? 'soft' : 'hard';
  const label = `${row.topology}-${row.classifier}`;
  const bal = await balanceShared(
    store,
    {
      ann: annKey,
      // every calibration batch of this subset
      images: { cifar: subsets, take: 'calib' },
      opts: {
        window: row.balanceWindow,
        chunk: row.chunk,
        coding: row.coding,
        seed: row.seed + 17,
        reset,
        maxRate: row.maxRate,
      },
      label,
    },
    ann.net,
    () => data.calib.map((b) => b.x),
    { progress: (note) => ctx.progress({ note }), log: (m) => ctx.log(m) },
  );
  // the conversion rows of this net: same method, topology, classifier and input rate
  const rowTs = siblingTs(
    row as ConversionRow & { T: number },
    siblings,
    (s) =>
      s.method === row.method &&
      s.topology === row.topology &&
      s.classifier === row.classifier &&
      s.maxRate === row.maxRate,
  );
  const Tmax = Math.max(...rowTs);
  // the simulation runs Tmax steps once; reading it out at 1, 2, 4, ... too costs a readout each and
  // gives the accuracy-vs-T curve up to T_max (an IF net's state at t does not depend on how long it runs)
  const curveTs = Array.from({ length: Math.floor(Math.log2(Tmax)) + 1 }, (_, i) => 2 ** i);
  const tList = [...new Set([...rowTs, ...curveTs])].sort((a, b) => a - b);
  const evalOpts = {
    tList,
    coding: row.coding,
    seed: row.seed + 31,
    chunk: row.chunk,
    readout: ann.readout,
    maxRate: row.maxRate,
  };
  const {
    value: { ev, seconds },
  } = await shared<{ ev: SnnEvaluation; seconds: number }>(store, {
    name: 'conversion-eval',
    label,
    // the net and its thresholds (the balancing's key), the test images and every option
    key: {
      kind: 'snn-evaluation',
      ann: annKey,
      settings: bal.key,
      test: { cifar: subsets, take: 'test' },
      opts: { ...evalOpts, readout: row.classifier },
    },
    what: `SNN evaluation ${label} up to T=${Tmax}`,
    log: (m) => ctx.log(m),
    compute: () => {
      const s = performance.now();
      ctx.progress({ note: `SNN evaluation up to T=${tList[tList.length - 1]}` });
      const e = evaluateSnn(ann.net, bal.settings, data.test, evalOpts);
      return { ev: e, seconds: (performance.now() - s) / 1000 };
    },
  });
  const acc = ev.accuracy.find((a) => a.t === row.T)!.accuracy;
  const eff = conversionEE(ann.topo, ev.inputRate, row.T, row.coding);
  // the same measured rates on the paper's width-1 MACs (small widths overweight the Poisson-input conv)
  const paperTopo = getTopology(row.topology, { width: 1, input: ann.topo.input, classes: ann.topo.classes });
  const eff1 = row.width === 1 ? eff : conversionEE(paperTopo, ev.inputRate, row.T, row.coding);
  metrics.unshift({ metric: 'accuracy', value: pct(acc), unit: '%' });
  metrics.push(
    { metric: 'gap_to_ann', value: pct(acc - ann.testAccuracy), unit: 'pts' },
    { metric: 'ee', value: eff.full, unit: 'x' },
    { metric: 'ee_conv', value: eff.conv, unit: 'x' },
    { metric: 'ee_w1', value: eff1.full, unit: 'x' },
    { metric: 'energy_uJ', value: eff.eSnn / 1e6, unit: 'uJ' },
    {
      metric: 'input_rate',
      value: ev.inputRate[ann.topo.ops.find((o) => o.kind === 'conv' || o.kind === 'fc')!.id] ?? NaN,
      unit: 'fraction',
    },
    { metric: 'balance_window', value: row.balanceWindow, unit: 'steps' },
    { metric: 'balance_seconds', value: bal.seconds, unit: 's' },
    { metric: 'eval_seconds', value: seconds, unit: 's' },
  );
  // thresholds in the paper's unit-spike convention (vth:*), and the spike amplitudes our IF
  // neurons use (theta:* = the compounded product; unitSpikeThresholds says why)
  const unit = unitSpikeThresholds(bal.thresholds);
  for (const t of unit)
    metrics.push({ metric: `vth:${t.op}`, value: t.vth }, { metric: `theta:${t.op}`, value: t.theta });
  // Panda et al.: V_th1 < V_th2 < ... < V_thn within a BackRes block (1 = holds for every block)
  const inc = thresholdsIncreaseInBlocks(unit);
  if (inc !== null)
    metrics.push({ metric: 'vth_increasing', value: inc, unit: 'bool', paperText: 'V_th1 < V_th2 < ... < V_thn' });
  return {
    metrics,
    activity: ev.activity.map((a) => ({ layer: a.op, unrollStep: a.unrollStep, rate: a.rate })),
    // the longest row of a net carries its curve (accuracy after each t in tList, up to T_max)
    series: [
      ...(row.T === Tmax ? ev.accuracy.map((a) => ({ series: 'accuracy_vs_t', x: a.t, y: pct(a.accuracy) })) : []),
      ...correctSeries(data.testSet, ev.correct.get(row.T)!),
    ],
    reconstructed: ann.topo.reconstructed,
  };
}
