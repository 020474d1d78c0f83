import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Write to a temp file in the same folder, then rename: a killed process leaves the last good file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The workspace root: the nearest folder upwards holding pnpm-workspace.yaml. */
export function repoRoot(from: string = process.cwd()): string {
  let d = resolve(from);
  for (;;) {
    if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d;
    const up = dirname(d);
    if (up === d) return resolve(from);
    d = up;
  }
}

/** artifacts/results (env SNN_RESULTS_DIR overrides). */
export function resultsRoot(root: string = repoRoot()): string {
  return process.env.SNN_RESULTS_DIR ? resolve(process.env.SNN_RESULTS_DIR) : join(root, 'artifacts', 'results');
}
