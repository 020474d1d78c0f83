/**
 * Metrics of a trained TTFS net, measured on the SIMULATED SNN (./simulate.ts):
 *   accuracy            top-1 of the SNN classifier potential (the surrogate's accuracy is reported apart)
 *   spikesPerNeuron     hidden-layer spikes / hidden neurons, per image (<= 1 by construction)
 *   latencySteps        L*T + d + 1: input and L hidden windows before the classifier window, plus the
 *                       mean step d of that window after which the decision no longer changes
 *   energy / EE         @snn/energy: every weight op pays one AC per input spike (the input layer too:
 *                       its input is TTFS-coded); activity = input spikes per neuron per step
 */
import { tf, deriveSeed } from '@snn/backend';
import { batches, type ImageSet } from '@snn/datasets';
import {
  annEnergy,
  energyEfficiency,
  inputActivity,
  snnEnergy,
  type EnergyPresetName,
  type EnergyReport,
} from '@snn/energy';
import { foldBatchNorm, disposeFolded } from './fold.js';
import { simulateTtfs } from './simulate.js';
import type { TtfsNet } from './net.js';

export interface TtfsEvaluation {
  accuracy: number;
  surrogateAccuracy: number;
  spikesPerNeuron: number;
  inputSpikesPerPixel: number;
  /** per hidden op: spikes per neuron per image */
  layerSpikes: Record<string, number>;
  latencySteps: number;
  /** maximum spikes of one neuron seen (<= 1) */
  maxSpikesPerNeuron: number;
  energy: EnergyReport;
  ee: number;
  samples: number;
  /** 1 where the spiking net's prediction on image i (set order) was right: for paired comparisons */
  correct: Uint8Array;
}

export function evaluateTtfs(
  net: TtfsNet,
  set: ImageSet,
  opts: { batchSize?: number; preset?: EnergyPresetName; seed?: number } = {},
): TtfsEvaluation {
  const T = net.cfg.T;
  const folded = foldBatchNorm(net);
  let correct = 0;
  const right = new Uint8Array(set.n);
  let correctSur = 0;
  let n = 0;
  const spikes: Record<string, number> = {};
  let neurons: Record<string, number> = {};
  let inSpikes = 0;
  let inNeurons = 0;
  let decisionSum = 0;
  let maxSpikes = 0;
  try {
    for (const b of batches(set, {
      batchSize: opts.batchSize ?? 50,
      seed: opts.seed ?? deriveSeed(net.cfg.seed, 'eval'),
      shuffle: false,
    })) {
      const sim = simulateTtfs(net, b.x, folded);
      const [c, cs] = tf.tidy(() => {
        const y = tf.cast(b.y, 'int32');
        const sur = net.forward(b.x).logits;
        const hits = tf.cast(tf.equal(tf.argMax(sim.logits, 1), y), 'int32').dataSync() as Int32Array;
        right.set(hits, n);
        return [
          hits.reduce((t, h) => t + h, 0),
          tf.sum(tf.cast(tf.equal(tf.argMax(sur, 1), y), 'float32')).dataSync()[0],
        ];
      });
      correct += c;
      correctSur += cs;
      n += b.size;
      for (const [k, v] of Object.entries(sim.spikes)) spikes[k] = (spikes[k] ?? 0) + v;
      neurons = sim.neurons;
      inSpikes += sim.inputSpikes;
      inNeurons = sim.inputNeurons;
      decisionSum += sim.decisionStep.reduce((a, d) => a + d, 0);
      maxSpikes = Math.max(maxSpikes, sim.maxSpikesPerNeuron);
      tf.dispose([sim.logits, b.x, b.y]);
    }
  } finally {
    disposeFolded(folded);
  }
  const layerSpikes: Record<string, number> = {};
  let totS = 0;
  let totN = 0;
  for (const [k, v] of Object.entries(spikes)) {
    layerSpikes[k] = v / (n * neurons[k]);
    totS += v / n;
    totN += neurons[k];
  }
  // energy: per-step input activity = spikes per neuron / T, counted over T steps (one AC per spike)
  const rate: Record<string, number> = Object.fromEntries(Object.entries(layerSpikes).map(([k, v]) => [k, v / T]));
  const inputRate = inSpikes / (n * inNeurons) / T;
  const preset = opts.preset ?? 'int32_45nm';
  const energy = snnEnergy(net.topo, { activity: inputActivity(net.topo, rate, inputRate), T, macOps: [], preset });
  const ee = energyEfficiency(annEnergy(net.topo, preset), energy).full;
  return {
    accuracy: correct / n,
    surrogateAccuracy: correctSur / n,
    spikesPerNeuron: totS / totN,
    inputSpikesPerPixel: inSpikes / (n * inNeurons),
    layerSpikes,
    latencySteps: net.hidden.length * T + decisionSum / n + 1,
    maxSpikesPerNeuron: maxSpikes,
    energy,
    ee,
    samples: n,
    correct: right,
  };
}
