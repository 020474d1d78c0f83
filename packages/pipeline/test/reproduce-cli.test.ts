import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

function reproduce(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(tsx, [join(root, 'scripts', 'reproduce.ts'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
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
