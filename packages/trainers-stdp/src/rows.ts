// One table row of the STDP stages (Tables 6 and 12) as plain data in, metrics out. The stage
// packages wrap this in @snn/pipeline's runStage. Frozen features are memoised in-process by their
// full configuration, so the rows of one topology (softmax, stochmax, ConvNN heads) share one
// STDP run and one feature pass.
import { balancedSubset, type ImageSet } from '@snn/datasets';
import { getTopology, type TopologyName } from '@snn/models';
import { annAccuracy, disposeFeatures, frozenFeatures, headAccuracy, stdpEnergy, uniqueParams, type FrozenFeatures, type FrozenFeatureOptions } from './experiment.js';
import type { HeadArch } from './heads.js';
import type { StdpLayerParams } from './stdp-layer.js';
import type { StdpRuleParams } from './stdp-rule.js';

export type StdpRowMethod = 'stdp' | 'ann' | 'random-kernels';
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
  maxRate?: number;
  stdp?: Partial<Omit<StdpLayerParams, 'rule'>> & { rule?: Partial<StdpRuleParams> };
}

export interface StdpRowMetric { metric: string; value: number; unit?: string }
export interface StdpRowResult {
  metrics: StdpRowMetric[];
  activity: Array<{ layer: string; unrollStep: number; rate: number }>;
  reconstructed: boolean;
}

const memo = new Map<string, FrozenFeatures>();

/** dispose the memoised frozen features (end of a stage; tests check that nothing else is held) */
export function clearStdpMemo(): void {
  for (const f of memo.values()) disposeFeatures(f);
  memo.clear();
}

function headOf(c: StdpRowClassifier): { arch: HeadArch; loss: 'softmax' | 'stochmax' } {
  if (c === 'convnn') return { arch: 'convnn', loss: 'softmax' };
  return { arch: 'fc', loss: c };
}

export async function runStdpRow(
  r: StdpRowSpec,
  data: { train: ImageSet; test: ImageSet },
  hooks: { log?: (m: string) => void; progress?: (p: { step?: number; of?: number; note?: string }) => void } = {},
): Promise<StdpRowResult> {
  const topo = getTopology(r.topology, { width: r.width });
  const train = balancedSubset(data.train, r.trainImages, r.seed + 1);
  const test = balancedSubset(data.test, r.testImages, r.seed + 2);
  const { arch, loss } = headOf(r.classifier);
  const head = { arch, loss, batchSize: r.batchSize, lr: r.lr, seed: r.seed };
  const params = uniqueParams(topo);
  if (r.method === 'ann') {
    const acc = annAccuracy({ topology: r.topology, width: r.width, train, test }, { ...head, epochs: r.annEpochs });
    hooks.log?.(`${r.topology} ANN ${r.classifier}: ${(100 * acc).toFixed(2)}%`);
    return { metrics: [{ metric: 'accuracy', value: 100 * acc, unit: '%' }, { metric: 'unique_params', value: params, unit: 'count' }], activity: [], reconstructed: topo.reconstructed };
  }
  const kernels = r.method === 'stdp' ? 'stdp' : 'random';
  const fo: Omit<FrozenFeatureOptions, 'train' | 'test' | 'stdpImages' | 'log' | 'progress'> = {
    topology: r.topology, width: r.width, T: r.T, stdpEpochs: r.stdpEpochs, batchSize: r.batchSize, seed: r.seed, kernels, maxRate: r.maxRate, stdp: r.stdp,
  };
  const key = JSON.stringify({ fo, n: [r.stdpImages, r.trainImages, r.testImages] });
  let f = memo.get(key);
  if (!f) {
    // STDP images: a balanced subset of the training set (paper: 5,000 CIFAR-10 images)
    const stdpImages = balancedSubset(data.train, r.stdpImages, r.seed + 3);
    f = frozenFeatures({ ...fo, train, test, stdpImages, log: hooks.log, progress: hooks.progress });
    memo.set(key, f);
  }
  const acc = headAccuracy(f, { ...head, epochs: r.headEpochs });
  hooks.log?.(`${r.topology} ${r.method} ${r.classifier}: ${(100 * acc).toFixed(2)}%`);
  const e = stdpEnergy({ topology: r.topology, width: r.width, T: r.T, inputRates: f.inputRates, head: arch });
  const metrics: StdpRowMetric[] = [
    { metric: 'accuracy', value: 100 * acc, unit: '%' },
    { metric: 'unique_params', value: params, unit: 'count' },
    { metric: 'ee', value: e.eeFull, unit: 'x' },
    { metric: 'ee_conv', value: e.eeConv, unit: 'x' },
    { metric: 'stdp_seconds', value: f.seconds[kernels] ?? 0, unit: 's' },
  ];
  for (const [layer, n] of Object.entries(f.updates)) metrics.push({ metric: `stdp_updates_${layer}`, value: n, unit: 'count' });
  return { metrics, activity: f.activity, reconstructed: topo.reconstructed };
}
