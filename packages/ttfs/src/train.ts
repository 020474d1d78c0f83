/**
 * Training of the surrogate DNN (Park & Yoon 2021) with its three switches:
 *   stochastic   stochastically relaxed activation (./activation.ts)
 *   regularize   weight lambda of the initial-value kernel regulariser (./kernel.ts); 0 = off
 *   bn           'kernel' = temporal-kernel-aware BN, 'standard' = plain BN (./net.ts)
 * Loss: softmax cross-entropy on the surrogate's logits (+ lambda R). Adam. Evaluation of the
 * accuracy that matters is on the SIMULATED SNN (./evaluate.ts).
 */
import { tf, deriveSeed } from '@snn/backend';
import { batches, type Batch, type ImageSet } from '@snn/datasets';
import type { Topology } from '@snn/models';
import { optimizerTensors, restoreOptimizer, runEpochs, type TrainContext, type TrainProgress } from '@snn/training';
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

export type TtfsProgress = TrainProgress;

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

  /**
   * Everything training changes, as checkpoint tensors: the trainable variables by position
   * (weights, biases, BN affine, trainable kernels), the BN running statistics and both optimisers.
   */
  async checkpointTensors(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    const out: Array<{ name: string; tensor: tf.Tensor }> = this.net
      .trainableVariables()
      .map((v, i) => ({ name: `var:${i}`, tensor: v }));
    for (const [id, bn] of this.net.bnState)
      out.push({ name: `bn:${id}:mean`, tensor: bn.mean }, { name: `bn:${id}:variance`, tensor: bn.variance });
    out.push(...(await optimizerTensors(this.opt, 'opt')), ...(await optimizerTensors(this.kernelOpt, 'kopt')));
    return out;
  }

  async restore(tensors: Map<string, tf.Tensor>): Promise<void> {
    const get = (name: string): tf.Tensor => {
      const t = tensors.get(name);
      if (!t) throw new Error(`TTFS checkpoint has no tensor '${name}'`);
      return t;
    };
    this.net.trainableVariables().forEach((v, i) => v.assign(get(`var:${i}`)));
    for (const [id, bn] of this.net.bnState) {
      bn.mean.assign(get(`bn:${id}:mean`));
      bn.variance.assign(get(`bn:${id}:variance`));
    }
    await restoreOptimizer(this.opt, tensors, 'opt');
    await restoreOptimizer(this.kernelOpt, tensors, 'kopt');
  }

  /**
   * Train cfg.epochs epochs (@snn/training's epoch loop); throws on a NaN/inf loss. With
   * `ctx.checkpointDir`, every epoch is checkpointed there and a rerun resumes after the last one
   * (the same numbers as an uninterrupted run).
   */
  async fit(train: ImageSet, ctx: TrainContext = {}): Promise<TtfsEpoch[]> {
    const run = await runEpochs<Batch, TtfsEpoch, Record<string, never>>({
      epochs: this.cfg.epochs,
      stepsPerEpoch: Math.ceil(train.n / this.cfg.batchSize),
      batches: (epoch) =>
        batches(train, {
          batchSize: this.cfg.batchSize,
          seed: deriveSeed(this.cfg.seed, 'shuffle', epoch),
          shuffle: true,
          augment: this.cfg.augment,
        }),
      step: (b, epoch, bi) => ({
        ...this.trainBatch(b.x, b.y, deriveSeed(this.cfg.seed, 'batch', epoch, bi)),
        size: b.size,
      }),
      release: (b) => tf.dispose([b.x, b.y]),
      // NaN/inf only (no explosion test: the surrogate's loss is not a plain softmax's)
      checkLoss: (loss, _first, epoch, bi) => {
        if (!Number.isFinite(loss))
          throw new Error(`TTFS training diverged: loss ${loss} at epoch ${epoch + 1}, batch ${bi + 1}`);
      },
      record: (st) => st,
      checkpoint: ctx.checkpointDir
        ? {
            dir: ctx.checkpointDir,
            tensors: () => this.checkpointTensors(),
            restore: (tensors) => this.restore(tensors),
          }
        : undefined,
      logPrefix: 'ttfs ',
      progress: ctx.progress,
      log: ctx.log,
    });
    return run.history;
  }

  dispose(): void {
    this.net.dispose();
    this.opt.dispose();
    this.kernelOpt.dispose();
  }
}
