import { existsSync, readFileSync } from 'node:fs';
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
  // fresh clone's rows fail with "no dataset".
  it.each(stages.map((s) => [s.dir, s] as const))('%s depends on the data stage if it reads datasets', (dir, s) => {
    const pkg = JSON.parse(readFileSync(join(s.path, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const readsData = deps.some((d) => d === '@snn/datasets' || d === '@snn/ttfs' || d.startsWith('@snn/trainers-'));
    if (readsData) expect(deps, `${dir}/package.json`).toContain('@snn/stage-data');
  });
});
