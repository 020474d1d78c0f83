import { createHash } from 'node:crypto';
/**
 * The stage runner: validate config -> for each row, reuse its checkpointed result or run it ->
 * write tidy Arrow (results.arrow, activity.arrow) atomically -> summary. A row that throws is
 * recorded as failed and the others go on; the process exit code is set to 1 at the end.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import {
  isTiming,
  writeActivity,
  writeResults,
  writeSeries,
  type ActivityRecord,
  type ResultRecord,
  type RowKey,
  type RowStatus,
  type SeriesRecord,
  type StageTiming,
} from '@snn/reporting';
import { onednnIsa } from '@snn/backend/isa';
import { ConfigError, loadStageConfig, type BaseRow, type ExpandedRow } from './config.js';
import { resolveProfile, type ProfileName } from './profiles.js';
import {
  codeFingerprint,
  dataFingerprint,
  engineLabel,
  engineTag,
  gitVersion,
  profileResults,
  repoRoot,
  resultsRoot,
  RowBusy,
  slotPoolFromEnv,
  tryLock,
  withSlot,
  writeFileAtomic,
  WriteError,
  type EngineRecord,
} from '@snn/runtime';
import { StageProgress, formatSeconds, type ProgressUpdate } from './progress.js';

export type { EngineRecord };

export interface MetricValue {
  metric: string;
  value: number;
  unit?: string;
  /** The paper's number; defaults to row.paper[metric] when that is a number. */
  paper?: number;
  /** The paper's words; defaults to row.paper[metric] when that is a string. */
  paperText?: string;
}

/** Spike activity of one layer at one BackRes unroll step (SpikeMonitor.activity() has this shape). */
export interface LayerActivity {
  layer: string;
  unrollStep: number;
  rate: number;
  perStep?: number[];
}

export interface RowResult {
  metrics: MetricValue[];
  activity?: LayerActivity[];
  /** curves measured along the way (written to series.arrow), e.g. accuracy after each t of one simulation */
  series?: Array<{ series: string; x: number; y: number }>;
  /** True when the topology is reconstructed from the paper's naming rules (Topology.reconstructed). */
  reconstructed?: boolean;
}

export interface RowContext {
  stage: string;
  rowId: string;
  /** The row's config hash (its identity). */
  hash: string;
  profile: ProfileName;
  engine: EngineRecord;
  seed: number;
  /**
   * Every row of this stage as resolved for this profile (validated, in config order): for rows
   * that share work with their siblings (conversion reads all T of a net from one simulation).
   */
  stageRows: readonly BaseRow[];
  /**
   * Per-row folder for per-epoch checkpoints (kept across runs; not a Turbo output). It is keyed
   * by the row's config hash AND the stage's code fingerprint, so an interrupted row resumes, but a
   * row rerun after a code change trains from scratch instead of from the old code's weights.
   */
  checkpointDir: string;
  progress(p: ProgressUpdate): void;
  log(msg: string): void;
}

/** Throw from runRow when a row cannot run here (e.g. dataset absent): reported, not a failure. */
export class RowSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RowSkipped';
  }
}

/**
 * An error whose `abortsStage` is true (e.g. `@snn/datasets`' DataError: the data is missing or
 * damaged) stops the whole stage: it is printed once, no results are written, and the stage exits
 * 1, so nothing made from bad input is recorded or cached. Other errors fail their row only.
 */
export function abortsStage(e: unknown): e is Error {
  return e instanceof Error && (e as { abortsStage?: unknown }).abortsStage === true;
}

class StageAborted extends Error {
  constructor(
    readonly rowId: string,
    readonly reason: Error,
  ) {
    super(reason.message);
    this.name = 'StageAborted';
  }
}

export interface RunStageOptions<S extends z.ZodType<BaseRow>> {
  stage: string;
  /** pipelines/<stage>/config.json, e.g. new URL('../config.json', import.meta.url). */
  config: string | URL;
  rowSchema: S;
  runRow: (row: z.output<S>, ctx: RowContext) => Promise<RowResult>;
  /** Defaults to env SNN_PROFILE, else 'quick'. */
  profile?: ProfileName;
  /** The folder holding `<stage>/`; defaults to <repo>/artifacts/results/<profile> (env SNN_RESULTS_DIR overrides the artifacts/results part). */
  resultsDir?: string;
  /** false for stages that use no tensors (engine recorded as 'none'); default true. */
  needsEngine?: boolean;
  /** Set process.exitCode = 1 when a row failed (default true; tests pass false). */
  setExitCode?: boolean;
  /** Progress/log stream (default process.stderr). */
  out?: NodeJS.WriteStream;
  /**
   * Files the rows read besides their config (e.g. another stage's results.arrow): their content is
   * part of the resume identity, so a finished row is rerun when one of them changes.
   */
  inputs?: string[];
}

export interface StageSummary {
  stage: string;
  profile: ProfileName;
  rows: number;
  ran: number;
  cached: number;
  failed: number;
  skipped: number;
  wallSeconds: number;
  failures: Array<{ rowId: string; error: string }>;
  /** set when the stage stopped on bad input (abortsStage): its one-line reason; no results were written */
  aborted?: string;
  results: ResultRecord[];
}

interface RowCheckpoint {
  format: 1;
  stage: string;
  rowId: string;
  configHash: string;
  profile: ProfileName;
  codeHash: string;
  codeVersion: string;
  engine: string;
  wallSeconds: number;
  finishedAt: string;
  result: RowResult;
}

interface BackendLike {
  initEngine?: (o?: { quiet?: boolean }) => Promise<EngineRecord>;
  engineInfo?: () => EngineRecord;
}

async function loadEngine(): Promise<EngineRecord> {
  try {
    const mod = (await import('@snn/backend')) as unknown as BackendLike;
    if (typeof mod.initEngine === 'function') return await mod.initEngine({ quiet: true });
    if (typeof mod.engineInfo === 'function') return mod.engineInfo();
  } catch (e) {
    throw new Error(`cannot initialise the tensor engine: ${(e as Error).message}`);
  }
  return { name: 'unknown', version: '' };
}

/**
 * Whether a finished row's engine label matches the engine this run asked for (SNN_BACKEND) and,
 * on tensorflow, this CPU's oneDNN instruction-set class and its intra-op thread count
 * (SNN_THREADS, default 1): TF's results differ in the last bits between both (measured), so a row
 * made with 2 threads, or on an AVX2 machine, is not a 1-thread row of an AVX-512 one.
 */
export function sameEngine(label: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const wanted = env.SNN_BACKEND;
  if (!wanted || label === 'none') return true;
  const name = wanted.trim().toLowerCase();
  const canonical = name === 'node' || name === 'tfjs-node' ? 'tensorflow' : name;
  if (label.split('@')[0] !== canonical) return false;
  if (canonical !== 'tensorflow') return true;
  // the same class of CPU as oneDNN sees it (its kernels differ in the last bits across classes)
  if (!label.split('+').includes(onednnIsa(env))) return false;
  const threads = Number(env.TF_NUM_INTRAOP_THREADS ?? env.SNN_THREADS ?? 1);
  const m = /x(\d+)$/.exec(label);
  return (m ? Number(m[1]) : 1) === threads;
}

/** The row an activity or series record belongs to. */
function rowKey(row: ExpandedRow<BaseRow>, profile: string, stage: string): RowKey {
  return {
    table: stage,
    rowId: row.id,
    configHash: row.hash,
    profile,
    topology: row.row.topology ?? null,
    method: row.row.method ?? null,
    T: row.row.T ?? null,
  };
}

function seriesFor(
  row: ExpandedRow<BaseRow>,
  profile: string,
  stage: string,
  result: RowResult | undefined,
): SeriesRecord[] {
  const base = { ...rowKey(row, profile, stage), classifier: row.row.classifier ?? null };
  return (result?.series ?? [])
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p) => ({ ...base, series: p.series, x: p.x, y: p.y }));
}

/** Records of a row's deterministic values; timing metrics (isTiming) go to timing.json instead. */
function recordsFor(
  row: ExpandedRow<BaseRow>,
  base: Omit<ResultRecord, 'metric' | 'value' | 'unit' | 'paper' | 'paperText' | 'status' | 'error' | 'reconstructed'>,
  status: RowStatus,
  result?: RowResult,
  error?: string,
): ResultRecord[] {
  if (status !== 'ok' || !result) {
    return [
      {
        ...base,
        metric: 'status',
        value: null,
        unit: null,
        paper: null,
        paperText: null,
        status,
        error: error ?? null,
        reconstructed: result?.reconstructed ?? null,
      },
    ];
  }
  return result.metrics
    .filter((m) => !isTiming(m))
    .map((m) => {
      const fromRow = row.row.paper?.[m.metric];
      return {
        ...base,
        metric: m.metric,
        value: Number.isFinite(m.value) ? m.value : null,
        unit: m.unit ?? null,
        paper: m.paper ?? (typeof fromRow === 'number' ? fromRow : null),
        paperText: m.paperText ?? (typeof fromRow === 'string' ? fromRow : null),
        status: 'ok' as const,
        error: null,
        reconstructed: result.reconstructed ?? null,
      };
    });
}

function activityFor(
  row: ExpandedRow<BaseRow>,
  profile: string,
  stage: string,
  acts: LayerActivity[] | undefined,
): ActivityRecord[] {
  const out: ActivityRecord[] = [];
  const base = rowKey(row, profile, stage);
  for (const a of acts ?? []) {
    out.push({ ...base, layer: a.layer, unrollStep: a.unrollStep, step: null, rate: a.rate });
    a.perStep?.forEach((r, t) => out.push({ ...base, layer: a.layer, unrollStep: a.unrollStep, step: t, rate: r }));
  }
  return out;
}

function timingOf(
  hash: string,
  cached: boolean,
  wallSeconds: number,
  result: RowResult | undefined,
): StageTiming['rows'][string] {
  const t: StageTiming['rows'][string] = { configHash: hash, cached, wall_seconds: wallSeconds };
  for (const m of result?.metrics ?? [])
    if (isTiming(m)) t[`${m.metric} (${m.unit})`] = Number.isFinite(m.value) ? m.value : null;
  return t;
}

/** The code fingerprint extended by the content of the stage's extra input files (absent = 'missing'). */
function withInputs(code: string, inputs: string[], root: string): string {
  if (!inputs.length) return code;
  const h = createHash('sha256').update(code);
  // the file's name relative to the checkout: two clones (two machines) of one commit agree
  for (const f of inputs) h.update(`\0${relative(root, f)}\0`).update(existsSync(f) ? readFileSync(f) : 'missing');
  return h.digest('hex').slice(0, 16);
}

/**
 * Run a stage. Resume rule: a row is reused when artifacts/results/<profile>/<stage>/rows/<hash>.json exists
 * and was written by the same code (codeHash); set SNN_RESUME=any to reuse regardless of code.
 */
/** How often a stage whose rows are all busy looks again (SNN_BUSY_POLL_MS; tests shorten it). */
function busyPollMs(): number {
  const v = Number(process.env.SNN_BUSY_POLL_MS);
  return Number.isFinite(v) && v > 0 ? v : 5000;
}

export async function runStage<S extends z.ZodType<BaseRow>>(opts: RunStageOptions<S>): Promise<StageSummary> {
  const t0 = Date.now();
  const profile = opts.profile ?? resolveProfile();
  let cfg: ReturnType<typeof loadStageConfig<S>>;
  try {
    cfg = loadStageConfig(opts.config, opts.rowSchema, profile);
  } catch (e) {
    // a config error is the user's to fix: its lines once, no stack, exit 2, nothing trained
    if (!(e instanceof ConfigError) || opts.setExitCode === false) throw e;
    (opts.out ?? process.stderr).write(`[${opts.stage}] ${e.message}\n`);
    process.exit(2);
  }
  if (cfg.stage !== opts.stage)
    throw new Error(`${cfg.file}: stage '${cfg.stage}' does not match runStage({ stage: '${opts.stage}' })`);
  const configPath = opts.config instanceof URL ? fileURLToPath(opts.config) : opts.config;
  const root = repoRoot(dirname(configPath));
  const stageRows: readonly BaseRow[] = cfg.rows.map((r) => r.row as BaseRow);
  // rows that need no engine (reading other stages' results, skipping for want of a dataset) take no job slot
  const slots = opts.needsEngine === false ? null : slotPoolFromEnv();
  const resultsDir = join(opts.resultsDir ?? profileResults(profile, root), opts.stage);
  const rowsDir = join(resultsDir, 'rows');
  const checkpointsRoot = join(dirname(opts.resultsDir ?? resultsRoot(root)), 'checkpoints', opts.stage);
  const codeVersion = gitVersion(root);
  // the resume identity of a finished row: the stage's code, its declared input files, and the
  // content of the datasets (a dataset rebuilt with other bytes reruns what was made from the old)
  const codeHash = withInputs(
    createHash('sha256')
      .update(`${codeFingerprint(root, dirname(configPath))}\0data:${dataFingerprint(root)}`)
      .digest('hex')
      .slice(0, 16),
    opts.inputs ?? [],
    root,
  );
  const anyCode = process.env.SNN_RESUME === 'any';
  const out = opts.out ?? process.stderr;

  let engine: EngineRecord | undefined = opts.needsEngine === false ? { name: 'none', version: '' } : undefined;
  const results: ResultRecord[] = [];
  const activity: ActivityRecord[] = [];
  const summary: StageSummary = {
    stage: opts.stage,
    profile,
    rows: cfg.rows.length,
    ran: 0,
    cached: 0,
    failed: 0,
    skipped: 0,
    wallSeconds: 0,
    failures: [],
    results,
  };
  const timing: StageTiming = { stage: opts.stage, profile, rows: {} };
  const writeSummary = (): void => {
    const { results: _omit, ...small } = summary;
    writeFileAtomic(
      join(resultsDir, 'summary.json'),
      `${JSON.stringify({ ...small, codeVersion, codeHash, engine: engine ? engineLabel(engine) : null }, null, 1)}\n`,
    );
  };
  /** Stop on bad input or unwritable folders: one line, no results (the previous run's stay), exit 1 (Turbo caches nothing). */
  const stopStage = (why: Error, rowId?: string): StageSummary => {
    summary.aborted = `${why.message.split('\n')[0]}${rowId ? ` (row ${rowId})` : ''}`;
    summary.wallSeconds = (Date.now() - t0) / 1000;
    try {
      writeSummary();
    } catch {
      /* the disk that stopped the stage may refuse this too; the line below says why */
    }
    out.write(`[${opts.stage}] stopped, nothing recorded: ${summary.aborted}\n`);
    if (opts.setExitCode !== false) process.exitCode = 1;
    return summary;
  };

  // before any row trains: can this stage keep what it computes? (results and checkpoint folders)
  for (const d of [rowsDir, checkpointsRoot]) {
    const probe = join(d, `.write-probe-${process.pid}`);
    try {
      writeFileAtomic(probe, '');
      rmSync(probe, { force: true });
    } catch (e) {
      if (!(e instanceof WriteError)) throw e;
      return stopStage(e);
    }
  }
  // one run per stage and profile at a time: a second one waits (and then reuses what the first finished)
  const lockFile = join(resultsDir, '.stage.lock');
  let lock = tryLock(lockFile, `stage ${opts.stage} at profile ${profile}`);
  if ('holder' in lock) {
    out.write(
      `[${opts.stage}] waiting: another run holds ${lock.holder}; one run per stage and profile at a time, this one goes on when it ends\n`,
    );
    while ('holder' in lock) {
      await new Promise((res) => setTimeout(res, busyPollMs()));
      lock = tryLock(lockFile, `stage ${opts.stage} at profile ${profile}`);
    }
  }
  const stageLock = lock;
  try {
    const done = new Map<string, RowCheckpoint>();
    for (const r of cfg.rows) {
      const p = join(rowsDir, `${r.hash}.json`);
      if (!existsSync(p)) continue;
      try {
        const c = JSON.parse(readFileSync(p, 'utf8')) as RowCheckpoint;
        // A finished row is reused only from the same code and, when the engine is named (pnpm
        // reproduce always names it), the same engine: numbers differ across engines.
        if (c.format === 1 && (anyCode || (c.codeHash === codeHash && sameEngine(c.engine)))) done.set(r.hash, c);
      } catch {
        /* a corrupt checkpoint is rerun */
      }
    }
    const toRun = cfg.rows.filter((r) => !done.has(r.hash) && r.row.skip === undefined).length;
    const progress = new StageProgress(opts.stage, cfg.rows.length, toRun, out);

    // records per row, assembled in config order at the end (rows may finish out of order: RowBusy)
    const rowResults: ResultRecord[][] = cfg.rows.map(() => []);
    const rowActivity: ActivityRecord[][] = cfg.rows.map(() => []);
    const rowSeries: SeriesRecord[][] = cfg.rows.map(() => []);
    /** one attempt at row k: 'busy' when its shared work is being computed by another process */
    const attempt = async (k: number): Promise<'done' | 'busy'> => {
      const r = cfg.rows[k];
      const results = rowResults[k];
      const activity = rowActivity[k];
      const base = {
        table: opts.stage,
        rowId: r.id,
        configHash: r.hash,
        profile,
        seed: r.row.seed,
        topology: r.row.topology ?? null,
        method: r.row.method ?? null,
        coding: r.row.coding ?? null,
        classifier: r.row.classifier ?? null,
        T: r.row.T ?? null,
      };
      const cached = done.get(r.hash);
      if (cached) {
        summary.cached++;
        results.push(
          ...recordsFor(
            r,
            { ...base, engine: cached.engine, codeVersion: cached.codeVersion, codeHash: cached.codeHash },
            'ok',
            cached.result,
          ),
        );
        timing.rows[r.id] = timingOf(r.hash, true, cached.wallSeconds, cached.result);
        activity.push(...activityFor(r, profile, opts.stage, cached.result.activity));
        rowSeries[k].push(...seriesFor(r, profile, opts.stage, cached.result));
        return 'done';
      }
      if (r.row.skip !== undefined) {
        summary.skipped++;
        results.push(
          ...recordsFor(r, { ...base, engine: 'none', codeVersion, codeHash }, 'skipped', undefined, r.row.skip),
        );
        return 'done';
      }
      progress.rowStart(k + 1, r.id);
      const rt0 = Date.now();
      let status: RowStatus = 'ok';
      let result: RowResult | undefined;
      let error: string | undefined;
      let stack: string | undefined;
      let engineText = 'none';
      try {
        engine ??= await loadEngine();
        engineText = engineLabel(engine);
        // per row, code and engine: a wasm run never resumes from a tensorflow run's epoch checkpoints
        const checkpointDir = join(checkpointsRoot, `${r.hash}-${codeHash.slice(0, 12)}-${engineTag(engineText)}`);
        mkdirSync(checkpointDir, { recursive: true });
        const ctx: RowContext = {
          stage: opts.stage,
          rowId: r.id,
          hash: r.hash,
          profile,
          engine,
          seed: r.row.seed,
          stageRows,
          checkpointDir,
          progress: (p) => progress.update(p),
          log: (m) => progress.log(m),
        };
        // one of the machine's job slots while the row computes (pnpm reproduce: as many as cores)
        result = await withSlot(
          slots,
          `${opts.stage} ${r.id}`,
          () => {
            progress.computing(); // the row's pace (and ETA) from when it got its slot
            return opts.runRow(r.row as z.output<S>, ctx);
          },
          {
            onWait: () => progress.update({ note: 'waiting for a free core (every job slot is computing)' }),
          },
        );
        if (!result || !Array.isArray(result.metrics)) throw new Error('runRow must return { metrics: [...] }');
      } catch (e) {
        if (e instanceof RowBusy) {
          progress.rowDone((Date.now() - rt0) / 1000, false);
          busy.set(k, e.message);
          return 'busy';
        }
        if (abortsStage(e)) {
          progress.rowDone((Date.now() - rt0) / 1000, false);
          throw new StageAborted(r.id, e);
        }
        if (e instanceof RowSkipped) {
          status = 'skipped';
          error = e.message;
        } else {
          status = 'failed';
          // the message is the result (deterministic, no machine paths of library code); the stack
          // goes to the row's .failed.json, and to the log with SNN_DEBUG=1
          error = e instanceof Error ? e.message : String(e);
          stack = e instanceof Error ? e.stack : undefined;
        }
      }
      const secs = (Date.now() - rt0) / 1000;
      progress.rowDone(secs, status === 'ok');
      const rec = { ...base, engine: engineText, codeVersion, codeHash };
      timing.rows[r.id] = timingOf(r.hash, false, secs, result);
      if (status === 'ok' && result) {
        const cp: RowCheckpoint = {
          format: 1,
          stage: opts.stage,
          rowId: r.id,
          configHash: r.hash,
          profile,
          codeHash,
          codeVersion,
          engine: engineText,
          wallSeconds: secs,
          finishedAt: new Date().toISOString(),
          result,
        };
        try {
          writeFileAtomic(join(rowsDir, `${r.hash}.json`), JSON.stringify(cp, null, 1));
        } catch (e) {
          // a result that cannot be kept is a failed row (one line, with the path); later rows are still tried
          if (!(e instanceof WriteError)) throw e;
          status = 'failed';
          error = e.message;
        }
      }
      if (status === 'ok' && result) {
        summary.ran++;
        results.push(...recordsFor(r, rec, 'ok', result));
        activity.push(...activityFor(r, profile, opts.stage, result.activity));
        rowSeries[k].push(...seriesFor(r, profile, opts.stage, result));
      } else if (status === 'skipped') {
        summary.skipped++;
        progress.log(`skipped: ${error}`);
        results.push(...recordsFor(r, rec, 'skipped', undefined, error));
      } else {
        summary.failed++;
        const first = (error ?? '').split('\n')[0];
        summary.failures.push({ rowId: r.id, error: first });
        progress.log(`FAILED: ${first}`);
        if (stack && process.env.SNN_DEBUG) progress.log(stack);
        try {
          writeFileAtomic(
            join(rowsDir, `${r.hash}.failed.json`),
            JSON.stringify(
              {
                stage: opts.stage,
                rowId: r.id,
                configHash: r.hash,
                profile,
                error,
                stack,
                at: new Date().toISOString(),
              },
              null,
              1,
            ),
          );
        } catch (e) {
          if (!(e instanceof WriteError)) throw e;
          progress.log(`(the failure record was not kept: ${e.message})`);
        }
        results.push(...recordsFor(r, rec, 'failed', undefined, error));
      }
      return 'done';
    };

    // Rows whose shared work another stage is computing are retried after the others; only when
    // every row left is busy does the stage wait (polling), so it never idles while it has work.
    const busy = new Map<number, string>();
    let queue = cfg.rows.map((_, k) => k);
    let waitedMs = 0;
    try {
      while (queue.length) {
        const next: number[] = [];
        for (const k of queue) if ((await attempt(k)) === 'busy') next.push(k);
        if (next.length && next.length === queue.length) {
          if (waitedMs === 0 || waitedMs % 300_000 < busyPollMs())
            progress.log(`waiting: ${[...new Set(next.map((k) => busy.get(k)))].join('; ')}`);
          await new Promise((res) => setTimeout(res, busyPollMs()));
          waitedMs += busyPollMs();
        }
        queue = next;
      }
    } catch (e) {
      // bad input (abortsStage, e.g. DataError), raised by a row and wrapped by attempt()
      if (!(e instanceof StageAborted)) throw e;
      progress.stop();
      return stopStage(e.reason, e.rowId);
    }
    for (const k of cfg.rows.keys()) {
      results.push(...rowResults[k]);
      activity.push(...rowActivity[k]);
    }
    progress.stop();

    try {
      writeResults(join(resultsDir, 'results.arrow'), results);
      writeActivity(join(resultsDir, 'activity.arrow'), activity);
      writeSeries(join(resultsDir, 'series.arrow'), rowSeries.flat());
      writeFileAtomic(join(resultsDir, 'timing.json'), `${JSON.stringify(timing, null, 1)}\n`);
      summary.wallSeconds = (Date.now() - t0) / 1000;
      writeSummary();
    } catch (e) {
      if (!(e instanceof WriteError)) throw e;
      return stopStage(e);
    }
    out.write(
      `[${opts.stage}] ${profile}: ${summary.rows} rows: ${summary.ran} run, ${summary.cached} cached, ${summary.failed} failed, ${summary.skipped} skipped in ${formatSeconds(summary.wallSeconds)}\n`,
    );
    if (summary.failed > 0 && opts.setExitCode !== false) process.exitCode = 1;
    return summary;
  } finally {
    stageLock.release();
  }
}
