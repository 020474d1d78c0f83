/**
 * The rate- and direct-coded comparison rows, trained with @snn/trainers-agd (surrogate-gradient
 * BPTT; `coding: 'direct'` feeds the real-valued image at every step, computed once).
 */
import { deriveSeed } from '@snn/backend';
import { correctSeries, type ImageSet } from '@snn/datasets';
import type { Topology } from '@snn/models';
import { annEnergy, energyEfficiency, inputActivity, macOpsFor, snnEnergy } from '@snn/energy';
import { trainAgd, type AgdConfig } from '@snn/trainers-agd';
import type { RowContext, RowResult } from '@snn/pipeline';
import type { TtfsRow } from './main.js';

function meanIntensity(set: ImageSet): number {
  let s = 0;
  for (let i = 0; i < set.images.length; i++) s += set.images[i];
  return s / set.images.length / 255;
}

export async function runCodedAgd(
  row: TtfsRow,
  topo: Topology,
  train: ImageSet,
  test: ImageSet,
  ctx: RowContext,
): Promise<RowResult> {
  const coding = row.coding === 'direct' ? 'direct' : 'poisson';
  const cfg: AgdConfig = {
    mode: 'snn',
    coding,
    T: row.T,
    head: 'softmax',
    neuron: { alpha: 0.99, vth: 1, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } },
    optimizer: { name: 'adam', lr: row.lr },
    epochs: row.epochs,
    batchSize: row.batchSize,
    seed: deriveSeed(row.seed, 'agd', row.coding),
    evalBatchSize: row.evalBatch,
  };
  const { trainer: tr } = await trainAgd(topo, cfg, train, {
    checkpointDir: ctx.checkpointDir,
    progress: (p) => ctx.progress(p),
    log: (m) => ctx.log(m),
  });
  try {
    const ev = tr.evaluate(test, { batchSize: row.evalBatch });
    const rates: Record<string, number> = {};
    let spikes = 0;
    let neurons = 0;
    for (const a of ev.activity) {
      rates[a.layer] = a.rate;
      const op = topo.ops.find((o) => o.id === a.layer)!;
      const nOp = op.outShape.reduce((x, y) => x * y, 1);
      spikes += a.rate * row.T * nOp;
      neurons += nOp;
    }
    const inputRate = coding === 'poisson' ? meanIntensity(test) : undefined;
    const snn = snnEnergy(topo, {
      activity: inputActivity(topo, rates, inputRate),
      T: row.T,
      macOps: macOpsFor(topo, { mode: 'snn', coding }),
    });
    const ee = energyEfficiency(annEnergy(topo), snn).full;
    return {
      reconstructed: topo.reconstructed,
      metrics: [
        { metric: 'accuracy', value: ev.accuracy * 100, unit: '%' },
        { metric: 'test_samples', value: test.n, unit: 'count' },
        { metric: 'spikes_per_neuron', value: spikes / neurons, unit: 'count' },
        { metric: 'latency_steps', value: row.T, unit: 'steps' },
        { metric: 'ee', value: ee, unit: 'x' },
        { metric: 'energy_uJ', value: snn.total / 1e6, unit: 'uJ' },
      ],
      activity: ev.activity,
      series: correctSeries(test, ev.correct),
    };
  } finally {
    tr.dispose();
  }
}
