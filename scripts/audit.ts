/**
 * `pnpm audit:tables [--profile p] [--dir paper-tables]`: checks paper-tables/ against today's
 * configs and artifacts/results/*.arrow (see pipelines/report/src/audit.ts). Exits 1 on any problem.
 * (Not `pnpm audit`: that is pnpm's own dependency audit.)
 */
import { join, resolve } from 'node:path';
import { minimist } from 'zx';
import { isProfileName, repoRoot } from '../packages/pipeline/src/index.js';
import { auditTables } from '../pipelines/report/src/audit.js';

const args = minimist(process.argv.slice(2), { string: ['profile', 'dir'] });
const root = repoRoot();
if (args.profile !== undefined && !isProfileName(args.profile)) {
  process.stderr.write(`unknown profile '${args.profile}'\n`);
  process.exit(2);
}
const dir = args.dir ? resolve(args.dir) : join(root, 'paper-tables');
const problems = await auditTables(root, dir, args.profile);
if (!problems.length) {
  process.stdout.write(`audit: ${dir} matches today's configs and Arrow results\n`);
  process.exit(0);
}
for (const p of problems) process.stdout.write(`audit: ${p.file}${p.row ? ` row ${p.row}` : ''}: ${p.reason}\n`);
process.stdout.write(`audit: ${problems.length} problem(s)\n`);
process.exit(1);
