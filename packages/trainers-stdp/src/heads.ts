// Classifier heads trained by backprop on frozen features (Panda et al. 2020, STDP section):
//  - 'fc'     : FC1 (ReLU) -> FC2, the paper's appended classifier (Table 6);
//  - 'convnn' : a larger conv classifier (Table 12; the paper does not give its layers). Our
//               reading, documented in the README: conv3x3(2C) ReLU -> conv3x3(2C) ReLU ->
//               avgpool 2 -> FC1 (ReLU) -> FC2, on the stack's [h, w, C] feature maps.
// The loss is @snn/training's softmax or stochmax (DropMax) head on (features = FC1's
// output, logits = FC2's output), so stochmax is the same implementation as the AGD tables.
import { makeHead, type ClassifierHead, type HeadName } from '@snn/training';
import { tf } from './tf.js';

export type HeadArch = 'fc' | 'convnn';

export interface HeadNet {
  arch: HeadArch;
  vars: tf.Variable[];
  /** x [B, h, w, c] -> { features: FC1 output [B, hidden], logits [B, classes] } */
  apply(x: tf.Tensor4D, training: boolean): { features: tf.Tensor2D; logits: tf.Tensor2D };
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
    let dseed = o.seed * 17;
    return {
      arch,
      vars: [w1, b1, w2, b2],
      apply(x, training) {
        let z: tf.Tensor2D = tf.reshape(x, [x.shape[0], F]);
        if (training && dropout > 0) z = tf.dropout(z, dropout, undefined, dseed++) as tf.Tensor2D;
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
  let dseed = o.seed * 17;
  return {
    arch,
    vars,
    apply(x, training) {
      let y = tf.relu(tf.add(tf.conv2d(x, k1 as tf.Tensor4D, 1, 'same'), kb1)) as tf.Tensor4D;
      y = tf.relu(tf.add(tf.conv2d(y, k2 as tf.Tensor4D, 1, 'same'), kb2)) as tf.Tensor4D;
      y = tf.avgPool(y, 2, 2, 'valid');
      let z: tf.Tensor2D = tf.reshape(y, [x.shape[0], F]);
      if (training && dropout > 0) z = tf.dropout(z, dropout, undefined, dseed++) as tf.Tensor2D;
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
  onEpoch?: (epoch: number, loss: number) => void;
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

/** Adam on (front +) head with the softmax or stochmax loss; x [N, h, w, c], y int32 [N]. */
export function trainHead(
  net: HeadNet,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  classes: number,
  o: HeadTrainOptions,
): ClassifierHead {
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
  const varList = [...(o.frontVars ?? []), ...net.vars, ...Object.values(head.variables)];
  const opt = tf.train.adam(o.lr);
  const N = x.shape[0];
  let step = 0;
  for (let ep = 0; ep < o.epochs; ep++) {
    const perm = permutation(N, o.seed * 1000 + ep);
    let total = 0;
    let nb = 0;
    for (let s = 0; s < N; s += o.batchSize) {
      const idx = tf.tensor1d(Array.from(perm.subarray(s, Math.min(N, s + o.batchSize))), 'int32');
      const lossVal = opt.minimize(
        () => {
          const xb = tf.gather(x, idx) as tf.Tensor4D;
          const yb = tf.gather(y, idx) as tf.Tensor1D;
          const inp = o.front ? o.front(xb) : xb;
          const out = net.apply(inp, true);
          return head.loss(out, yb, o.seed * 7 + step) as tf.Scalar;
        },
        true,
        varList,
      );
      step++;
      if (lossVal) {
        total += lossVal.dataSync()[0];
        lossVal.dispose();
      }
      idx.dispose();
      nb++;
    }
    o.onEpoch?.(ep, total / Math.max(1, nb));
  }
  opt.dispose();
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
