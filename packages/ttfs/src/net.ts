/**
 * The surrogate DNN of a TTFS SNN (Park & Yoon 2021) on a @snn/models topology: every hidden
 * weight op is linear -> [BN] -> TTFS activation (./activation.ts) with its own temporal kernel;
 * the input is TTFS-coded with a fixed kernel; average pools are linear (in the SNN they are part
 * of the next layer's synapses); the classifier (last FC) is non-spiking and integrates the last
 * hidden layer's kernel-weighted spikes, as in the project's other tables.
 *
 * Batch normalisation modes (switch `bn`):
 *   'none'      no BN
 *   'standard'  y = gamma (z - mu)/sigma + beta
 *   'kernel'    temporal-kernel-aware BN (formula ours): y = kappa_l(t_ref) (gamma (z - mu)/sigma + beta),
 *               t_ref = (T-1)/2, so a unit normalised input (gamma = 1, beta = 0) fires in the middle
 *               of the window whatever tau_l and t_d,l become during training, and the batch's
 *               spread is placed on the kernel's representable range instead of saturating at t = 0.
 * In every mode the BN folds exactly into the weights and bias of the converted SNN (./fold.ts).
 */
import { tf, deriveSeed } from '@snn/backend';
import { initParams, type OpSpec, type Topology } from '@snn/models';
import {
  defaultKernelInit,
  kernelAt,
  makeKernel,
  ownedVariable,
  type KernelInit,
  type TemporalKernel,
} from './kernel.js';
import { ttfsActivation } from './activation.js';

export type TtfsBnMode = 'none' | 'standard' | 'kernel';

export interface TtfsNetConfig {
  /** time steps per layer window */
  T: number;
  bn: TtfsBnMode;
  /** R of defaultKernelInit: kappa(T-1) = exp(-R) at init (default 4) */
  kernelRange?: number;
  /** train tau and t_d (default true) */
  trainKernel?: boolean;
  /** BN running-statistics momentum (default 0.9) */
  bnMomentum?: number;
  seed: number;
}

export interface BatchNormState {
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable;
  variance: tf.Variable;
}

export const BN_EPS = 1e-5;

export function isWeightOp(op: OpSpec): boolean {
  return op.kind === 'conv' || op.kind === 'fc';
}

export function linearOp(op: OpSpec, w: tf.Tensor, b: tf.Tensor | undefined, x: tf.Tensor): tf.Tensor {
  const z =
    op.kind === 'conv'
      ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')
      : tf.matMul(x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0], -1]), w as tf.Tensor2D);
  return b ? tf.add(z, b) : z;
}

export function poolOp(op: OpSpec, x: tf.Tensor): tf.Tensor {
  if (op.kind !== 'avgpool')
    throw new Error(
      `TTFS: ${op.kind} (${op.id}) is not supported: only average pooling is linear in kernel-weighted spikes`,
    );
  const k = op.k ?? 2;
  return tf.avgPool(x as tf.Tensor4D, k, k, 'valid');
}

export class TtfsNet {
  readonly params: Record<string, tf.Variable>;
  readonly kernels = new Map<string, TemporalKernel>();
  readonly inputKernel: TemporalKernel;
  readonly bnState = new Map<string, BatchNormState>();
  readonly hidden: OpSpec[];
  readonly kernelInit: KernelInit;

  constructor(
    readonly topo: Topology,
    readonly cfg: TtfsNetConfig,
  ) {
    for (const op of topo.ops) {
      if (op.residualFrom) throw new Error(`TTFS: residual connections (${op.id}) are not supported`);
      if (op.kind === 'maxpool')
        throw new Error(
          `TTFS: maxpool (${op.id}) is not supported: only average pooling is linear in kernel-weighted spikes`,
        );
    }
    if (topo.ops.some((o) => o.unrollStep > 1))
      throw new Error(`TTFS: BackRes unrolls are not supported (${topo.name})`);
    this.kernelInit = defaultKernelInit(cfg.T, cfg.kernelRange ?? 4);
    this.params = initParams(topo, deriveSeed(cfg.seed, 'ttfs-init'));
    for (const op of topo.ops.filter(isWeightOp)) {
      const bid = `${op.param}/bias`;
      if (!this.params[bid]) {
        const out = op.outShape[op.outShape.length - 1];
        this.params[bid] = ownedVariable(tf.zeros([out]), true, `ttfs/${bid}`);
      }
    }
    this.hidden = topo.ops.filter((op) => isWeightOp(op) && op.id !== topo.classifier);
    for (const op of this.hidden) {
      this.kernels.set(op.id, makeKernel(op.id, this.kernelInit, cfg.trainKernel ?? true));
      if (cfg.bn !== 'none') {
        const c = op.outShape[op.outShape.length - 1];
        this.bnState.set(op.id, {
          gamma: ownedVariable(tf.ones([c]), true, `ttfs/${op.id}/bn/gamma`),
          beta: ownedVariable(tf.zeros([c]), true, `ttfs/${op.id}/bn/beta`),
          mean: ownedVariable(tf.zeros([c]), false, `ttfs/${op.id}/bn/mean`),
          variance: ownedVariable(tf.ones([c]), false, `ttfs/${op.id}/bn/variance`),
        });
      }
    }
    this.inputKernel = makeKernel('input', this.kernelInit, false);
  }

  weight(op: OpSpec): tf.Variable {
    return this.params[op.param!];
  }

  bias(op: OpSpec): tf.Variable {
    return this.params[`${op.param}/bias`];
  }

  /** TKA-BN output scale kappa_l(t_ref) (1 for the other modes). */
  bnScale(op: OpSpec): tf.Tensor {
    if (this.cfg.bn !== 'kernel') return tf.scalar(1);
    return kernelAt(this.kernels.get(op.id)!, tf.scalar((this.cfg.T - 1) / 2));
  }

  trainableVariables(): tf.Variable[] {
    const vs: tf.Variable[] = [...Object.values(this.params)];
    for (const s of this.bnState.values()) vs.push(s.gamma, s.beta);
    if (this.cfg.trainKernel ?? true) for (const k of this.kernels.values()) vs.push(k.tau, k.td);
    return vs;
  }

  /**
   * Surrogate DNN forward. training: BN uses batch statistics (returned in `batchStats` for the
   * running-average update) and the activation may be stochastically relaxed.
   */
  forward(
    x: tf.Tensor,
    opts: { training?: boolean; stochastic?: boolean; seed?: number } = {},
  ): { logits: tf.Tensor2D; batchStats: Map<string, { mean: tf.Tensor; variance: tf.Tensor }> } {
    const T = this.cfg.T;
    const batchStats = new Map<string, { mean: tf.Tensor; variance: tf.Tensor }>();
    const stoch = Boolean(opts.training && opts.stochastic);
    let a = ttfsActivation(x, this.inputKernel, T);
    let logits: tf.Tensor2D | null = null;
    for (const op of this.topo.ops) {
      if (op.kind === 'avgpool' || op.kind === 'maxpool') {
        a = poolOp(op, a);
        continue;
      }
      let z = linearOp(op, this.weight(op), this.bias(op), a);
      if (op.id === this.topo.classifier) {
        logits = z as tf.Tensor2D;
        break;
      }
      const bn = this.bnState.get(op.id);
      if (bn) {
        const axes = z.shape.slice(0, -1).map((_, i) => i);
        let mean: tf.Tensor = bn.mean;
        let variance: tf.Tensor = bn.variance;
        if (opts.training) {
          const m = tf.moments(z, axes);
          mean = m.mean;
          variance = m.variance;
          batchStats.set(op.id, { mean, variance });
        }
        const zhat = tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BN_EPS)));
        z = tf.mul(this.bnScale(op), tf.add(tf.mul(zhat, bn.gamma), bn.beta));
      }
      a = ttfsActivation(z, this.kernels.get(op.id)!, T, {
        stochastic: stoch,
        seed: opts.seed === undefined ? undefined : deriveSeed(opts.seed, op.id),
      });
    }
    if (!logits) throw new Error(`TTFS: topology ${this.topo.name} has no classifier op`);
    return { logits, batchStats };
  }

  /** Running-average BN update from a training step's batch statistics (disposes them). */
  updateBatchNorm(stats: Map<string, { mean: tf.Tensor; variance: tf.Tensor }>): void {
    const m = this.cfg.bnMomentum ?? 0.9;
    for (const [id, s] of stats) {
      const bn = this.bnState.get(id)!;
      tf.tidy(() => {
        bn.mean.assign(tf.add(tf.mul(bn.mean, m), tf.mul(s.mean, 1 - m)));
        bn.variance.assign(tf.add(tf.mul(bn.variance, m), tf.mul(s.variance, 1 - m)));
      });
      tf.dispose([s.mean, s.variance]);
    }
  }

  /** kernel parameters now (for reports) */
  kernelSummary(): Array<{ op: string; tau: number; td: number }> {
    return [...this.kernels.values()].map((k) => ({ op: k.id, tau: k.tau.dataSync()[0], td: k.td.dataSync()[0] }));
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    for (const s of this.bnState.values()) tf.dispose([s.gamma, s.beta, s.mean, s.variance]);
    for (const k of [...this.kernels.values(), this.inputKernel]) tf.dispose([k.tau, k.td]);
  }
}
