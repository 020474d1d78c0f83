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
  /**
   * median process CPU time (user + system) of one call, ms. On a shared machine this is steadier
   * than wall time: wasm runs on one thread, so when the machine is idle cpuMs ~ ms.
   */
  cpuMs: number;
  /** fastest repetition, ms: the least disturbed by other processes */
  minMs: number;
}

export interface BenchResult {
  /** benchmark group, e.g. 'conv-stack' or 'dense' */
  group: string;
  /** what was timed within the group, e.g. 'forward' or 'train-step' */
  case: string;
  /** median wall ms per call */
  ms: number;
  /** median process CPU ms per call (see BenchTiming.cpuMs) */
  cpuMs?: number;
  /** fastest repetition, ms */
  minMs?: number;
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
  const cpu: number[] = [];
  const once = (): number => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    for (const t of list) t.dataSync();
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    tf.dispose(list);
    return dt;
  };
  for (let i = 0; i < warmup; i++) once();
  cpu.length = 0;
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    samples.push(once());
    await new Promise((r) => setImmediate(r));
  }
  return { ms: median(samples), samples, cpuMs: median(cpu), minMs: Math.min(...samples) };
}

export function median(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** GFLOP/s of `flops` operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
