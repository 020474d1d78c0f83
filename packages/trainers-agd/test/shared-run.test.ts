import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@snn/backend';
import { runAgdRowShared, type AgdRowContext } from '../src/rows.js';
import { agdRowWith } from './rows-fixture.js';
import { quadrantTask } from './synthetic.js';

const tmp = mkdtempSync(join(tmpdir(), 'agd-shared-'));
beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const row = agdRowWith({
  id: 'r',
  topology: 'VGG3',
  method: 'agd',
  T: 4,
  width: 1 / 16,
  trainSamples: 'all',
  testSamples: 'all',
  trainEpochs: 1,
  batchSize: 16,
});
const data = { train: quadrantTask(48, 1), test: quadrantTask(16, 2) };

describe('shared AGD runs (one training for identical rows of different stages)', () => {
  it('a second row with the same resolved config reuses the first result; a different config trains; a corrupt entry retrains', async () => {
    const cacheDir = join(tmp, 'agd-runs');
    const logs: string[] = [];
    const ctx = (stage: string, rowId: string): AgdRowContext => ({
      checkpointDir: mkdtempSync(join(tmp, 'ck-')),
      stage,
      rowId,
      progress: () => {},
      log: (m) => logs.push(m),
    });

    const a = await runAgdRowShared(row({ id: 'vgg3-agd' }), ctx('table-08', 'vgg3-agd'), { cacheDir, data });
    expect(a.sharedWith).toBeUndefined();
    expect(readdirSync(cacheDir)).toHaveLength(1);

    // another stage, another row id, same training: reused, and the log says from where
    const b = await runAgdRowShared(row({ id: 'vgg3-softmax' }), ctx('table-11', 'vgg3-softmax'), { cacheDir, data });
    expect(b.sharedWith).toBe('table-08 vgg3-agd');
    expect(b.metrics).toEqual(a.metrics);
    // each test image's correctness rides along (the report pairs rows on it): it reproduces the accuracy
    const correct = a.series!.filter((p) => p.series === 'correct');
    expect(correct.map((p) => p.x)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect((100 * correct.reduce((t, p) => t + p.y, 0)) / 16).toBeCloseTo(
      a.metrics.find((m) => m.metric === 'accuracy')!.value,
      9,
    );
    expect(b.series).toEqual(a.series);
    expect(logs.some((l) => /same training run as table-08 vgg3-agd: reused/.test(l))).toBe(true);

    // a setting that changes the training (T) is another run
    const c = await runAgdRowShared(row({ id: 'vgg3-t5', T: 5 }), ctx('table-11', 'vgg3-t5'), { cacheDir, data });
    expect(c.sharedWith).toBeUndefined();
    expect(readdirSync(cacheDir)).toHaveLength(2);

    // a damaged entry is never a result: it is retrained
    for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), '{"format":1,"key":"');
    const d = await runAgdRowShared(row({ id: 'vgg3-agd' }), ctx('table-08', 'vgg3-agd'), { cacheDir, data });
    expect(d.sharedWith).toBeUndefined();
    expect(d.metrics.find((m) => m.metric === 'accuracy')).toEqual(a.metrics.find((m) => m.metric === 'accuracy'));
    expect(logs.some((l) => /unreadable; training again/.test(l))).toBe(true);
  });
});
