/**
 * Stage `ext-ttfs`: time-to-first-spike coding and training (Park & Yoon 2021; T2FSNN, Park et
 * al. 2020) next to rate (Poisson) and direct coding on the same topology at matched T, plus
 * the TTFS training additions switched off one at a time. TTFS accuracy is that of the simulated
 * converted SNN (@snn/ttfs simulateTtfs), never the surrogate DNN's (reported apart).
 */
import { z } from 'zod';
import { deriveSeed } from '@snn/backend';
import { balancedSubset, correctSeries, loadDataset, type ImageSet } from '@snn/datasets';
import { getTopology, type Topology, type TopologyName } from '@snn/models';
import { baseRow, runStage, type RowContext, type RowResult } from '@snn/pipeline';
import { TtfsTrainer, evaluateTtfs } from '@snn/ttfs';
import { runCodedAgd } from './agd.js';

export const rowSchema = baseRow.extend({
  dataset: z.enum(['cifar10', 'mnist']),
  topology: z.string(),
  method: z.enum(['ttfs', 'agd']),
  coding: z.enum(['ttfs', 'poisson', 'direct']),
  T: z.number().int().min(2),
  width: z.number().positive(),
  epochs: z.number().int().positive(),
  lr: z.number().positive(),
  batchSize: z.number().int().positive(),
  trainSamples: z.number().int().positive(),
  testSamples: z.number().int().positive(),
  evalBatch: z.number().int().positive(),
  stochastic: z.boolean(),
  regularize: z.number().nonnegative(),
  bn: z.enum(['kernel', 'standard', 'none']),
});
export type TtfsRow = z.output<typeof rowSchema>;

async function data(row: TtfsRow): Promise<{ train: ImageSet; test: ImageSet }> {
  // a missing or damaged dataset is a DataError: it stops the stage (nothing recorded), not a skip
  const d = await loadDataset(row.dataset);
  return {
    train: balancedSubset(d.train, Math.min(row.trainSamples, d.train.n), deriveSeed(row.seed, 'train-subset')),
    test: balancedSubset(d.test, Math.min(row.testSamples, d.test.n), deriveSeed(row.seed, 'test-subset')),
  };
}

function topologyFor(row: TtfsRow, set: ImageSet): Topology {
  return getTopology(row.topology as TopologyName, {
    width: row.width,
    input: [set.height, set.width, set.channels],
    classes: set.classes.length,
    bias: row.method === 'ttfs',
    neuron: 'lif',
  });
}

export async function runRow(row: TtfsRow, ctx: RowContext): Promise<RowResult> {
  const { train, test } = await data(row);
  const topo = topologyFor(row, train);
  if (row.method === 'agd') return runCodedAgd(row, topo, train, test, ctx);
  const tr = new TtfsTrainer(topo, {
    T: row.T,
    bn: row.bn,
    stochastic: row.stochastic,
    regularize: row.regularize,
    epochs: row.epochs,
    batchSize: row.batchSize,
    lr: row.lr,
    seed: deriveSeed(row.seed, 'ttfs'),
  });
  try {
    await tr.fit(train, { progress: (p) => ctx.progress(p), log: (m) => ctx.log(m), checkpointDir: ctx.checkpointDir });
    const ev = evaluateTtfs(tr.net, test, { batchSize: row.evalBatch });
    const kernels = tr.net.kernelSummary();
    ctx.log(`kernels: ${kernels.map((k) => `${k.op} tau ${k.tau.toFixed(2)} td ${k.td.toFixed(2)}`).join(', ')}`);
    const drift =
      kernels.reduce((a, k) => a + Math.abs(k.tau - tr.net.kernelInit.tau) / tr.net.kernelInit.tau, 0) /
      Math.max(1, kernels.length);
    return {
      reconstructed: topo.reconstructed,
      metrics: [
        { metric: 'accuracy', value: ev.accuracy * 100, unit: '%' },
        { metric: 'test_samples', value: test.n, unit: 'count' },
        { metric: 'surrogate_accuracy', value: ev.surrogateAccuracy * 100, unit: '%' },
        { metric: 'spikes_per_neuron', value: ev.spikesPerNeuron, unit: 'count' },
        { metric: 'input_spikes_per_pixel', value: ev.inputSpikesPerPixel, unit: 'count' },
        { metric: 'max_spikes_per_neuron', value: ev.maxSpikesPerNeuron, unit: 'count' },
        { metric: 'latency_steps', value: ev.latencySteps, unit: 'steps' },
        { metric: 'ee', value: ev.ee, unit: 'x' },
        { metric: 'energy_uJ', value: ev.energy.total / 1e6, unit: 'uJ' },
        { metric: 'tau_drift', value: drift, unit: 'x' },
      ],
      activity: Object.entries(ev.layerSpikes).map(([layer, s]) => ({ layer, unrollStep: 1, rate: s / row.T })),
      series: correctSeries(test, ev.correct),
    };
  } finally {
    tr.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runStage({ stage: 'ext-ttfs', config: new URL('../config.json', import.meta.url), rowSchema, runRow });
}
