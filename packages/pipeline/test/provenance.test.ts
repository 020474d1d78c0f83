import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  codeFingerprint,
  dataFingerprint,
  gitVersion,
  isUncommitted,
  moduleCodeFingerprint,
  repoRoot,
} from '../src/index.js';

describe('moduleCodeFingerprint', () => {
  it('is the code fingerprint of the package holding the module', () => {
    const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
    const fp = moduleCodeFingerprint(new URL('../src/index.ts', import.meta.url));
    expect(fp).toBe(codeFingerprint(repoRoot(pkg), pkg));
    // another package (with other sources) has another fingerprint
    expect(fp).not.toBe(codeFingerprint(repoRoot(pkg), join(pkg, '..', 'reporting')));
  });
});

describe('gitVersion', () => {
  it('names a clean commit plainly, and an uncommitted change by a hash of its diff', () => {
    const d = mkdtempSync(join(tmpdir(), 'snn-git-'));
    const git = (...a: string[]): string =>
      execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: d })
        .toString()
        .trim();
    git('init', '-q');
    writeFileSync(join(d, 'train.ts'), 'export const lr = 1e-3;\n');
    git('add', '.');
    git('commit', '-qm', 'one');
    const clean = gitVersion(d);
    expect(clean).toMatch(/^[0-9a-f]{12}$/);
    expect(isUncommitted(clean)).toBe(false);
    writeFileSync(join(d, 'train.ts'), 'export const lr = 1e-2;\n');
    const a = gitVersion(d);
    expect(a).toMatch(new RegExp(`^${clean}-dirty\\+diff\\.[0-9a-f]{12}$`));
    expect(isUncommitted(a)).toBe(true);
    expect(gitVersion(d)).toBe(a); // the same change, the same name
    writeFileSync(join(d, 'train.ts'), 'export const lr = 1e-1;\n');
    expect(gitVersion(d)).not.toBe(a);
    expect(gitVersion(tmpdir())).toBe('unknown');
  });
});

describe('dataFingerprint', () => {
  it("follows the data files' sha256 in the manifests, not their timestamps", () => {
    const d = mkdtempSync(join(tmpdir(), 'snn-data-'));
    const env = { SNN_DATA_DIR: d };
    expect(dataFingerprint('/nowhere', env)).toBe('none');
    mkdirSync(join(d, 'mnist'));
    const manifest = (sha: string, createdAt: string): string =>
      JSON.stringify({ createdAt, files: { 'test-images.u8': { bytes: 3, sha256: sha, mtimeMs: Date.now() } } });
    writeFileSync(join(d, 'mnist', 'manifest.json'), manifest('aa', '2026-01-01'));
    const a = dataFingerprint('/nowhere', env);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    writeFileSync(join(d, 'mnist', 'manifest.json'), manifest('aa', '2026-12-01')); // rebuilt, same bytes
    expect(dataFingerprint('/nowhere', env)).toBe(a);
    writeFileSync(join(d, 'mnist', 'manifest.json'), manifest('bb', '2026-12-01')); // other bytes
    expect(dataFingerprint('/nowhere', env)).not.toBe(a);
  });
});
