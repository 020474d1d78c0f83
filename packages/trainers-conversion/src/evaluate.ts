import { tf } from './tf.js';
import type { ConversionNet } from './net.js';
import type { SnnSettings } from './snnSettings.js';
import { simulate, type InputCoding, type Readout } from './simulate.js';
import { energyEfficiency, opMacs, type EnergyPreset, type EnergyReport } from './energy.js';
import { annForward } from './ann.js';

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
  /** energy efficiency vs the same net as an ANN, at every t in tList */
  energy: EnergyReport[];
  samples: number;
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
  opts: { tList: number[]; coding: InputCoding; seed: number; chunk: number; preset?: EnergyPreset; readout?: Readout },
): SnnEvaluation {
  const Tmax = Math.max(...opts.tList);
  const correct = new Map<number, number>();
  const spikes = new Map<string, { count: number; neuronSteps: number }>();
  const rates = new Map<string, { sum: number; n: number }>();
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
    });
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
  const macs = opMacs(net, data[0].x.shape.slice(1));
  const firstOp = net.ops[0].id;
  return {
    accuracy: opts.tList.map((t) => ({ t, accuracy: (correct.get(t) ?? 0) / samples })),
    activity: net.ops
      .filter((o) => spikes.has(o.id))
      .map((o) => ({
        op: o.id,
        param: o.param ?? o.id,
        unrollStep: o.unrollStep ?? 1,
        rate: spikes.get(o.id)!.count / spikes.get(o.id)!.neuronSteps,
      })),
    inputRate,
    energy: opts.tList.map((t) =>
      energyEfficiency(macs, inputRate, t, {
        preset: opts.preset,
        analogFirstOp: opts.coding === 'direct' ? firstOp : undefined,
      }),
    ),
    samples,
  };
}

/** ANN top-1 accuracy of the same net (the bound a converted SNN approaches). */
export function evaluateAnn(net: ConversionNet, data: LabelledBatch[], readout?: Readout): number {
  let correct = 0;
  let n = 0;
  const cls = net.ops[net.ops.length - 1].id;
  for (const b of data) {
    let feats: tf.Tensor | null = null;
    const pred = tf.tidy(() => {
      // the classifier input survives annForward's tidy only if kept; disposed below
      const logits = annForward(net, b.x, {
        capture: (op, _out, input) => {
          if (op.id === cls) feats = tf.keep(tf.reshape(input, [input.shape[0], -1]));
        },
      }) as tf.Tensor2D;
      return tf.argMax(readout ? readout(feats as unknown as tf.Tensor2D, logits) : logits, -1).dataSync();
    });
    (feats as tf.Tensor | null)?.dispose();
    for (let i = 0; i < pred.length; i++) if (pred[i] === b.y[i]) correct++;
    n += pred.length;
  }
  return correct / n;
}
