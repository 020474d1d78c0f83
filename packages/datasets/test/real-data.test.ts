import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { balancedSubset, datasetChecks, defaultDataDir, loadDataset } from '../src/index.js';

// Runs only where the data stage has produced artifacts/data (skipped on a fresh clone).
const dir = defaultDataDir();
const has = (name: string): boolean => existsSync(join(dir, name, 'manifest.json'));

describe.skipIf(!has('cifar10'))('real CIFAR-10 in artifacts/data', () => {
  it('passes the published checks', async () => {
    const split = await loadDataset('cifar10');
    const checks = datasetChecks('cifar10', split);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toContain('first-test-pixels');
    const sub = balancedSubset(split.train, 1000, 1);
    expect(sub.labels.filter((l) => l === 3).length).toBe(100);
  });
});

describe.skipIf(!has('mnist'))('real MNIST in artifacts/data', () => {
  it('passes the published checks', async () => {
    const checks = datasetChecks('mnist', await loadDataset('mnist'));
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});
