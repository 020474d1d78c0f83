// Classifier heads trained by backprop on frozen features (Panda et al. 2020, STDP section):
//  - 'fc'     : FC1 (ReLU) -> FC2, the paper's appended classifier (Table 6);
//  - 'convnn' : a larger conv classifier (Table 12; the paper does not give its layers). Our
//               reading, documented in the README: conv3x3(2C) ReLU -> conv3x3(2C) ReLU ->
//               avgpool 2 -> FC1 (ReLU) -> FC2, on the stack's [h, w, C] feature maps.
// The loss is @snn/training's softmax or stochmax (DropMax) head on (features = FC1's
// output, logits = FC2's output), so stochmax is the same implementation as the AGD tables.
import {
  makeHead,
  optimizerTensors,
  restoreOptimizer,
  runEpochs,
  type ClassifierHead,
  type EpochStats,
  type HeadName,
} from '@snn/training';
import { tf } from './tf.js';

export type HeadArch = 'fc' | 'convnn';

export interface HeadNet {
  arch: HeadArch;
  vars: tf.Variable[];
  /** x [B, h, w, c] -> { features: FC1 output [B, hidden], logits [B, classes] } */
  apply(x: tf.Tensor4D, training: boolean): { features: tf.Tensor2D; logits: tf.Tensor2D };
  /** mutable state training advances (the dropout seed of the next training pass); checkpointed with the variables */
  state?: { dropoutSeed: number };
  dispose(): void;
}

function glorot(shape: number[], fanIn: number, fanOut: number, seed: number, name: string): tf.Variable {
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -lim, lim, 'float32', seed), true, name));
}
function zerosVar(n: number, name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros([n]), true, name));
}

let headCounter = 0;

export function makeHeadNet(
  arch: HeadArch,
  inShape: [number, number, number],
  classes: number,
  o: { hidden: number; seed: number; dropout?: number },
): HeadNet {
  const [h, w, c] = inShape;
  const tag = `head${headCounter++}`;
  const dropout = o.dropout ?? 0;
  if (arch === 'fc') {
    const F = h * w * c;
    const w1 = glorot([F, o.hidden], F, o.hidden, o.seed, `${tag}/fc1`);
    const b1 = zerosVar(o.hidden, `${tag}/fc1b`);
    const w2 = glorot([o.hidden, classes], o.hidden, classes, o.seed + 1, `${tag}/fc2`);
    const b2 = zerosVar(classes, `${tag}/fc2b`);
    const state = { dropoutSeed: o.seed * 17 };
    return {
      arch,
      vars: [w1, b1, w2, b2],
      state,
      apply(x, training) {
        let z: tf.Tensor2D = tf.reshape(x, [x.shape[0], F]);
        if (training && dropout > 0) z = tf.dropout(z, dropout, undefined, state.dropoutSeed++) as tf.Tensor2D;
        const f = tf.relu(tf.add(tf.matMul(z, w1 as tf.Tensor2D), b1)) as tf.Tensor2D;
        return { features: f, logits: tf.add(tf.matMul(f, w2 as tf.Tensor2D), b2) as tf.Tensor2D };
      },
      dispose() {
        for (const v of [w1, b1, w2, b2]) v.dispose();
      },
    };
  }
  const c2 = 2 * c;
  const k1 = glorot([3, 3, c, c2], 9 * c, 9 * c2, o.seed, `${tag}/hc1`);
  const k2 = glorot([3, 3, c2, c2], 9 * c2, 9 * c2, o.seed + 1, `${tag}/hc2`);
  const kb1 = zerosVar(c2, `${tag}/hc1b`);
  const kb2 = zerosVar(c2, `${tag}/hc2b`);
  const hp = Math.floor(h / 2);
  const wp = Math.floor(w / 2);
  const F = hp * wp * c2;
  const w1 = glorot([F, o.hidden], F, o.hidden, o.seed + 2, `${tag}/fc1`);
  const b1 = zerosVar(o.hidden, `${tag}/fc1b`);
  const w2 = glorot([o.hidden, classes], o.hidden, classes, o.seed + 3, `${tag}/fc2`);
  const b2 = zerosVar(classes, `${tag}/fc2b`);
  const vars = [k1, kb1, k2, kb2, w1, b1, w2, b2];
  const state = { dropoutSeed: o.seed * 17 };
  return {
    arch,
    vars,
    state,
    apply(x, training) {
      let y = tf.relu(tf.add(tf.conv2d(x, k1 as tf.Tensor4D, 1, 'same'), kb1)) as tf.Tensor4D;
      y = tf.relu(tf.add(tf.conv2d(y, k2 as tf.Tensor4D, 1, 'same'), kb2)) as tf.Tensor4D;
      y = tf.avgPool(y, 2, 2, 'valid');
      let z: tf.Tensor2D = tf.reshape(y, [x.shape[0], F]);
      if (training && dropout > 0) z = tf.dropout(z, dropout, undefined, state.dropoutSeed++) as tf.Tensor2D;
      const f = tf.relu(tf.add(tf.matMul(z, w1 as tf.Tensor2D), b1)) as tf.Tensor2D;
      return { features: f, logits: tf.add(tf.matMul(f, w2 as tf.Tensor2D), b2) as tf.Tensor2D };
    },
    dispose() {
      for (const v of vars) v.dispose();
    },
  };
}

export interface HeadTrainOptions {
  loss: HeadName; // 'softmax' | 'stochmax'
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** optional extra front-end run before the head (the ANN baseline's conv stack) */
  frontVars?: tf.Variable[];
  front?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** after each epoch (0-based) with its mean batch loss (weighted by batch size) */
  onEpoch?: (epoch: number, loss: number) => void;
  /**
   * per-epoch checkpoints (a directory): after every epoch the front, net and head variables and
   * Adam's state are saved there; a rerun resumes after the last finished epoch with the same
   * numbers as an uninterrupted run. A checkpoint of another configuration is not resumed from.
   */
  checkpoint?: string;
  log?: (msg: string) => void;
  progress?: (p: { epoch?: number; of?: number; step?: number; note?: string }) => void;
  /** prefix of the per-epoch log line */
  logPrefix?: string;
}

/** seeded Fisher-Yates permutation */
function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** what a head checkpoint keeps beside its tensors */
interface HeadCheckpointState {
  /** the net's dropout seed counter (nets with dropout) */
  dropoutSeed?: number;
}

/**
 * Adam on (front +) head with the softmax or stochmax loss; x [N, h, w, c], y int32 [N]. Runs on
 * @snn/training's epoch loop (divergence check, per-epoch log, checkpoint and resume): epoch `ep`
 * takes its batches from the seeded permutation `seed * 1000 + ep`, and the loss of the loop's
 * k-th batch overall is seeded `seed * 7 + k`.
 */
export async function trainHead(
  net: HeadNet,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  classes: number,
  o: HeadTrainOptions,
): Promise<ClassifierHead> {
  // FC1 width from a probe pass (tidy: the probe's intermediates must not leak)
  const featDim = tf.tidy(() => {
    const probe = tf.zeros([1, x.shape[1], x.shape[2], x.shape[3]]) as tf.Tensor4D;
    return net.apply(o.front ? o.front(probe) : probe, false).features.shape[1];
  });
  // tidy frees the head's variable initialisers (@snn/training's stochmax head leaves them); variables survive it
  let made: ClassifierHead | null = null;
  tf.tidy(() => {
    made = makeHead(o.loss, featDim, classes, o.seed + 99);
  });
  const head = made as unknown as ClassifierHead;
  const frontVars = o.frontVars ?? [];
  const headKeys = Object.keys(head.variables).sort();
  const varList = [...frontVars, ...net.vars, ...Object.values(head.variables)];
  const opt = tf.train.adam(o.lr);
  const N = x.shape[0];
  const stepsPerEpoch = Math.ceil(N / o.batchSize);
  // checkpoint tensors by position / head key (variable names carry a per-process counter)
  const named = (): Array<{ name: string; tensor: tf.Variable }> => [
    ...frontVars.map((v, i) => ({ name: `front:${i}`, tensor: v })),
    ...net.vars.map((v, i) => ({ name: `net:${i}`, tensor: v })),
    ...headKeys.map((k) => ({ name: `head.${k}`, tensor: head.variables[k] })),
  ];
  // the configuration a checkpoint must have been made with (not the epoch count: a longer run resumes a shorter one)
  const key = JSON.stringify({
    v: 1,
    arch: net.arch,
    loss: o.loss,
    classes,
    x: x.shape,
    batchSize: o.batchSize,
    lr: o.lr,
    seed: o.seed,
    front: !!o.front,
    vars: named().map((n) => [n.name, n.tensor.shape]),
  });
  try {
    await runEpochs<tf.Tensor1D, EpochStats, HeadCheckpointState>({
      epochs: o.epochs,
      stepsPerEpoch,
      batches: function* (ep) {
        const perm = permutation(N, o.seed * 1000 + ep);
        for (let s = 0; s < N; s += o.batchSize)
          yield tf.tensor1d(Array.from(perm.subarray(s, Math.min(N, s + o.batchSize))), 'int32');
      },
      step: (idx, ep, bi) => {
        // the step counter of the loss seed: batches before this one (every epoch has stepsPerEpoch)
        const step = ep * stepsPerEpoch + bi;
        let correctT: tf.Tensor | null = null;
        const lossVal = opt.minimize(
          () => {
            const xb = tf.gather(x, idx) as tf.Tensor4D;
            const yb = tf.gather(y, idx) as tf.Tensor1D;
            const inp = o.front ? o.front(xb) : xb;
            const out = net.apply(inp, true);
            correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), tf.cast(yb, 'int32')), 'float32')));
            return head.loss(out, yb, o.seed * 7 + step) as tf.Scalar;
          },
          true,
          varList,
        );
        const loss = lossVal ? lossVal.dataSync()[0] : NaN;
        lossVal?.dispose();
        const c = correctT as tf.Tensor | null;
        const correct = c ? c.dataSync()[0] : 0;
        c?.dispose();
        return { loss, correct, size: idx.shape[0] };
      },
      release: (idx) => idx.dispose(),
      record: (st, ep) => {
        o.onEpoch?.(ep, st.loss);
        return st;
      },
      checkpoint: o.checkpoint
        ? {
            dir: o.checkpoint,
            key,
            tensors: async () => [...named(), ...(await optimizerTensors(opt, 'opt'))],
            state: () => (net.state ? { dropoutSeed: net.state.dropoutSeed } : {}),
            restore: async (tensors, state) => {
              for (const { name, tensor } of named()) {
                const t = tensors.get(name);
                if (!t) throw new Error(`head checkpoint in ${o.checkpoint} has no tensor '${name}'`);
                tensor.assign(t);
              }
              await restoreOptimizer(opt, tensors, 'opt');
              if (net.state && state.dropoutSeed !== undefined) net.state.dropoutSeed = state.dropoutSeed;
            },
          }
        : undefined,
      logPrefix: o.logPrefix,
      log: o.log,
      progress: o.progress,
    });
  } catch (e) {
    tf.dispose(Object.values(head.variables));
    throw e;
  } finally {
    opt.dispose();
  }
  return head;
}

/** top-1 accuracy of (front +) head on x, y; `correct` (length N), when given, gets 1 for each image predicted right */
export function evaluateHead(
  net: HeadNet,
  head: ClassifierHead,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  batchSize: number,
  front?: (x: tf.Tensor4D) => tf.Tensor4D,
  correct?: Uint8Array,
): number {
  const N = x.shape[0];
  let right = 0;
  for (let s = 0; s < N; s += batchSize) {
    const size = Math.min(batchSize, N - s);
    const hits = tf.tidy(() => {
      const xb = tf.slice(x, [s, 0, 0, 0], [size, -1, -1, -1]);
      const yb = tf.slice(y, [s], [size]);
      const out = net.apply(front ? front(xb) : xb, false);
      const pred = tf.argMax(head.logProbs(out), 1);
      return tf.cast(tf.equal(pred, tf.cast(yb, 'int32')), 'int32').dataSync() as Int32Array;
    });
    correct?.set(hits, s);
    right += hits.reduce((a, h) => a + h, 0);
  }
  return right / N;
}
