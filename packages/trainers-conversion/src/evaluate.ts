import { tf } from './tf.js';
import { annForward, simulate, type ConversionNet, type InputCoding, type Readout } from './convertible.js';
import type { SnnSettings } from './snnSettings.js';
import { conversionEE } from './energyTopo.js';

/** Images in a batched set (the n behind an accuracy: its binomial interval needs it). */
export function imageCount(batches: ReadonlyArray<{ y: ArrayLike<number> }>): number {
  return batches.reduce((a, b) => a + b.y.length, 0);
}

export interface LabelledBatch {
  x: tf.Tensor;
  y: Int32Array | Uint8Array;
}

export interface SnnEvaluation {
  /** accuracy of the accumulated classifier output after t steps, for every t in tList */
  accuracy: Array<{ t: number; accuracy: number }>;
  /** firing rate (fraction of neurons spiking per step) of every spiking op, with its unroll step */
  activity: Array<{ op: string; param: string; unrollStep: number; rate: number }>;
  /** input spike rate of every weight op (what the energy model multiplies) */
  inputRate: Record<string, number>;
  /** energy efficiency vs the same net as an ANN (@snn/energy, full net), at every t in tList */
  energy: Array<{ T: number; ee: number; eAnn: number; eSnn: number }>;
  samples: number;
  /** per test image (data order): 1 where the readout after t steps was right, for every t in tList */
  correct: Map<number, Uint8Array>;
}

/**
 * Evaluate a converted SNN at every t in `tList` in ONE run of max(tList) steps: the classifier
 * output is accumulated over time and read out at each t. Spiking activity is recorded per op
 * (per BackRes unroll step) and turned into EE with Panda et al.'s accounting.
 */
export function evaluateSnn(
  net: ConversionNet,
  snn: SnnSettings,
  data: LabelledBatch[],
  opts: {
    tList: number[];
    coding: InputCoding;
    seed: number;
    chunk: number;
    preset?: 'int32_45nm' | 'fp32_45nm';
    readout?: Readout;
    /** Poisson: spike probability per step = maxRate x pixel intensity (default 1) */
    maxRate?: number;
  },
): SnnEvaluation {
  const Tmax = Math.max(...opts.tList);
  const correct = new Map<number, number>();
  const spikes = new Map<string, { count: number; neuronSteps: number }>();
  const rates = new Map<string, { sum: number; n: number }>();
  const total = imageCount(data);
  const perImage = new Map(opts.tList.map((t) => [t, new Uint8Array(total)] as const));
  let samples = 0;
  data.forEach((b, i) => {
    const r = simulate(net, snn, b.x, {
      steps: Tmax,
      chunk: opts.chunk,
      coding: opts.coding,
      seed: opts.seed + i * 15485863,
      labels: b.y,
      tList: opts.tList,
      readout: opts.readout,
      maxRate: opts.maxRate,
    });
    for (const [t, hits] of r.hitsAt) perImage.get(t)!.set(hits, samples);
    samples += b.x.shape[0];
    for (const [t, c] of r.correctAt) correct.set(t, (correct.get(t) ?? 0) + c);
    for (const [op, s] of r.spikes) {
      const a = spikes.get(op) ?? { count: 0, neuronSteps: 0 };
      a.count += s.count;
      a.neuronSteps += s.neuronSteps;
      spikes.set(op, a);
    }
    for (const [op, s] of r.inputRate) {
      const a = rates.get(op) ?? { sum: 0, n: 0 };
      a.sum += s.sum;
      a.n += s.n;
      rates.set(op, a);
    }
  });
  const inputRate: Record<string, number> = {};
  for (const [op, s] of rates) inputRate[op] = s.sum / s.n;
  return {
    accuracy: opts.tList.map((t) => ({ t, accuracy: (correct.get(t) ?? 0) / samples })),
    activity: net.topo.ops
      .filter((o) => spikes.has(o.id))
      .map((o) => ({
        op: o.id,
        param: o.param ?? o.id,
        unrollStep: o.unrollStep ?? 1,
        rate: spikes.get(o.id)!.count / spikes.get(o.id)!.neuronSteps,
      })),
    inputRate,
    energy: opts.tList.map((t) => {
      const e = conversionEE(net.topo, inputRate, t, opts.coding, opts.preset);
      return { T: t, ee: e.full, eAnn: e.eAnn, eSnn: e.eSnn };
    }),
    samples,
    correct: perImage,
  };
}

/**
 * ANN top-1 accuracy of the same net (the bound a converted SNN approaches); `hits` (one per image,
 * data order), when given, gets 1 for each image predicted right.
 */
export function evaluateAnn(net: ConversionNet, data: LabelledBatch[], readout?: Readout, hits?: Uint8Array): number {
  let correct = 0;
  let n = 0;
  for (const b of data) {
    const pred = tf.tidy(() => {
      const { features, logits } = annForward(net, b.x);
      return tf.argMax(readout ? readout(features, logits) : logits, -1).dataSync();
    });
    for (let i = 0; i < pred.length; i++)
      if (pred[i] === b.y[i]) {
        correct++;
        if (hits) hits[n + i] = 1;
      }
    n += pred.length;
  }
  return correct / n;
}
