import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

function reproduce(
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(tsx, [join(root, 'scripts', 'reproduce.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('pnpm reproduce validates its command line before starting anything', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--profle', 'smoke'], /^reproduce: unknown option '--profle'/],
    [['--bogus'], /^reproduce: unknown option '--bogus'/],
    [['--only'], /^reproduce: option '--only' needs a value/],
    [['--only', '--dry'], /^reproduce: option '--only' needs a value/],
    [['--profile', 'nosuch'], /^reproduce: unknown profile 'nosuch': expected one of smoke, quick, paper/],
    [['smoke'], /^reproduce: unexpected argument 'smoke'/],
    [['--only', 'table-99', '--dry'], /^reproduce: unknown stage 'table-99'; stages: .*table-08/],
  ];
  for (const [args, want] of cases) {
    it(`${args.join(' ')}: one line, exit 2`, () => {
      const r = reproduce(args);
      expect(r.status).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('[snn] engine'));
      expect(lines[0]).toMatch(want);
      expect(lines.length).toBeLessThanOrEqual(2); // the reason, then the usage line
    });
  }
  it('SNN_JOBS that is not a count: one line, exit 2', () => {
    const r = reproduce(['--dry'], { SNN_JOBS: 'two' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^reproduce: SNN_JOBS=two: expected a whole number/);
  });
  it('an unknown SNN_PROFILE: one line, exit 2', () => {
    const r = reproduce(['--dry'], { SNN_PROFILE: 'x' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("reproduce: SNN_PROFILE: unknown profile 'x': expected one of smoke, quick, paper");
  });
});

describe('pnpm reproduce --explain', () => {
  it('prints each resolved value of a row with the layer it came from, per profile', () => {
    const q = reproduce(['--explain', 'table-08/vgg5-agd-t25']);
    expect(q.status).toBe(0);
    expect(q.stdout).toMatch(/^table-08\/vgg5-agd-t25 \(profile quick, config hash [0-9a-f]{16}\)/);
    expect(q.stdout).toMatch(/\n {2}lr +0\.001 +stage defaults\n/);
    expect(q.stdout).toMatch(/\n {2}T +25 +row\n/);
    expect(q.stdout).toMatch(/\n {2}trainSamples +\d+ +stage profiles\.quick\n/);
    // the schema's own defaults are listed too: the resolved row is all the trainer reads
    expect(q.stdout).toMatch(/\n {2}momentum +0\.9 +schema default\n/);
    expect(q.stdout).toMatch(/\n {2}width +0\.125 +stage profiles\.quick\n/);
    expect(q.stdout).toMatch(/this is everything the stage's trainer reads/);
    expect(q.stdout).not.toMatch(/global profile/);
    const s = reproduce(['--explain', 'table-08/vgg5-agd-t25', '--profile', 'smoke']);
    expect(s.stdout).toMatch(/\n {2}trainSamples +60 +stage profiles\.smoke\n/);
    // a row's own per-profile override is named as such
    expect(reproduce(['--explain', 'table-02/vgg7-conv-short']).stdout).toMatch(/\n {2}T +32 +row profiles\.quick\n/);
    // every row of a stage
    const rows = (
      JSON.parse(readFileSync(join(root, 'pipelines', 'table-10', 'config.json'), 'utf8')) as { rows: unknown[] }
    ).rows.length;
    expect(reproduce(['--explain', 'table-10']).stdout.match(/^table-10\//gm)?.length).toBe(rows);
  });
  it('an unknown stage or row: one line, exit 2', () => {
    expect(reproduce(['--explain', 'table-99']).stderr).toMatch(/^reproduce: --explain: unknown stage 'table-99'/);
    const r = reproduce(['--explain', 'table-08/nosuch']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("reproduce: --explain: table-08 has no row 'nosuch'");
  });
});
