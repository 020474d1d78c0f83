/**
 * paper-tables/ is committed, so it cannot be a Turbo output: Turbo hashes git-tracked files that
 * match a task's outputs, and the report would then miss the cache once after every change. The
 * report writes to artifacts/report/ (its Turbo output, restored on a cache hit) and `publish`
 * mirrors that folder into paper-tables/ (the report stage does it, and `pnpm reproduce` again
 * after Turbo, which covers cache hits).
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

/** Mirror artifacts/report/ (and its vendor/ scripts) into paper-tables/. Returns the number of files, or 0 if none. */
export function publish(root: string): number {
  const src = reportDir(root);
  if (!existsSync(src)) return 0;
  const files = new Map<string, string>();
  for (const f of readdirSync(src)) if (GENERATED.test(f)) files.set(f, readFileSync(join(src, f), 'utf8'));
  writeFolder(join(root, 'paper-tables'), files);
  const vendor = join(src, 'vendor');
  if (existsSync(vendor)) {
    const v = new Map<string, string>();
    for (const f of readdirSync(vendor)) if (f.endsWith('.js')) v.set(f, readFileSync(join(vendor, f), 'utf8'));
    writeFolder(join(root, 'paper-tables', 'vendor'), v, /\.js$/);
  }
  return files.size;
}
