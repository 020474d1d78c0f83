// AGD: approximate-derivative (surrogate-gradient) BPTT, Panda, Aketi & Roy 2020 §2 / Table 8-16.
//
// One trainer for the three graph kinds of a topology, all executed by `models.forward`:
//   ann    — ReLU everywhere (the baselines: no batch norm, no dropout, as in the paper)
//   snn    — LIF everywhere but the classifier; Poisson rate input over T steps, time-folded
//            ([T*B, ...]); BPTT through the unrolled membrane recurrence (lifSequence)
//   hybrid — the first ops ReLU, computed ONCE per input on the real-valued image (repeated:true),
//            their output fed to the LIF part at every step (no rate coding there)
// The loss is taken on the classifier output, which reads the previous layer's activity
// accumulated (mean) over the window (softmax or stochmax head, @snn/training's heads).
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
import { batches, type Batch, type ImageSet } from '@snn/datasets';
import {
  HeadTrainer,
  classifierFeatureDim,
  checkDivergence,
  lrAt,
  makeHead,
  runEpochs,
  setLearningRate,
  type HeadName,
  type HeadSpec,
  type HeadTrainerInit,
  type OptimizerConfig,
  type ScheduleConfig,
  type TrainContext,
  type TrainProgress,
} from '@snn/training';

// the divergence handling, the feature dimension and the heads are @snn/training's (re-exported for AGD's callers)
export { DIVERGENCE_FACTOR, DivergenceError, checkDivergence, classifierFeatureDim } from '@snn/training';

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

export type AgdProgress = TrainProgress;
export type AgdContext = TrainContext;

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
  /** 1 where the prediction on image i of the set (in set order) was right: for paired comparisons */
  correct: Uint8Array;
}

/** what an AGD checkpoint keeps beside the tensors (and the epoch history) */
interface TrainerState {
  dspikeB?: number;
}

/** Input to models.forward for one batch: the encoding is part of the mode (and, for snn, the coding). */
function encodeInput(cfg: AgdConfig, x: tf.Tensor, seed: number): { input: tf.Tensor; repeated: boolean } {
  if (cfg.mode === 'snn' && cfg.coding !== 'direct')
    return { input: poissonEncode(x, cfg.T, seed, cfg.maxRate ?? 1), repeated: false };
  // ann: one step; hybrid and direct coding: the real-valued image, computed once (never tiled)
  return { input: x, repeated: cfg.mode !== 'ann' };
}

/** Validated params, head and optimiser of an AGD trainer (params first, then the head: the order their seeds were always drawn in). */
function agdInit(topo: Topology, cfg: AgdConfig, params?: Record<string, tf.Variable>): HeadTrainerInit {
  if (cfg.mode !== 'ann' && !(Number.isInteger(cfg.T) && cfg.T >= 1))
    throw new Error(`AGD: T must be a positive integer, got ${cfg.T}`);
  if (cfg.mode !== 'ann' && !(cfg.neuron.vth > 0)) throw new Error(`AGD: V_th must be > 0, got ${cfg.neuron.vth}`);
  const p = params ?? initParams(topo, deriveSeed(cfg.seed, 'init'));
  const head = makeHead(cfg.head, classifierFeatureDim(topo), topo.classes, deriveSeed(cfg.seed, 'head'));
  return { params: p, head, optimizer: cfg.optimizer };
}

/**
 * The trainer as an object: `trainBatch` / `evaluate` / `checkpointTensors` / `restore` (the
 * optimiser step and checkpoint tensors are @snn/training's HeadTrainer) are what tests drive;
 * `trainAgd` below is the whole-row loop.
 */
export class AgdTrainer extends HeadTrainer {
  /** current dspike temperature (searched per epoch when configured) */
  dspikeB: number | undefined;

  constructor(
    readonly topo: Topology,
    readonly cfg: AgdConfig,
    params?: Record<string, tf.Variable>,
  ) {
    super(agdInit(topo, cfg, params));
    this.dspikeB = cfg.neuron.surrogate.name === 'dspike' ? (cfg.neuron.surrogate.b ?? 3) : undefined;
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

  /** accuracy on a set + spike activity per op (SpikeMonitor); seeded Poisson input */
  evaluate(set: ImageSet, opts: { batchSize?: number; seed?: number; monitor?: boolean } = {}): EvalResult {
    const monitor = opts.monitor === false || this.cfg.mode === 'ann' ? undefined : new SpikeMonitor();
    const seed = opts.seed ?? deriveSeed(this.cfg.seed, 'eval');
    let correct = 0;
    let n = 0;
    let i = 0;
    const right = new Uint8Array(set.n);
    for (const b of batches(set, {
      batchSize: opts.batchSize ?? this.cfg.evalBatchSize ?? this.cfg.batchSize,
      seed,
      shuffle: false,
    })) {
      const c = tf.tidy(() => {
        const out = this.run(b.x, deriveSeed(seed, i), monitor);
        const pred = tf.argMax(this.head.logProbs(out), 1);
        return tf.cast(tf.equal(pred, tf.cast(b.y, 'int32')), 'int32');
      });
      const hits = c.dataSync();
      for (let k = 0; k < hits.length; k++) {
        right[n + k] = hits[k];
        correct += hits[k];
      }
      c.dispose();
      n += b.size;
      i++;
      tf.dispose([b.x, b.y]);
    }
    return { accuracy: n ? correct / n : 0, activity: monitor ? monitor.activity() : [], samples: n, correct: right };
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
  const lrOf = (epoch: number) => lrAt(cfg.optimizer.lr, cfg.schedule, epoch, cfg.epochs);
  const run = await runEpochs<Batch, EpochRecord, TrainerState>({
    epochs: cfg.epochs,
    stepsPerEpoch: Math.ceil(train.n / cfg.batchSize),
    startEpoch: (epoch) => setLearningRate(trainer.optimizer, lrOf(epoch)),
    batches: (epoch) =>
      batches(train, {
        batchSize: cfg.batchSize,
        seed: deriveSeed(cfg.seed, 'shuffle', epoch),
        shuffle: true,
        augment: cfg.augment,
      }),
    step: (b, epoch, bi) => {
      const seed = deriveSeed(cfg.seed, 'batch', epoch, bi);
      // the Dspike temperature search runs once per epoch, on its first batch
      if (bi === 0 && cfg.dspikeSearch && trainer.dspikeB !== undefined)
        trainer.searchDspikeTemperature(b.x, b.y, seed);
      return { ...trainer.trainBatch(b.x, b.y, seed), size: b.size };
    },
    release: (b) => tf.dispose([b.x, b.y]),
    checkLoss: checkDivergence,
    record: (st, epoch) => {
      const rec: EpochRecord = {
        epoch: st.epoch,
        loss: st.loss,
        trainAccuracy: st.trainAccuracy,
        lr: lrOf(epoch),
        seconds: st.seconds,
        samplesPerSec: st.samplesPerSec,
      };
      if (trainer.dspikeB !== undefined) rec.dspikeB = trainer.dspikeB;
      return rec;
    },
    checkpoint: ctx.checkpointDir
      ? {
          dir: ctx.checkpointDir,
          tensors: () => trainer.checkpointTensors(),
          state: () => ({ dspikeB: trainer.dspikeB }),
          restore: async (tensors, state) => {
            await trainer.restore(tensors);
            if (state.dspikeB !== undefined) trainer.dspikeB = state.dspikeB;
          },
        }
      : undefined,
    progress: ctx.progress,
    log: ctx.log,
  });
  return { trainer, history: run.history, samplesPerSec: run.samplesPerSec, resumedEpochs: run.resumedEpochs };
}
