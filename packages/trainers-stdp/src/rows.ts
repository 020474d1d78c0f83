// One table row of the STDP stages (Tables 6 and 12) as plain data in, metrics out. The stage
// glue (@snn/stage-stdp) wraps this in @snn/pipeline's runStage. Frozen features are memoised in-process by their
// full configuration, so the rows of one topology (softmax, stochmax, ConvNN heads) share one
// STDP run and one feature pass.
import { join } from 'node:path';
import { balancedSubset, correctSeries, type ImageSet } from '@snn/datasets';
import { existsSync } from 'node:fs';
import { computeOnce, lockHolder, moduleCodeFingerprint, RowBusy, sha256, stableStringify } from '@snn/runtime';
import { readFeatures, writeFeatures } from './feature-cache.js';
import { getTopology, type TopologyName } from '@snn/models';
import {
  annAccuracy,
  disposeFeatures,
  frozenFeatures,
  headAccuracy,
  stdpEnergy,
  uniqueParams,
  type FrozenFeatures,
  type FrozenFeatureOptions,
  type StdpInference,
} from './experiment.js';
import type { HeadArch } from './heads.js';
import type { StdpLayerParams } from './stdp-layer.js';
import type { StdpRuleParams } from './stdp-rule.js';

/**
 * 'stdp': kernels learnt by STDP; 'random-kernels': random frozen kernels (thresholds adapted the
 * same way); 'random-decorrelated': the STDP loop with η = 0, so the random kernels get only the
 * rule's normalisation and decorrelation (control: how much of the STDP-vs-random gap is learning,
 * not orthogonality); 'ann': the same topology and head trained end to end.
 */
export type StdpRowMethod = 'stdp' | 'ann' | 'random-kernels' | 'random-decorrelated';
export type StdpRowClassifier = 'softmax' | 'stochmax' | 'convnn';

export interface StdpRowSpec {
  topology: TopologyName;
  method: StdpRowMethod;
  classifier: StdpRowClassifier;
  T: number;
  seed: number;
  width: number;
  stdpImages: number;
  stdpEpochs: number;
  trainImages: number;
  testImages: number;
  headEpochs: number;
  annEpochs: number;
  batchSize: number;
  lr: number;
  /** repeats with seeds seed, seed + 1, ...: accuracy is their mean, accuracy_sd their sample sd (default 1) */
  seeds?: number;
  maxRate?: number;
  stdp?: Partial<Omit<StdpLayerParams, 'rule'>> & { rule?: Partial<StdpRuleParams> };
  /** inference reading of the frozen stack (experiment.ts, StdpInference; default 'free'); not part of the kernels' key */
  inference?: StdpInference;
  /** images of the threshold re-adaptation for inference ('readapt'; default all STDP images) */
  readaptImages?: number;
}

export interface StdpRowMetric {
  metric: string;
  value: number;
  unit?: string;
}
export interface StdpRowResult {
  metrics: StdpRowMetric[];
  activity: Array<{ layer: string; unrollStep: number; rate: number }>;
  reconstructed: boolean;
  /** 'correct': x = the test image's index in the CIFAR-10 test split, y = the fraction of seeds that got it right */
  series: Array<{ series: string; x: number; y: number }>;
}

const memo = new Map<string, FrozenFeatures>();

/** dispose the memoised frozen features (end of a stage; tests check that nothing else is held) */
export function clearStdpMemo(): void {
  for (const f of memo.values()) disposeFeatures(f);
  memo.clear();
}

/** the checkpoint folder of one head training of a row: per seed and per head (or the ANN), so a row's trainings never share one */
export function headCheckpointDir(
  checkpointDir: string,
  seed: number,
  method: StdpRowMethod,
  classifier: StdpRowClassifier,
): string {
  return join(checkpointDir, `seed-${seed}`, `head-${method}-${classifier}`);
}

function headOf(c: StdpRowClassifier): { arch: HeadArch; loss: 'softmax' | 'stochmax' } {
  if (c === 'convnn') return { arch: 'convnn', loss: 'softmax' };
  return { arch: 'fc', loss: c };
}

export async function runStdpRow(
  r: StdpRowSpec,
  data: { train: ImageSet; test: ImageSet },
  hooks: {
    log?: (m: string) => void;
    progress?: (p: { step?: number; of?: number; note?: string }) => void;
    /** folder of learnt-kernel checkpoints shared by the STDP stages, and the code fingerprint they are keyed by */
    kernelCache?: { dir: string; code: string };
    /** folder of frozen-feature entries shared by the STDP stages (feature-cache.ts), same fingerprint */
    featureCache?: { dir: string; code: string };
    /**
     * this row's checkpoint folder (the stage runner's ctx.checkpointDir): every head training
     * (and the ANN's) checkpoints each epoch into a subfolder of its own, headCheckpointDir, and a
     * rerun after a kill resumes it after its last finished epoch
     */
    checkpointDir?: string;
  } = {},
): Promise<StdpRowResult> {
  const topo = getTopology(r.topology, { width: r.width });
  // the image subsets are fixed by the row's seed; the repeats vary the kernels' init, the STDP
  // and feature Poisson draws and the head's init (seed, seed + 1, ...)
  const train = balancedSubset(data.train, r.trainImages, r.seed + 1);
  const test = balancedSubset(data.test, r.testImages, r.seed + 2);
  const { arch, loss } = headOf(r.classifier);
  const params = uniqueParams(topo);
  const seeds = Array.from({ length: r.seeds ?? 1 }, (_, i) => r.seed + i);
  const accs: number[] = [];
  const extra: Array<Record<string, number>> = [];
  let activity: StdpRowResult['activity'] = [];
  const kernelsOf = r.method === 'random-kernels' ? 'random' : 'stdp';
  const stdpOf = r.method === 'random-decorrelated' ? { ...r.stdp, rule: { ...r.stdp?.rule, eta: 0 } } : r.stdp;
  const inference = r.inference ?? 'free';
  const foOf = (seed: number): Omit<FrozenFeatureOptions, 'train' | 'test' | 'stdpImages' | 'log' | 'progress'> => ({
    topology: r.topology,
    width: r.width,
    T: r.T,
    stdpEpochs: r.stdpEpochs,
    batchSize: r.batchSize,
    seed,
    kernels: kernelsOf,
    maxRate: r.maxRate,
    stdp: stdpOf,
    label: r.method === 'random-decorrelated' ? 'random-decorrelated' : kernelsOf,
    // inference-only settings: in the features' keys, never in the kernels' (rows that differ only
    // in them share the learnt kernels); 'free' (today's reading) adds nothing, so its keys are unchanged
    ...(inference !== 'free' ? { inference } : {}),
    ...(inference === 'readapt' && r.readaptImages !== undefined ? { readaptImages: r.readaptImages } : {}),
  });
  const memoKey = (seed: number) =>
    JSON.stringify({ fo: foOf(seed), n: [r.stdpImages, r.trainImages, r.testImages], subsets: r.seed });
  const fc = hooks.featureCache;
  const featureFile = (seed: number) => {
    const key = sha256(stableStringify({ v: 1, key: memoKey(seed), code: fc!.code })).slice(0, 24);
    return { key, base: join(fc!.dir, `${r.topology}-${r.method}-s${seed}-${key}`) };
  };
  // another stage computing one of this row's feature sets right now: run the stage's other rows first
  if (fc && r.method !== 'ann') {
    for (const seed of seeds) {
      const { base } = featureFile(seed);
      const holder = memo.has(memoKey(seed)) || existsSync(`${base}.json`) ? null : lockHolder(`${base}.lock`);
      if (holder) throw new RowBusy(`${r.topology} ${r.method} features (seed ${seed})`, holder);
    }
  }
  const rightCount = new Float64Array(test.n);
  const seedRight = new Uint8Array(test.n);
  const tally = () => {
    for (let k = 0; k < test.n; k++) rightCount[k] += seedRight[k];
  };
  for (const [i, seed] of seeds.entries()) {
    const tag = seeds.length > 1 ? ` (seed ${i + 1}/${seeds.length})` : '';
    const progress =
      hooks.progress &&
      ((p: { step?: number; of?: number; note?: string }) => hooks.progress!({ ...p, note: `${p.note ?? ''}${tag}` }));
    const head = {
      arch,
      loss,
      batchSize: r.batchSize,
      lr: r.lr,
      seed,
      checkpoint: hooks.checkpointDir && headCheckpointDir(hooks.checkpointDir, seed, r.method, r.classifier),
      // quiet: a row trains 15+ head epochs per seed; the per-epoch lines go to the progress line only
      log: (m: string) => {
        if (!/epoch \d+\/\d+: loss/.test(m)) hooks.log?.(m);
      },
      progress:
        progress &&
        ((p: { epoch?: number; of?: number; step?: number; note?: string }) =>
          progress({
            step: p.epoch,
            of: p.of,
            note: `${r.method === 'ann' ? 'ANN' : 'head'} epoch ${p.epoch}/${p.of}: ${p.note ?? ''}`,
          })),
      logPrefix: `${r.topology} ${r.method === 'ann' ? 'ANN' : r.method} ${r.classifier}${tag} `,
    };
    if (r.method === 'ann') {
      const acc = await annAccuracy(
        { topology: r.topology, width: r.width, train, test },
        { ...head, epochs: r.annEpochs },
        seedRight,
      );
      tally();
      hooks.log?.(`${r.topology} ANN ${r.classifier}${tag}: ${(100 * acc).toFixed(2)}%`);
      accs.push(100 * acc);
      continue;
    }
    const kernels = kernelsOf;
    const fo = foOf(seed);
    const key = memoKey(seed);
    let f = memo.get(key);
    const compute = (): FrozenFeatures => {
      // STDP images: a balanced subset of the training set (paper: 5,000 CIFAR-10 images)
      const stdpImages = balancedSubset(data.train, r.stdpImages, r.seed + 3);
      // the kernels depend on everything but the head and the train/test subsets
      const kc = hooks.kernelCache;
      const kernelKey = kc
        ? sha256(
            stableStringify({
              ...fo,
              label: undefined,
              inference: undefined,
              readaptImages: undefined,
              stdpImages: r.stdpImages,
              stdpSubset: r.seed + 3,
              code: kc.code,
            }),
          ).slice(0, 24)
        : '';
      const kernelCache = kc
        ? { file: join(kc.dir, `${r.topology}-${kernels}-${kernelKey}.json`), key: kernelKey }
        : undefined;
      return frozenFeatures({ ...fo, train, test, stdpImages, log: hooks.log, progress, kernelCache });
    };
    if (!f) {
      if (fc) {
        const { key: fkey, base } = featureFile(seed);
        const got = await computeOnce<FrozenFeatures>({
          lockFile: `${base}.lock`,
          what: `${r.topology} ${r.method} features (seed ${seed})`,
          read: () => readFeatures(base, fkey, (why) => hooks.log?.(`${why}: computing the features again`)),
          compute,
          write: (v) => writeFeatures(base, fkey, v),
        });
        if (got.reused) hooks.log?.(`${r.topology} ${r.method}${tag}: frozen features from ${base}.bin`);
        f = got.value;
      } else f = compute();
      memo.set(key, f);
    }
    const acc = await headAccuracy(f, { ...head, epochs: r.headEpochs }, seedRight);
    tally();
    hooks.log?.(`${r.topology} ${r.method} ${r.classifier}${tag}: ${(100 * acc).toFixed(2)}%`);
    accs.push(100 * acc);
    const e = stdpEnergy({ topology: r.topology, width: r.width, T: r.T, inputRates: f.inputRates, head: arch });
    // the same measured rates on the paper's width-1 MACs (small widths overweight the Poisson-input conv)
    const e1 =
      r.width === 1 ? e : stdpEnergy({ topology: r.topology, width: 1, T: r.T, inputRates: f.inputRates, head: arch });
    const x: Record<string, number> = {
      ee: e.eeFull,
      ee_conv: e.eeConv,
      ee_w1: e1.eeFull,
      energy_uJ: e.eSnn / 1e6,
      stdp_seconds: f.seconds[kernels] ?? 0,
    };
    if (f.seconds.readapt !== undefined) x.readapt_seconds = f.seconds.readapt;
    for (const [layer, n] of Object.entries(f.updates)) x[`stdp_updates_${layer}`] = n;
    extra.push(x);
    if (i === 0) activity = f.activity;
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const m = mean(accs);
  const metrics: StdpRowMetric[] = [{ metric: 'accuracy', value: m, unit: '%' }];
  if (seeds.length > 1) {
    metrics.push({
      metric: 'accuracy_sd',
      value: Math.sqrt(accs.reduce((a, v) => a + (v - m) ** 2, 0) / (accs.length - 1)),
      unit: '%',
    });
    metrics.push({ metric: 'seeds', value: seeds.length, unit: 'count' });
  }
  metrics.push(
    { metric: 'unique_params', value: params, unit: 'count' },
    { metric: 'test_samples', value: test.n, unit: 'count' },
  );
  if (extra.length) {
    const units: Record<string, string> = {
      ee: 'x',
      ee_conv: 'x',
      ee_w1: 'x',
      energy_uJ: 'uJ',
      stdp_seconds: 's',
      readapt_seconds: 's',
    };
    for (const k of Object.keys(extra[0]))
      metrics.push({ metric: k, value: mean(extra.map((x) => x[k])), unit: units[k] ?? 'count' });
  }
  const series = correctSeries(
    test,
    Array.from(rightCount, (c) => c / seeds.length),
  );
  return { metrics, activity, reconstructed: topo.reconstructed, series };
}

let stdpCode: string | undefined;
/**
 * Fingerprint of this package's code and its workspace dependencies (not the stage runner's): the
 * key of the learnt-kernel and frozen-feature caches, so an STDP change recomputes them and a
 * change elsewhere (the runner, a stage) does not.
 */
export function stdpCodeFingerprint(): string {
  stdpCode ??= moduleCodeFingerprint(import.meta.url);
  return stdpCode;
}
