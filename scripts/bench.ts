/**
 * `pnpm bench [name...]`: runs every bench/*.ts module (each exports
 * `async function run(): Promise<BenchResult[]>`), prints a compact table, and writes
 * artifacts/bench/<name>.json plus a Vega-Lite bar chart spec artifacts/bench/<name>.vl.json.
 */
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initEngine } from '../packages/backend/src/index.js';
import type { BenchResult } from '../packages/backend/src/index.js';

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
    Object.entries(r.ratios ?? {}).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' '),
  ]);
  const head = ['group', 'case', 'ms', 'cpu ms', 'GFLOP/s', 'ratios'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
  return [`== ${name}`, line(head), ...rows.map(line)].join('\n');
}

function vegaLite(name: string, results: BenchResult[]): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `bench: ${name} (${results[0]?.engine.name ?? '?'} engine), median ms per call`,
    data: {
      values: results.map((r) => ({
        group: r.group,
        case: r.case,
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
      color: { field: 'group', type: 'nominal', legend: null },
      tooltip: [
        { field: 'case', type: 'nominal' },
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

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = (await readdir(benchDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort();
  const names = files.map((f) => f.replace(/\.ts$/, '')).filter((n) => only.length === 0 || only.includes(n));
  if (names.length === 0) throw new Error(`no bench modules matched ${only.join(', ') || '(any)'} in ${benchDir}`);
  await initEngine();
  await mkdir(outDir, { recursive: true });
  let failed = 0;
  for (const name of names) {
    const mod = (await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href)) as {
      run?: () => Promise<BenchResult[]>;
    };
    if (typeof mod.run !== 'function') {
      process.stderr.write(`bench/${name}.ts exports no run(); skipped\n`);
      failed++;
      continue;
    }
    const t0 = performance.now();
    try {
      const results = await mod.run();
      console.log(table(name, results));
      console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
      await writeAtomic(path.join(outDir, `${name}.json`), {
        name,
        createdAt: new Date().toISOString(),
        engine: results[0]?.engine ?? null,
        results,
      });
      await writeAtomic(path.join(outDir, `${name}.vl.json`), vegaLite(name, results));
    } catch (e) {
      failed++;
      process.stderr.write(`bench/${name}.ts failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

await main();
