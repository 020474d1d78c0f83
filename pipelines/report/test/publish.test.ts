import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publish } from '../src/publish.js';

function tree(reportProfile: string, committedProfile?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'snn-publish-'));
  mkdirSync(join(root, 'artifacts', 'report'), { recursive: true });
  writeFileSync(join(root, 'artifacts', 'report', 'README.md'), `# tables\n<!-- report profile=${reportProfile} -->\n`);
  writeFileSync(join(root, 'artifacts', 'report', 'table-08.md'), `${reportProfile} table\n`);
  if (committedProfile) {
    mkdirSync(join(root, 'paper-tables'));
    writeFileSync(join(root, 'paper-tables', 'README.md'), `# tables\n<!-- report profile=${committedProfile} -->\n`);
    writeFileSync(join(root, 'paper-tables', 'table-08.md'), `${committedProfile} table\n`);
  }
  return root;
}

describe('publish', () => {
  it('a report of another profile never replaces paper-tables/ (a smoke check keeps the committed quick tables)', () => {
    const root = tree('smoke', 'quick');
    const r = publish(root, {});
    expect(r.files).toBe(0);
    expect(r.note).toMatch(/paper-tables\/ keeps its quick tables; this smoke report is in artifacts\/report\//);
    expect(readFileSync(join(root, 'paper-tables', 'table-08.md'), 'utf8')).toBe('quick table\n');
  });

  it('publishes the same profile, a first report, or when SNN_PUBLISH=1 asks', () => {
    const same = tree('quick', 'quick');
    expect(publish(same, {}).files).toBe(2);
    const first = tree('smoke');
    expect(publish(first, {}).files).toBe(2);
    expect(existsSync(join(first, 'paper-tables', 'table-08.md'))).toBe(true);
    const forced = tree('smoke', 'quick');
    expect(publish(forced, { SNN_PUBLISH: '1' }).files).toBe(2);
    expect(readFileSync(join(forced, 'paper-tables', 'table-08.md'), 'utf8')).toBe('smoke table\n');
  });
});
