/**
 * Training of the surrogate DNN (Park & Yoon 2021) with its three switches:
 *   stochastic   stochastically relaxed activation (./activation.ts)
 *   regularize   weight lambda of the initial-value kernel regulariser (./kernel.ts); 0 = off
 *   bn           'kernel' = temporal-kernel-aware BN, 'standard' = plain BN (./net.ts)
 * Loss: softmax cross-entropy on the surrogate's logits (+ lambda R). Adam. Evaluation of the
 * accuracy that matters is on the SIMULATED SNN (./evaluate.ts).
 */
import { tf, deriveSeed } from '@snn/backend';
import { batches, type ImageSet } from '@snn/datasets';
import type { Topology } from '@snn/models';
import { kernelRegularizer } from './kernel.js';
import { TtfsNet, type TtfsBnMode } from './net.js';

export interface TtfsTrainConfig {
  T: number;
  bn: TtfsBnMode;
  stochastic: boolean;
  /** lambda of the kernel regulariser (0 = off) */
  regularize: number;
  trainKernel?: boolean;
  kernelRange?: number;
  epochs: number;
  batchSize: number;
  lr: number;
  /** lr of tau and t_d (default lr) */
  kernelLr?: number;
  augment?: { crop?: number; flip?: boolean };
  seed: number;
}

export interface TtfsEpoch {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  seconds: number;
  samplesPerSec: number;
}

export interface TtfsProgress {
  epoch?: number;
  of?: number;
  step?: number;
  note?: string;
}

export class TtfsTrainer {
  readonly net: TtfsNet;
  private readonly opt: tf.Optimizer;
  private readonly kernelOpt: tf.Optimizer;

  constructor(
    topo: Topology,
    readonly cfg: TtfsTrainConfig,
  ) {
    this.net = new TtfsNet(topo, {
      T: cfg.T,
      bn: cfg.bn,
      seed: cfg.seed,
      trainKernel: cfg.trainKernel,
      kernelRange: cfg.kernelRange,
    });
    this.opt = tf.train.adam(cfg.lr);
    this.kernelOpt = tf.train.adam(cfg.kernelLr ?? cfg.lr);
  }

  /** loss = CE(surrogate logits) + lambda R(kernels) */
  loss(
    x: tf.Tensor,
    y: tf.Tensor1D,
    seed: number,
    keepStats = false,
  ): { loss: tf.Scalar; correct: tf.Scalar; stats: Map<string, { mean: tf.Tensor; variance: tf.Tensor }> } {
    const { logits, batchStats } = this.net.forward(x, { training: true, stochastic: this.cfg.stochastic, seed });
    const onehot = tf.oneHot(tf.cast(y, 'int32'), this.net.topo.classes);
    let loss = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
    if (this.cfg.regularize > 0)
      loss = tf.add(loss, tf.mul(this.cfg.regularize, kernelRegularizer([...this.net.kernels.values()]))) as tf.Scalar;
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32')) as tf.Scalar;
    if (keepStats)
      for (const s of batchStats.values()) {
        tf.keep(s.mean);
        tf.keep(s.variance);
      }
    return { loss, correct, stats: batchStats };
  }

  trainBatch(x: tf.Tensor, y: tf.Tensor1D, seed: number): { loss: number; correct: number } {
    const kernelVars = new Set<tf.Variable>();
    for (const k of this.net.kernels.values()) kernelVars.add(k.tau).add(k.td);
    const vars = this.net.trainableVariables();
    let stats = new Map<string, { mean: tf.Tensor; variance: tf.Tensor }>();
    let correctT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const r = this.loss(x, y, seed, true);
      stats = r.stats;
      correctT = tf.keep(r.correct);
      return r.loss;
    }, vars);
    const loss = value.dataSync()[0];
    const correct = (correctT as unknown as tf.Tensor).dataSync()[0];
    tf.dispose([value, correctT as unknown as tf.Tensor]);
    if (Number.isFinite(loss)) {
      const main = vars.filter((v) => !kernelVars.has(v)).map((v) => ({ name: v.name, tensor: grads[v.name] }));
      const kern = vars.filter((v) => kernelVars.has(v)).map((v) => ({ name: v.name, tensor: grads[v.name] }));
      this.opt.applyGradients(main);
      if (kern.length) this.kernelOpt.applyGradients(kern);
      this.net.updateBatchNorm(stats);
    } else {
      for (const s of stats.values()) tf.dispose([s.mean, s.variance]);
    }
    tf.dispose(grads);
    return { loss, correct };
  }

  async fit(
    train: ImageSet,
    ctx: { progress?(p: TtfsProgress): void; log?(m: string): void } = {},
  ): Promise<TtfsEpoch[]> {
    const history: TtfsEpoch[] = [];
    const per = Math.ceil(train.n / this.cfg.batchSize);
    for (let epoch = 0; epoch < this.cfg.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0;
      let correct = 0;
      let n = 0;
      let bi = 0;
      for (const b of batches(train, {
        batchSize: this.cfg.batchSize,
        seed: deriveSeed(this.cfg.seed, 'shuffle', epoch),
        shuffle: true,
        augment: this.cfg.augment,
      })) {
        try {
          const r = this.trainBatch(b.x, b.y, deriveSeed(this.cfg.seed, 'batch', epoch, bi));
          if (!Number.isFinite(r.loss))
            throw new Error(`TTFS training diverged: loss ${r.loss} at epoch ${epoch + 1}, batch ${bi + 1}`);
          lossSum += r.loss * b.size;
          correct += r.correct;
          n += b.size;
        } finally {
          tf.dispose([b.x, b.y]);
        }
        bi++;
        ctx.progress?.({
          epoch: epoch + 1,
          of: this.cfg.epochs,
          step: bi,
          note: `batch ${bi}/${per} loss ${(lossSum / Math.max(1, n)).toFixed(3)}`,
        });
      }
      const seconds = (performance.now() - t0) / 1000;
      const rec = {
        epoch: epoch + 1,
        loss: lossSum / Math.max(1, n),
        trainAccuracy: correct / Math.max(1, n),
        seconds,
        samplesPerSec: n / seconds,
      };
      history.push(rec);
      ctx.log?.(
        `ttfs epoch ${rec.epoch}/${this.cfg.epochs}: loss ${rec.loss.toFixed(4)} train acc ${(rec.trainAccuracy * 100).toFixed(1)}% ${rec.samplesPerSec.toFixed(1)} img/s`,
      );
    }
    return history;
  }

  dispose(): void {
    this.net.dispose();
    this.opt.dispose();
    this.kernelOpt.dispose();
  }
}
