import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
type TurboJson = { tasks?: Record<string, { env?: string[] }> };
const read = (p: string): TurboJson => JSON.parse(readFileSync(p, 'utf8')) as TurboJson;

describe('every stage hashes and receives the variables that change a result', () => {
  // A package turbo.json's `env` REPLACES the root list (Turbo's extends), so a stage that adds one
  // variable must repeat the root's: otherwise SNN_PROFILE, SNN_BACKEND... are neither hashed
  // nor passed to it (strict env mode) and it silently runs the default profile.
  const rootEnv = read(join(root, 'turbo.json')).tasks?.stage?.env ?? [];
  it('the root list names the profile, engine, threads and data/results folders', () => {
    for (const v of ['SNN_PROFILE', 'SNN_BACKEND', 'SNN_THREADS', 'SNN_DATA_DIR', 'SNN_RESULTS_DIR'])
      expect(rootEnv).toContain(v);
  });
  const stages = readdirSync(join(root, 'pipelines')).filter((d) =>
    existsSync(join(root, 'pipelines', d, 'turbo.json')),
  );
  for (const s of stages) {
    it(`${s}: its stage env list keeps every root variable`, () => {
      const env = read(join(root, 'pipelines', s, 'turbo.json')).tasks?.stage?.env;
      if (env === undefined) return; // inherits the root list
      expect(rootEnv.filter((v) => !env.includes(v))).toEqual([]);
    });
  }
});
