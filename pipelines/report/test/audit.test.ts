import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseRow, runStage } from '@snn/pipeline';
import { readResults, writeResults } from '@snn/reporting';
import { buildReport } from '../src/build.js';
import { auditTables } from '../src/audit.js';

const quietOut = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

async function setup(): Promise<{ root: string; dir: string; configPath: string }> {
  const root = mkdtempSync(join(tmpdir(), 'snn-audit-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - pipelines/*\n');
  const sd = join(root, 'pipelines', 'table-08');
  mkdirSync(join(sd, 'src'), { recursive: true });
  writeFileSync(
    join(sd, 'package.json'),
    JSON.stringify({ name: '@snn/stage-table-08', scripts: { stage: 'tsx src/main.ts' } }),
  );
  const configPath = join(sd, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      stage: 'table-08',
      title: 'Table 8',
      rows: [
        { id: 'vgg5-agd', topology: 'VGG5', method: 'agd', T: 25, paper: { accuracy: 88.1 } },
        { id: 'vgg7-agd', topology: 'VGG7', method: 'agd', T: 25 },
      ],
    }),
  );
  await runStage({
    stage: 'table-08',
    config: configPath,
    rowSchema: baseRow,
    profile: 'smoke',
    resultsDir: join(root, 'artifacts', 'results', 'smoke'),
    needsEngine: false,
    setExitCode: false,
    out: quietOut,
    runRow: async (row) => ({
      metrics: [
        { metric: 'accuracy', value: row.id === 'vgg5-agd' ? 61.25 : 10.5, unit: '%' },
        { metric: 'train_samples', value: 5000, unit: 'count' },
        { metric: 'samples_per_s', value: row.id === 'vgg5-agd' ? 41.7 : 40.1, unit: 'img/s' },
      ],
    }),
  });
  const built = await buildReport(root, 'smoke', { svg: false });
  const dir = join(root, 'paper-tables');
  mkdirSync(dir);
  for (const [f, text] of built.files) if (!f.endsWith('.svg')) writeFileSync(join(dir, f), text);
  return { root, dir, configPath };
}

describe('timing stays out of the committed tables', () => {
  it('throughput and seconds go to timing.json, not into the stage tables', async () => {
    const { root } = await setup();
    const built = await buildReport(root, 'smoke', { svg: false });
    expect(built.files.get('table-08.md')).not.toContain('samples_per_s');
    expect(built.files.get('table-08.md')).toContain('train_samples');
    const t = JSON.parse(built.files.get('timing.json')!) as {
      stages: Record<string, Record<string, Record<string, number>>>;
    };
    expect(t.stages['table-08']!['vgg5-agd']!['samples_per_s (img/s)']).toBe(41.7);
    expect(t.stages['table-08']!['vgg5-agd']!.wall_seconds).toBeGreaterThanOrEqual(0);
  });
});

describe('audit:tables', () => {
  it('passes on a generated folder and names table, row and reason for a hand-edited number', async () => {
    const { root, dir } = await setup();
    expect(await auditTables(root, dir, undefined, { svg: false })).toEqual([]);
    const p = join(dir, 'table-08.md');
    writeFileSync(p, readFileSync(p, 'utf8').replace('| 61.25 |', '| 71.25 |'));
    const problems = await auditTables(root, dir, undefined, { svg: false });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'table-08.md', row: 'vgg5-agd' });
    expect(problems[0].reason).toContain('table says 71.25, Arrow gives 61.25');
  });

  it('names the row and column of a hand-edited run detail', async () => {
    const { root, dir } = await setup();
    const p = join(dir, 'table-08.md');
    writeFileSync(p, readFileSync(p, 'utf8').replace('| vgg7-agd | 5,000 |', '| vgg7-agd | 50,000 |'));
    const problems = await auditTables(root, dir, undefined, { svg: false });
    expect(problems).toEqual([
      {
        file: 'table-08.md',
        row: 'vgg7-agd',
        reason: "run detail differs from Arrow: 'train_samples': table says 50,000, Arrow gives 5,000",
      },
    ]);
  });

  it('reports a stale table after the config changed', async () => {
    const { root, dir, configPath } = await setup();
    const cfg = JSON.parse(readFileSync(configPath, 'utf8'));
    cfg.rows[1].T = 50;
    writeFileSync(configPath, JSON.stringify(cfg));
    const problems = await auditTables(root, dir, undefined, { svg: false });
    expect(problems.find((x) => x.row === 'vgg7-agd')?.reason).toMatch(/^stale: config hash/);
    expect(problems.find((x) => x.row === 'vgg5-agd')).toBeUndefined();
  });

  it('rejects rows computed from uncommitted code, and the table header says so', async () => {
    const { root, dir } = await setup();
    const file = join(root, 'artifacts', 'results', 'smoke', 'table-08', 'results.arrow');
    writeResults(
      file,
      readResults(file).map((r) =>
        r.rowId === 'vgg7-agd' ? { ...r, codeVersion: 'b77c8b25a8e3-dirty+diff.0123456789ab' } : r,
      ),
    );
    const built = await buildReport(root, 'smoke', { svg: false });
    expect(built.files.get('table-08.md')).toContain(
      '**Uncommitted code**: rows here were computed from a working tree with uncommitted changes (b77c8b25a8e3-dirty+diff.0123456789ab;',
    );
    for (const [f, text] of built.files) if (!f.endsWith('.svg')) writeFileSync(join(dir, f), text);
    const problems = await auditTables(root, dir, undefined, { svg: false });
    expect(problems).toEqual([
      {
        file: 'table-08.md',
        row: 'vgg7-agd',
        reason:
          'computed from uncommitted code (b77c8b25a8e3-dirty+diff.0123456789ab): commit the change and rerun the stage',
      },
    ]);
  });
});
