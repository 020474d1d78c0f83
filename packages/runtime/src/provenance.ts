/**
 * Provenance that travels with every number (style.md, "Results carry their provenance"):
 * the git version of the checkout, and a fingerprint of the code a stage runs (its own src and the
 * src of every workspace package it depends on, transitively). The fingerprint decides resume:
 * a row checkpoint made by other code is not reused, even when the row's config hash matches.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './fsutil.js';

/**
 * `git describe --always --dirty` (e.g. 'a1b2c3d4e5f6'), or 'unknown' outside a git checkout. A
 * working tree with uncommitted changes gets '-dirty+diff.<12 hex>', the sha256 of `git diff HEAD`
 * (tracked files, binary-safe): two rows made from the same uncommitted change say so, and the report
 * marks such rows (they cannot be checked out; `pnpm audit:tables` rejects them in committed tables).
 */
export function gitVersion(root: string): string {
  const git = (args: string[]): Buffer =>
    execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  let v: string;
  try {
    v = git(['describe', '--always', '--dirty', '--abbrev=12']).toString().trim();
  } catch {
    return 'unknown';
  }
  if (!v.endsWith('-dirty')) return v;
  try {
    return `${v}+diff.${createHash('sha256')
      .update(git(['diff', 'HEAD', '--binary']))
      .digest('hex')
      .slice(0, 12)}`;
  } catch {
    return v;
  }
}

/**
 * The content of the datasets the stages read: sha256 of every data file as the data stage's
 * manifests record it (`<data dir>/<name>/manifest.json`; SNN_DATA_DIR or artifacts/data), so a
 * dataset rebuilt with other bytes reruns the rows made from the old ones, while a rebuild with the
 * same bytes (or a new timestamp) changes nothing. 'none' when no dataset is there yet.
 */
export function dataFingerprint(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.SNN_DATA_DIR && env.SNN_DATA_DIR.trim() !== '' ? env.SNN_DATA_DIR : join(root, 'artifacts', 'data');
  if (!existsSync(dir)) return 'none';
  const h = createHash('sha256');
  let any = false;
  for (const name of readdirSync(dir).sort()) {
    const m = join(dir, name, 'manifest.json');
    if (!existsSync(m)) continue;
    try {
      const files =
        (JSON.parse(readFileSync(m, 'utf8')) as { files?: Record<string, { sha256?: string }> }).files ?? {};
      for (const f of Object.keys(files).sort()) h.update(`${name}/${f}:${files[f]?.sha256 ?? ''}\n`);
      any = true;
    } catch {
      h.update(`${name}: unreadable manifest\n`);
      any = true;
    }
  }
  return any ? h.digest('hex').slice(0, 16) : 'none';
}

/** Whether a recorded code version came from uncommitted changes. */
export const isUncommitted = (codeVersion: string): boolean => /-dirty(\+|$)/.test(codeVersion);

interface Pkg {
  name: string;
  dir: string;
  deps: string[];
}

function workspacePackages(root: string): Map<string, Pkg> {
  const out = new Map<string, Pkg>();
  for (const group of ['packages', 'pipelines']) {
    const g = join(root, group);
    if (!existsSync(g)) continue;
    for (const d of readdirSync(g)) {
      const pj = join(g, d, 'package.json');
      if (!existsSync(pj)) continue;
      const j = JSON.parse(readFileSync(pj, 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const all = { ...j.dependencies, ...j.devDependencies };
      out.set(j.name, {
        name: j.name,
        dir: join(g, d),
        deps: Object.keys(all).filter((k) => String(all[k]).startsWith('workspace:')),
      });
    }
  }
  return out;
}

function listFiles(dir: string, acc: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) listFiles(p, acc);
    else acc.push(p);
  }
}

/**
 * Hash of src/** and package.json of the package in `pkgDir` and of its workspace dependencies
 * (transitively). Stage outputs of other stages (`^stage` dependencies like @snn/stage-data) are
 * included as code, which is what we want: new data -> rerun.
 */
export function codeFingerprint(root: string, pkgDir: string): string {
  const pkgs = workspacePackages(root);
  const byDir = [...pkgs.values()].find((p) => p.dir === pkgDir);
  const h = createHash('sha256');
  const dirs = new Set<string>([pkgDir]);
  const stack = byDir ? [...byDir.deps] : [];
  while (stack.length) {
    const n = stack.pop()!;
    const p = pkgs.get(n);
    if (!p || dirs.has(p.dir)) continue;
    dirs.add(p.dir);
    stack.push(...p.deps);
  }
  for (const d of [...dirs].sort()) {
    const files: string[] = [];
    listFiles(join(d, 'src'), files);
    const pj = join(d, 'package.json');
    if (existsSync(pj)) files.push(pj);
    for (const f of files) {
      h.update(relative(root, f));
      h.update('\0');
      h.update(readFileSync(f));
      h.update('\0');
    }
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * codeFingerprint of the workspace package that holds the module at `moduleUrl` (pass
 * `import.meta.url`): for caches a library shares across stages, keyed by the library's code.
 */
export function moduleCodeFingerprint(moduleUrl: string | URL): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`moduleCodeFingerprint: no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
  return codeFingerprint(repoRoot(dir), dir);
}
