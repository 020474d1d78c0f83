import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { baseRow, ConfigError, loadStageConfig, rowHash } from '../src/index.js';
import { tempStage } from './helpers.js';

const schema = baseRow.extend({ epochs: z.number().int().positive().default(10) });
const good = {
  stage: 't',
  title: 'T',
  defaults: { method: 'agd' },
  profiles: { smoke: { epochs: 1 } },
  rows: [
    { id: 'a', topology: 'VGG5', T: 25 },
    { id: 'b', topology: 'VGG7', T: 25, profiles: { quick: { T: 10 } } },
  ],
};

describe('stage config', () => {
  it('applies defaults, then the row, then profile overrides', () => {
    const { configPath } = tempStage('t', good);
    const smoke = loadStageConfig(configPath, schema, 'smoke');
    expect(smoke.rows.map((r) => [r.id, r.row.method, r.row.epochs, r.row.T])).toEqual([
      ['a', 'agd', 1, 25],
      ['b', 'agd', 1, 25],
    ]);
    const quick = loadStageConfig(configPath, schema, 'quick');
    expect(quick.rows[1].row.T).toBe(10);
    expect(quick.rows[0].row.epochs).toBe(10); // schema default
  });

  it('names file, row id and index, field, and what was expected', () => {
    const bad = structuredClone(good) as typeof good;
    (bad.rows[1] as Record<string, unknown>).T = '25';
    const { configPath } = tempStage('t', bad);
    let err: unknown;
    try {
      loadStageConfig(configPath, schema, 'smoke');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('config.json');
    expect(msg).toContain("row 'b' (index 1)");
    expect(msg).toContain("field 'T'");
    expect(msg).toMatch(/expected number/);
  });

  it('rejects unknown fields, duplicate ids and bad profile names', () => {
    const bad = { ...good, rows: [{ id: 'a', topolgy: 'VGG5' }, { id: 'a' }], profiles: { fast: {} } };
    const { configPath } = tempStage('t', bad);
    expect(() => loadStageConfig(configPath, schema, 'smoke')).toThrow(/field 'profiles/);
    const bad2 = { ...good, rows: [{ id: 'a', topolgy: 'VGG5' }, { id: 'b' }, { id: 'b' }] };
    const p2 = tempStage('t', bad2).configPath;
    const msg = (() => {
      try {
        loadStageConfig(p2, schema, 'smoke');
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg).toContain(
      "row 'a' (index 0), field 'topolgy': unknown field; did you mean 'topology'? (profile smoke)",
    );
    expect(msg).toContain("row 'b' (index 2), field 'id': duplicate id");
    const far = tempStage('t', { ...good, rows: [{ id: 'a', flavour: 'x' }] }).configPath;
    expect(() => loadStageConfig(far, schema, 'smoke')).toThrow(/field 'flavour': unknown field \(profile smoke\)/); // nothing close: no guess
  });

  it('row hash changes with the profile and with the row, not with key order', () => {
    const raw = { id: 'a', T: 25, topology: 'VGG5' };
    const h = rowHash('t', raw, 'smoke');
    expect(rowHash('t', { topology: 'VGG5', T: 25, id: 'a' }, 'smoke')).toBe(h);
    expect(rowHash('t', raw, 'quick')).not.toBe(h);
    expect(rowHash('t', { ...raw, T: 50 }, 'smoke')).not.toBe(h);
    expect(rowHash('t2', raw, 'smoke')).not.toBe(h);
    const { configPath } = tempStage('t', good);
    const a = loadStageConfig(configPath, schema, 'smoke').rows[0].hash;
    const b = loadStageConfig(configPath, schema, 'paper').rows[0].hash;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });
});

describe('config errors a user reads', () => {
  it('bad JSON: line, column and the line itself', () => {
    const { configPath } = tempStage('t', good);
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('"topology": "VGG5",', '"topology": "VGG5",,'));
    let err: unknown;
    try {
      loadStageConfig(configPath, schema, 'quick');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/cannot read JSON: .* at line \d+, column \d+: "topology": "VGG5",,/);
  });

  it('a stage with a bad config prints the problem once, without a stack, and exits 2 before any row', () => {
    const { configPath, resultsDir } = tempStage('t', { ...good, rows: [{ id: 'a', topology: 'VGG5', T: 'x' }] });
    const main = join(dirname(configPath), 'src', 'run.mts');
    const pipeline = join(import.meta.dirname, '..', 'src', 'index.ts');
    writeFileSync(
      main,
      `import { runStage, baseRow } from ${JSON.stringify(pipeline)};\n` +
        `await runStage({ stage: 't', config: ${JSON.stringify(configPath)}, rowSchema: baseRow, profile: 'quick', resultsDir: ${JSON.stringify(resultsDir)}, needsEngine: false, runRow: async () => { throw new Error('must not run'); } });\n`,
    );
    const tsx = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const r = spawnSync(tsx, [main], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.match(/invalid stage config/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/row 'a'.*field 'T'/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain('must not run');
  }, 30000);
});
