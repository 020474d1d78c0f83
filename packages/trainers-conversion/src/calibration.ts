import { tf } from './tf.js';
import { linearOp, type OpSpec } from '@snn/models';
import { annForward, cloneNet, simulate, spikingOps, type ConversionNet, type InputCoding } from './convertible.js';
import { addExtraCurrent, type SnnSettings } from './snnSettings.js';

/**
 * SNN calibration (Li, Deng et al., ICML 2021 "A Free Lunch from ANN"): after conversion, correct
 * each spiking layer so its time-averaged output matches the ANN's activation on the same
 * calibration batch, layer by layer (corrections of earlier layers are in place when a later one
 * is measured).
 */
export interface CalibrationOptions {
  T: number;
  coding: InputCoding;
  seed: number;
  chunk: number;
}

/** ANN activation of every spiking op on x (one forward pass), flat [B*per] each. */
export function annActivations(net: ConversionNet, x: tf.Tensor, only?: Set<string>): Map<string, Float32Array> {
  const acts = new Map<string, Float32Array>();
  tf.tidy(() => {
    annForward(net, x, (c, out) => {
      if (c.kind !== 'avgpool' && c.kind !== 'maxpool' && (!only || only.has(c.id)))
        acts.set(c.id, Float32Array.from(out.dataSync() as Float32Array));
    });
  });
  return acts;
}

/**
 * ANN output and SNN time-averaged output of one op, both flat [B*per]. `annActs` (annActivations
 * of the same net and x) saves the ANN pass when several ops are measured.
 */
export function layerOutputs(
  net: ConversionNet,
  snn: SnnSettings,
  x: tf.Tensor,
  op: OpSpec,
  o: CalibrationOptions,
  annActs?: Map<string, Float32Array>,
): { ann: Float32Array; snn: Float32Array; shape: number[] } {
  const ann = (annActs ?? annActivations(net, x, new Set([op.id]))).get(op.id);
  if (!ann) throw new Error(`layerOutputs: no ANN activation for op ${op.id}`);
  let sum: Float32Array | null = null;
  let shape: number[] = [];
  simulate(net, snn, x, {
    steps: o.T,
    chunk: o.chunk,
    coding: o.coding,
    seed: o.seed,
    stopAfter: op.id,
    onOutput: (c, out, tc, sh) => {
      if (c.id !== op.id) return;
      const n = out.length / tc;
      if (!sum) sum = new Float32Array(n);
      for (let t = 0; t < tc; t++) for (let i = 0; i < n; i++) sum[i] += out[t * n + i];
      shape = sh;
    },
  });
  const s = sum as unknown as Float32Array;
  for (let i = 0; i < s.length; i++) s[i] /= o.T;
  return { ann, snn: s, shape };
}

/** Mean squared error between SNN rate·θ and ANN activation at one op (what calibration targets). */
export function layerError(
  net: ConversionNet,
  snn: SnnSettings,
  x: tf.Tensor,
  op: OpSpec,
  o: CalibrationOptions,
): number {
  const { ann, snn: s } = layerOutputs(net, snn, x, op, o);
  let e = 0;
  for (let i = 0; i < ann.length; i++) e += (s[i] - ann[i]) ** 2;
  return e / ann.length;
}

/**
 * Bias correction: subtract the per-channel mean of (SNN rate − ANN activation) from the op's
 * bias — here an extra input current per step, so the op needs no bias term of its own.
 */
export function biasCorrection(net: ConversionNet, snn: SnnSettings, x: tf.Tensor, o: CalibrationOptions): SnnSettings {
  let s = snn;
  const acts = annActivations(net, x);
  for (const op of spikingOps(net)) {
    const { ann, snn: r, shape } = layerOutputs(net, s, x, op, o, acts);
    const C = shape[shape.length - 1];
    const diff = new Float32Array(C);
    const cnt = new Float32Array(C);
    for (let i = 0; i < ann.length; i++) {
      diff[i % C] += r[i] - ann[i];
      cnt[i % C]++;
    }
    for (let c = 0; c < C; c++) diff[c] = -diff[c] / cnt[c];
    s = addExtraCurrent(s, op.id, diff);
  }
  return s;
}

/**
 * Potential correction: initial membrane potential per position = (ANN mean − SNN mean)·T
 * (mean over the calibration batch), so T steps of soft-reset IF emit the missing charge.
 */
export function potentialCorrection(
  net: ConversionNet,
  snn: SnnSettings,
  x: tf.Tensor,
  o: CalibrationOptions,
): SnnSettings {
  let s = snn;
  const B = x.shape[0];
  const acts = annActivations(net, x);
  for (const op of spikingOps(net)) {
    const { ann, snn: r } = layerOutputs(net, s, x, op, o, acts);
    const per = ann.length / B;
    const prev = s.v0?.[op.id];
    const v0 = new Float32Array(per);
    for (let i = 0; i < ann.length; i++) v0[i % per] += ((ann[i] - r[i]) * o.T) / B;
    if (prev) for (let i = 0; i < per; i++) v0[i] += prev[i];
    s = { ...s, v0: { ...(s.v0 ?? {}), [op.id]: v0 } };
  }
  return s;
}

/** floor with a straight-through gradient (Li et al. weight calibration): value floor(z), gradient 1. */
export const floorSTE = (z: tf.Tensor): tf.Tensor =>
  tf.customGrad(((x: tf.Tensor) => ({ value: tf.floor(x), gradFunc: (dy: tf.Tensor) => dy })) as unknown as Parameters<
    typeof tf.customGrad
  >[0])(z);

/**
 * Layer-wise weight calibration (Li et al. 2021, advanced pipeline), light version: a few Adam steps
 * per weight param on an L2 loss between the ANN activation and the IF layer's rate model
 * θ/T·clamp(floor((W·x̄ + b + c)·T/θ + v0/θ), 0, T), x̄ the SNN's time-averaged input (straight-
 * through floor). BackRes ops sharing a param are calibrated jointly (sum of their losses, inputs
 * captured from the current SNN). Returns a new net; the input net is not changed.
 */
export async function weightCalibration(
  net: ConversionNet,
  snn: SnnSettings,
  x: tf.Tensor,
  o: CalibrationOptions & { steps: number; lr: number },
): Promise<ConversionNet> {
  const out = cloneNet(net);
  const ops = spikingOps(out);
  const params = [...new Set(ops.map((op) => op.param!))];
  for (const p of params) {
    const group = ops.filter((op) => op.param === p);
    const ids = new Set(group.map((op) => op.id));
    const res = group.find((op) => op.residualFrom);
    if (res) throw new Error(`weightCalibration: the rate model has no residual input (op ${res.id})`);
    const last = group[group.length - 1];
    // time-averaged SNN input of every op in the group
    const sums = new Map<string, tf.Tensor>();
    simulate(out, snn, x, {
      steps: o.T,
      chunk: o.chunk,
      coding: o.coding,
      seed: o.seed,
      stopAfter: last.id,
      onInput: (op, h, repeated, tc) => {
        if (!ids.has(op.id)) return;
        const s = tf.tidy(() =>
          repeated ? tf.mul(h, tc) : tf.sum(tf.reshape(h, [tc, x.shape[0], ...h.shape.slice(1)]), 0),
        );
        const prev = sums.get(op.id);
        sums.set(op.id, prev ? tf.tidy(() => tf.add(prev, s)) : s);
        if (prev) {
          prev.dispose();
          s.dispose();
        }
      },
    });
    const targets = new Map<string, tf.Tensor>();
    tf.tidy(() => {
      annForward(out, x, (c, a) => {
        if (ids.has(c.id)) targets.set(c.id, tf.keep(a.clone()));
      });
    });
    const w = tf.variable(out.params[p], true);
    const optimizer = tf.train.adam(o.lr);
    for (let step = 0; step < o.steps; step++) {
      optimizer.minimize(() => {
        const losses = group.map((op) => {
          const xbar = tf.div(sums.get(op.id)!, o.T);
          const th = snn.thresholds[op.id];
          let z = linearOp(op, { ...out.params, [p]: w }, xbar);
          const c = snn.extraCurrent?.[op.id];
          if (c !== undefined) z = tf.add(z, typeof c === 'number' ? tf.scalar(c) : tf.tensor1d(c));
          let q = tf.mul(z, o.T / th);
          const v0 = snn.v0?.[op.id];
          if (v0) q = tf.add(q, tf.div(tf.tensor(v0, [1, ...z.shape.slice(1)]), th));
          const y = tf.mul(tf.clipByValue(floorSTE(q), 0, o.T), th / o.T);
          return tf.losses.meanSquaredError(targets.get(op.id)!, y);
        });
        return tf.addN(losses) as tf.Scalar;
      });
    }
    out.params[p].dispose();
    out.params[p] = w.clone();
    w.dispose();
    optimizer.dispose();
    for (const t of sums.values()) t.dispose();
    for (const t of targets.values()) t.dispose();
  }
  return out;
}
