/**
 * The tidy result schema (architecture.md, "Runs, profiles, results"): one record per
 * (table, row, metric), with the provenance every number carries. Spike activity per layer and per
 * BackRes unroll step lives in its own file with ActivityRecord rows.
 */
import { Bool, Float64, Int32, Utf8, type DataType } from 'apache-arrow';

export type RowStatus = 'ok' | 'failed' | 'skipped';

export interface ResultRecord {
  /** Stage id, e.g. 'table-08' (the table the row belongs to). */
  table: string;
  rowId: string;
  /** Row identity: hash(stage, effective row config, profile, profile settings). */
  configHash: string;
  profile: string;
  seed: number;
  topology: string | null;
  method: string | null;
  coding: string | null;
  classifier: string | null;
  T: number | null;
  /** Metric name (see pipelines/report/src/claims.ts for the names the claims read), or 'status' for failed/skipped rows. */
  metric: string;
  value: number | null;
  /** '%', 'x', 'uJ', 'count', ... (display only). */
  unit: string | null;
  /** The paper's number for this metric, when it gives one. */
  paper: number | null;
  /** The paper's words when it gives a claim rather than a number ("~15x", "fails to train"). */
  paperText: string | null;
  status: RowStatus;
  error: string | null;
  /** Topology reconstructed from the paper's naming rules (its figures were not available). */
  reconstructed: boolean | null;
  engine: string;
  /** git describe --always --dirty of the checkout that produced the row. */
  codeVersion: string;
  /** Fingerprint of the stage's code and its workspace dependencies. */
  codeHash: string;
}

/**
 * Units of timing and throughput metrics (seconds, images/s, image-steps/s). They differ on every
 * run, so they never enter results.arrow (which is byte-identical across reruns of the same rows):
 * runStage writes them, with each row's wall time, to `<stage>/timing.json`.
 */
export const TIMING_UNITS: ReadonlySet<string> = new Set(['s', 'img/s', 'img*T/s']);
export const isTiming = (r: { unit?: string | null }): boolean => r.unit != null && TIMING_UNITS.has(r.unit);

/** `<stage>/timing.json`: per row of the last run, its wall time and timing metrics (`<metric> (<unit>)`). */
export interface StageTiming {
  stage: string;
  profile: string;
  rows: Record<
    string,
    { configHash: string; cached: boolean; wall_seconds: number } & Record<string, number | string | boolean | null>
  >;
}

/** The row a per-layer or per-point record belongs to (activity.arrow, series.arrow). */
export interface RowKey {
  table: string;
  rowId: string;
  configHash: string;
  profile: string;
  topology: string | null;
  method: string | null;
  T: number | null;
}

export interface ActivityRecord extends RowKey {
  /** Layer (op) id, e.g. 'conv2' — the parameter id, shared across unroll steps. */
  layer: string;
  /** BackRes unroll step (1..n); 1 for layers that are not unrolled. */
  unrollStep: number;
  /** Simulation time step (0..T-1), or null for the mean over the window. */
  step: number | null;
  /** Fraction of the layer's neurons that fire, per time step. */
  rate: number;
}

/**
 * A curve a row measured along the way, one record per point: e.g. a converted SNN's accuracy after
 * each t of its one T_max-step simulation (`series: 'accuracy_vs_t'`, x = t, y = accuracy in %).
 */
export interface SeriesRecord extends RowKey {
  classifier: string | null;
  series: string;
  x: number;
  y: number;
}

type Kind = 'utf8' | 'f64' | 'i32' | 'bool';
const kinds = {
  utf8: () => new Utf8(),
  f64: () => new Float64(),
  i32: () => new Int32(),
  bool: () => new Bool(),
} satisfies Record<Kind, () => DataType>;

export const RESULT_COLUMNS: ReadonlyArray<readonly [keyof ResultRecord, Kind]> = [
  ['table', 'utf8'],
  ['rowId', 'utf8'],
  ['configHash', 'utf8'],
  ['profile', 'utf8'],
  ['seed', 'i32'],
  ['topology', 'utf8'],
  ['method', 'utf8'],
  ['coding', 'utf8'],
  ['classifier', 'utf8'],
  ['T', 'i32'],
  ['metric', 'utf8'],
  ['value', 'f64'],
  ['unit', 'utf8'],
  ['paper', 'f64'],
  ['paperText', 'utf8'],
  ['status', 'utf8'],
  ['error', 'utf8'],
  ['reconstructed', 'bool'],
  ['engine', 'utf8'],
  ['codeVersion', 'utf8'],
  ['codeHash', 'utf8'],
];

export const ACTIVITY_COLUMNS: ReadonlyArray<readonly [keyof ActivityRecord, Kind]> = [
  ['table', 'utf8'],
  ['rowId', 'utf8'],
  ['configHash', 'utf8'],
  ['profile', 'utf8'],
  ['topology', 'utf8'],
  ['method', 'utf8'],
  ['T', 'i32'],
  ['layer', 'utf8'],
  ['unrollStep', 'i32'],
  ['step', 'i32'],
  ['rate', 'f64'],
];

export const SERIES_COLUMNS: ReadonlyArray<readonly [keyof SeriesRecord, Kind]> = [
  ['table', 'utf8'],
  ['rowId', 'utf8'],
  ['configHash', 'utf8'],
  ['profile', 'utf8'],
  ['topology', 'utf8'],
  ['method', 'utf8'],
  ['classifier', 'utf8'],
  ['T', 'i32'],
  ['series', 'utf8'],
  ['x', 'f64'],
  ['y', 'f64'],
];

export function arrowType(k: Kind): DataType {
  return kinds[k]();
}
