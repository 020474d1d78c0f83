import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CheckResult } from './checks.js';
import { hashBytes, hashFile, writeFileAtomic } from './files.js';
import { findRepoRoot } from './paths.js';
import { writePreviews } from './preview.js';
import type { DatasetName, ImageSet, Split } from './types.js';

export interface SplitInfo {
  n: number;
  height: number;
  width: number;
  channels: number;
}
export interface SourceInfo {
  kind: 'local' | 'url' | 'npm';
  location: string;
  checksum?: string;
}
export interface Manifest {
  format: 1;
  name: DatasetName;
  createdAt: string;
  buildSeconds: number;
  source: SourceInfo;
  classes: string[];
  layout: 'NHWC uint8, row-major; labels uint8';
  splits: { train: SplitInfo; test: SplitInfo };
  /** mtimeMs lets a rerun skip re-hashing files nobody touched (rename keeps mtime) */
  files: Record<string, { bytes: number; sha256: string; mtimeMs: number }>;
  checks: CheckResult[];
}

export const DATA_FILES = {
  train: { images: 'train-images.u8', labels: 'train-labels.u8' },
  test: { images: 'test-images.u8', labels: 'test-labels.u8' },
} as const;

const info = (s: ImageSet): SplitInfo => ({ n: s.n, height: s.height, width: s.width, channels: s.channels });

/**
 * Writes a dataset into `<dataDir>/<name>/` atomically: everything goes to a sibling temp dir,
 * the manifest (with the sha256 of every file) is written last, then the dir is renamed in place.
 */
export async function writeDataset(
  dataDir: string,
  name: DatasetName,
  split: Split,
  meta: { source: SourceInfo; checks: CheckResult[]; startedAt: number },
): Promise<Manifest> {
  const final = join(dataDir, name);
  const tmp = join(dataDir, `.${name}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(tmp, { recursive: true });
  try {
    for (const s of ['train', 'test'] as const) {
      await writeFileAtomic(join(tmp, DATA_FILES[s].images), split[s].images);
      await writeFileAtomic(join(tmp, DATA_FILES[s].labels), split[s].labels);
    }
    await writePreviews(split.test, join(tmp, 'preview'));
    const files: Manifest['files'] = {};
    const names = [
      ...Object.values(DATA_FILES).flatMap((f) => [f.images, f.labels]),
      ...(await readdir(join(tmp, 'preview'))).sort().map((p) => `preview/${p}`),
    ];
    for (const f of names) {
      const st = await stat(join(tmp, f));
      files[f] = { bytes: st.size, sha256: await hashFile(join(tmp, f), 'sha256'), mtimeMs: st.mtimeMs };
    }
    const manifest: Manifest = {
      format: 1,
      name,
      createdAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - meta.startedAt) / 10) / 100,
      source: meta.source,
      classes: split.train.classes,
      layout: 'NHWC uint8, row-major; labels uint8',
      splits: { train: info(split.train), test: info(split.test) },
      files,
      checks: meta.checks,
    };
    await writeFileAtomic(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
    return manifest;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The data a stage was given is missing or damaged. Never a row's result: `runStage` stops the
 * stage on it (`abortsStage`), writes no results and exits 1, so Turbo caches nothing.
 */
export class DataError extends Error {
  readonly abortsStage = true;
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** `path` relative to the repo root when inside it (messages name files the way users see them). */
export function shownPath(path: string): string {
  try {
    const r = relative(findRepoRoot(), path);
    return r && !r.startsWith('..') ? r : path;
  } catch {
    return path;
  }
}

const REBUILD = 'the data is damaged; `pnpm reproduce` rebuilds it (or `pnpm --filter @snn/stage-data stage --force`)';

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return undefined;
  try {
    const m = JSON.parse(await readFile(p, 'utf8')) as Manifest;
    return m.format === 1 ? m : undefined;
  } catch {
    return undefined;
  }
}

export type VerifyMode = 'size' | 'quick' | 'full';

/**
 * Checks every file of a manifest. 'size': sizes only (catches truncation). 'quick': sizes, and
 * sha256 of any file whose mtime differs from the one recorded (a file nobody rewrote is trusted).
 * 'full': sha256 of everything (~0.2 s for CIFAR-10's 184 MB on an idle core).
 */
export async function verifyManifest(dir: string, m: Manifest, mode: VerifyMode): Promise<string | undefined> {
  for (const [f, want] of Object.entries(m.files)) {
    const p = join(dir, f);
    if (!existsSync(p)) return `${f} missing`;
    const st = await stat(p);
    if (st.size !== want.bytes) return `${f} has ${st.size} bytes, manifest says ${want.bytes}`;
    const hash = mode === 'full' || (mode === 'quick' && st.mtimeMs !== want.mtimeMs);
    if (hash && (await hashFile(p, 'sha256')) !== want.sha256) return `${f} sha256 differs from manifest`;
  }
  return undefined;
}

/**
 * Reads a split and verifies it by content: every byte read is hashed (sha256, ~0.1 s for
 * CIFAR-10's 154 MB of training images) and must match the manifest, so a flipped byte of the same
 * size is a DataError naming the file, never an accuracy.
 */
export async function readSplit(dir: string, m: Manifest): Promise<Split> {
  const readVerified = async (f: string): Promise<Uint8Array> => {
    const p = join(dir, f);
    const want = m.files[f];
    if (!want) throw new DataError(`${shownPath(join(dir, 'manifest.json'))}: lists no '${f}'; ${REBUILD}`);
    if (!existsSync(p)) throw new DataError(`${shownPath(p)}: missing; ${REBUILD}`);
    const bytes = new Uint8Array(await readFile(p));
    if (bytes.length !== want.bytes)
      throw new DataError(`${shownPath(p)}: ${bytes.length} bytes, its manifest says ${want.bytes}; ${REBUILD}`);
    const got = hashBytes(bytes, 'sha256');
    if (got !== want.sha256)
      throw new DataError(
        `${shownPath(p)}: content differs from its manifest (sha256 ${got.slice(0, 12)}…, expected ${want.sha256.slice(0, 12)}…); ${REBUILD}`,
      );
    return bytes;
  };
  const read = async (s: 'train' | 'test'): Promise<ImageSet> => {
    const i = m.splits[s];
    const images = await readVerified(DATA_FILES[s].images);
    const labels = await readVerified(DATA_FILES[s].labels);
    if (images.length !== i.n * i.height * i.width * i.channels || labels.length !== i.n) {
      throw new DataError(`${shownPath(dir)}: ${s} files do not match the split sizes in its manifest; ${REBUILD}`);
    }
    return { images, labels, ...i, classes: [...m.classes] };
  };
  return { train: await read('train'), test: await read('test') };
}
