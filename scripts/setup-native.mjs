#!/usr/bin/env node
/**
 * Native engine set-up, run by the root `postinstall` of `pnpm install`: makes
 * `@tensorflow/tfjs-node` load without its own libtensorflow download (which needs
 * storage.googleapis.com and fails offline).
 *
 *   1. nothing to do when tfjs-node's binding already loads (a second install: about a second);
 *   2. otherwise take TensorFlow's C library from the `tensorflow-cpu` wheel through pip
 *      (`pip download`, so a local index, a mirror or PyPI all work), keep only the two shared
 *      libraries and the C headers in a cache outside node_modules, keyed by TF version
 *      (`$SNN_NATIVE_CACHE`, else `$XDG_CACHE_HOME/snn-repro`, else `~/.cache/snn-repro`);
 *   3. link them into tfjs-node's `deps/` and build its N-API addon from source with node-gyp
 *      against the local Node headers (never downloaded);
 *   4. check, in a child process, that the addon now loads.
 *
 * Any failure prints one line naming the reason and that the wasm engine will be used, and exits
 * 0 so `pnpm install` still succeeds. `SNN_NATIVE=0` turns the set-up off. `--check` only reports
 * whether the binding loads (exit 0 if it does, 1 if not), for CI. For tests: SNN_TFJS_NODE_DIR
 * (the package folder), SNN_NATIVE_CACHE (the cache root), SNN_PYTHON (the python with pip). Deleting the cache
 * breaks the links, so the binding stops loading and the next `pnpm install` rebuilds it; the
 * engine's error message says so.
 *
 * Plain Node (no dependencies): it runs before anything else is known to work.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TF_VERSION = process.env.SNN_TF_VERSION || '2.21.0';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TAG = '[snn] native engine';

/** The cache folder for one TF version (libraries + headers + manifest). */
export function cacheDir(env = process.env) {
  const base = env.SNN_NATIVE_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'snn-repro');
  return path.join(base, `libtensorflow-${TF_VERSION}`);
}

class SetupError extends Error {}

function fail(reason) {
  throw new SetupError(reason);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  return {
    status: r.error ? -1 : r.status,
    stdout: r.stdout ?? '',
    out: `${r.stdout ?? ''}${r.stderr ?? ''}`,
    error: r.error,
  };
}

/** Where pnpm put tfjs-node (resolved from the package that depends on it). */
export function findTfjsNode() {
  if (process.env.SNN_TFJS_NODE_DIR) return path.resolve(process.env.SNN_TFJS_NODE_DIR);
  const req = createRequire(path.join(ROOT, 'packages/backend/package.json'));
  try {
    return path.dirname(req.resolve('@tensorflow/tfjs-node/package.json'));
  } catch {
    return null;
  }
}

function bindingPath(pkgDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  // node-pre-gyp builds for the highest N-API version the package lists that this Node supports.
  const napi = Math.max(...pkg.binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
  const rel = pkg.binary.module_path.replace('{napi_build_version}', String(napi));
  return path.join(pkgDir, rel, `${pkg.binary.module_name}.node`);
}

/** Loads the addon in a child process (a crash there must not take this script down). */
export function bindingLoads(pkgDir) {
  const file = bindingPath(pkgDir);
  if (!fs.existsSync(file)) return { ok: false, reason: `no addon at ${path.relative(ROOT, file)}` };
  const r = run(
    process.execPath,
    ['-e', `const b=require(${JSON.stringify(file)});process.stdout.write(String(b.TF_Version||''))`],
    {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    },
  );
  if (r.status === 0) return { ok: true, tfVersion: r.stdout.trim() };
  const line = r.out.split('\n').find((l) => /Error|cannot open/.test(l)) ?? r.out.split('\n')[0];
  return { ok: false, reason: line.trim() };
}

const LIBS = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

function sha256(file) {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** True when the cache holds both libraries with the sizes and hashes its manifest recorded. */
export function cacheValid(dir) {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) return false;
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    if (m.tfVersion !== TF_VERSION) return false;
    for (const lib of LIBS) {
      const f = path.join(dir, 'lib', lib);
      if (!fs.existsSync(f) || fs.statSync(f).size !== m.files[lib]?.size) return false;
      if (sha256(f) !== m.files[lib].sha256) return false;
    }
    return fs.existsSync(path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h'));
  } catch {
    return false;
  }
}

/** Python that has pip: `$SNN_PYTHON`, else python3, else python. */
function findPython() {
  for (const py of [process.env.SNN_PYTHON, 'python3', 'python'].filter(Boolean)) {
    if (run(py, ['-m', 'pip', '--version']).status === 0) return py;
  }
  return null;
}

// Members of the wheel we keep: the C API's shared libraries and the headers c_api.h pulls in.
const EXTRACT_PY = String.raw`
import sys, zipfile, os, re
whl, out = sys.argv[1], sys.argv[2]
keep_lib = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
inc = re.compile(r'^tensorflow/include/(.*(/c/|ctstring)[^/]*|tensorflow/c/.*)$')
n = 0
with zipfile.ZipFile(whl) as z:
    for m in z.infolist():
        if m.filename in keep_lib:
            dest = os.path.join(out, 'lib', os.path.basename(m.filename))
        elif inc.match(m.filename) and m.filename.endswith('.h'):
            dest = os.path.join(out, 'include', m.filename[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(m) as src, open(dest, 'wb') as dst:
            while True:
                b = src.read(1 << 23)
                if not b: break
                dst.write(b)
        n += 1
missing = [l for l in keep_lib if not os.path.exists(os.path.join(out, 'lib', os.path.basename(l)))]
if missing: sys.exit('wheel has no ' + ', '.join(missing))
print(n)
`;

/** Fills the cache from the tensorflow-cpu wheel (atomic: a temp folder renamed into place). */
function fillCache(dir, log) {
  const py = findPython();
  if (!py) fail('no python with pip (needed to fetch the tensorflow-cpu wheel; set SNN_PYTHON)');
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  try {
    log(`fetching tensorflow-cpu==${TF_VERSION} through pip (about 270 MB)`);
    const args = [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      `tensorflow-cpu==${TF_VERSION}`,
      '-d',
      path.join(tmp, 'wheel'),
    ];
    let dl = run(py, args);
    // Only the C library is used, so any CPython build of the wheel will do: where this python has
    // none (too old or too new for TF), ask for the cp311 manylinux one.
    if (dl.status !== 0)
      dl = run(py, [
        ...args,
        '--python-version',
        '3.11',
        '--implementation',
        'cp',
        '--platform',
        'manylinux_2_27_x86_64',
        '--platform',
        'manylinux2014_x86_64',
      ]);
    if (dl.status !== 0) {
      const why = dl.out.split('\n').filter((l) => /ERROR|error/.test(l))[0] ?? 'pip download failed';
      fail(`pip could not fetch tensorflow-cpu==${TF_VERSION}: ${why.trim()}`);
    }
    const whl = fs.readdirSync(path.join(tmp, 'wheel')).find((f) => f.endsWith('.whl'));
    if (!whl) fail(`pip download left no tensorflow-cpu wheel`);
    log(`extracting the C library and headers into ${dir}`);
    const ex = run(py, ['-c', EXTRACT_PY, path.join(tmp, 'wheel', whl), tmp]);
    if (ex.status !== 0) fail(`could not extract ${whl}: ${ex.out.trim().split('\n').pop()}`);
    fs.rmSync(path.join(tmp, 'wheel'), { recursive: true, force: true });
    const files = {};
    for (const lib of LIBS) {
      const f = path.join(tmp, 'lib', lib);
      files[lib] = { size: fs.statSync(f).size, sha256: sha256(f) };
    }
    fs.writeFileSync(
      path.join(tmp, 'manifest.json'),
      JSON.stringify({ tfVersion: TF_VERSION, wheel: whl, files }, null, 2) + '\n',
    );
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Points tfjs-node's deps/ at the cache: the names binding.gyp links and the addon's rpath loads. */
function linkDeps(pkgDir, dir) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(dir, 'include'), path.join(deps, 'include'));
  const links = {
    'libtensorflow_cc.so.2': 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so.2': 'libtensorflow_framework.so.2',
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
    // tfjs-node's own install script treats this file as "libtensorflow already present"
    'libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
  };
  for (const [name, target] of Object.entries(links)) {
    fs.symlinkSync(path.join(dir, 'lib', target), path.join(deps, 'lib', name));
  }
  // So that tfjs-node's install script, if rerun (pnpm rebuild), never downloads.
  fs.writeFileSync(
    path.join(pkgDir, 'scripts', 'custom-binary.json'),
    JSON.stringify({ 'tf-lib': `file://${dir}` }) + '\n',
  );
}

/** Node's own headers, so node-gyp never downloads them. */
function nodeHeadersDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')].filter(
    Boolean,
  );
  return candidates.find((d) => fs.existsSync(path.join(d, 'include', 'node', 'node_api.h'))) ?? null;
}

function nodeGypBin() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.resolve(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  try {
    const npmCli = run('npm', ['root', '-g']).out.trim().split('\n').pop();
    if (npmCli) candidates.push(path.join(npmCli, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    /* no npm on PATH */
  }
  return candidates.find((c) => c && fs.existsSync(c)) ?? null;
}

function buildAddon(pkgDir, dir, log) {
  const nodedir = nodeHeadersDir();
  if (!nodedir) fail(`no Node headers beside ${process.execPath} (include/node/node_api.h); set npm_config_nodedir`);
  const gyp = nodeGypBin();
  if (!gyp) fail('node-gyp not found (it ships with npm; set npm_config_node_gyp)');
  for (const tool of ['make', 'g++']) {
    if (run(tool, ['--version']).status !== 0) fail(`${tool} not found (needed to build the tfjs-node addon)`);
  }
  log('building the tfjs-node addon from source (15 s on an idle machine, minutes on a busy one)');
  let pregypBin;
  try {
    pregypBin = createRequire(path.join(pkgDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
  } catch {
    fail(`node-pre-gyp (a dependency of tfjs-node) not found beside ${pkgDir}`);
  }
  const r = run(process.execPath, [pregypBin, 'install', '--build-from-source', `--nodedir=${nodedir}`], {
    cwd: pkgDir,
    env: { ...process.env, npm_config_nodedir: nodedir, npm_config_node_gyp: gyp, JOBS: String(os.cpus().length) },
  });
  const logFile = path.join(dir, 'build.log');
  fs.writeFileSync(logFile, r.out);
  if (r.status !== 0) fail(`the addon build failed (log: ${logFile})`);
}

export function setup({ log = (m) => process.stderr.write(`${TAG}: ${m}\n`) } = {}) {
  const t0 = Date.now();
  const pkgDir = findTfjsNode();
  if (!pkgDir) fail('@tensorflow/tfjs-node is not installed (an optional dependency pnpm skipped)');
  const before = bindingLoads(pkgDir);
  if (before.ok) return { status: 'present', tfVersion: before.tfVersion, seconds: (Date.now() - t0) / 1000 };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`no offline recipe for ${process.platform}-${process.arch} (tfjs-node's own download did not work)`);
  }
  const dir = cacheDir();
  if (!cacheValid(dir)) fillCache(dir, log);
  linkDeps(pkgDir, dir);
  buildAddon(pkgDir, dir, log);
  const after = bindingLoads(pkgDir);
  if (!after.ok) fail(`the addon was built but does not load: ${after.reason}`);
  return { status: 'built', tfVersion: after.tfVersion, seconds: (Date.now() - t0) / 1000, cache: dir };
}

function main() {
  if (process.argv.includes('--check')) {
    const dir = findTfjsNode();
    const r = dir ? bindingLoads(dir) : { ok: false, reason: '@tensorflow/tfjs-node is not installed' };
    process.stdout.write(
      r.ok ? `tfjs-node loads (TensorFlow ${r.tfVersion})\n` : `tfjs-node does not load: ${r.reason}\n`,
    );
    process.exitCode = r.ok ? 0 : 1;
    return;
  }
  if (process.env.SNN_NATIVE === '0') {
    process.stderr.write(`${TAG}: set-up off (SNN_NATIVE=0); the wasm engine will be used\n`);
    return;
  }
  try {
    const r = setup();
    const how = r.status === 'present' ? 'already built' : `built in ${r.seconds.toFixed(0)} s from ${r.cache}`;
    process.stderr.write(`${TAG}: tfjs-node loads (TensorFlow ${r.tfVersion || TF_VERSION}, ${how})\n`);
  } catch (e) {
    const reason =
      e instanceof SetupError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`${TAG} not set up: ${reason}; the wasm engine will be used\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
