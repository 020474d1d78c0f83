// Classifier heads: plain softmax and stochmax (= DropMax, Lee et al. NeurIPS 2018), as used by
// Panda, Aketi & Roy 2020 ("stochastic softmax", Tables 10, 11, 14).
//
// Both heads are non-spiking: they read `features` (the previous layer's activity averaged over the
// T steps) and `logits` (o = W h + b, the topology's classifier FC) exactly as `models.forward`
// returns them. Shared by every trainer (AGD, the conversion ANN, the STDP heads) through @snn/training.
//
// DropMax as Lee et al. 2018 train it (companions.md "DropMax"; their official code, lenet.py/run.py),
// the head named 'stochmax':
//   rho_k = sigmoid(p_k),  p = W_rho h + b_rho                  retain probability of class k
//   r_k   = sigmoid(a_k),  a = W_r h + b_r                      auxiliary branch
//   q_k   = sigmoid(stopgrad(p_k) + a_k)                        variational retain probability
//   train: z_k = sigmoid((logit(q_k) + logit(u_k)) / tau),      u ~ U(0,1), tau = 0.1 (concrete)
//          z_y = 1                                              (the target is never dropped)
//   P_k   ∝ (z_k + eps) exp(o_k),  eps = 1e-20;  test: rho replaces z
//   loss  = -log P_y + KL + aux + negEnt, each summed over classes and averaged over the batch:
//     KL     = -log rho_y (target);  KL(q_k ‖ rho_k) (non-targets): pulls rho towards q, up or down
//     aux    = -log r_y (target);    -log(1 - r_k) (non-targets)
//     negEnt = Σ_k rho_k log rho_k + (1 - rho_k) log(1 - rho_k)  (the official code's sign)
// Their weight decay (1e-4 on non-branch weights) is the trainer's business and not added here.
// 'stochmax-simple' is the earlier reduced form, kept as a labelled variant: masks sampled from rho
// itself (q = rho, no auxiliary branch), so the non-target KL is identically 0 and only -log rho_y
// remains (rho is only ever pushed down for non-targets), no entropy term. Everything is computed in
// log space (log z via logSigmoid, log(z + eps) via log-add-exp) so that eps never produces a
// 1/eps gradient.
import { tf } from '@snn/backend';

export type HeadName = 'softmax' | 'stochmax' | 'stochmax-simple';

export interface HeadOutput {
  /** classifier input h: [B, F], activity accumulated (mean) over T */
  features: tf.Tensor;
  /** o = W h + b: [B, C] */
  logits: tf.Tensor;
}

export interface ClassifierHead {
  readonly name: HeadName;
  /** extra trainable variables of the head (empty for softmax; W_rho, b_rho for stochmax) */
  readonly variables: Record<string, tf.Variable>;
  /** training loss (mean over the batch); `seed` drives the stochastic masks */
  loss(out: HeadOutput, labels: tf.Tensor1D, seed: number): tf.Scalar;
  /** test-time class log-probabilities [B, C] (rows logsumexp to 0) */
  logProbs(out: HeadOutput): tf.Tensor2D;
}

export interface StochmaxOptions {
  /** concrete temperature (DropMax: 0.1) */
  tau?: number;
  /** weight of the -log rho_y regulariser (DropMax: 1) */
  lambda?: number;
  /** 'dropmax' (default): Lee et al.'s objective with q, r, KL, aux and entropy terms; 'simple': q = rho, -log rho_y only */
  objective?: 'dropmax' | 'simple';
  /** eps in p ∝ (z + eps) exp(o) (DropMax: 1e-20) */
  eps?: number;
  /** initial bias of the retain logits; > 0 starts with most classes kept (rho ≈ sigmoid(b0)) */
  biasInit?: number;
}

/** Cross-entropy on o; the ordinary softmax head. */
export function softmaxHead(): ClassifierHead {
  return {
    name: 'softmax',
    variables: {},
    loss(out, labels) {
      return tf.tidy(() => {
        const logits = out.logits as tf.Tensor2D;
        const oneHot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
        return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
      });
    },
    logProbs(out) {
      return tf.tidy(() => tf.logSoftmax(out.logits as tf.Tensor2D) as tf.Tensor2D);
    },
  };
}

/**
 * log sigmoid(x) = -(relu(-x) + log1p(exp(-|x|))), stable for any x. Written with plain ops: tfjs's
 * own tf.logSigmoid is a customGrad whose saved input is freed when it runs inside a nested tidy
 * under tf.grads ("Cannot read properties of undefined (reading 'backend')").
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.add(tf.relu(tf.neg(x)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
}

/** x with a zero gradient (tfjs has no stop_gradient op): DropMax's q reads logit(rho) without training it. */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.clone(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }))(x);
}

/** log(exp(a) + exp(b)) element-wise, stable. */
function logAddExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const m = tf.maximum(a, b);
  return tf.add(m, tf.log(tf.add(tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m)))));
}

/**
 * log p from per-class mask log-values: log p_k = o_k + log(z_k + eps) - logsumexp_j(...).
 * `logZ` is log z (or log rho), in [-inf, 0].
 */
export function dropmaxLogProbs(logits: tf.Tensor, logZ: tf.Tensor, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const logZeps = logAddExp(logZ, tf.fill(logZ.shape, Math.log(eps)));
    return tf.logSoftmax(tf.add(logits, logZeps) as tf.Tensor2D) as tf.Tensor2D;
  });
}

/**
 * Stochmax (DropMax) head. `featureDim` = size of h, `classes` = C. W_rho is Glorot-uniform
 * (seeded), b_rho = biasInit.
 */
export function stochmaxHead(
  featureDim: number,
  classes: number,
  seed: number,
  opts: StochmaxOptions = {},
): ClassifierHead {
  const tau = opts.tau ?? 0.1;
  const lambda = opts.lambda ?? 1;
  const eps = opts.eps ?? 1e-20;
  const full = (opts.objective ?? 'dropmax') === 'dropmax';
  const limit = Math.sqrt(6 / (featureDim + classes));
  // tidy frees the initialiser tensors; the variables survive it
  const glorot = (s: number) =>
    tf.tidy(() => tf.variable(tf.randomUniform([featureDim, classes], -limit, limit, 'float32', s), true));
  const wRho = glorot(seed);
  const bRho = tf.tidy(() => tf.variable(tf.fill([classes], opts.biasInit ?? 0), true));
  // the auxiliary branch r(h) of the variational q (full objective only)
  const wR = full ? glorot(seed + 1) : null;
  const bR = full ? tf.tidy(() => tf.variable(tf.zeros([classes]), true)) : null;
  const affine = (h: tf.Tensor, w: tf.Variable, b: tf.Variable): tf.Tensor2D =>
    tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, w), b) as tf.Tensor2D;
  const rhoLogit = (h: tf.Tensor): tf.Tensor2D => affine(h, wRho, bRho);
  /** Σ over classes, mean over the batch */
  const sumMean = (x: tf.Tensor): tf.Tensor => tf.mean(tf.sum(x, 1));

  return {
    name: full ? 'stochmax' : 'stochmax-simple',
    variables: full ? { wRho, bRho, wR: wR!, bR: bR! } : { wRho, bRho },
    loss(out, labels, lossSeed) {
      return tf.tidy(() => {
        const s = rhoLogit(out.features); // logit(rho)
        const [B, C] = s.shape;
        // masks are sampled from q: rho itself (simple) or sigmoid(stopgrad(logit rho) + r(h)) (DropMax)
        const a = full ? affine(out.features, wR!, bR!) : null;
        const qLogit = full ? tf.add(stopGradient(s), a!) : s;
        // concrete / relaxed Bernoulli sample: z = sigmoid((logit(q) + logit(u)) / tau)
        const u = tf.randomUniform([B, C], 1e-6, 1 - 1e-6, 'float32', lossSeed);
        const logitU = tf.sub(tf.log(u), tf.log1p(tf.neg(u)));
        const logZ = logSigmoid(tf.div(tf.add(qLogit, logitU), tau));
        const target = tf.oneHot(tf.cast(labels, 'int32'), C);
        const other = tf.sub(1, target);
        // the target class is always kept: z_y = 1, log z_y = 0
        const logZkept = tf.mul(logZ, other);
        const logP = dropmaxLogProbs(out.logits, logZkept, eps);
        const nll = tf.neg(sumMean(tf.mul(target, logP)));
        const logRho = logSigmoid(s);
        // -log rho_y: the KL(q‖rho) of the target (q(z_y = 1) = 1)
        const targetKl = tf.neg(sumMean(tf.mul(target, logRho)));
        if (!full) return tf.add(nll, tf.mul(lambda, targetKl)) as tf.Scalar;
        // non-target KL(q ‖ rho) of two Bernoullis, in log space
        const log1mRho = logSigmoid(tf.neg(s));
        const logQ = logSigmoid(qLogit);
        const log1mQ = logSigmoid(tf.neg(qLogit));
        const q = tf.exp(logQ);
        const klBern = tf.add(tf.mul(q, tf.sub(logQ, logRho)), tf.mul(tf.sub(1, q), tf.sub(log1mQ, log1mRho)));
        const kl = tf.add(targetKl, sumMean(tf.mul(other, klBern)));
        // auxiliary loss: r_y -> 1, r_k -> 0 for non-targets
        const aux = tf.neg(sumMean(tf.add(tf.mul(target, logSigmoid(a!)), tf.mul(other, logSigmoid(tf.neg(a!))))));
        const rho = tf.exp(logRho);
        const negEnt = sumMean(tf.add(tf.mul(rho, logRho), tf.mul(tf.sub(1, rho), log1mRho)));
        return tf.addN([nll, tf.mul(lambda, kl), aux, negEnt]) as tf.Scalar;
      });
    },
    logProbs(out) {
      return tf.tidy(() => dropmaxLogProbs(out.logits, logSigmoid(rhoLogit(out.features)), eps));
    },
  };
}

export interface HeadSpec {
  name: HeadName;
  stochmax?: StochmaxOptions;
}

/** Build a head by name (strategies are values: the trainer never branches on the head kind). */
export function makeHead(spec: HeadSpec | HeadName, featureDim: number, classes: number, seed: number): ClassifierHead {
  const s: HeadSpec = typeof spec === 'string' ? { name: spec } : spec;
  if (s.name === 'softmax') return softmaxHead();
  if (s.name === 'stochmax') return stochmaxHead(featureDim, classes, seed, s.stochmax);
  if (s.name === 'stochmax-simple')
    return stochmaxHead(featureDim, classes, seed, { ...s.stochmax, objective: 'simple' });
  throw new Error(`unknown classifier head '${(s as { name: string }).name}'`);
}
