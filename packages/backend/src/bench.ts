/**
 * Shared benchmark vocabulary. Every `bench/*.ts` module exports
 * `async function run(): Promise<BenchResult[]>`; `pnpm bench` (scripts/bench.ts) prints them,
 * writes `artifacts/bench/<name>.json` and a Vega-Lite bar chart `<name>.vl.json`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EngineInfo } from './engine.js';

export interface BenchTiming {
  /** median wall time of one call, ms */
  ms: number;
  /** all measured repetitions, ms */
  samples: number[];
}

export interface BenchResult {
  /** benchmark group, e.g. 'conv-stack' or 'dense' */
  group: string;
  /** what was timed within the group, e.g. 'forward' or 'train-step' */
  case: string;
  /** median ms per call */
  ms: number;
  samples: number[];
  /** floating-point operations per call (multiply-add = 2), when known */
  flops?: number;
  /** flops / time, GFLOP/s */
  gflops?: number;
  /** free-form ratios, e.g. { 'train/forward': 3.1 } */
  ratios?: Record<string, number>;
  /** shapes and other parameters, for the record */
  params?: Record<string, string | number | boolean>;
  engine: EngineInfo;
}

/**
 * Median time of `fn` over `reps` runs after `warmup` runs. `fn` must return a tensor (or array) so
 * that the work is forced with dataSync and then disposed; no tensors outlive a call.
 */
export async function timeIt(
  fn: () => tf.Tensor | tf.Tensor[],
  opts: { warmup?: number; reps?: number } = {},
): Promise<BenchTiming> {
  const warmup = opts.warmup ?? 1;
  const reps = opts.reps ?? 5;
  const once = (): number => {
    const t0 = performance.now();
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) t.dataSync();
    const dt = performance.now() - t0;
    tf.dispose(list);
    return dt;
  };
  for (let i = 0; i < warmup; i++) once();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    samples.push(once());
    await new Promise((r) => setImmediate(r));
  }
  const sorted = samples.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const ms = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { ms, samples };
}

/** GFLOP/s of `flops` operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
