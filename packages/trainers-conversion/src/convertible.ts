import { tf } from './tf.js';
import {
  forward,
  simulateChunked,
  spikingOpsOf,
  type ChunkedSimOptions,
  type InputCoding,
  type OpSpec,
  type Topology,
} from '@snn/models';
import type { SnnSettings } from './snnSettings.js';

export type { InputCoding };

/**
 * A convertible network (Sengupta et al. 2019 / Panda et al. 2020): a @snn/models topology (BackRes
 * unrolls expanded, one op per unroll step sharing its param) and its params (ReLU, average
 * pooling, biases '<param>/bias' only when the topology has them). Every hidden weight op becomes
 * an IF op in the SNN; the classifier stays linear. Shortcuts (`residualFrom`) are supported.
 */
export interface ConversionNet {
  topo: Topology;
  params: Record<string, tf.Tensor>;
  /** clipped ReLU ceiling of the ANN (Deng & Gu 2021); undefined = plain ReLU */
  clip?: number;
}

/** Class scores from the time-averaged classifier input and its logits (default: the logits), e.g. a stochmax head. */
export type Readout = (features: tf.Tensor2D, logits: tf.Tensor2D) => tf.Tensor2D;

export function spikingOps(net: ConversionNet): OpSpec[] {
  for (const op of net.topo.ops)
    if (op.kind === 'maxpool')
      throw new Error(
        `conversion: op ${op.id} is max pooling; convertible nets use average pooling (Sengupta et al. 2019)`,
      );
  return spikingOpsOf(net.topo);
}

export function opById(net: ConversionNet, id: string): OpSpec {
  const op = net.topo.ops.find((o) => o.id === id);
  if (!op) throw new Error(`conversion: no op ${id} in ${net.topo.name}`);
  return op;
}

/** Deep copy (params cloned) so weight calibration can return a new net and leave the input intact. */
export function cloneNet(net: ConversionNet): ConversionNet {
  return {
    topo: net.topo,
    params: Object.fromEntries(Object.entries(net.params).map(([k, v]) => [k, v.clone()])),
    clip: net.clip,
  };
}

export function disposeNet(net: ConversionNet): void {
  tf.dispose(Object.values(net.params));
}

/**
 * ANN forward (ReLU or clipped ReLU after every hidden weight op, average pooling, linear
 * classifier) through @snn/models `forward`; `capture` sees every hidden op's output and input
 * (valid during the call only). Returns features and logits (caller disposes).
 */
export function annForward(
  net: ConversionNet,
  x: tf.Tensor,
  capture?: (op: OpSpec, output: tf.Tensor) => void,
): { features: tf.Tensor2D; logits: tf.Tensor2D } {
  return forward(net.topo, net.params, x, {
    mode: 'ann',
    clip: net.clip,
    taps: capture ? (ev) => capture(ev.op, ev.output) : undefined,
  });
}

export interface SimulateOptions {
  steps: number;
  chunk: number;
  coding: InputCoding;
  seed: number;
  /** Poisson: spike probability per step = maxRate x pixel intensity (default 1) */
  maxRate?: number;
  stopAt?: string;
  stopAfter?: string;
  onInput?: ChunkedSimOptions['onInput'];
  onCurrent?: ChunkedSimOptions['onCurrent'];
  onOutput?: ChunkedSimOptions['onOutput'];
  /** labels: accuracy of the accumulated classifier output is recorded at each t in tList */
  labels?: Int32Array | Uint8Array;
  tList?: number[];
  readout?: Readout;
}

/** The converted SNN (SnnSettings: thresholds, reset, extra current, v0) on @snn/models' chunked executor. */
export function simulate(net: ConversionNet, snn: SnnSettings, x: tf.Tensor, o: SimulateOptions) {
  const correctAt = new Map<number, number>();
  /** per image of the batch: 1 where the readout at t was right */
  const hitsAt = new Map<number, Uint8Array>();
  const labels = o.labels;
  const r = simulateChunked(net.topo, net.params, x, {
    steps: o.steps,
    chunk: o.chunk,
    coding: o.coding,
    seed: o.seed,
    maxRate: o.maxRate,
    threshold: (op) => snn.thresholds[op.id],
    reset: snn.reset,
    extraCurrent: snn.extraCurrent ? (op) => snn.extraCurrent![op.id] : undefined,
    v0: snn.v0 ? (op) => snn.v0![op.id] : undefined,
    stopAt: o.stopAt,
    stopAfter: o.stopAfter,
    onInput: o.onInput,
    onCurrent: o.onCurrent,
    onOutput: o.onOutput,
    readAt: labels ? o.tList : undefined,
    onReadout: labels
      ? (t, f, logits) => {
          const pred = tf.argMax(o.readout ? o.readout(f, logits) : logits, -1).dataSync();
          let c = 0;
          const hits = new Uint8Array(pred.length);
          for (let b = 0; b < pred.length; b++)
            if (pred[b] === labels[b]) {
              c++;
              hits[b] = 1;
            }
          correctAt.set(t, c);
          hitsAt.set(t, hits);
        }
      : undefined,
  });
  return { ...r, correctAt, hitsAt };
}
