import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Atomic write (temp file, rename; a WriteError naming the file on failure): one implementation, in @snn/reporting. */
export { writeFileAtomic, WriteError } from '@snn/reporting';

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

/** artifacts/results (env SNN_RESULTS_DIR overrides): one folder per profile below it. */
export function resultsRoot(root: string = repoRoot()): string {
  return process.env.SNN_RESULTS_DIR ? resolve(process.env.SNN_RESULTS_DIR) : join(root, 'artifacts', 'results');
}

/**
 * `artifacts/results/<profile>/`: each profile's stages write below their own folder, so a smoke
 * run never overwrites the quick results (stage folders `<profile>/<stage>/` inside it).
 */
export function profileResults(profile: string, root: string = repoRoot()): string {
  return join(resultsRoot(root), profile);
}
