/**
 * The rate- and direct-coded comparison rows, trained with @snn/trainers-agd (surrogate-gradient
 * BPTT). Direct coding is not a mode of AgdTrainer (its 'snn' mode is Poisson-coded), so a
 * subclass feeds the real-valued image at every step (`repeated: true`, @snn/models forward);
 * training and evaluation are the trainer's own (trainBatch / evaluate).
 */
import { deriveSeed, tf } from '@snn/backend';
import { batches, type ImageSet } from '@snn/datasets';
import { forward, type OpSpec, type Topology } from '@snn/models';
import { annEnergy, energyEfficiency, inputActivity, macOpsFor, snnEnergy } from '@snn/energy';
import { AgdTrainer, type AgdConfig } from '@snn/trainers-agd';
import type { SpikeMonitor } from '@snn/core-neurons';
import type { RowContext, RowResult } from '@snn/pipeline';
import type { TtfsRow } from './main.js';

class DirectAgdTrainer extends AgdTrainer {
  override run(x: tf.Tensor, _seed: number, monitor?: SpikeMonitor, bOverride?: number): { features: tf.Tensor; logits: tf.Tensor } {
    const np = this.neuronParams(bOverride);
    return forward(this.topo, this.params, x, { mode: 'snn', T: this.cfg.T, repeated: true, neuron: (_op: OpSpec) => np, monitor });
  }
}

function meanIntensity(set: ImageSet): number {
  let s = 0;
  for (let i = 0; i < set.images.length; i++) s += set.images[i];
  return s / set.images.length / 255;
}

export async function runCodedAgd(row: TtfsRow, topo: Topology, train: ImageSet, test: ImageSet, ctx: RowContext): Promise<RowResult> {
  const cfg: AgdConfig = {
    mode: 'snn', T: row.T, head: 'softmax', neuron: { alpha: 0.99, vth: 1, reset: 'soft', surrogate: { name: 'pwl', gamma: 0.3 } },
    optimizer: { name: 'adam', lr: row.lr }, epochs: row.epochs, batchSize: row.batchSize, seed: deriveSeed(row.seed, 'agd', row.coding),
    evalBatchSize: row.evalBatch,
  };
  const tr = row.coding === 'direct' ? new DirectAgdTrainer(topo, cfg) : new AgdTrainer(topo, cfg);
  try {
    const per = Math.ceil(train.n / row.batchSize);
    for (let epoch = 0; epoch < row.epochs; epoch++) {
      let bi = 0;
      let loss = 0;
      let n = 0;
      let correct = 0;
      for (const b of batches(train, { batchSize: row.batchSize, seed: deriveSeed(cfg.seed, 'shuffle', epoch), shuffle: true })) {
        try {
          const r = tr.trainBatch(b.x, b.y, deriveSeed(cfg.seed, 'batch', epoch, bi));
          if (!Number.isFinite(r.loss)) throw new Error(`training diverged at epoch ${epoch + 1}, batch ${bi + 1}`);
          loss += r.loss * b.size;
          correct += r.correct;
          n += b.size;
        } finally {
          tf.dispose([b.x, b.y]);
        }
        bi++;
        ctx.progress({ epoch: epoch + 1, of: row.epochs, step: bi, note: `batch ${bi}/${per} loss ${(loss / n).toFixed(3)}` });
      }
      ctx.log(`${row.coding} epoch ${epoch + 1}: loss ${(loss / n).toFixed(4)} train acc ${((100 * correct) / n).toFixed(1)}%`);
    }
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
    const coding = row.coding === 'direct' ? 'direct' : 'poisson';
    const inputRate = coding === 'poisson' ? meanIntensity(test) : undefined;
    const snn = snnEnergy(topo, { activity: inputActivity(topo, rates, inputRate), T: row.T, macOps: macOpsFor(topo, { mode: 'snn', coding }) });
    const ee = energyEfficiency(annEnergy(topo), snn).full;
    return {
      reconstructed: topo.reconstructed,
      metrics: [
        { metric: 'accuracy', value: ev.accuracy * 100, unit: '%' },
        { metric: 'spikes_per_neuron', value: spikes / neurons, unit: 'count' },
        { metric: 'latency_steps', value: row.T, unit: 'steps' },
        { metric: 'ee', value: ee, unit: 'x' },
        { metric: 'energy_uJ', value: snn.total / 1e6, unit: 'uJ' },
      ],
      activity: ev.activity,
    };
  } finally {
    tr.dispose();
  }
}
