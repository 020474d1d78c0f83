import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from `start` to the directory holding pnpm-workspace.yaml (the repo root). */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no pnpm-workspace.yaml above ${start}: cannot locate the repo root`);
    dir = up;
  }
}

/** `<repo>/artifacts/data`, or env SNN_DATA_DIR (docs/interfaces.md). */
export function defaultDataDir(): string {
  const env = process.env.SNN_DATA_DIR;
  if (env && env.trim() !== '') return resolve(env);
  return join(findRepoRoot(), 'artifacts', 'data');
}
