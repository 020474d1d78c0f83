/**
 * `pnpm bench [name...]`: runs every bench/*.ts module (each exports
 * `async function run(): Promise<BenchResult[]>`) on every engine present (tfjs-node, wasm), one
 * child process per engine, prints a compact table per engine and the two side by side, and
 * writes artifacts/bench/<name>.json (all engines) plus a Vega-Lite bar chart spec
 * artifacts/bench/<name>.vl.json. `SNN_BACKEND=wasm pnpm bench` runs one engine only.
 */
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { initEngine } from '../packages/backend/src/index.js';
import type { BenchResult, EngineName } from '../packages/backend/src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = path.join(root, 'bench');
const outDir = path.join(root, 'artifacts', 'bench');

function fmt(v: number | undefined, digits = 1): string {
  return v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits);
}

function table(name: string, results: BenchResult[]): string {
  const rows = results.map((r) => [
    r.group,
    r.case,
    fmt(r.ms),
    fmt(r.cpuMs),
    fmt(r.gflops),
    Object.entries(r.ratios ?? {})
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(' '),
  ]);
  const head = ['group', 'case', 'ms', 'cpu ms', 'GFLOP/s', 'ratios'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ');
  return [`== ${name}`, line(head), ...rows.map(line)].join('\n');
}

function vegaLite(name: string, results: BenchResult[]): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `bench: ${name} (${[...new Set(results.map((r) => r.engine.name))].join(' vs ')}), median ms per call`,
    data: {
      values: results.map((r) => ({
        group: r.group,
        case: r.case,
        engine: r.engine.name,
        ms: r.ms,
        cpuMs: r.cpuMs ?? null,
        minMs: r.minMs ?? null,
        gflops: r.gflops ?? null,
        ratio: r.ratios?.['train/forward'] ?? null,
      })),
    },
    mark: 'bar',
    encoding: {
      row: { field: 'group', type: 'nominal', title: null },
      y: { field: 'case', type: 'nominal', sort: null, title: null },
      x: { field: 'ms', type: 'quantitative', title: 'ms per call (median)' },
      yOffset: { field: 'engine', type: 'nominal' },
      color: { field: 'engine', type: 'nominal', title: 'engine' },
      tooltip: [
        { field: 'case', type: 'nominal' },
        { field: 'engine', type: 'nominal' },
        { field: 'ms', type: 'quantitative', format: '.1f' },
        { field: 'cpuMs', type: 'quantitative', format: '.1f', title: 'cpu ms' },
        { field: 'gflops', type: 'quantitative', format: '.1f', title: 'GFLOP/s' },
        { field: 'ratio', type: 'quantitative', format: '.2f', title: 'train/forward' },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

async function writeAtomic(file: string, data: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(data, null, 2) + '\n');
  await rename(tmp, file);
}

const ENGINES: readonly EngineName[] = ['tensorflow', 'wasm'];

/** Child mode: run the named modules on this process's engine and print their results as JSON. */
async function child(names: string[]): Promise<void> {
  await initEngine({ quiet: true });
  const out: Record<string, BenchResult[] | { error: string }> = {};
  for (const name of names) {
    const mod = (await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href)) as {
      run?: () => Promise<BenchResult[]>;
    };
    if (typeof mod.run !== 'function') {
      out[name] = { error: `bench/${name}.ts exports no run()` };
      continue;
    }
    try {
      out[name] = await mod.run();
    } catch (e) {
      out[name] = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }
  process.stdout.write(`\n@@bench-json ${JSON.stringify(out)}\n`);
}

/** Runs the modules on one engine in a child process (the engine is per process). */
function runOnEngine(
  engine: EngineName,
  names: string[],
): { results?: Record<string, BenchResult[] | { error: string }>; error?: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', ...names], {
    // One benchmark process has the machine: tfjs-node gets every core (the pipeline instead runs
    // one single-threaded stage per core); wasm in Node is single-threaded either way.
    env: {
      ...process.env,
      SNN_BACKEND: engine,
      SNN_THREADS: process.env.SNN_THREADS ?? String(availableParallelism()),
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('@@bench-json '));
  if (!line) return { error: `exit ${r.status ?? r.signal}` };
  return {
    results: JSON.parse(line.slice('@@bench-json '.length)) as Record<string, BenchResult[] | { error: string }>,
  };
}

/** Image-timesteps/s (or any shared ratio) per engine for the same case, side by side. */
function sideBySide(name: string, byEngine: Map<EngineName, BenchResult[]>): string[] {
  const lines: string[] = [];
  const present = [...byEngine.keys()];
  if (present.length < 2) return lines;
  const cases = new Map<string, Map<EngineName, BenchResult>>();
  for (const [e, rs] of byEngine) {
    for (const r of rs) {
      const k = `${r.group} / ${r.case}`;
      if (!cases.has(k)) cases.set(k, new Map());
      cases.get(k)!.set(e, r);
    }
  }
  lines.push(`-- ${name}: ${present.join(' vs ')}, ms per call (speed-up over ${present[present.length - 1]})`);
  for (const [k, m] of cases) {
    if (m.size < 2) continue;
    const base = m.get(present[present.length - 1]!);
    const cells = present.map((e) => {
      const r = m.get(e);
      if (!r) return `${e} -`;
      const its = r.ratios?.['image-timesteps/s'];
      return `${e} ${fmt(r.ms)} ms${its ? ` (${fmt(its, 0)} img*T/s)` : ''}`;
    });
    const top = m.get(present[0]!);
    const speed = top && base ? ` ${(base.ms / top.ms).toFixed(2)}x` : '';
    lines.push(`  ${k.padEnd(36)} ${cells.join('  ')}${speed}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv.slice(1));
  const files = (await readdir(benchDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const all = files.map((f) => f.replace(/\.ts$/, ''));
  const unknown = argv.filter((a) => !all.includes(a));
  if (unknown.length) throw new Error(`no bench module ${unknown.join(', ')} in bench/ (have: ${all.join(', ')})`);
  const names = argv.length ? argv : all;
  // Every engine present, side by side: SNN_BACKEND names one engine only.
  const engines = process.env.SNN_BACKEND ? [process.env.SNN_BACKEND as EngineName] : ENGINES;
  await mkdir(outDir, { recursive: true });
  const byName = new Map<string, Map<EngineName, BenchResult[]>>(names.map((n) => [n, new Map()]));
  let failed = 0;
  for (const engine of engines) {
    const t0 = performance.now();
    process.stderr.write(`[bench] ${names.join(', ')} on ${engine}\n`);
    const r = runOnEngine(engine, names);
    if (!r.results) {
      process.stderr.write(`[bench] engine ${engine} not available (${r.error}); skipped\n`);
      if (process.env.SNN_BACKEND) failed++;
      continue;
    }
    for (const [name, res] of Object.entries(r.results)) {
      if (!Array.isArray(res)) {
        failed++;
        process.stderr.write(`bench/${name}.ts failed on ${engine}: ${res.error}\n`);
        continue;
      }
      byName.get(name)!.set(engine, res);
      const e = res[0]?.engine;
      console.log(
        table(`${name} (${engine}${e?.threads ? `, ${e.threads} thread${e.threads > 1 ? 's' : ''}` : ''})`, res),
      );
    }
    console.log(`(${engine}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  for (const [name, byEngine] of byName) {
    if (byEngine.size === 0) continue;
    for (const l of sideBySide(name, byEngine)) console.log(l);
    const results = [...byEngine.values()].flat();
    await writeAtomic(path.join(outDir, `${name}.json`), {
      name,
      createdAt: new Date().toISOString(),
      engines: [...byEngine.values()].map((rs) => rs[0]?.engine ?? null),
      results,
    });
    await writeAtomic(path.join(outDir, `${name}.vl.json`), vegaLite(name, results));
  }
  if (failed) process.exitCode = 1;
}

await main();
