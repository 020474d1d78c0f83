// Classifier heads: plain softmax and stochmax (= DropMax, Lee et al. NeurIPS 2018), as used by
// Panda, Aketi & Roy 2020 ("stochastic softmax", Tables 10, 11, 14).
//
// Both heads are non-spiking: they read `features` (the previous layer's activity averaged over the
// T steps) and `logits` (o = W h + b, the topology's classifier FC) exactly as `models.forward`
// returns them. Exported for the conversion and STDP trainers too.
//
// DropMax in the form implemented here (companions.md, "DropMax"):
//   rho_k  = sigmoid(W_rho h + b_rho)                          retain probability of class k
//   train: z_k = sigmoid((logit(rho_k) + logit(u_k)) / tau),    u ~ U(0,1), tau = 0.1 (concrete)
//          z_y = 1                                              (the target is never dropped)
//   p_k    ∝ (z_k + eps) exp(o_k),  eps = 1e-20
//   test:  rho replaces z:  p_k ∝ (rho_k + eps) exp(o_k)
//   loss   = -log p_y  +  lambda * (-log rho_y)
// Regulariser choice (the "simplest faithful form"): the official code samples masks from a
// variational q = sigmoid(stopgrad(W_rho h + b_rho) + r(h)) and adds KL(q‖rho) for non-targets and
// -log rho_y for the target. We take q = rho (no auxiliary network r), so the non-target KL is
// identically 0 and only the target term -log rho_y remains; it keeps the target's retain
// probability high, which is what makes the test-time expectation agree with training (z_y = 1).
// The entropy term (inconsistent sign across code versions) is left out. Everything is computed in
// log space (log z via logSigmoid, log(z + eps) via log-add-exp) so that eps never produces a
// 1/eps gradient.
import { tf } from '@snn/backend';

export type HeadName = 'softmax' | 'stochmax';

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
  const limit = Math.sqrt(6 / (featureDim + classes));
  // tidy frees the initialiser tensors; the variables survive it
  const wRho = tf.tidy(() =>
    tf.variable(tf.randomUniform([featureDim, classes], -limit, limit, 'float32', seed), true),
  );
  const bRho = tf.tidy(() => tf.variable(tf.fill([classes], opts.biasInit ?? 0), true));
  const rhoLogit = (h: tf.Tensor): tf.Tensor2D =>
    tf.add(tf.matMul(tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D, wRho), bRho) as tf.Tensor2D;

  return {
    name: 'stochmax',
    variables: { wRho, bRho },
    loss(out, labels, lossSeed) {
      return tf.tidy(() => {
        const s = rhoLogit(out.features); // logit(rho)
        const [B, C] = s.shape;
        // concrete / relaxed Bernoulli sample: z = sigmoid((logit(rho) + logit(u)) / tau)
        const u = tf.randomUniform([B, C], 1e-6, 1 - 1e-6, 'float32', lossSeed);
        const logitU = tf.sub(tf.log(u), tf.log1p(tf.neg(u)));
        const logZ = logSigmoid(tf.div(tf.add(s, logitU), tau));
        const target = tf.oneHot(tf.cast(labels, 'int32'), C);
        // the target class is always kept: z_y = 1, log z_y = 0
        const logZkept = tf.mul(logZ, tf.sub(1, target));
        const logP = dropmaxLogProbs(out.logits, logZkept, eps);
        const nll = tf.neg(tf.mean(tf.sum(tf.mul(target, logP), 1)));
        // -log rho_y: the KL(q‖rho) of the target (q(z_y = 1) = 1); non-target KL is 0 with q = rho
        const reg = tf.neg(tf.mean(tf.sum(tf.mul(target, logSigmoid(s)), 1)));
        return tf.add(nll, tf.mul(lambda, reg)) as tf.Scalar;
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
  throw new Error(`unknown classifier head '${(s as { name: string }).name}'`);
}
