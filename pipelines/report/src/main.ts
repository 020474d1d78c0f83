/** Stage `report`: artifacts/results/*\/results.arrow -> paper-tables/ (tables, figures, claims, index). */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, resolveProfile, writeFileAtomic } from '@snn/pipeline';
import { buildReport } from './build.js';

const root = repoRoot();
const profile = resolveProfile();
const t0 = Date.now();
const out = join(root, 'paper-tables');
const built = await buildReport(root, profile);
mkdirSync(out, { recursive: true });
// paper-tables/ is generated: drop files of ours that this run no longer produces.
for (const f of existsSync(out) ? readdirSync(out) : []) {
  if (/\.(md|svg|vl\.json)$/.test(f) && !built.files.has(f)) rmSync(join(out, f));
}
for (const [name, text] of built.files) writeFileAtomic(join(out, name), text);
const figs = [...built.files.keys()].filter((f) => f.endsWith('.vl.json')).length;
process.stderr.write(`[report] ${profile}: ${built.stages.length} tables, ${figs} figures, claims.md in ${((Date.now() - t0) / 1000).toFixed(1)}s -> paper-tables/\n`);
