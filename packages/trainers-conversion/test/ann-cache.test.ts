import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '@snn/backend';
import type { ImageSet } from '@snn/datasets';
import { trainConvertibleAnn } from '../src/annTraining.js';

beforeAll(async () => {
  await initEngine({ backend: 'cpu', quiet: true });
});

function images(n: number): ImageSet {
  const data = new Uint8Array(n * 32 * 32 * 3);
  let s = 7;
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  return {
    images: data,
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    n,
    height: 32,
    width: 32,
    channels: 3,
    classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
  };
}

describe('shared conversion ANN cache', () => {
  it('trains once, then loads; the folder is keyed by config, trainer code and engine', async () => {
    const root = mkdtempSync(join(tmpdir(), 'conv-ann-'));
    const cfg = {
      topology: 'VGG7' as const,
      width: 0.0625,
      classifier: 'softmax' as const,
      epochs: 1,
      batchSize: 10,
      lr: 1e-3,
      trainSamples: 20,
      seed: 0,
      augment: false,
    };
    const a = await trainConvertibleAnn(cfg, images(20), root);
    expect(a.trainedEpochs).toBe(1);
    expect(a.cacheDir).toMatch(/^.*VGG7-softmax-[0-9a-f]{16}-[0-9a-f]{12}-cpu_4[.0-9]+-d([0-9a-f]{8}|none)$/); // config, trainer code, engine, data
    const b = await trainConvertibleAnn(cfg, images(20), root);
    expect(b.trainedEpochs).toBe(0);
    expect(b.cacheDir).toBe(a.cacheDir);
    // another config gets its own folder
    const c = await trainConvertibleAnn({ ...cfg, seed: 1 }, images(20), root);
    expect(c.cacheDir).not.toBe(a.cacheDir);
    expect(readdirSync(root).length).toBe(2);
  }, 60000);
});
