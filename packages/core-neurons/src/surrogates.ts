import { tf } from '@snn/backend';

/**
 * Surrogate gradients for the Heaviside spike S = H(V - V_th).
 *
 * Strategies are values: each registry entry carries the smooth *primitive* P(V) whose
 * derivative is the surrogate dS/dV, so one generic test checks every entry's tf gradient
 * against finite differences of its primitive (the SpikingJelly habit).
 */
export type SurrogateName = 'pwl' | 'dspike' | 'fastSigmoid' | 'arctan';

export interface SurrogateSpec {
  name: SurrogateName;
  /** 'pwl' damping (Panda et al. 2020 / Bellec et al. 2018), default 0.3 */
  gamma?: number;
  /** 'dspike' temperature (Li et al. 2021), default 3 */
  b?: number;
  /**
   * 'dspike' support width around V_th in units of V_th (default 1: |V - V_th| <= V_th/2, as
   * common PyTorch ports with V_th = 1; 2 matches the piecewise-linear surrogate's support).
   * Li et al. do not state it: both readings are rows of ext-surrogates.
   */
  width?: number;
  /** 'fastSigmoid' slope (default 25) / 'arctan' width (default 2) */
  alpha?: number;
}

export interface SurrogateEntry {
  name: SurrogateName;
  /** dS/dV evaluated element-wise on v (a tf op, float32) */
  grad(v: tf.Tensor, vth: number, spec: SurrogateSpec): tf.Tensor;
  /** the smooth function P(V) with dP/dV = grad, in float64 (for finite-difference tests) */
  primitive(v: number, vth: number, spec: SurrogateSpec): number;
}

export const SURROGATE_DEFAULTS = { gamma: 0.3, b: 3, dspikeWidth: 1, fastSigmoidAlpha: 25, arctanAlpha: 2 } as const;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * Panda et al. 2020, AGD: dS/dV = gamma * max(0, 1 - |V - V_th| / V_th), gamma = 0.3.
 * Primitive: with u = (V - V_th)/V_th clamped to [-1, 1], P = gamma * V_th * (u - u|u|/2).
 */
const pwl: SurrogateEntry = {
  name: 'pwl',
  grad(v, vth, spec) {
    const gamma = spec.gamma ?? SURROGATE_DEFAULTS.gamma;
    return tf.tidy(() => tf.mul(tf.relu(tf.sub(1, tf.div(tf.abs(tf.sub(v, vth)), vth))), gamma));
  },
  primitive(v, vth, spec) {
    const gamma = spec.gamma ?? SURROGATE_DEFAULTS.gamma;
    const u = clamp((v - vth) / vth, -1, 1);
    return gamma * vth * (u - (u * Math.abs(u)) / 2);
  },
};

/**
 * Dspike (Li et al., NeurIPS 2021), centred on the threshold: with w = width * V_th,
 *   x = (V - V_th) / w + 1/2,
 *   Dspike(x; b) = tanh(b(x - 1/2)) / (2 tanh(b/2)) + 1/2 on [0, 1], 0 below, 1 above;
 *   dDspike/dx = b / (2 tanh(b/2)) * sech^2(b(x - 1/2)) on [0, 1], 0 outside;
 *   dS/dV = (1/w) dDspike/dx.
 * As b grows Dspike tends to the step at x = 1/2, so x = 1/2 must be V = V_th, where the forward
 * Heaviside fires: the surrogate peaks there and is non-zero on both sides of it
 * (shared/reference/companions.md). (Before, x = V / V_th put the peak at V_th/2 and gave no
 * gradient above threshold.)
 */
function dspikeShape(vth: number, spec: SurrogateSpec): { b: number; w: number; scale: number } {
  const b = spec.b ?? SURROGATE_DEFAULTS.b;
  const w = (spec.width ?? SURROGATE_DEFAULTS.dspikeWidth) * vth;
  return { b, w, scale: b / (2 * Math.tanh(b / 2)) / w };
}

const dspike: SurrogateEntry = {
  name: 'dspike',
  grad(v, vth, spec) {
    const { b, w, scale } = dspikeShape(vth, spec);
    return tf.tidy(() => {
      const d = tf.div(tf.sub(v, vth), w); // x - 1/2
      const c = tf.cosh(tf.mul(d, b));
      const sech2 = tf.reciprocal(tf.square(c));
      const inside = tf.lessEqual(tf.abs(d), 0.5);
      return tf.where(inside, tf.mul(sech2, scale), tf.zerosLike(d));
    });
  },
  primitive(v, vth, spec) {
    const { b, w } = dspikeShape(vth, spec);
    const d = clamp((v - vth) / w, -0.5, 0.5);
    return Math.tanh(b * d) / (2 * Math.tanh(b / 2)) + 0.5;
  },
};

/**
 * Fast sigmoid (SuperSpike, Zenke & Ganguli 2018; snntorch's default slope 25), on x = V - V_th:
 * dS/dV = 1 / (alpha |x| + 1)^2; primitive x / (1 + alpha |x|).
 */
const fastSigmoid: SurrogateEntry = {
  name: 'fastSigmoid',
  grad(v, vth, spec) {
    const a = spec.alpha ?? SURROGATE_DEFAULTS.fastSigmoidAlpha;
    return tf.tidy(() => tf.reciprocal(tf.square(tf.add(tf.mul(tf.abs(tf.sub(v, vth)), a), 1))));
  },
  primitive(v, vth, spec) {
    const a = spec.alpha ?? SURROGATE_DEFAULTS.fastSigmoidAlpha;
    const x = v - vth;
    return x / (1 + a * Math.abs(x));
  },
};

/**
 * Arctan (SpikingJelly ATan; Fang et al. 2021), on x = V - V_th:
 * primitive arctan(pi/2 alpha x)/pi + 1/2, dS/dV = (alpha/2) / (1 + (pi/2 alpha x)^2).
 */
const arctan: SurrogateEntry = {
  name: 'arctan',
  grad(v, vth, spec) {
    const a = spec.alpha ?? SURROGATE_DEFAULTS.arctanAlpha;
    return tf.tidy(() => tf.div(a / 2, tf.add(tf.square(tf.mul(tf.sub(v, vth), (Math.PI / 2) * a)), 1)));
  },
  primitive(v, vth, spec) {
    const a = spec.alpha ?? SURROGATE_DEFAULTS.arctanAlpha;
    return Math.atan((Math.PI / 2) * a * (v - vth)) / Math.PI + 0.5;
  },
};

export const SURROGATES: Readonly<Record<SurrogateName, SurrogateEntry>> = {
  pwl,
  dspike,
  fastSigmoid,
  arctan,
};

export function getSurrogate(name: SurrogateName): SurrogateEntry {
  const s = SURROGATES[name];
  if (!s) throw new Error(`unknown surrogate '${String(name)}' (known: ${Object.keys(SURROGATES).join(', ')})`);
  return s;
}

/** dS/dV of the named surrogate, as a tensor (no spike, no custom gradient). */
export function surrogateGrad(spec: SurrogateSpec, v: tf.Tensor, vth: number): tf.Tensor {
  return getSurrogate(spec.name).grad(v, vth, spec);
}

/**
 * Heaviside forward (v >= vth -> 1), surrogate backward: dL/dv = dy * surrogate'(v).
 * Implemented with tf.customGrad so it composes with tf.grads / variableGrads (BPTT).
 */
export function spikeFn(spec: SurrogateSpec): (v: tf.Tensor, vth: number) => tf.Tensor {
  const entry = getSurrogate(spec.name);
  return (v: tf.Tensor, vth: number): tf.Tensor => {
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const x = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([x]);
      return {
        value: tf.cast(tf.greaterEqual(x, vth), 'float32'),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, entry.grad(saved[0], vth, spec)),
      };
    });
    return f(v);
  };
}

// ---------------------------------------------------------------------------------------
// Dspike temperature search (Li et al. 2021): once per epoch try b, b + db, b - db and keep
// the one whose surrogate gradient of the first layer is most aligned (cosine similarity)
// with the finite-difference gradient.

export type NumArray = ArrayLike<number>;

export function cosineSimilarity(a: NumArray, b: NumArray): number {
  if (a.length !== b.length) throw new Error(`cosineSimilarity: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

export interface TemperatureChoice {
  b: number;
  cosine: number;
  candidates: Array<{ b: number; cosine: number }>;
}

/**
 * One step of Dspike's temperature search. `surrogateGradFor(b)` returns the first layer's
 * gradient under the Dspike surrogate with temperature b; `fdGrad` is the finite-difference
 * gradient of the same weights. Candidates b - db <= 0 are skipped. Ties keep the current b.
 */
export function dspikeTemperatureStep(
  b: number,
  db: number,
  surrogateGradFor: (b: number) => NumArray,
  fdGrad: NumArray,
): TemperatureChoice {
  const bs = [b, b + db, b - db].filter((x) => x > 0);
  const candidates = bs.map((bb) => ({ b: bb, cosine: cosineSimilarity(surrogateGradFor(bb), fdGrad) }));
  let best = candidates[0];
  for (const c of candidates.slice(1)) if (c.cosine > best.cosine) best = c;
  return { b: best.b, cosine: best.cosine, candidates };
}
