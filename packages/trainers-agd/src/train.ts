// AGD: approximate-derivative (surrogate-gradient) BPTT, Panda, Aketi & Roy 2020 §2 / Table 8-16.
//
// One trainer for the three graph kinds of a topology, all executed by `models.forward`:
//   ann    — ReLU everywhere (the baselines: no batch norm, no dropout, as in the paper)
//   snn    — LIF everywhere but the classifier; Poisson rate input over T steps, time-folded
//            ([T*B, ...]); BPTT through the unrolled membrane recurrence (lifSequence)
//   hybrid — the first ops ReLU, computed ONCE per input on the real-valued image (repeated:true),
//            their output fed to the LIF part at every step (no rate coding there)
// The loss is taken on the classifier output, which reads the previous layer's activity
// accumulated (mean) over the window (softmax or stochmax head, ./heads.ts).
import { tf, deriveSeed } from '@snn/backend';
import {
  type SurrogateSpec,
  type NeuronParams,
  SpikeMonitor,
  dspikeTemperatureStep,
  type LayerActivity,
} from '@snn/core-neurons';
import { poissonEncode } from '@snn/encoders';
import { forward, initParams, type Topology, type OpSpec } from '@snn/models';
import { batches, type ImageSet } from '@snn/datasets';
import { makeHead, type ClassifierHead, type HeadName, type HeadSpec } from './heads.js';
import { makeOptimizer, lrAt, setLearningRate, type OptimizerConfig, type ScheduleConfig } from './schedule.js';
import { saveCheckpoint, loadCheckpoint } from './checkpoint.js';

export type AgdMode = 'ann' | 'snn' | 'hybrid';

export interface AgdNeuronConfig {
  /** leak alpha = exp(-dt/tau_mem); the paper: 0.95-0.99 */
  alpha: number;
  /** fixed threshold, the same for BackRes and baseline (the paper: set by the user, not learned) */
  vth: number;
  reset?: 'soft' | 'hard';
  surrogate: SurrogateSpec;
}

export interface AgdConfig {
  mode: AgdMode;
  /** time steps (ignored for ann) */
  T: number;
  head: HeadSpec | HeadName;
  neuron: AgdNeuronConfig;
  /** hybrid only: op ids run as ReLU once per input (Panda et al.: conv1, conv2) */
  hybridReluOps?: string[];
  optimizer: OptimizerConfig;
  schedule?: ScheduleConfig;
  epochs: number;
  batchSize: number;
  seed: number;
  /** snn mode only: 'poisson' rate coding (default) or 'direct' (the real-valued image at every step, computed once) */
  coding?: 'poisson' | 'direct';
  /** Poisson max rate (1 = rate equals intensity) */
  maxRate?: number;
  augment?: { crop?: number; flip?: boolean };
  /** dspike surrogate only: per-epoch temperature search (Li et al. 2021), step of b */
  dspikeSearch?: { delta: number; samples?: number };
  evalBatchSize?: number;
}

export interface AgdProgress {
  epoch?: number;
  of?: number;
  step?: number;
  note?: string;
}

export interface AgdContext {
  /** where per-epoch checkpoints go; resume from it if it holds one */
  checkpointDir?: string;
  progress?(p: AgdProgress): void;
  log?(msg: string): void;
}

/**
 * A batch loss this many times the run's first batch loss counts as divergence (a softmax loss
 * starts near ln(classes) and falls; Adam at a far too large learning rate sends it to 1e30 while
 * staying finite, which must not be recorded as a trained row).
 */
export const DIVERGENCE_FACTOR = 50;

/** Thrown when the loss becomes NaN/inf or explodes (DIVERGENCE_FACTOR): the row fails with this message; other rows go on. */
export class DivergenceError extends Error {
  constructor(
    public readonly epoch: number,
    public readonly batch: number,
    public readonly loss: number,
    reason = '',
  ) {
    super(
      `training diverged: loss = ${loss}${reason} at epoch ${epoch + 1}, batch ${batch + 1} (lower the learning rate or check V_th)`,
    );
    this.name = 'DivergenceError';
  }
}

/** Throws DivergenceError when `loss` is not finite or exceeds DIVERGENCE_FACTOR x `first` (the first batch loss of this run). */
export function checkDivergence(loss: number, first: number | undefined, epoch: number, batch: number): void {
  if (!Number.isFinite(loss)) throw new DivergenceError(epoch, batch, loss);
  if (first !== undefined && first > 0 && loss > DIVERGENCE_FACTOR * first) {
    throw new DivergenceError(epoch, batch, loss, `, over ${DIVERGENCE_FACTOR}x the first batch's ${first.toFixed(3)}`);
  }
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  lr: number;
  seconds: number;
  samplesPerSec: number;
  dspikeB?: number;
}

export interface EvalResult {
  accuracy: number;
  /** per spiking op and unroll step; empty for ann */
  activity: LayerActivity[];
  samples: number;
}

const ADAM_EXTRA = ['accBeta1', 'accBeta2'] as const;

interface TrainerState {
  history: EpochRecord[];
  dspikeB?: number;
}

/** Input to models.forward for one batch: the encoding is part of the mode (and, for snn, the coding). */
function encodeInput(cfg: AgdConfig, x: tf.Tensor, seed: number): { input: tf.Tensor; repeated: boolean } {
  if (cfg.mode === 'snn' && cfg.coding !== 'direct')
    return { input: poissonEncode(x, cfg.T, seed, cfg.maxRate ?? 1), repeated: false };
  // ann: one step; hybrid and direct coding: the real-valued image, computed once (never tiled)
  return { input: x, repeated: cfg.mode !== 'ann' };
}

/** Size of the classifier's input h (the stochmax head's feature dimension). */
export function classifierFeatureDim(topo: Topology): number {
  const op = topo.ops.find((o) => o.id === topo.classifier) ?? topo.ops[topo.ops.length - 1];
  return op.inShape.reduce((a, b) => a * b, 1);
}

/**
 * The trainer as an object: `trainBatch` / `evaluate` / `saveTo` / `restoreFrom` are what tests
 * drive; `trainAgd` below is the whole-row loop.
 */
export class AgdTrainer {
  readonly params: Record<string, tf.Variable>;
  readonly head: ClassifierHead;
  readonly optimizer: tf.Optimizer;
  /** current dspike temperature (searched per epoch when configured) */
  dspikeB: number | undefined;
  private readonly varNames: string[];

  constructor(
    readonly topo: Topology,
    readonly cfg: AgdConfig,
    params?: Record<string, tf.Variable>,
  ) {
    if (cfg.mode !== 'ann' && !(Number.isInteger(cfg.T) && cfg.T >= 1))
      throw new Error(`AGD: T must be a positive integer, got ${cfg.T}`);
    if (cfg.mode !== 'ann' && !(cfg.neuron.vth > 0)) throw new Error(`AGD: V_th must be > 0, got ${cfg.neuron.vth}`);
    this.params = params ?? initParams(topo, deriveSeed(cfg.seed, 'init'));
    this.head = makeHead(cfg.head, classifierFeatureDim(topo), topo.classes, deriveSeed(cfg.seed, 'head'));
    this.optimizer = makeOptimizer(cfg.optimizer);
    this.dspikeB = cfg.neuron.surrogate.name === 'dspike' ? (cfg.neuron.surrogate.b ?? 3) : undefined;
    this.varNames = [
      ...Object.keys(this.params).sort(),
      ...Object.keys(this.head.variables)
        .sort()
        .map((k) => `head.${k}`),
    ];
  }

  /** all trainable variables by stable name (params by topology id, head variables as head.*) */
  variable(name: string): tf.Variable {
    return name.startsWith('head.') ? this.head.variables[name.slice(5)] : this.params[name];
  }

  get variableNames(): readonly string[] {
    return this.varNames;
  }

  neuronParams(bOverride?: number): NeuronParams {
    const n = this.cfg.neuron;
    const surrogate: SurrogateSpec =
      n.surrogate.name === 'dspike' ? { ...n.surrogate, b: bOverride ?? this.dspikeB } : n.surrogate;
    return { kind: 'lif', alpha: n.alpha, vth: n.vth, reset: n.reset ?? 'soft', surrogate };
  }

  /** forward to { features, logits }; `seed` drives the Poisson input */
  run(
    x: tf.Tensor,
    seed: number,
    monitor?: SpikeMonitor,
    bOverride?: number,
  ): { features: tf.Tensor; logits: tf.Tensor } {
    const { mode, T } = this.cfg;
    const { input, repeated } = encodeInput(this.cfg, x, seed);
    const np = this.neuronParams(bOverride);
    return forward(this.topo, this.params, input, {
      mode,
      T: mode === 'ann' ? 1 : T,
      repeated,
      neuron: (_op: OpSpec) => np,
      monitor,
      hybridReluOps: mode === 'hybrid' ? this.cfg.hybridReluOps : undefined,
    });
  }

  /** the training loss (scalar) of one batch */
  loss(x: tf.Tensor, y: tf.Tensor1D, seed: number, bOverride?: number): tf.Scalar {
    const out = this.run(x, seed, undefined, bOverride);
    return this.head.loss(out, y, deriveSeed(seed, 'head'));
  }

  /** one optimiser step; returns { loss, correct } or throws DivergenceError-ready NaN via `loss` */
  trainBatch(x: tf.Tensor, y: tf.Tensor1D, seed: number): { loss: number; correct: number } {
    const vars = this.varNames.map((n) => this.variable(n));
    let correctT: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const out = this.run(x, seed);
      correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), tf.cast(y, 'int32')), 'float32')));
      return this.head.loss(out, y, deriveSeed(seed, 'head'));
    }, vars);
    const loss = value.dataSync()[0];
    const correct = (correctT as unknown as tf.Tensor).dataSync()[0];
    (correctT as unknown as tf.Tensor).dispose();
    value.dispose();
    if (!Number.isFinite(loss)) {
      tf.dispose(grads);
      return { loss, correct };
    }
    const named = tf.tidy(() => {
      const wd = this.cfg.optimizer.weightDecay ?? 0;
      let list = vars.map((v) => {
        const g = grads[v.name];
        return wd > 0 ? tf.add(g, tf.mul(v, wd)) : g;
      });
      const clip = this.cfg.optimizer.clipNorm ?? 0;
      if (clip > 0) {
        const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-12)));
        list = list.map((g) => tf.mul(g, scale));
      }
      return list.map((g, i) => ({ name: vars[i].name, tensor: g }));
    });
    // applyGradients keys optimiser slots by position: the order of varNames is fixed, so a
    // restored optimiser state (checkpoint) lines up with the same variables
    this.optimizer.applyGradients(named);
    // `named` may hold the very tensors of `grads` (no decay, no clipping): dispose both sets once
    tf.dispose([...named.map((n) => n.tensor), ...Object.values(grads)]);
    return { loss, correct };
  }

  /** accuracy on a set + spike activity per op (SpikeMonitor); seeded Poisson input */
  evaluate(set: ImageSet, opts: { batchSize?: number; seed?: number; monitor?: boolean } = {}): EvalResult {
    const monitor = opts.monitor === false || this.cfg.mode === 'ann' ? undefined : new SpikeMonitor();
    const seed = opts.seed ?? deriveSeed(this.cfg.seed, 'eval');
    let correct = 0;
    let n = 0;
    let i = 0;
    for (const b of batches(set, {
      batchSize: opts.batchSize ?? this.cfg.evalBatchSize ?? this.cfg.batchSize,
      seed,
      shuffle: false,
    })) {
      const c = tf.tidy(() => {
        const out = this.run(b.x, deriveSeed(seed, i), monitor);
        const pred = tf.argMax(this.head.logProbs(out), 1);
        return tf.sum(tf.cast(tf.equal(pred, tf.cast(b.y, 'int32')), 'float32'));
      });
      correct += c.dataSync()[0];
      c.dispose();
      n += b.size;
      i++;
      tf.dispose([b.x, b.y]);
    }
    return { accuracy: n ? correct / n : 0, activity: monitor ? monitor.activity() : [], samples: n };
  }

  /**
   * Dspike temperature search (Li et al. 2021): try b, b ± delta; keep the b whose surrogate
   * gradient of the FIRST layer's weights has the highest cosine with a finite-difference
   * gradient of the true (spiking) loss. The FD gradient is taken along `samples` random
   * coordinates of that weight (central differences, the same Poisson seed), which keeps the
   * search to a few forward passes.
   */
  searchDspikeTemperature(x: tf.Tensor, y: tf.Tensor1D, seed: number): number | undefined {
    const sc = this.cfg.dspikeSearch;
    if (this.dspikeB === undefined || !sc) return this.dspikeB;
    const firstParam = this.topo.ops.find((o) => o.param)?.param;
    if (!firstParam) return this.dspikeB;
    const w = this.params[firstParam];
    const k = Math.min(sc.samples ?? 16, w.size);
    const idx: number[] = [];
    for (let j = 0; j < k; j++) idx.push(Math.floor((deriveSeed(seed, 'fd', j) / 2 ** 32) * w.size));
    const lossAt = (): number => tf.tidy(() => this.loss(x, y, seed).dataSync()[0]);
    const base = w.dataSync().slice() as Float32Array;
    const fd: number[] = [];
    const h = 1e-2 * (Math.sqrt(base.reduce((a, v) => a + v * v, 0) / base.length) || 1);
    for (const i of idx) {
      const plus = base.slice();
      plus[i] += h;
      w.assign(tf.tensor(plus, w.shape));
      const lp = lossAt();
      const minus = base.slice();
      minus[i] -= h;
      w.assign(tf.tensor(minus, w.shape));
      const lm = lossAt();
      fd.push((lp - lm) / (2 * h));
    }
    w.assign(tf.tensor(base, w.shape));
    const gradFor = (b: number): number[] => {
      const g = tf.tidy(() =>
        tf
          .variableGrads(() => this.loss(x, y, seed, b), [w])
          .grads[w.name].dataSync()
          .slice(),
      );
      return idx.map((i) => g[i]);
    };
    const choice = dspikeTemperatureStep(this.dspikeB, sc.delta, gradFor, fd);
    this.dspikeB = choice.b;
    return this.dspikeB;
  }

  /** tensors to checkpoint: variables by stable name + optimiser slots by position */
  async checkpointTensors(): Promise<Array<{ name: string; tensor: tf.Tensor }>> {
    const out = this.varNames.map((n) => ({ name: `var:${n}`, tensor: this.variable(n) as tf.Tensor }));
    const ow = await this.optimizer.getWeights();
    ow.forEach((w, i) => out.push({ name: `opt:${i}`, tensor: w.tensor }));
    // Adam's running beta powers: setWeights recomputes them as pow(beta, it + 1), which differs
    // in the last float bits from the product accumulated step by step; keep the exact values.
    for (const k of ADAM_EXTRA) {
      const v = (this.optimizer as unknown as Record<string, tf.Variable | undefined>)[k];
      if (v) out.push({ name: `optx:${k}`, tensor: v });
    }
    return out;
  }

  async restore(tensors: Map<string, tf.Tensor>): Promise<void> {
    for (const n of this.varNames) {
      const t = tensors.get(`var:${n}`);
      if (!t) throw new Error(`checkpoint has no tensor for '${n}'`);
      this.variable(n).assign(t);
    }
    const opt: Array<{ name: string; tensor: tf.Tensor }> = [];
    for (let i = 0; tensors.has(`opt:${i}`); i++) opt.push({ name: `opt:${i}`, tensor: tensors.get(`opt:${i}`)! });
    if (opt.length) await this.optimizer.setWeights(opt);
    for (const k of ADAM_EXTRA) {
      const v = (this.optimizer as unknown as Record<string, tf.Variable | undefined>)[k];
      const t = tensors.get(`optx:${k}`);
      if (v && t) v.assign(t);
    }
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    tf.dispose(Object.values(this.head.variables));
    this.optimizer.dispose();
  }
}

export interface AgdRunResult {
  trainer: AgdTrainer;
  history: EpochRecord[];
  /** training throughput over all epochs run in this process (images/s; x T for image-steps) */
  samplesPerSec: number;
  /** epochs restored from a checkpoint instead of trained */
  resumedEpochs: number;
}

/**
 * Train for cfg.epochs with per-epoch checkpoints (ctx.checkpointDir) and resume. Throws
 * DivergenceError on a NaN/inf loss. The caller evaluates (`trainer.evaluate`) and disposes.
 */
export async function trainAgd(
  topo: Topology,
  cfg: AgdConfig,
  train: ImageSet,
  ctx: AgdContext = {},
): Promise<AgdRunResult> {
  const trainer = new AgdTrainer(topo, cfg);
  let start = 0;
  let history: EpochRecord[] = [];
  if (ctx.checkpointDir) {
    const ck = loadCheckpoint<TrainerState>(ctx.checkpointDir);
    if (ck) {
      await trainer.restore(ck.tensors);
      tf.dispose([...ck.tensors.values()]);
      start = Math.min(ck.epoch, cfg.epochs);
      history = ck.state.history;
      if (ck.state.dspikeB !== undefined) trainer.dspikeB = ck.state.dspikeB;
      ctx.log?.(`resumed from checkpoint after epoch ${ck.epoch}`);
    }
  }
  let trainedSamples = 0;
  let trainSeconds = 0;
  const perEpoch = Math.ceil(train.n / cfg.batchSize);
  // the divergence reference: this process's first batch (a resumed run takes its own)
  let firstLoss: number | undefined;
  for (let epoch = start; epoch < cfg.epochs; epoch++) {
    const lr = lrAt(cfg.optimizer.lr, cfg.schedule, epoch, cfg.epochs);
    setLearningRate(trainer.optimizer, lr);
    const t0 = performance.now();
    let lossSum = 0;
    let correct = 0;
    let n = 0;
    let bi = 0;
    let searched = false;
    for (const b of batches(train, {
      batchSize: cfg.batchSize,
      seed: deriveSeed(cfg.seed, 'shuffle', epoch),
      shuffle: true,
      augment: cfg.augment,
    })) {
      const seed = deriveSeed(cfg.seed, 'batch', epoch, bi);
      try {
        if (!searched && cfg.dspikeSearch && trainer.dspikeB !== undefined) {
          trainer.searchDspikeTemperature(b.x, b.y, seed);
          searched = true;
        }
        const r = trainer.trainBatch(b.x, b.y, seed);
        checkDivergence(r.loss, firstLoss, epoch, bi);
        firstLoss ??= r.loss;
        lossSum += r.loss * b.size;
        correct += r.correct;
        n += b.size;
      } finally {
        tf.dispose([b.x, b.y]);
      }
      bi++;
      ctx.progress?.({
        epoch: epoch + 1,
        of: cfg.epochs,
        step: bi,
        note: `batch ${bi}/${perEpoch} loss ${(lossSum / Math.max(1, n)).toFixed(3)}`,
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    trainedSamples += n;
    trainSeconds += seconds;
    const rec: EpochRecord = {
      epoch: epoch + 1,
      loss: lossSum / Math.max(1, n),
      trainAccuracy: correct / Math.max(1, n),
      lr,
      seconds,
      samplesPerSec: n / seconds,
    };
    if (trainer.dspikeB !== undefined) rec.dspikeB = trainer.dspikeB;
    history = [...history, rec];
    ctx.log?.(
      `epoch ${epoch + 1}/${cfg.epochs}: loss ${rec.loss.toFixed(4)} train acc ${(rec.trainAccuracy * 100).toFixed(1)}% ${rec.samplesPerSec.toFixed(1)} img/s`,
    );
    if (ctx.checkpointDir) {
      await saveCheckpoint<TrainerState>(ctx.checkpointDir, epoch + 1, await trainer.checkpointTensors(), {
        history,
        dspikeB: trainer.dspikeB,
      });
    }
  }
  const samplesPerSec =
    trainSeconds > 0 ? trainedSamples / trainSeconds : history.length ? history[history.length - 1].samplesPerSec : 0;
  return { trainer, history, samplesPerSec, resumedEpochs: start };
}
