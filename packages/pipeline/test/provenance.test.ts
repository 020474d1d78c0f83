import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeFingerprint, moduleCodeFingerprint, repoRoot } from '../src/index.js';

describe('moduleCodeFingerprint', () => {
  it('is the code fingerprint of the package holding the module', () => {
    const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
    const fp = moduleCodeFingerprint(new URL('../src/index.ts', import.meta.url));
    expect(fp).toBe(codeFingerprint(repoRoot(pkg), pkg));
    // another package (with other sources) has another fingerprint
    expect(fp).not.toBe(codeFingerprint(repoRoot(pkg), join(pkg, '..', 'reporting')));
  });
});
