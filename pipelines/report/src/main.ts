/**
 * Stage `report`: artifacts/results/<profile>/*\/results.arrow -> artifacts/report/ (the Turbo output) ->
 * paper-tables/ (tables, figures, claims, index); see publish.ts for why two folders.
 */
import { repoRoot, resolveProfile } from '@snn/pipeline';
import { buildReport } from './build.js';
import { join } from 'node:path';
import { publish, reportDir, writeFolder } from './publish.js';
import { vendorFiles } from './page.js';

const root = repoRoot();
const profile = resolveProfile();
const t0 = Date.now();
const built = await buildReport(root, profile);
writeFolder(reportDir(root), built.files);
writeFolder(
  join(reportDir(root), 'vendor'),
  new Map([...vendorFiles()].map(([k, v]) => [k.replace(/^vendor\//, ''), v])),
  /\.js$/,
);
const pub = publish(root);
const figs = [...built.files.keys()].filter((f) => f.endsWith('.vl.json')).length;
process.stderr.write(
  `[report] ${profile}: ${built.stages.length} tables, ${figs} figures, claims.md in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${pub.files ? 'paper-tables/' : 'artifacts/report/'}\n`,
);
if (pub.note) process.stderr.write(`[report] ${pub.note}\n`);
