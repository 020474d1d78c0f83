// The epoch loop every trainer runs: batches -> one optimiser step each -> divergence check ->
// per-epoch record, progress and log line -> per-epoch checkpoint (./checkpoint.ts), and resume
// from the last complete checkpoint. The trainer supplies the batches, the step and what its
// checkpoint holds; the loop adds no tensor op of its own, so moving a trainer onto it changes
// none of its numbers.
import { tf } from '@snn/backend';
import { checkDivergence } from './divergence.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';

export interface TrainProgress {
  epoch?: number;
  of?: number;
  step?: number;
  note?: string;
}

/** What a trainer's caller passes: where checkpoints go (resume from it if it holds one), progress and log. */
export interface TrainContext {
  /** where per-epoch checkpoints go; resume from it if it holds one */
  checkpointDir?: string;
  progress?(p: TrainProgress): void;
  log?(msg: string): void;
}

/** The statistics of one finished epoch (1-based `epoch`). */
export interface EpochStats {
  epoch: number;
  /** mean batch loss, weighted by batch size */
  loss: number;
  trainAccuracy: number;
  seconds: number;
  samplesPerSec: number;
}

/** One optimiser step's outcome: its (mean) loss, the number of correct predictions, the batch size. */
export interface StepResult {
  loss: number;
  correct: number;
  size: number;
}

export interface EpochCheckpoint<S> {
  dir: string;
  /**
   * the configuration the checkpoint is made with (e.g. a JSON of the trainer's settings and
   * shapes): saved beside the state, and a checkpoint saved with another key is not resumed from
   * (logged; the run trains from scratch and overwrites it). None: any checkpoint in `dir` is taken.
   */
  key?: string;
  /** tensors to save after each epoch (variables, optimiser slots...); the loop disposes those marked `dispose` once saved */
  tensors(): Promise<Array<{ name: string; tensor: tf.Tensor; dispose?: boolean }>>;
  /** trainer state saved beside `history` (e.g. a searched temperature) */
  state?(): S;
  /** put a loaded checkpoint back (the loop disposes `tensors` afterwards) */
  restore(tensors: Map<string, tf.Tensor>, state: S): Promise<void> | void;
}

export interface EpochLoopOptions<B, R extends EpochStats, S> {
  epochs: number;
  /** the batches of `epoch` (0-based), in order */
  batches(epoch: number): Iterable<B>;
  /** one optimiser step on `batch`, the `index`-th of `epoch` */
  step(batch: B, epoch: number, index: number): StepResult;
  /** frees a batch after its step (also when the step throws) */
  release?(batch: B): void;
  /** before the epoch's first batch (and before its clock starts): e.g. set the learning rate */
  startEpoch?(epoch: number): void;
  /** the epoch's record from its statistics (add the learning rate, a temperature...) */
  record(stats: EpochStats, epoch: number): R;
  /** throws when a batch's loss means divergence (default checkDivergence: NaN/inf, or DIVERGENCE_FACTOR x the first batch's) */
  checkLoss?(loss: number, first: number | undefined, epoch: number, batch: number): void;
  /** batches per epoch, for the progress note */
  stepsPerEpoch: number;
  /** per-epoch checkpoints and resume; none: train from scratch, save nothing */
  checkpoint?: EpochCheckpoint<S>;
  /** prefix of the per-epoch log line ('' -> `epoch 1/3: ...`) */
  logPrefix?: string;
  progress?(p: TrainProgress): void;
  log?(msg: string): void;
}

export interface EpochLoopResult<R> {
  history: R[];
  /** training throughput over the epochs run in this process (images/s) */
  samplesPerSec: number;
  /** epochs restored from a checkpoint instead of trained */
  resumedEpochs: number;
}

type Saved<R, S> = S & { history: R[]; checkpointKey?: string };

/** Train `epochs` epochs (resuming after the last checkpointed one). */
export async function runEpochs<B, R extends EpochStats, S = Record<string, never>>(
  o: EpochLoopOptions<B, R, S>,
): Promise<EpochLoopResult<R>> {
  const checkLoss = o.checkLoss ?? checkDivergence;
  let start = 0;
  let history: R[] = [];
  if (o.checkpoint) {
    let ck = loadCheckpoint<Saved<R, S>>(o.checkpoint.dir);
    if (ck && o.checkpoint.key !== undefined && ck.state.checkpointKey !== o.checkpoint.key) {
      tf.dispose([...ck.tensors.values()]);
      o.log?.(`ignoring the checkpoint in ${o.checkpoint.dir}: it was made with another configuration`);
      ck = null;
    }
    if (ck) {
      await o.checkpoint.restore(ck.tensors, ck.state);
      tf.dispose([...ck.tensors.values()]);
      start = Math.min(ck.epoch, o.epochs);
      history = ck.state.history;
      o.log?.(`resumed from checkpoint after epoch ${ck.epoch}`);
    }
  }
  let trainedSamples = 0;
  let trainSeconds = 0;
  // the divergence reference: this process's first batch (a resumed run takes its own)
  let firstLoss: number | undefined;
  for (let epoch = start; epoch < o.epochs; epoch++) {
    o.startEpoch?.(epoch);
    const t0 = performance.now();
    let lossSum = 0;
    let correct = 0;
    let n = 0;
    let bi = 0;
    for (const b of o.batches(epoch)) {
      try {
        const r = o.step(b, epoch, bi);
        checkLoss(r.loss, firstLoss, epoch, bi);
        firstLoss ??= r.loss;
        lossSum += r.loss * r.size;
        correct += r.correct;
        n += r.size;
      } finally {
        o.release?.(b);
      }
      bi++;
      o.progress?.({
        epoch: epoch + 1,
        of: o.epochs,
        step: bi,
        note: `batch ${bi}/${o.stepsPerEpoch} loss ${(lossSum / Math.max(1, n)).toFixed(3)}`,
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    trainedSamples += n;
    trainSeconds += seconds;
    const rec = o.record(
      {
        epoch: epoch + 1,
        loss: lossSum / Math.max(1, n),
        trainAccuracy: correct / Math.max(1, n),
        seconds,
        samplesPerSec: n / seconds,
      },
      epoch,
    );
    history = [...history, rec];
    o.log?.(
      `${o.logPrefix ?? ''}epoch ${epoch + 1}/${o.epochs}: loss ${rec.loss.toFixed(4)} train acc ${(rec.trainAccuracy * 100).toFixed(1)}% ${rec.samplesPerSec.toFixed(1)} img/s`,
    );
    if (o.checkpoint) {
      const state = {
        ...(o.checkpoint.state?.() ?? {}),
        history,
        ...(o.checkpoint.key !== undefined ? { checkpointKey: o.checkpoint.key } : {}),
      } as Saved<R, S>;
      const tensors = await o.checkpoint.tensors();
      try {
        await saveCheckpoint<Saved<R, S>>(o.checkpoint.dir, epoch + 1, tensors, state);
      } finally {
        tf.dispose(tensors.filter((t) => t.dispose).map((t) => t.tensor));
      }
    }
  }
  const samplesPerSec =
    trainSeconds > 0 ? trainedSamples / trainSeconds : history.length ? history[history.length - 1].samplesPerSec : 0;
  return { history, samplesPerSec, resumedEpochs: start };
}
