/** Discovery of stage packages: every pipelines/<dir> whose package.json has a `stage` script. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StageInfo {
  /** Folder name under pipelines/ (= stage id, = artifacts/results/<dir>). */
  dir: string;
  /** Package name, e.g. @snn/stage-params. */
  name: string;
  path: string;
  /** Has a config.json (table stages do; data and report do not). */
  config?: string;
  dependencies: string[];
}

export function listStages(root: string): StageInfo[] {
  const base = join(root, 'pipelines');
  if (!existsSync(base)) return [];
  const out: StageInfo[] = [];
  for (const dir of readdirSync(base).sort()) {
    const pj = join(base, dir, 'package.json');
    if (!existsSync(pj)) continue;
    const j = JSON.parse(readFileSync(pj, 'utf8')) as {
      name: string;
      scripts?: Record<string, string>;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    if (!j.scripts?.stage) continue;
    const cfg = join(base, dir, 'config.json');
    out.push({
      dir,
      name: j.name,
      path: join(base, dir),
      config: existsSync(cfg) ? cfg : undefined,
      dependencies: Object.keys({ ...j.dependencies, ...j.devDependencies }),
    });
  }
  return out;
}
