// A residual conv stack (ResNet2 / ResNet3 / ResNet2x2, ReStoCNet-like) trained layer by layer
// with STDP, BackRes unrolls included (Panda et al. 2020, "BackRes in STDP"): a layer with
// unroll n gets k updates per window at every unroll step (k × n in all); at unroll step 1 its
// pre-activity is the layer's input X, at step m ≥ 2 it is the layer's own output of step m−1.
// Inputs are streamed over the window in chunks of T/k steps, each unroll step keeping its own
// membrane/trace state, so memory does not grow with T.
import { tf } from './tf.js';
import { poissonEncode } from '@snn/encoders';
import {
  StdpConvLayer,
  disposeState,
  emptyState,
  type Competition,
  type LayerState,
  type StdpLayerParams,
} from './stdp-layer.js';
import type { StdpRuleParams } from './stdp-rule.js';

export interface StackLayerSpec {
  id: string;
  cin: number;
  cout: number;
  kernel: number;
  /** BackRes unroll count n (1 = plain layer); n > 1 needs cin == cout */
  unroll: number;
  /** 2×2 average pooling of the layer's output spikes (pooled spikes are fractional pre-activity) */
  poolAfter: boolean;
  /** identity shortcut: the layer's input is added to its pre-activation (ReStoCNet-like residual) */
  residual?: boolean;
}

export interface StackSpec {
  name: string;
  input: [number, number, number];
  layers: StackLayerSpec[];
}

/** output feature shape [h, w, c] of a stack spec */
export function stackOutShape(spec: StackSpec): [number, number, number] {
  let [h, w, c] = spec.input;
  for (const l of spec.layers) {
    c = l.cout;
    if (l.poolAfter) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
    }
  }
  return [h, w, c];
}

export class StdpStack {
  readonly layers: StdpConvLayer[];
  constructor(
    readonly spec: StackSpec,
    p: Partial<Omit<StdpLayerParams, 'rule'>> & { rule?: Partial<StdpRuleParams> },
    seed: number,
  ) {
    this.layers = spec.layers.map((l, i) => {
      if (l.unroll > 1 && l.cin !== l.cout)
        throw new Error(`${spec.name}/${l.id}: BackRes unroll needs cin == cout (got ${l.cin}, ${l.cout})`);
      return new StdpConvLayer(
        l.id,
        { kernel: l.kernel, cin: l.cin, cout: l.cout, residual: l.residual },
        p,
        seed * 131 + i + 1,
      );
    });
  }

  /** output feature shape [h, w, c] of the stack */
  outShape(): [number, number, number] {
    return stackOutShape(this.spec);
  }

  /**
   * Run one chunk through layers 0..upTo (inclusive). Layer `learnLayer` (if any) learns.
   * `states[i][m]` is layer i's state at unroll step m. `rates[i][m]` accumulates the input spike
   * rate (fraction of input neurons firing per step) of each op, for energy accounting.
   */
  runChunk(
    x: tf.Tensor4D,
    Tc: number,
    states: LayerState[][],
    opts: {
      upTo: number;
      learnLayer: number | null;
      adaptLayer?: number | null;
      /** competition of the adapting layer when it does not learn (default: its own WTA and dropout) */
      adaptCompetition?: Competition;
      /** competition of the layers that neither learn nor adapt (default: none) */
      inference?: Competition;
      rates?: RateAccumulator;
      outRates?: RateAccumulator;
    },
  ): tf.Tensor4D {
    let cur = x;
    for (let i = 0; i <= opts.upTo; i++) {
      const l = this.spec.layers[i];
      const layer = this.layers[i];
      for (let m = 0; m < l.unroll; m++) {
        const key = l.unroll > 1 ? `${l.id}@${m + 1}` : l.id;
        opts.rates?.add(key, cur);
        const learn = opts.learnLayer === i;
        const adapt = learn || opts.adaptLayer === i;
        const next = layer.runChunk(cur, Tc, states[i][m], {
          learn,
          adapt,
          competition: learn ? undefined : adapt ? opts.adaptCompetition : opts.inference,
        });
        opts.outRates?.add(key, next);
        if (cur !== x) cur.dispose();
        cur = next;
      }
      if (l.poolAfter) {
        const pooled = tf.tidy(() => tf.avgPool(cur, 2, 2, 'valid'));
        if (cur !== x) cur.dispose();
        cur = pooled;
      }
    }
    return cur;
  }

  newStates(): LayerState[][] {
    return this.spec.layers.map((l) => Array.from({ length: l.unroll }, () => emptyState()));
  }

  static disposeStates(states: LayerState[][]): void {
    for (const s of states) for (const u of s) disposeState(u);
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}

/** running mean of input spike rates per op (fraction of input neurons firing per step) */
export class RateAccumulator {
  private sums = new Map<string, tf.Tensor>();
  private counts = new Map<string, number>();
  add(op: string, x: tf.Tensor): void {
    const m = tf.tidy(() => tf.mean(x));
    const prev = this.sums.get(op);
    if (prev) {
      this.sums.set(
        op,
        tf.tidy(() => tf.add(prev, m)),
      );
      prev.dispose();
      m.dispose();
    } else this.sums.set(op, m);
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
  }
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.sums) out[k] = (v.dataSync()[0] ?? 0) / (this.counts.get(k) ?? 1);
    return out;
  }
  dispose(): void {
    for (const v of this.sums.values()) v.dispose();
    this.sums.clear();
  }
}

export interface StdpTrainOptions {
  T: number;
  batchSize: number;
  /** passes over the STDP image set per layer */
  epochs: number;
  seed: number;
  /** Poisson max rate (spike probability per step for intensity 1) */
  maxRate?: number;
  /** threshold-only passes (`learn: false`): the competition thresholds adapt under (default: the layers' WTA and dropout) */
  adaptCompetition?: Competition;
  onProgress?: (p: { layer: string; batch: number; of: number }) => void;
}

/**
 * Layer-wise unsupervised training: layer 1 learns on Poisson input, is frozen, then layer 2 learns
 * on layer 1's (pooled) spikes, and so on. `images` [N, H, W, C] in [0,1].
 * With `learn: false` only the thresholds adapt (the random-kernel baseline gets the same
 * homeostasis, so its firing rates are comparable).
 */
export function trainStackStdp(stack: StdpStack, images: tf.Tensor4D, o: StdpTrainOptions & { learn?: boolean }): void {
  const N = images.shape[0];
  const k = stack.layers[0].p.updatesPerWindow;
  const Tc = Math.max(1, Math.round(o.T / k));
  const chunks = Math.ceil(o.T / Tc);
  const nb = Math.ceil(N / o.batchSize);
  for (let li = 0; li < stack.layers.length; li++) {
    for (let ep = 0; ep < o.epochs; ep++) {
      for (let b = 0; b < nb; b++) {
        const start = b * o.batchSize;
        const size = Math.min(o.batchSize, N - start);
        const xb = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
        const states = stack.newStates();
        for (let c = 0; c < chunks; c++) {
          const steps = Math.min(Tc, o.T - c * Tc);
          const seed = o.seed * 7919 + li * 104729 + ep * 1299709 + b * 31 + c;
          const x = poissonEncode(xb, steps, seed >>> 0, o.maxRate) as tf.Tensor4D;
          const out = stack.runChunk(x, steps, states, {
            upTo: li,
            learnLayer: o.learn === false ? null : li,
            adaptLayer: li,
            adaptCompetition: o.adaptCompetition,
          });
          out.dispose();
          x.dispose();
        }
        StdpStack.disposeStates(states);
        xb.dispose();
        o.onProgress?.({ layer: stack.spec.layers[li].id, batch: b + 1, of: nb });
      }
    }
  }
}

/**
 * Frozen features: the stack's output spikes (after the last pool) averaged over the T steps,
 * flattened to [N, F]; computed once per image and cached by the caller for head training.
 */
export function extractFeatures(
  stack: StdpStack,
  images: tf.Tensor4D,
  o: {
    T: number;
    batchSize: number;
    seed: number;
    chunk?: number;
    maxRate?: number;
    /** competition at inference (default none; `{ wta: true }`: the lateral inhibition of learning) */
    competition?: Competition;
    rates?: RateAccumulator;
    outRates?: RateAccumulator;
  },
): tf.Tensor2D {
  const N = images.shape[0];
  const Tc = Math.min(o.T, o.chunk ?? 10);
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < N; start += o.batchSize) {
    const size = Math.min(o.batchSize, N - start);
    const xb = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
    const states = stack.newStates();
    let acc: tf.Tensor | null = null;
    for (let t0 = 0; t0 < o.T; t0 += Tc) {
      const steps = Math.min(Tc, o.T - t0);
      const x = poissonEncode(xb, steps, (o.seed * 7919 + start * 13 + t0) >>> 0, o.maxRate) as tf.Tensor4D;
      const out = stack.runChunk(x, steps, states, {
        upTo: stack.layers.length - 1,
        learnLayer: null,
        inference: o.competition,
        rates: o.rates,
        outRates: o.outRates,
      });
      const summed = tf.tidy(() => tf.sum(tf.reshape(out, [steps, size, -1]), 0));
      out.dispose();
      x.dispose();
      if (acc) {
        const a: tf.Tensor = acc;
        acc = tf.tidy(() => tf.add(a, summed));
        a.dispose();
        summed.dispose();
      } else acc = summed;
    }
    StdpStack.disposeStates(states);
    xb.dispose();
    const accT = acc as tf.Tensor;
    parts.push(tf.tidy(() => tf.div(accT, o.T)) as tf.Tensor2D);
    accT.dispose();
  }
  const all = tf.concat(parts, 0) as tf.Tensor2D;
  for (const p of parts) p.dispose();
  return all;
}
