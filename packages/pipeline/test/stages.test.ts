import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listStages, repoRoot } from '../src/index.js';

// The wiring every stage package needs (docs/interfaces.md, "Adding a stage"): outputs declared
// for Turbo, and the report listed as a dependent so it runs after the stage.
describe('stage packages in this repo', () => {
  const root = repoRoot(import.meta.dirname);
  const stages = listStages(root).filter((s) => s.config);
  const report = JSON.parse(readFileSync(join(root, 'pipelines', 'report', 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  it.each(stages.map((s) => [s.dir, s] as const))(
    '%s declares its Turbo outputs and is a dependency of report',
    (dir, s) => {
      const tj = join(s.path, 'turbo.json');
      expect(existsSync(tj), `${dir}/turbo.json missing`).toBe(true);
      const t = JSON.parse(readFileSync(tj, 'utf8')) as { tasks?: { stage?: { outputs?: string[] } } };
      expect(t.tasks?.stage?.outputs ?? []).toContain(`$TURBO_ROOT$/artifacts/results/*/${dir}/**`);
      expect(Object.keys(report.devDependencies ?? {})).toContain(s.name);
      const cfg = JSON.parse(readFileSync(s.config!, 'utf8')) as { stage: string };
      expect(cfg.stage).toBe(dir);
    },
  );

  // A stage that reads datasets must run after the data stage (Turbo orders it by `^stage`), or a
  // fresh clone's rows fail with "no dataset". It reads them when @snn/datasets is among its
  // workspace dependencies, transitively (through a trainer or the stage glue).
  const pkgJson = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
  const libDeps = new Map<string, string[]>();
  for (const d of readdirSync(join(root, 'packages'))) {
    if (!existsSync(join(root, 'packages', d, 'package.json'))) continue;
    const j = pkgJson(join(root, 'packages', d));
    libDeps.set(
      j.name,
      Object.keys(j.dependencies ?? {}).filter((k) => k.startsWith('@snn/')),
    );
  }
  const needsDatasets = (name: string, seen = new Set<string>()): boolean => {
    if (name === '@snn/datasets') return true;
    if (seen.has(name)) return false;
    seen.add(name);
    return (libDeps.get(name) ?? []).some((d) => needsDatasets(d, seen));
  };
  it.each(stages.map((s) => [s.dir, s] as const))('%s depends on the data stage if it reads datasets', (dir, s) => {
    const pkg = pkgJson(s.path);
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const readsData = Object.keys(pkg.dependencies ?? {}).some((d) => needsDatasets(d));
    if (readsData) expect(deps, `${dir}/package.json`).toContain('@snn/stage-data');
  });
  it('the AGD and STDP stages read datasets through their stage glue', () => {
    expect(needsDatasets('@snn/stage-agd')).toBe(true);
    expect(needsDatasets('@snn/stage-stdp')).toBe(true);
  });
});
