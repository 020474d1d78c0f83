import { tf } from '@snn/backend';

export interface LayerActivity {
  layer: string;
  unrollStep: number;
  /** fraction of neurons firing per time step, averaged over steps and all samples seen */
  rate: number;
  /** the same fraction for each time step t = 0..T-1 */
  perStep?: number[];
  /** samples accumulated */
  samples: number;
}

interface Acc {
  layer: string;
  unrollStep: number;
  T: number;
  spikeSum: Float64Array; // per step: total spikes
  neuronSamples: number; // per step: neurons * samples
  samples: number;
}

/**
 * Per-layer, per-unroll-step spiking activity (Panda et al. 2020 report it per layer to
 * compute AC counts for energy). Cheap enough to stay on in evaluation: each record is one
 * reduction to T numbers and one small dataSync; sums accumulate in JS, no tensors kept.
 */
export class SpikeMonitor {
  private readonly acc = new Map<string, Acc>();

  /** spikes: [T*B, ...] time-major folded 0/1 tensor (not disposed here). */
  record(layer: string, unrollStep: number, spikes: tf.Tensor, T: number): void {
    const rows = spikes.shape[0];
    if (rows % T !== 0) throw new Error(`SpikeMonitor.record(${layer}): leading dim ${rows} not a multiple of T=${T}`);
    const B = rows / T;
    const perStepCount = spikes.size / T; // neurons * B
    const sums = tf.tidy(() => tf.sum(tf.reshape(spikes, [T, -1]), 1));
    const data = sums.dataSync();
    sums.dispose();
    const key = `${layer}\u0000${unrollStep}`;
    let a = this.acc.get(key);
    if (!a) {
      a = { layer, unrollStep, T, spikeSum: new Float64Array(T), neuronSamples: 0, samples: 0 };
      this.acc.set(key, a);
    } else if (a.T !== T) {
      throw new Error(`SpikeMonitor.record(${layer}@${unrollStep}): T changed from ${a.T} to ${T}`);
    }
    for (let t = 0; t < T; t++) a.spikeSum[t] += data[t];
    a.neuronSamples += perStepCount;
    a.samples += B;
  }

  activity(): LayerActivity[] {
    return [...this.acc.values()].map((a) => {
      const perStep = Array.from(a.spikeSum, (s) => s / a.neuronSamples);
      const rate = perStep.reduce((x, y) => x + y, 0) / a.T;
      return { layer: a.layer, unrollStep: a.unrollStep, rate, perStep, samples: a.samples };
    });
  }

  reset(): void {
    this.acc.clear();
  }
}
