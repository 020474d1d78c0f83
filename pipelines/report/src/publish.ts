/**
 * paper-tables/ is committed, so it cannot be a Turbo output: Turbo hashes git-tracked files that
 * match a task's outputs, and the report would then miss the cache once after every change. The
 * report writes to artifacts/report/ (its Turbo output, restored on a cache hit) and `publish`
 * mirrors that folder into paper-tables/ (the report stage does it, and `pnpm reproduce` again
 * after Turbo, which covers cache hits).
 * paper-tables/ holds one profile's tables (the committed `quick` ones): a report of another
 * profile (a `smoke` check, say) stays in artifacts/report/ and never replaces them, unless
 * SNN_PUBLISH=1 asks for it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@snn/pipeline';

export const GENERATED = /\.(md|svg|vl\.json|html)$/;

export function reportDir(root: string): string {
  return join(root, 'artifacts', 'report');
}

/** Make `dir` hold exactly `files` among generated file types (others are left alone). */
export function writeFolder(dir: string, files: ReadonlyMap<string, string>, generated: RegExp = GENERATED): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (generated.test(f) && !files.has(f)) rmSync(join(dir, f));
  for (const [name, text] of files) {
    const p = join(dir, name);
    if (existsSync(p) && readFileSync(p, 'utf8') === text) continue; // keep mtimes of unchanged files
    writeFileAtomic(p, text);
  }
}

/** The profile a report folder was generated for (its README's `<!-- report profile=... -->`). */
export function folderProfile(dir: string): string | undefined {
  const p = join(dir, 'README.md');
  if (!existsSync(p)) return undefined;
  return /<!-- report profile=(\S+) -->/.exec(readFileSync(p, 'utf8'))?.[1];
}

export interface Published {
  files: number;
  dir: string;
  note?: string;
}

/**
 * Mirror artifacts/report/ (and its vendor/ scripts) into paper-tables/, if the report is of the
 * profile paper-tables/ holds (or SNN_PUBLISH=1). `files` is 0 when nothing was published.
 */
export function publish(root: string, env: NodeJS.ProcessEnv = process.env): Published {
  const src = reportDir(root);
  const dest = join(root, 'paper-tables');
  if (!existsSync(src)) return { files: 0, dir: src, note: 'no report yet' };
  const mine = folderProfile(src);
  const theirs = folderProfile(dest);
  if (theirs !== undefined && mine !== theirs && env.SNN_PUBLISH !== '1') {
    return {
      files: 0,
      dir: src,
      note: `paper-tables/ keeps its ${theirs} tables; this ${mine ?? '?'} report is in artifacts/report/ (SNN_PUBLISH=1 publishes it)`,
    };
  }
  const files = new Map<string, string>();
  for (const f of readdirSync(src)) if (GENERATED.test(f)) files.set(f, readFileSync(join(src, f), 'utf8'));
  writeFolder(dest, files);
  const vendor = join(src, 'vendor');
  if (existsSync(vendor)) {
    const v = new Map<string, string>();
    for (const f of readdirSync(vendor)) if (f.endsWith('.js')) v.set(f, readFileSync(join(vendor, f), 'utf8'));
    writeFolder(join(dest, 'vendor'), v, /\.js$/);
  }
  return { files: files.size, dir: dest };
}
