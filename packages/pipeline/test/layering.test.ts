import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/index.js';

// Layering by construction (issue #13). A finished row is keyed by the code of every workspace
// package its stage depends on (codeFingerprint, Turbo's hash), so the dependency graph must be
// the one the code really has: a package imports only packages of a LOWER layer (so trainers never
// import each other and libraries never import the stage runner), declares in `dependencies`
// exactly the @snn packages its src imports (an unused one would rerun rows for code they never
// call), and lists in `devDependencies` only stage packages it must run after (Turbo `^stage`) or
// packages its tests import that its `dependencies` already reach (devDependencies are part of the
// code fingerprint too, so a test-only one must not widen it).
//
// The allowed order, lowest first; a package may import packages of strictly lower layers only.
const LAYERS: ReadonlyArray<{ layer: string; packages: readonly string[] }> = [
  { layer: 'backend', packages: ['@snn/backend'] },
  { layer: 'base libraries', packages: ['@snn/core-neurons', '@snn/datasets', '@snn/encoders', '@snn/reporting'] },
  // generic utilities (hashing, work locks, provenance, atomic writes: re-exports @snn/reporting's)
  { layer: 'runtime', packages: ['@snn/runtime'] },
  { layer: 'models', packages: ['@snn/models'] },
  { layer: 'energy', packages: ['@snn/energy'] },
  // heads, epoch loop, checkpoint/resume, divergence: shared by every trainer
  { layer: 'training', packages: ['@snn/training'] },
  { layer: 'trainers', packages: ['@snn/trainers-agd', '@snn/trainers-conversion', '@snn/trainers-stdp', '@snn/ttfs'] },
  { layer: 'stage runner', packages: ['@snn/pipeline'] },
  { layer: 'stage glue', packages: ['@snn/stage-agd', '@snn/stage-conversion', '@snn/stage-stdp'] },
  // every package under pipelines/ (the stages): see layerOf
];
const STAGES_LAYER = 'stages (pipelines/*)';

export interface PackageFacts {
  name: string;
  /** folder relative to the repo, for messages */
  dir: string;
  /** a stage package (pipelines/*) */
  stage: boolean;
  /** @snn packages in `dependencies` */
  dependencies: string[];
  /** @snn packages in `devDependencies` */
  devDependencies: string[];
  /** @snn package names imported by src (static, `import type`, re-exports, dynamic import()) with the importing file */
  imports: Array<{ pkg: string; file: string }>;
  /** the same for test/ */
  testImports?: Array<{ pkg: string; file: string }>;
}

function layerOf(p: { name: string; stage: boolean }): number | undefined {
  if (p.stage) return LAYERS.length;
  const i = LAYERS.findIndex((l) => l.packages.includes(p.name));
  return i < 0 ? undefined : i;
}
const layerName = (i: number): string => (i === LAYERS.length ? STAGES_LAYER : LAYERS[i].layer);

/** Whether `dep` is among `from` or their `dependencies`, transitively. */
function reaches(byName: Map<string, PackageFacts>, from: readonly string[], dep: string): boolean {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === dep) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(byName.get(n)?.dependencies ?? []));
  }
  return false;
}

/** Every violation of the layering rules, one line each (empty: the graph is clean). */
export function checkLayering(pkgs: readonly PackageFacts[]): string[] {
  const out: string[] = [];
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  for (const p of pkgs) {
    const own = layerOf(p);
    if (own === undefined) {
      out.push(`${p.dir} (${p.name}) is in no layer: add it to LAYERS in packages/pipeline/test/layering.test.ts`);
      continue;
    }
    const imported = new Map<string, string>();
    for (const im of p.imports) if (im.pkg !== p.name && !imported.has(im.pkg)) imported.set(im.pkg, im.file);
    for (const [dep, file] of imported) {
      const target = byName.get(dep);
      if (!target) {
        out.push(`${file} imports ${dep}, which is not a workspace package`);
        continue;
      }
      const tl = layerOf(target);
      if (tl !== undefined && tl >= own)
        out.push(
          `${file} imports ${dep} (layer '${layerName(tl)}') from layer '${layerName(own)}': only lower layers may be imported`,
        );
      if (!p.dependencies.includes(dep))
        out.push(`${file} imports ${dep}, which ${p.dir}/package.json does not declare`);
    }
    for (const dep of p.dependencies)
      if (!imported.has(dep)) out.push(`${p.dir}/package.json declares ${dep}, which its src never imports: remove it`);
    const tested = new Set((p.testImports ?? []).map((i) => i.pkg));
    for (const im of p.testImports ?? [])
      if (im.pkg !== p.name && !p.dependencies.includes(im.pkg) && !p.devDependencies.includes(im.pkg))
        out.push(`${im.file} imports ${im.pkg}, which ${p.dir}/package.json does not declare (devDependencies)`);
    for (const dep of p.devDependencies) {
      const target = byName.get(dep);
      if (target?.stage) continue; // a run-order edge
      if (tested.has(dep) && reaches(byName, p.dependencies, dep)) continue; // test-only, already in the fingerprint
      out.push(
        `${p.dir}/package.json lists ${dep} in devDependencies: only stage packages (run-order edges) and test imports its dependencies already reach belong there`,
      );
    }
  }
  return out;
}

function listTs(dir: string, acc: string[] = []): string[] {
  if (!existsSync(dir)) return acc;
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) listTs(p, acc);
    else if (/\.(ts|mts|tsx)$/.test(e) && !e.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

/** The @snn package an import specifier names ('@snn/trainers-agd/rows' -> '@snn/trainers-agd'), or null. */
function snnPackage(spec: string): string | null {
  const m = /^(@snn\/[^/]+)/.exec(spec);
  return m ? m[1] : null;
}

/** The @snn imports of a source text (comments and strings are the TypeScript scanner's business, not a regex's). */
export function snnImports(source: string): string[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((f) => snnPackage(f.fileName)).filter((x): x is string => x !== null);
}

function readWorkspace(root: string): PackageFacts[] {
  const out: PackageFacts[] = [];
  for (const group of ['packages', 'pipelines']) {
    const g = join(root, group);
    for (const d of readdirSync(g).sort()) {
      const pj = join(g, d, 'package.json');
      if (!existsSync(pj)) continue;
      const j = JSON.parse(readFileSync(pj, 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      const snn = (deps: Record<string, string> = {}) => Object.keys(deps).filter((k) => k.startsWith('@snn/'));
      const scan = (sub: string): PackageFacts['imports'] =>
        listTs(join(g, d, sub)).flatMap((f) =>
          snnImports(readFileSync(f, 'utf8')).map((pkg) => ({ pkg, file: relative(root, f) })),
        );
      out.push({
        name: j.name,
        dir: `${group}/${d}`,
        stage: group === 'pipelines',
        dependencies: snn(j.dependencies),
        devDependencies: snn(j.devDependencies),
        imports: scan('src'),
        testImports: scan('test'),
      });
    }
  }
  return out;
}

describe('package layering', () => {
  const root = repoRoot(import.meta.dirname);
  const pkgs = readWorkspace(root);

  it('reads the workspace (every package, the imports of its src)', () => {
    expect(pkgs.length).toBeGreaterThan(20);
    const agd = pkgs.find((p) => p.name === '@snn/trainers-agd');
    expect(agd?.imports.some((i) => i.pkg === '@snn/training')).toBe(true);
    // every layer in the table names real packages (a renamed package must not silently drop out)
    const names = new Set(pkgs.map((p) => p.name));
    for (const l of LAYERS) for (const n of l.packages) expect(names, `LAYERS lists ${n}`).toContain(n);
  });

  it('every package imports only lower layers and declares exactly the @snn packages its src imports', () => {
    expect(checkLayering(pkgs)).toEqual([]);
  });

  it('the checker fails on a bad graph (synthetic input)', () => {
    const pkg = (name: string, o: Partial<PackageFacts> = {}): PackageFacts => ({
      name,
      dir: `packages/${name.slice(5)}`,
      stage: false,
      dependencies: [],
      devDependencies: [],
      imports: [],
      ...o,
    });
    const im = (pkgName: string, file = 'src/index.ts') => ({ pkg: pkgName, file });
    const bad = [
      pkg('@snn/backend'),
      pkg('@snn/pipeline', { dependencies: ['@snn/backend'], imports: [im('@snn/backend')] }),
      pkg('@snn/trainers-agd'),
      // a trainer importing another trainer, and the stage runner; plus an unused and an undeclared dep
      pkg('@snn/trainers-conversion', {
        dependencies: ['@snn/trainers-agd', '@snn/pipeline', '@snn/backend'],
        imports: [im('@snn/trainers-agd', 'a.ts'), im('@snn/pipeline', 'b.ts'), im('@snn/training', 'c.ts')],
      }),
      pkg('@snn/training'),
      pkg('@snn/mystery'),
      pkg('@snn/stage-table-99', { dir: 'pipelines/table-99', stage: true, devDependencies: ['@snn/backend'] }),
      // tests may import what the dependencies reach (backend through pipeline), not more
      pkg('@snn/stage-agd', {
        dependencies: ['@snn/pipeline'],
        devDependencies: ['@snn/backend', '@snn/training'],
        imports: [im('@snn/pipeline')],
        testImports: [im('@snn/backend', 't.ts'), im('@snn/training', 't.ts'), im('@snn/trainers-agd', 't.ts')],
      }),
    ];
    const v = checkLayering(bad);
    expect(v).toEqual([
      "a.ts imports @snn/trainers-agd (layer 'trainers') from layer 'trainers': only lower layers may be imported",
      "b.ts imports @snn/pipeline (layer 'stage runner') from layer 'trainers': only lower layers may be imported",
      'c.ts imports @snn/training, which packages/trainers-conversion/package.json does not declare',
      'packages/trainers-conversion/package.json declares @snn/backend, which its src never imports: remove it',
      'packages/mystery (@snn/mystery) is in no layer: add it to LAYERS in packages/pipeline/test/layering.test.ts',
      'pipelines/table-99/package.json lists @snn/backend in devDependencies: only stage packages (run-order edges) and test imports its dependencies already reach belong there',
      't.ts imports @snn/trainers-agd, which packages/stage-agd/package.json does not declare (devDependencies)',
      'packages/stage-agd/package.json lists @snn/training in devDependencies: only stage packages (run-order edges) and test imports its dependencies already reach belong there',
    ]);
    // the import scanner sees type-only imports, re-exports, subpaths and dynamic imports, and not comments
    expect(
      snnImports(
        [
          "import type { A } from '@snn/models';",
          "export { b } from '@snn/trainers-agd/rows';",
          "const m = await import('@snn/backend');",
          "// import { x } from '@snn/pipeline';",
          "/* import '@snn/energy' */",
          "import { y } from './local.js';",
        ].join('\n'),
      ),
    ).toEqual(['@snn/models', '@snn/trainers-agd', '@snn/backend']);
  });
});
