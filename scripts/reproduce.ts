/**
 * `pnpm reproduce [--profile smoke|quick|paper] [--only <stage>[,<stage>...] | --shard K/N] [--dry] [--explain <stage>[/<row>]]`
 *
 * Runs the pipeline through Turbo (its cache is the incremental rerun): every stage package's
 * `stage` task, then `report`. The profile goes to the stages as SNN_PROFILE (part of every Turbo
 * hash). `--only table-08` runs that stage and its dependencies (e.g. data), then the report.
 * `--dry` lists what would run and what is cached, from `turbo run --dry=json`.
 * `--explain table-08/vgg5-agd-t25` prints the resolved rows and where each value came from.
 * `--shard 2/3` runs the second of three cost-balanced, deterministic parts of the stages (no report):
 * machines sharing one Turbo remote cache (TURBO_API, TURBO_TOKEN, TURBO_TEAM) each run a shard, and
 * a plain `pnpm reproduce` anywhere then restores every stage from the cache and builds the report.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { $ } from 'zx';
import {
  anyRow,
  dataFingerprint,
  listStages,
  loadStageConfig,
  repoRoot,
  resolveProfile,
  isProfileName,
  PROFILES,
  PROFILE_NAMES,
  explainStageConfig,
  profileResults,
} from '../packages/pipeline/src/index.js';
import { publish } from '../pipelines/report/src/publish.js';
import { initEngine } from '../packages/backend/src/index.js';
import { onednnIsa } from '../packages/backend/src/isa.js';

const USAGE =
  'usage: pnpm reproduce [--profile smoke|quick|paper] [--only <stage>[,<stage>...] | --shard K/N] [--dry] [--explain <stage>[/<row>]]';

/** The command line, strictly: an unknown flag, a flag without its value or a stray word is one line and exit 2, before anything starts. */
function parseCommandLine(argv: string[]): {
  profile?: string;
  only?: string;
  explain?: string;
  shard?: { k: number; n: number };
  dry: boolean;
  help: boolean;
} {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        profile: { type: 'string', short: 'p' },
        only: { type: 'string' },
        explain: { type: 'string' },
        shard: { type: 'string' },
        dry: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (positionals.length) throw new Error(`unexpected argument '${positionals[0]}'`);
    for (const k of ['profile', 'only', 'explain', 'shard'] as const) {
      const v = values[k];
      if (v !== undefined && (v.trim() === '' || v.startsWith('-'))) throw new Error(`option '--${k}' needs a value`);
    }
    if (values.profile !== undefined && !isProfileName(values.profile)) {
      throw new Error(`unknown profile '${values.profile}': expected one of ${PROFILE_NAMES.join(', ')}`);
    }
    let shard: { k: number; n: number } | undefined;
    if (values.shard !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(values.shard);
      if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
        throw new Error(`--shard ${values.shard}: expected K/N with 1 <= K <= N, e.g. 1/2`);
      if (values.only !== undefined) throw new Error('--shard and --only cannot be combined');
      shard = { k: Number(m[1]), n: Number(m[2]) };
    }
    return {
      profile: values.profile,
      only: values.only,
      explain: values.explain,
      shard,
      dry: values.dry ?? false,
      help: values.help ?? false,
    };
  } catch (e) {
    let msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    const missing = /^Option '(--[a-z]+)[^']*' argument (missing|is ambiguous)/.exec(msg);
    if (missing) msg = `option '${missing[1]}' needs a value`;
    msg = msg.replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option/, 'unknown option');
    process.stderr.write(`reproduce: ${msg}\n${USAGE}\n`);
    process.exit(2);
  }
}

const args = parseCommandLine(process.argv.slice(2));
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const root = repoRoot();
let profile: ReturnType<typeof resolveProfile>;
try {
  profile = resolveProfile(args.profile ?? process.env.SNN_PROFILE ?? 'quick');
} catch (e) {
  process.stderr.write(`reproduce: SNN_PROFILE: ${(e as Error).message}\n`);
  process.exit(2);
}
const stages = listStages(root);
/** A stage by its folder (table-08) or package name (@snn/stage-table-08). */
const findStage = (o: string) =>
  stages.find((x) => x.dir === o || x.name === o || x.dir === o.replace(/^@snn\/stage-/, ''));

if (args.explain !== undefined) {
  // --explain <stage>[/<row>]: the rows as this profile resolves them, each value with its layer
  const [name, rowId] = args.explain.split('/');
  const s = findStage(name ?? '');
  if (!s?.config) {
    process.stderr.write(
      `reproduce: --explain: unknown stage '${name}'; stages: ${stages
        .filter((x) => x.config)
        .map((x) => x.dir)
        .join(', ')}\n`,
    );
    process.exit(2);
  }
  // the stage's own row schema (exported by its src/main.ts) adds the defaults it fills in
  let schema: Parameters<typeof explainStageConfig>[3];
  const main = join(root, 'pipelines', s.dir, 'src', 'main.ts');
  if (existsSync(main)) {
    const mod = (await import(pathToFileURL(main).href)) as { rowSchema?: Parameters<typeof explainStageConfig>[3] };
    schema = mod.rowSchema;
  }
  let rows: ReturnType<typeof explainStageConfig>;
  try {
    rows = explainStageConfig(s.config, profile, rowId, schema);
  } catch (e) {
    process.stderr.write(`reproduce: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (!rows.length) {
    process.stderr.write(`reproduce: --explain: ${s.dir} has no row '${rowId}'\n`);
    process.exit(2);
  }
  const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  for (const r of rows) {
    process.stdout.write(`${s.dir}/${r.id} (profile ${profile}, config hash ${r.hash})\n`);
    const w = Math.max(...r.fields.map((f) => f.key.length));
    for (const f of r.fields) process.stdout.write(`  ${f.key.padEnd(w)}  ${show(f.value).padEnd(14)}  ${f.from}\n`);
  }
  process.stdout.write(
    schema
      ? `this is everything the stage's trainer reads: the profile's overrides are the stage config's profiles.${profile} layers\n`
      : `${s.dir}/src/main.ts exports no rowSchema: the values its schema fills in are not listed\n`,
  );
  process.exit(0);
}
const REPORT = '@snn/stage-report';

/**
 * The stages split into `n` parts of about equal cost, the same on every machine: cost = the rows a
 * stage runs at this profile (skipped rows aside), parts filled longest first (LPT), ties by name.
 */
function shardPlan(
  n: number,
): Array<{ cost: number; stages: Array<{ stage: (typeof stages)[number]; cost: number }> }> {
  const costed = stages
    .filter((s) => s.config && s.name !== REPORT)
    .map((s) => ({
      stage: s,
      cost: loadStageConfig(s.config!, anyRow, profile).rows.filter((r) => r.row.skip === undefined).length,
    }))
    .sort((a, b) => b.cost - a.cost || a.stage.dir.localeCompare(b.stage.dir));
  const parts = Array.from({ length: n }, () => ({ cost: 0, stages: [] as typeof costed }));
  for (const c of costed) {
    const p = parts.reduce((best, x) => (x.cost < best.cost ? x : best), parts[0]!);
    p.stages.push(c);
    p.cost += c.cost;
  }
  return parts;
}
const turbo = join(root, 'node_modules', '.bin', 'turbo');
// Both engines run one thread per stage process (wasm always; tensorflow by default, SNN_THREADS),
// so one computing row per core keeps every core busy without oversubscribing. Rows take one of
// SNN_JOBS job slots while they compute (@snn/runtime slots.ts, as make's jobserver), and Turbo
// runs twice as many stages as slots: a stage whose rows wait on shared work another stage is
// computing gives its core to one that can compute. SNN_JOBS (default: the cores) overrides.
const jobs = Number(process.env.SNN_JOBS ?? availableParallelism());
if (!Number.isInteger(jobs) || jobs < 1) {
  process.stderr.write(
    `reproduce: SNN_JOBS=${process.env.SNN_JOBS}: expected a whole number of stages to run at once (1 or more)\n`,
  );
  process.exit(2);
}

const only: string | undefined = args.only;
let runs: string[][];
if (args.shard) {
  // this machine's part of the stages; Turbo adds their dependency stages (e.g. data), which other
  // shards also run or take from the shared cache. No report: the assembling run builds it.
  const plan = shardPlan(args.shard.n);
  const mine = plan[args.shard.k - 1]!;
  process.stdout.write(
    `shard ${args.shard.k}/${args.shard.n} (profile ${profile}; cost = rows to run at this profile): ` +
      `${plan.map((p, i) => `${i + 1}: ${p.stages.map((x) => `${x.stage.dir} ${x.cost}`).join(', ')} (${p.cost})`).join(' | ')}\n`,
  );
  runs = mine.stages.length ? [mine.stages.map((x) => `--filter=${x.stage.name}`)] : [];
} else if (only) {
  // --only a,b: those stages (with their dependency stages), then the report alone (its own
  // dependsOn would pull every stage)
  const picked = only
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      const s = findStage(o);
      if (!s) {
        process.stderr.write(`reproduce: unknown stage '${o}'; stages: ${stages.map((x) => x.dir).join(', ')}\n`);
        process.exit(2);
      }
      return s;
    });
  const named = picked.filter((s) => s.name !== REPORT).map((s) => `--filter=${s.name}`);
  runs = named.length ? [named, [`--filter=${REPORT}`, '--only']] : [[`--filter=${REPORT}`, '--only']];
} else {
  // The stages first, then the report alone: the report's Turbo inputs include the stages' Arrow
  // results, which must exist when Turbo hashes it, or the next run misses its cache once.
  const listed = stages.find((x) => x.name === REPORT)?.dependencies ?? [];
  const missing = stages.filter((x) => x.config && !listed.includes(x.name)).map((x) => x.name);
  if (missing.length)
    process.stderr.write(`reproduce: ${missing.join(', ')} not in pipelines/report/package.json devDependencies\n`);
  runs = [[`--filter=!${REPORT}`], [`--filter=${REPORT}`, '--only']];
}

// Name the engine once, here, so every stage uses the same one and it is part of each stage's Turbo
// hash: results computed on wasm are not reused after tfjs-node becomes available (or back).
const engine = await initEngine();
// Every Node process of the run watches this one and exits when it dies (scripts/parent-watch.mjs):
// Turbo gives each stage its own process group, which a kill of ours would not reach.
const watch = `--import=${pathToFileURL(join(root, 'scripts', 'parent-watch.mjs')).href}`;
const env: Record<string, string | undefined> = {
  ...process.env,
  SNN_PROFILE: profile,
  SNN_BACKEND: engine.name,
  // the CPU class oneDNN computes with (tensorflow only): part of every stage's Turbo hash
  SNN_ENGINE_ISA: engine.name === 'tensorflow' ? onednnIsa() : 'any',
  TURBO_TELEMETRY_DISABLED: '1',
  SNN_RUN_PID: String(process.pid),
  SNN_SLOTS: String(jobs),
  SNN_SLOT_DIR: join(root, 'artifacts', '.slots'),
  NODE_OPTIONS: [process.env.NODE_OPTIONS, watch].filter(Boolean).join(' '),
};
// The datasets' content is part of every stage's Turbo hash (SNN_DATA_ID, in each stage's env
// list): the data stage runs first (it verifies by sha256 and rebuilds what is damaged or missing;
// Turbo never caches it), then the fingerprint of what it left (the files' sha256 in its manifests)
// goes to the stages, so data with other bytes is never a cache hit. --dry reads the manifests as they are.
if (!args.dry) {
  const d = await $({
    cwd: root,
    env,
    stdio: 'inherit',
    nothrow: true,
  })`${turbo} run stage --filter=@snn/stage-data --output-logs=new-only`;
  if (d.exitCode !== 0) {
    process.stderr.write('reproduce: the data stage failed (its lines above say why); nothing else was started\n');
    process.exit(1);
  }
}
env.SNN_DATA_ID = dataFingerprint(root);

interface DryTask {
  taskId: string;
  package: string;
  hash: string;
  command: string;
  cache: { status: string };
  dependencies: string[];
}

const $$ = $({ cwd: root, env, verbose: false, quiet: true });

if (args.dry) {
  process.stdout.write(`profile ${profile} (${PROFILES[profile].description}); engine ${engine.name}\n`);
  for (const extra of runs) {
    const out = await $$`${turbo} run stage --dry=json ${extra}`;
    const dry = JSON.parse(out.stdout) as { tasks: DryTask[] };
    for (const t of dry.tasks.filter((x) => x.command !== '<NONEXISTENT>')) {
      process.stdout.write(`${t.cache.status === 'HIT' ? 'cached ' : 'run    '} ${t.taskId.padEnd(34)} ${t.hash}\n`);
    }
  }
  process.exit(0);
}

interface RunSummary {
  id: string;
  execution: {
    success: number;
    failed: number;
    cached: number;
    attempted: number;
    startTime: number;
    endTime: number;
    exitCode: number;
  };
  tasks: Array<{
    taskId: string;
    package: string;
    command: string;
    cache: { status: string };
    execution?: { exitCode: number };
  }>;
}

function newestRunSummary(after: number): RunSummary | undefined {
  const dir = join(root, '.turbo', 'runs');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).mtimeMs >= after);
  files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files.length ? (JSON.parse(readFileSync(files[0], 'utf8')) as RunSummary) : undefined;
}

const t0 = Date.now();
let failed = false;
const lines: string[] = [];
for (const extra of runs) {
  const started = Date.now();
  const p = await $({
    cwd: root,
    env,
    stdio: 'inherit',
    nothrow: true,
  })`${turbo} run stage --continue --summarize --concurrency=${String(2 * jobs)} ${extra}`;
  if (p.exitCode !== 0) failed = true;
  const sum = newestRunSummary(started - 1000);
  if (!sum) continue;
  for (const t of sum.tasks.filter((x) => x.command !== '<NONEXISTENT>')) {
    const dir = stages.find((s) => s.name === t.package)?.dir ?? t.package;
    const code = t.execution?.exitCode;
    let detail = '';
    const sj = join(profileResults(profile, root), dir, 'summary.json');
    // Row counts only from this run's own summary: a cached stage did no work now, and a stage that
    // failed before writing its summary must not show the previous run's counts.
    if (t.cache.status === 'HIT') detail = 'restored from the Turbo cache';
    else if (existsSync(sj) && statSync(sj).mtimeMs >= started - 1000) {
      const s = JSON.parse(readFileSync(sj, 'utf8')) as {
        profile: string;
        rows: number;
        ran: number;
        cached: number;
        failed: number;
        skipped: number;
        wallSeconds: number;
        aborted?: string;
      };
      if (s.profile === profile) {
        detail = s.aborted
          ? `stopped, nothing recorded: ${s.aborted}`
          : `${s.rows} rows: ${s.ran} run, ${s.cached} reused, ${s.failed} failed, ${s.skipped} skipped (${s.wallSeconds.toFixed(1)}s)`;
      }
    }
    lines.push(
      `  ${dir.padEnd(14)} ${t.cache.status === 'HIT' ? 'cached' : code === 0 ? 'ran   ' : 'FAILED'}  ${detail}`,
    );
  }
  lines.push(
    `  turbo: ${sum.execution.attempted} tasks, ${sum.execution.cached} cached, ${sum.execution.failed} failed${sum.execution.attempted > 0 && sum.execution.cached === sum.execution.attempted ? ' (FULL TURBO)' : ''}`,
  );
}
// The report's Turbo output is artifacts/report/; mirror it (also after a cache hit) into paper-tables/.
const published = args.shard ? undefined : publish(root);
const where = args.shard
  ? `shard ${args.shard.k}/${args.shard.n} done (no report: \`pnpm reproduce\` with the same remote cache assembles it)`
  : published!.files
    ? `${published!.files} files in paper-tables/`
    : (published!.note ?? 'no report');
process.stdout.write(
  `\nreproduce (${profile}) summary:\n${lines.join('\n')}\n  wall ${((Date.now() - t0) / 1000).toFixed(1)}s; ${where}\n`,
);
process.exit(failed ? 1 : 0);
