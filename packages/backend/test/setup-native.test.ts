/**
 * scripts/setup-native.mjs, black box: the root postinstall that makes tfjs-node load offline.
 * Every failure must print one line naming the reason and that wasm will be used, and exit 0
 * (pnpm install must not fail); the library cache is verified by content and filled once.
 * A fake tfjs-node package and a fake pip (a wheel built here) keep these tests offline and fast.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  appendFileSync,
  writeFileSync,
  mkdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const script = join(root, 'scripts', 'setup-native.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'snn-setup-native-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runSetup(
  env: Record<string, string>,
  args: string[] = [],
): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tmp, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** A tfjs-node look-alike: package.json with node-pre-gyp's binary fields, no addon, no node-pre-gyp. */
function fakePackage(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: '@tensorflow/tfjs-node',
      version: '0.0.0',
      binary: { module_name: 'tfjs_binding', module_path: './lib/napi-v{napi_build_version}', napi_versions: [3, 8] },
    }),
  );
  return dir;
}

/** A python whose `-m pip download` writes a small fixture wheel (and logs the call); the rest is python3. */
function fakePython(): { py: string; calls: string } {
  const calls = join(tmp, 'pip-calls.log');
  const py = join(tmp, 'fake-python');
  writeFileSync(
    py,
    `#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "pip" ] && [ "$3" = "download" ]; then
  echo download >> ${JSON.stringify(calls)}
  dest="\${@: -1}"; mkdir -p "$dest"
  exec python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1] + "/tensorflow_cpu-2.21.0-cp311-none-any.whl", "w") as z:
    z.writestr("tensorflow/libtensorflow_cc.so.2", b"cc" * 1000)
    z.writestr("tensorflow/libtensorflow_framework.so.2", b"fw" * 1000)
    z.writestr("tensorflow/include/tensorflow/c/c_api.h", "/* c api */")
    z.writestr("tensorflow/include/tsl/platform/ctstring.h", "/* ctstring */")
    z.writestr("tensorflow/include/tensorflow/core/kernels/big.h", "/* not kept */")
    z.writestr("tensorflow/python/big.so", b"x" * 5000)
' "$dest"
fi
exec python3 "$@"
`,
  );
  chmodSync(py, 0o755);
  return { py, calls };
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

describe('native engine set-up (scripts/setup-native.mjs)', () => {
  it('SNN_NATIVE=0 turns it off: one line, exit 0', () => {
    const r = runSetup({ SNN_NATIVE: '0' });
    expect(r.status).toBe(0);
    expect(lines(r.stderr)).toEqual(['[snn] native engine: set-up off (SNN_NATIVE=0); the wasm engine will be used']);
  });

  it('without a python that has pip: one line naming the reason, exit 0', () => {
    const pkg = fakePackage('no-pip');
    const r = runSetup({
      SNN_TFJS_NODE_DIR: pkg,
      SNN_NATIVE_CACHE: join(tmp, 'cache-no-pip'),
      SNN_PYTHON: '/nonexistent/python',
      PATH: '/nonexistent',
    });
    expect(r.status).toBe(0);
    const l = lines(r.stderr);
    expect(l).toHaveLength(1);
    expect(l[0]).toMatch(/not set up: no python with pip .*; the wasm engine will be used$/);
  });

  it('fills the cache from the wheel once, verifies it by content, links deps/, and reports a failed build in one line', () => {
    const pkg = fakePackage('fake-tfjs-node');
    const cacheRoot = join(tmp, 'cache');
    const { py, calls } = fakePython();
    const env = { SNN_TFJS_NODE_DIR: pkg, SNN_NATIVE_CACHE: cacheRoot, SNN_PYTHON: py };

    const first = runSetup(env);
    expect(first.status).toBe(0);
    const last = lines(first.stderr).at(-1) ?? '';
    expect(last).toMatch(/not set up: node-pre-gyp .* not found .*; the wasm engine will be used$/);
    const cache = join(cacheRoot, 'libtensorflow-2.21.0');
    const manifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as {
      files: Record<string, { size: number; sha256: string }>;
    };
    expect(manifest.files['libtensorflow_cc.so.2']?.size).toBe(2000);
    expect(existsSync(join(cache, 'include', 'tensorflow', 'c', 'c_api.h'))).toBe(true);
    expect(existsSync(join(cache, 'include', 'tsl', 'platform', 'ctstring.h'))).toBe(true);
    expect(existsSync(join(cache, 'include', 'tensorflow', 'core', 'kernels', 'big.h'))).toBe(false);
    expect(existsSync(join(cache, 'wheel'))).toBe(false);
    // deps/ points at the cache under the names binding.gyp links
    expect(realpathSync(join(pkg, 'deps', 'lib', 'libtensorflow.so'))).toBe(
      realpathSync(join(cache, 'lib', 'libtensorflow_cc.so.2')),
    );
    expect(realpathSync(join(pkg, 'deps', 'lib', 'libtensorflow_framework.so'))).toBe(
      realpathSync(join(cache, 'lib', 'libtensorflow_framework.so.2')),
    );
    expect(realpathSync(join(pkg, 'deps', 'include'))).toBe(realpathSync(join(cache, 'include')));
    expect(JSON.parse(readFileSync(join(pkg, 'scripts', 'custom-binary.json'), 'utf8'))['tf-lib']).toContain(cache);
    expect(lines(readFileSync(calls, 'utf8'))).toHaveLength(1);

    // a valid cache is not fetched again
    expect(runSetup(env).status).toBe(0);
    expect(lines(readFileSync(calls, 'utf8'))).toHaveLength(1);

    // a damaged library (same name, other bytes) is detected by its hash and fetched again
    appendFileSync(join(cache, 'lib', 'libtensorflow_cc.so.2'), 'x');
    writeFileSync(
      join(cache, 'lib', 'libtensorflow_cc.so.2'),
      readFileSync(join(cache, 'lib', 'libtensorflow_cc.so.2')).subarray(1),
    );
    expect(runSetup(env).status).toBe(0);
    expect(lines(readFileSync(calls, 'utf8'))).toHaveLength(2);
  });

  it('--check reports whether the real tfjs-node binding loads', () => {
    const r = runSetup({}, ['--check']);
    expect([0, 1]).toContain(r.status);
    expect(r.stdout).toMatch(r.status === 0 ? /^tfjs-node loads \(TensorFlow \d+\.\d+/ : /^tfjs-node does not load/);
  });
});
