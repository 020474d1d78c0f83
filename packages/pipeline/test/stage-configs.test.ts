// One source for a row's config: every stage's config resolves under its own row schema at every
// profile, so each value a trainer reads is in the resolved row (profiles are layers of the stage
// config; there is no global knob behind them). A stage whose profile forgot a value its schema
// requires fails here, naming the file, row and field, instead of silently reading a fallback.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadStageConfig, PROFILE_NAMES, repoRoot } from '../src/index.js';

const root = repoRoot();
const stages = readdirSync(join(root, 'pipelines')).filter(
  (d) =>
    existsSync(join(root, 'pipelines', d, 'config.json')) && existsSync(join(root, 'pipelines', d, 'src', 'main.ts')),
);

describe('every stage config resolves under its row schema at every profile', () => {
  it('lists the stages with rows', () => {
    expect(stages.length).toBeGreaterThanOrEqual(14);
  });
  for (const dir of stages) {
    it(dir, async () => {
      const mod = (await import(pathToFileURL(join(root, 'pipelines', dir, 'src', 'main.ts')).href)) as {
        rowSchema?: z.ZodType;
      };
      expect(mod.rowSchema, `pipelines/${dir}/src/main.ts exports its rowSchema`).toBeDefined();
      for (const profile of PROFILE_NAMES) {
        const cfg = loadStageConfig(join(root, 'pipelines', dir, 'config.json'), mod.rowSchema!, profile);
        expect(cfg.rows.length).toBeGreaterThan(0);
      }
    });
  }
});
