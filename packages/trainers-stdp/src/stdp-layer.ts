// A conv layer of LIF neurons that learns its shared kernels with mini-batch STDP.
// Simulation is step by step (STDP is local in time) but vectorised over batch, positions and
// kernels: within a chunk of T/k steps the weights are fixed, so the synaptic currents of the
// whole chunk are ONE time-folded conv over [Tc·B, H, W, Cin]; only the membrane and the trace
// recurrences loop over the Tc steps, element-wise (the membrane step is @snn/core-neurons'
// lifStepForward; the competition gates its spikes). At the end of each chunk the weights get one
// STDP update (k updates per window, Panda et al. 2020 "BackRes in STDP").
import { tf } from './tf.js';
import { lifStepForward } from '@snn/core-neurons';
import { DEFAULT_RULE, applyDeltaW, stdpDeltaW, traceDecay, traceStep, type StdpRuleParams } from './stdp-rule.js';

export interface StdpLayerParams {
  rule: StdpRuleParams;
  /** LIF leak α = exp(−Δt/τ_mem) (paper: 0.95–0.99) */
  alpha: number;
  /** initial threshold, in units of the mean |fan-in current| (scaled per layer at init) */
  vthInit: number;
  /** uniform threshold adaptation: every kernel's threshold moves by thetaEta·(rate − targetRate)/targetRate (multiplicative) after each chunk */
  thetaEta: number;
  /** target firing rate per neuron per step of the adaptation */
  targetRate: number;
  /** dropout of post neurons during learning (competition: a dropped neuron neither spikes nor learns this step) */
  dropout: number;
  /** lateral inhibition during learning: at each position only the kernel with the largest membrane potential may spike */
  wta: boolean;
  /** k: STDP updates per input window (k ≤ T) */
  updatesPerWindow: number;
}

export const DEFAULT_LAYER: StdpLayerParams = {
  rule: DEFAULT_RULE,
  alpha: 0.95,
  vthInit: 1.0,
  thetaEta: 0.2,
  targetRate: 0.05,
  dropout: 0.1,
  wta: true,
  updatesPerWindow: 5,
};

/** membrane / trace state of one layer instance (one per BackRes unroll step) */
export interface LayerState {
  v: tf.Tensor4D | null;
  trace: tf.Tensor4D | null;
}

export function emptyState(): LayerState {
  return { v: null, trace: null };
}

export function disposeState(s: LayerState): void {
  s.v?.dispose();
  s.trace?.dispose();
  s.v = null;
  s.trace = null;
}

/** the competition among a layer's kernels in one chunk */
export interface Competition {
  /** per-position winner-take-all on V/V_th with lateral reset */
  wta?: boolean;
  /** post-neuron dropout probability */
  dropout?: number;
}

export class StdpConvLayer {
  readonly w: tf.Variable<tf.Rank.R4>;
  /** per-kernel thresholds [Cout] ("uniform": one value shared by all positions of a map) */
  readonly vth: tf.Variable<tf.Rank.R1>;
  readonly p: StdpLayerParams;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly pad: 'same' | 'valid';
  readonly residual: boolean;
  /** number of STDP weight updates applied so far (BackRes test: k × n per window) */
  updates = 0;
  private seed: number;

  constructor(
    readonly id: string,
    shape: { kernel: number; cin: number; cout: number; pad?: 'same' | 'valid'; residual?: boolean },
    p: Partial<Omit<StdpLayerParams, 'rule'>> & { rule?: Partial<StdpRuleParams> },
    seed: number,
  ) {
    this.p = { ...DEFAULT_LAYER, ...p, rule: { ...DEFAULT_RULE, ...(p.rule ?? {}) } };
    this.kernel = shape.kernel;
    this.cin = shape.cin;
    this.cout = shape.cout;
    this.pad = shape.pad ?? 'same';
    // identity shortcut (models' ResNet reading): needs cin == cout and 'same' padding
    this.residual = shape.residual === true && shape.cin === shape.cout && this.pad === 'same';
    this.seed = seed;
    const fanIn = shape.kernel * shape.kernel * shape.cin;
    // small random kernels (symmetry breaking for the competition); STDP shapes them
    // (tidy frees the initialisers; variables survive it)
    this.w = tf.tidy(() =>
      tf.variable(
        tf.randomUniform([shape.kernel, shape.kernel, shape.cin, shape.cout], -0.3, 0.3, 'float32', seed),
        false,
        `${id}/w`,
      ),
    ) as tf.Variable<tf.Rank.R4>;
    // a threshold of ~vthInit·sqrt(fanIn)·0.3 is a sensible start for rate inputs; adaptation sets it
    this.vth = tf.tidy(() =>
      tf.variable(tf.fill([shape.cout], this.p.vthInit * 0.3 * Math.sqrt(fanIn)), false, `${id}/vth`),
    ) as tf.Variable<tf.Rank.R1>;
  }

  private nextSeed(): number {
    this.seed = (Math.imul(this.seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0) % 2147483647;
    return this.seed;
  }

  /**
   * Run Tc steps of a time-folded chunk x [Tc·B, H, W, Cin] (values in [0,1]: spikes or pooled
   * spikes), updating `state` in place. If `learn`, apply one STDP update from the chunk's
   * pre traces and post spikes; if `adapt` (default: `learn`), adapt thresholds.
   * `competition` (default: WTA and dropout as configured while the layer is shaped, i.e. learning
   * or adapting; none otherwise) sets which competition acts: inference with `{ wta: true }` keeps
   * the lateral inhibition the thresholds were adapted under; `{}` while adapting re-adapts the
   * thresholds for inference without competition.
   */
  runChunk(
    x: tf.Tensor4D,
    Tc: number,
    state: LayerState,
    opts: { learn: boolean; adapt?: boolean; competition?: Competition },
  ): tf.Tensor4D {
    const [N, H, W] = x.shape;
    const B = N / Tc;
    const cin = this.cin;
    const decay = traceDecay(this.p.rule.tau);
    const learn = opts.learn;
    const adapt = opts.adapt ?? learn;
    // WTA and dropout act whenever the layer is being shaped (learning or threshold adaptation),
    // so the random-kernel baseline gets thresholds adapted under the same competition
    const shaping = learn || adapt;
    const wta = opts.competition ? opts.competition.wta === true : shaping && this.p.wta;
    const dropout = opts.competition ? (opts.competition.dropout ?? 0) : shaping ? this.p.dropout : 0;
    const dropSeed = this.nextSeed();
    const neuron = { alpha: this.p.alpha, vth: this.vth, reset: 'soft' as const };
    const out = tf.tidy(() => {
      // the residual input is added to the pre-activation, one unit of current per input spike
      const conv = tf.conv2d(x, this.w, 1, this.pad);
      const currents = this.residual ? tf.add(conv, x) : conv;
      const [, Ho, Wo] = currents.shape;
      let v: tf.Tensor = state.v ?? tf.zeros([B, Ho, Wo, this.cout]);
      let tr: tf.Tensor = state.trace ?? tf.zeros([B, H, W, cin]);
      const spikes: tf.Tensor[] = [];
      const traces: tf.Tensor[] = [];
      for (let t = 0; t < Tc; t++) {
        const I = tf.slice(currents, [t * B, 0, 0, 0], [B, Ho, Wo, this.cout]);
        // the membrane (integrate, fire, soft reset: subtract the threshold, as in the companion
        // conversion work) is @snn/core-neurons'; the competition gates the spikes before the reset
        const step = lifStepForward(I, v, neuron, (fired, u) => {
          let s = fired;
          if (wta) {
            // lateral inhibition: per position, only the kernel furthest above its threshold spikes
            // (argMax breaks ties: two identical kernels must not both win)
            // the race is on v / V_th, so adaptive thresholds steer who wins (homeostasis -> competition)
            s = tf.mul(s, tf.oneHot(tf.argMax(tf.div(u, this.vth), 3), this.cout).asType('float32'));
          }
          if (dropout > 0) {
            const keep = tf.cast(
              tf.greaterEqual(tf.randomUniform(s.shape, 0, 1, 'float32', dropSeed + t), dropout),
              'float32',
            );
            s = tf.mul(s, keep);
          }
          return s;
        });
        const s = step.spikes;
        v = step.v;
        if (wta) {
          // lateral inhibition: a spike at a position silences the other kernels' potentials there,
          // so a losing kernel cannot win the next step just by having kept its charge
          v = tf.mul(v, tf.sub(1, tf.max(s, 3, true)));
        }
        if (learn) {
          // the trace includes the pre spike of this step: Δt = 0 is the closest causal pair
          tr = traceStep(tr, tf.slice(x, [t * B, 0, 0, 0], [B, H, W, cin]), decay);
          traces.push(tr);
        }
        spikes.push(s);
      }
      const S = tf.concat(spikes, 0) as tf.Tensor4D;
      if (learn) {
        const TR = tf.concat(traces, 0) as tf.Tensor4D;
        const { dw } = stdpDeltaW(TR, S, this.w, this.p.rule, 1, this.pad);
        applyDeltaW(this.w, dw, this.p.rule);
      }
      if (adapt) this.adaptThreshold(S);
      return { S, v: tf.keep(v), tr: learn ? tf.keep(tr) : null } as unknown as tf.TensorContainerObject;
    }) as unknown as { S: tf.Tensor4D; v: tf.Tensor; tr: tf.Tensor | null };
    state.v?.dispose();
    state.v = out.v as tf.Tensor4D;
    if (out.tr) {
      state.trace?.dispose();
      state.trace = out.tr as tf.Tensor4D;
    }
    if (learn) this.updates++;
    return out.S;
  }

  /** uniform threshold adaptation: one multiplicative step per chunk, same for all positions of a kernel */
  adaptThreshold(S: tf.Tensor): void {
    tf.tidy(() => {
      const rate = tf.mean(S, [0, 1, 2]);
      const rel = tf.div(tf.sub(rate, this.p.targetRate), this.p.targetRate);
      const factor = tf.exp(tf.mul(tf.clipByValue(rel, -1, 3), this.p.thetaEta));
      this.vth.assign(tf.maximum(tf.mul(this.vth, factor), 1e-3));
    });
  }

  dispose(): void {
    this.w.dispose();
    this.vth.dispose();
  }
}
