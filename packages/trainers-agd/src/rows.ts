// The row runner shared by the AGD stages (tables 8, 10, 11, 14, 16 and the surrogate extension):
// row fields (zod shape, extended onto @snn/pipeline's baseRow by @snn/stage-agd) -> data subset ->
// topology -> trainAgd -> evaluation -> metrics in the units pipelines/report/src/claims.ts reads:
// accuracy in %, ee = E_ANN/E_SNN (whole net), ee_conv, energy_uJ (SNN energy per image).
import { z } from 'zod';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  computeOnce,
  moduleCodeFingerprint,
  resultsRoot,
  repoRoot,
  dataFingerprint,
  sha256,
  stableStringify,
  writeFileAtomic,
  engineLabel,
} from '@snn/runtime';
import { deriveSeed, engineInfo } from '@snn/backend';
import { loadDataset, balancedSubset, correctSeries, type ImageSet } from '@snn/datasets';
import { getTopology, reluOpsFor, TOPOLOGY_NAMES, type Topology, type TopologyName } from '@snn/models';
import {
  annEnergy,
  snnEnergy,
  macOpsFor,
  inputActivity,
  energyEfficiency,
  uniqueParams,
  type EnergyPresetName,
} from '@snn/energy';
import { trainAgd, type AgdConfig, type AgdMode } from './train.js';
import type { HeadName, ScheduleConfig } from '@snn/training';

/** Row fields of every AGD stage (flat, so per-profile overrides replace single values). */
export const agdRowFields = {
  /** 'ann' | 'agd' (SNN, BPTT) | 'hybrid' (first ops ReLU, rest LIF) */
  method: z.enum(['ann', 'agd', 'hybrid']),
  topology: z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]),
  classifier: z.enum(['softmax', 'stochmax', 'stochmax-simple']).default('softmax'),
  dataset: z.enum(['cifar10', 'imagenet']).default('cifar10'),
  /** channel width multiplier (1 = paper widths; the stage config's profiles scale it) */
  width: z.number().positive(),
  /** training / test images (balanced subsets; 'all' = the whole split) */
  trainSamples: z.union([z.number().int().positive(), z.literal('all')]),
  testSamples: z.union([z.number().int().positive(), z.literal('all')]),
  /** the paper's epoch count (not stated in its text: assumed) */
  epochs: z.number().int().positive().default(100),
  /** the epochs a profile trains instead of `epochs` (e.g. 1 at smoke and quick) */
  trainEpochs: z.number().int().positive().optional(),
  batchSize: z.number().int().positive(),
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  lr: z.number().positive().default(1e-3),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(0),
  schedule: z.enum(['constant', 'cosine', 'step']).default('cosine'),
  clipNorm: z.number().min(0).default(0),
  /** LIF leak (paper: 0.95-0.99) and fixed threshold */
  alpha: z.number().gt(0).max(1).default(0.97),
  vth: z.number().positive().default(1),
  reset: z.enum(['soft', 'hard']).default('soft'),
  surrogate: z.enum(['pwl', 'dspike', 'fastSigmoid', 'arctan']).default('pwl'),
  gamma: z.number().positive().default(0.3),
  dspikeB: z.number().positive().default(3),
  /** Dspike support width around V_th, in units of V_th (core-neurons surrogates.ts; Li et al. do not state it) */
  dspikeWidth: z.number().positive().default(1),
  /** > 0: Dspike per-epoch temperature search with this step (Li et al. 2021) */
  dspikeDelta: z.number().min(0).default(0),
  surrogateAlpha: z.number().positive().optional(),
  hybridReluOps: z.array(z.string()).optional(),
  maxRate: z.number().gt(0).max(1).default(1),
  flip: z.boolean().default(false),
  energyPreset: z.enum(['int32_45nm', 'fp32_45nm']).default('int32_45nm'),
  evalBatchSize: z.number().int().positive().optional(),
};

const rowShape = z.object(agdRowFields);
export type AgdRowFields = z.output<typeof rowShape>;
export interface AgdRow extends AgdRowFields {
  id: string;
  T?: number;
  seed: number;
}

/** The structural part of @snn/pipeline's RowContext this runner needs (no import: this is a library). */
export interface AgdRowContext {
  checkpointDir: string;
  /** The row's stage and id, recorded with a shared run (see runAgdRowShared). */
  stage?: string;
  rowId?: string;
  progress(p: { epoch?: number; of?: number; step?: number; steps?: number; note?: string }): void;
  log(msg: string): void;
}

export interface AgdRowMetric {
  metric: string;
  value: number;
  unit?: string;
}
export interface AgdRowResult {
  metrics: AgdRowMetric[];
  activity: Array<{ layer: string; unrollStep: number; rate: number; perStep?: number[] }>;
  reconstructed: boolean;
  /** 'correct': x = the test image's index in its split, y = 1 if predicted right (the report pairs rows on it) */
  series?: Array<{ series: string; x: number; y: number }>;
}

const modeOf = (m: AgdRow['method']): AgdMode => (m === 'agd' ? 'snn' : m);

/** The epochs a row trains: the profile's `trainEpochs` when its config sets one, else the paper's `epochs`. */
export function epochsFor(row: AgdRow): number {
  return row.trainEpochs ?? row.epochs;
}

/** AgdConfig of a resolved row (every value is the row's own: profiles are layers of the stage config). */
export function agdConfigOf(row: AgdRow): AgdConfig {
  const mode = modeOf(row.method);
  if (mode !== 'ann' && row.T === undefined) throw new Error(`row ${row.id}: method '${row.method}' needs T`);
  const schedule: ScheduleConfig =
    row.schedule === 'cosine'
      ? { kind: 'cosine' }
      : row.schedule === 'step'
        ? {
            kind: 'step',
            milestones: [Math.round(epochsFor(row) / 2), Math.round((3 * epochsFor(row)) / 4)],
            gamma: 0.1,
          }
        : { kind: 'constant' };
  return {
    mode,
    T: mode === 'ann' ? 1 : row.T!,
    head: row.classifier as HeadName,
    neuron: {
      alpha: row.alpha,
      vth: row.vth,
      reset: row.reset,
      surrogate: {
        name: row.surrogate,
        gamma: row.gamma,
        b: row.dspikeB,
        ...(row.surrogate === 'dspike' ? { width: row.dspikeWidth } : {}),
        ...(row.surrogateAlpha ? { alpha: row.surrogateAlpha } : {}),
      },
    },
    hybridReluOps: row.hybridReluOps,
    optimizer: {
      name: row.optimizer,
      lr: row.lr,
      momentum: row.momentum,
      weightDecay: row.weightDecay,
      clipNorm: row.clipNorm,
    },
    schedule,
    epochs: epochsFor(row),
    batchSize: row.batchSize,
    seed: deriveSeed(row.seed, 'agd'),
    maxRate: row.maxRate,
    augment: row.flip ? { flip: true } : undefined,
    dspikeSearch: row.surrogate === 'dspike' && row.dspikeDelta > 0 ? { delta: row.dspikeDelta } : undefined,
    evalBatchSize: row.evalBatchSize,
  };
}

function subset(set: ImageSet, n: number | 'all', seed: number): ImageSet {
  return n === 'all' || n >= set.n ? set : balancedSubset(set, n, seed);
}

function meanIntensity(set: ImageSet): number {
  let s = 0;
  for (let i = 0; i < set.images.length; i++) s += set.images[i];
  return s / set.images.length / 255;
}

/** Data for a row: CIFAR-10 from the data stage. ImageNet rows are gated by the stage (table-16). */
export async function loadRowData(row: AgdRow): Promise<{ train: ImageSet; test: ImageSet }> {
  if (row.dataset !== 'cifar10')
    throw new Error(`row ${row.id}: dataset '${row.dataset}' has no reader in @snn/datasets yet`);
  const { train, test } = await loadDataset('cifar10');
  return {
    train: subset(train, row.trainSamples, deriveSeed(row.seed, 'train-subset')),
    test: subset(test, row.testSamples, deriveSeed(row.seed, 'test-subset')),
  };
}

/**
 * Energy metrics of a trained row (45 nm presets; MAC for ReLU ops, AC x activity for LIF ops).
 * With `paperTopo` (the same topology at the paper's width 1), also `ee_w1`: the EE this row's
 * measured per-layer activity gives on the width-1 MACs. Conv1's MACs scale with the width and
 * later layers' with its square, so at width 1/8 the Poisson-input layer weighs far more than at
 * the paper's width; `ee_w1` says what that does to the EE (the rates themselves are not re-measured).
 */
export function energyMetrics(
  topo: Topology,
  row: AgdRow,
  T: number,
  activity: AgdRowResult['activity'],
  pixelRate: number,
  paperTopo?: Topology,
): AgdRowMetric[] {
  const preset = row.energyPreset as EnergyPresetName;
  const ann = annEnergy(topo, preset);
  if (row.method === 'ann')
    return [
      { metric: 'energy_uJ', value: ann.total / 1e6, unit: 'uJ' },
      { metric: 'ee', value: 1, unit: 'x' },
    ];
  const mode = modeOf(row.method);
  const outRate: Record<string, number> = {};
  for (const a of activity) outRate[a.layer] = a.rate;
  const inAct = inputActivity(topo, outRate, pixelRate);
  const energyOf = (hybridBoundary: 'ac' | 'mac') => {
    const macOps = macOpsFor(topo, {
      mode,
      coding: mode === 'snn' ? 'poisson' : undefined,
      hybridReluOps: row.hybridReluOps,
      hybridBoundary,
    });
    const snn = snnEnergy(topo, { activity: inAct, T, macOps, preset });
    return { snn, ee: energyEfficiency(ann, snn), macOps };
  };
  const { snn, ee, macOps } = energyOf('ac');
  const out: AgdRowMetric[] = [
    { metric: 'energy_uJ', value: snn.total / 1e6, unit: 'uJ' },
    { metric: 'ann_energy_uJ', value: ann.total / 1e6, unit: 'uJ' },
    { metric: 'ee', value: ee.full, unit: 'x' },
    { metric: 'ee_conv', value: ee.conv, unit: 'x' },
  ];
  if (paperTopo) {
    const snn1 = snnEnergy(paperTopo, { activity: inAct, T, macOps, preset });
    out.push({ metric: 'ee_w1', value: energyEfficiency(annEnergy(paperTopo, preset), snn1).full, unit: 'x' });
  }
  if (mode === 'hybrid') {
    // the paper's text: AC for the LIF op after the ReLU block, at the fraction of non-zero ReLU
    // outputs it reads (stated as boundary_activity); the MAC-once reading beside it
    const boundary = topo.ops.find(
      (op) => (op.kind === 'conv' || op.kind === 'fc') && !macOps.includes(op.id) && op.id !== topo.classifier,
    );
    if (boundary) out.push({ metric: 'boundary_activity', value: inAct[boundary.id] ?? NaN, unit: 'fraction' });
    const m = energyOf('mac');
    out.push(
      { metric: 'energy_uJ_boundary_mac', value: m.snn.total / 1e6, unit: 'uJ' },
      { metric: 'ee_boundary_mac', value: m.ee.full, unit: 'x' },
    );
  }
  return out;
}

/** Train + evaluate one row. Throws DivergenceError (recorded as a failed row by the runner). */
export async function runAgdRow(
  row: AgdRow,
  ctx: AgdRowContext,
  data?: { train: ImageSet; test: ImageSet },
): Promise<AgdRowResult> {
  const { train, test } = data ?? (await loadRowData(row));
  const topo = getTopology(row.topology as TopologyName, {
    width: row.width,
    input: [train.height, train.width, train.channels],
    classes: train.classes.length,
  });
  const cfg = agdConfigOf(row);
  ctx.log(
    `${topo.name} ${cfg.mode} T=${cfg.T} ${cfg.head}, ${train.n} train / ${test.n} test, ${cfg.epochs} epochs, batch ${cfg.batchSize}, width ${row.width}`,
  );
  const run = await trainAgd(topo, cfg, train, {
    checkpointDir: ctx.checkpointDir,
    progress: (p) => ctx.progress({ ...p, steps: Math.ceil(train.n / cfg.batchSize) }),
    log: (m) => ctx.log(m),
  });
  try {
    const t0 = performance.now();
    const ev = run.trainer.evaluate(test);
    const evalSeconds = (performance.now() - t0) / 1000;
    const last = run.history[run.history.length - 1];
    const all = ev.activity.map((a) => ({
      layer: a.layer,
      unrollStep: a.unrollStep,
      rate: a.rate,
      perStep: a.perStep,
    }));
    // a hybrid's ReLU ops report their non-zero fraction (for the energy of the op after them): not spike rates
    const relu = cfg.mode === 'hybrid' ? reluOpsFor(topo, 'hybrid', row.hybridReluOps) : new Set<string>();
    const activity = all.filter((a) => !relu.has(a.layer));
    const metrics: AgdRowMetric[] = [
      { metric: 'accuracy', value: ev.accuracy * 100, unit: '%' },
      { metric: 'train_accuracy', value: (last?.trainAccuracy ?? NaN) * 100, unit: '%' },
      { metric: 'unique_params', value: uniqueParams(topo), unit: 'count' },
      { metric: 'samples_per_s', value: run.samplesPerSec, unit: 'img/s' },
      { metric: 'image_steps_per_s', value: run.samplesPerSec * cfg.T, unit: 'img*T/s' },
      { metric: 'eval_samples_per_s', value: ev.samples / Math.max(1e-9, evalSeconds), unit: 'img/s' },
      { metric: 'epochs', value: cfg.epochs, unit: 'count' },
      { metric: 'train_samples', value: train.n, unit: 'count' },
      { metric: 'test_samples', value: test.n, unit: 'count' },
      { metric: 'width', value: row.width, unit: 'x' },
      ...energyMetrics(
        topo,
        row,
        cfg.T,
        all,
        meanIntensity(test) * cfg.maxRate!,
        row.width === 1
          ? undefined
          : getTopology(row.topology as TopologyName, {
              width: 1,
              input: [train.height, train.width, train.channels],
              classes: train.classes.length,
            }),
      ),
    ];
    if (activity.length)
      metrics.push({
        metric: 'spike_rate_mean',
        value: activity.reduce((a, x) => a + x.rate, 0) / activity.length,
        unit: 'fraction',
      });
    if (run.trainer.dspikeB !== undefined) metrics.push({ metric: 'dspike_b', value: run.trainer.dspikeB });
    return { metrics, activity, reconstructed: topo.reconstructed, series: correctSeries(test, ev.correct) };
  } finally {
    run.trainer.dispose();
  }
}

/** Everything a row's result depends on (no row id, no stage). */
export function agdRunIdentity(row: AgdRow): Record<string, unknown> {
  return {
    config: agdConfigOf(row),
    topology: row.topology,
    width: row.width,
    dataset: row.dataset,
    trainSamples: row.trainSamples,
    testSamples: row.testSamples,
    rowSeed: row.seed,
    energyPreset: row.energyPreset,
    method: row.method,
  };
}

let trainerCode: string | undefined;

/** Folder of the shared AGD run cache (artifacts/cache/agd-runs beside artifacts/results). */
export function agdRunCacheDir(): string {
  return join(dirname(resultsRoot()), 'cache', 'agd-runs');
}

interface SharedRun {
  format: 1;
  key: string;
  stage?: string;
  rowId?: string;
  engine: string;
  finishedAt: string;
  result: AgdRowResult;
}

/**
 * runAgdRow through a cache shared by every AGD stage: two rows that train the same thing (same
 * resolved config, data subset, seed, trainer code and engine; e.g. table-11's softmax rows and
 * table-08's AGD rows) train once. Deterministic training makes the reuse exact: the second row
 * would compute the same numbers. Atomic JSON; a corrupt entry is retrained.
 */
export async function runAgdRowShared(
  row: AgdRow,
  ctx: AgdRowContext,
  opts: { cacheDir?: string; data?: { train: ImageSet; test: ImageSet } } = {},
): Promise<AgdRowResult & { sharedWith?: string }> {
  const cacheDir = opts.cacheDir ?? agdRunCacheDir();
  trainerCode ??= moduleCodeFingerprint(import.meta.url);
  const engine = engineLabel(engineInfo());
  // the data's content too (dataFingerprint): a run on other bytes is another run
  const key = sha256(
    stableStringify({
      v: 1,
      run: agdRunIdentity(row),
      code: trainerCode,
      engine,
      data: dataFingerprint(repoRoot()),
    }),
  ).slice(0, 20);
  const file = join(cacheDir, `${key}.json`);
  let unreadable = false;
  const read = (): SharedRun | null => {
    if (!existsSync(file)) return null;
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as SharedRun;
      if (c.format === 1 && c.key === key && Array.isArray(c.result?.metrics)) return c;
    } catch {
      /* corrupt: retrain below */
    }
    if (!unreadable) ctx.log(`shared run ${key}.json is unreadable; training again`);
    unreadable = true;
    return null;
  };
  // Rows of other stages with the same run (table-11's softmax rows, ext-surrogates' pwl rows)
  // run concurrently with table-08: whoever starts the run first trains it, the other stage's row
  // is deferred (RowBusy) until the result is written.
  const { value, reused } = await computeOnce<SharedRun>({
    lockFile: `${file}.lock`,
    what: `AGD run ${key} (${ctx.stage ?? '?'} ${ctx.rowId ?? row.id})`,
    read,
    compute: async () => {
      const result = await runAgdRow(row, ctx, opts.data);
      return {
        format: 1,
        key,
        stage: ctx.stage,
        rowId: ctx.rowId,
        engine,
        finishedAt: new Date().toISOString(),
        result,
      };
    },
    write: (rec) => writeFileAtomic(file, JSON.stringify(rec)),
  });
  if (!reused) return value.result;
  const from = value.stage && value.rowId ? `${value.stage} ${value.rowId}` : 'an earlier row';
  ctx.log(`same training run as ${from}: reused (artifacts/cache/agd-runs/${key}.json)`);
  return { ...value.result, sharedWith: from };
}
