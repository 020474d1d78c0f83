/**
 * Audit of paper-tables/: every number must come from an Arrow row whose config hash is today's
 * config hash and whose code version and engine are recorded. The audit rebuilds the report in
 * memory (same code as the report stage) and compares, so a stale or hand-edited table is found
 * and named with its table, row and reason.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProfileName, isUncommitted, type ProfileName } from '@snn/pipeline';
import { DETAILS_HEADING, parseRowComment } from './markdown.js';
import { buildReport } from './build.js';
import { folderProfile, GENERATED } from './publish.js';

export interface AuditProblem {
  file: string;
  row?: string;
  reason: string;
}

function cells(line: string): string[] {
  return line
    .replace(/^\|\s?/, '')
    .replace(/\s?\|$/, '')
    .split(/\s\|\s/);
}

/** "'column': table says X, Arrow gives Y" for every cell of `have` that differs from `want`. */
function cellDiffs(have: string, want: string, header: string[]): string {
  const a = cells(have);
  const b = cells(want);
  const diffs = b
    .map((x, k) =>
      a[k] !== x ? `'${header[k] ?? `column ${k + 1}`}': table says ${a[k] ?? '(nothing)'}, Arrow gives ${x}` : '',
    )
    .filter(Boolean);
  return diffs.join('; ') || 'cell count differs';
}

/** Profile the committed tables were generated for: README's `<!-- report profile=... -->`. */
export function committedProfile(dir: string): ProfileName | undefined {
  const p = folderProfile(dir);
  return p !== undefined && isProfileName(p) ? p : undefined;
}

export async function auditTables(
  root: string,
  dir = join(root, 'paper-tables'),
  profileArg?: ProfileName,
  opts: { svg?: boolean } = {},
): Promise<AuditProblem[]> {
  const problems: AuditProblem[] = [];
  if (!existsSync(dir)) return [{ file: dir, reason: 'no paper-tables folder' }];
  const profile = profileArg ?? committedProfile(dir) ?? 'quick';
  const built = await buildReport(root, profile, { svg: opts.svg });
  // svg: false (a quick audit) skips the SVGs and the page that embeds them
  const rendered = (f: string): boolean => f.endsWith('.svg') || f.endsWith('.html');
  const committed = readdirSync(dir).filter(
    (f) => /\.(md|vl\.json|svg|html)$/.test(f) && (opts.svg !== false || !rendered(f)),
  );
  const stageFiles = new Map(built.stages.map((s) => [s.file, s]));

  for (const f of committed) {
    const have = readFileSync(join(dir, f), 'utf8');
    const want = built.files.get(f);
    if (want === undefined) {
      problems.push({ file: f, reason: "not produced by today's configs and results (stale file)" });
      continue;
    }
    const st = stageFiles.get(f);
    // a committed number must be checkable: rows computed from uncommitted code are rejected
    for (const r of st?.rows ?? []) {
      const dirty = built.results.find(
        (x) => x.table === st!.stage && x.rowId === r.id && x.configHash === r.hash && isUncommitted(x.codeVersion),
      );
      if (dirty)
        problems.push({
          file: f,
          row: r.id,
          reason: `computed from uncommitted code (${dirty.codeVersion}): commit the change and rerun the stage`,
        });
    }
    if (have === want) continue;
    if (!st) {
      problems.push({ file: f, reason: "differs from what today's Arrow results produce (stale or hand-edited)" });
      continue;
    }

    const wantLines = want.split('\n');
    const haveLines = have.split('\n');
    const header = cells(wantLines.find((l) => l.startsWith('| row')) ?? '');
    const wantByRow = new Map<string, string>();
    for (const l of wantLines) {
      const c = parseRowComment(l);
      if (c) wantByRow.set(c.row, l);
    }
    // the run-details section: plain row ids (no provenance comment), ours only
    const detailsAt = wantLines.indexOf(DETAILS_HEADING);
    const detailHeader = detailsAt >= 0 ? cells(wantLines[detailsAt + 2] ?? '') : [];
    const wantDetail = new Map<string, string>();
    if (detailsAt >= 0)
      for (const l of wantLines.slice(detailsAt + 4)) {
        if (!l.startsWith('|')) break;
        wantDetail.set(cells(l)[0] ?? '', l);
      }
    const seen = new Set<string>();
    haveLines.forEach((line, i) => {
      const c = parseRowComment(line);
      if (!c) {
        const detail =
          line.startsWith('|') && !wantLines.includes(line) ? wantDetail.get(cells(line)[0] ?? '') : undefined;
        if (detail !== undefined) {
          problems.push({
            file: f,
            row: cells(line)[0],
            reason: `run detail differs from Arrow: ${cellDiffs(line, detail, detailHeader)}`,
          });
        } else if (line.startsWith('|') && !wantLines.includes(line))
          problems.push({
            file: f,
            reason: `line ${i + 1}: table line without provenance comment or changed header: ${line.slice(0, 80)}`,
          });
        else if (!line.startsWith('|') && !wantLines.includes(line))
          problems.push({
            file: f,
            reason: `line ${i + 1}: text differs from the generated table (e.g. profile/engine header): ${line.slice(0, 80)}`,
          });
        return;
      }
      seen.add(c.row);
      const today = st.rows.find((r) => r.id === c.row);
      if (!today) {
        problems.push({ file: f, row: c.row, reason: 'row is no longer in the stage config' });
        return;
      }
      if (c.profile !== profile) {
        problems.push({
          file: f,
          row: c.row,
          reason: `row generated for profile ${c.profile}, table is for ${profile}`,
        });
        return;
      }
      if (c.hash !== today.hash) {
        problems.push({
          file: f,
          row: c.row,
          reason: `stale: config hash ${c.hash}, today's config gives ${today.hash}`,
        });
        return;
      }
      const recs = built.results.filter((r) => r.table === st.stage && r.rowId === c.row && r.configHash === c.hash);
      const expected = wantByRow.get(c.row) ?? '';
      const numeric = cells(line)
        .slice(1)
        .some((x) => /\d/.test(x));
      if (!recs.length && numeric && expected !== line) {
        problems.push({
          file: f,
          row: c.row,
          reason: `no Arrow row with config hash ${c.hash} in artifacts/results/${profile}/${st.stage}/results.arrow`,
        });
        return;
      }
      for (const r of recs) {
        if (!r.codeVersion || !r.engine) {
          problems.push({
            file: f,
            row: c.row,
            reason: `Arrow row ${r.metric} has no ${!r.codeVersion ? 'code version' : 'engine'} recorded`,
          });
          break;
        }
      }
      if (line !== expected)
        problems.push({
          file: f,
          row: c.row,
          reason: `number differs from Arrow: ${cellDiffs(line, expected, header)}`,
        });
    });
    for (const r of st.rows)
      if (!seen.has(r.id))
        problems.push({ file: f, row: r.id, reason: "row of today's config is missing from the table" });
  }
  for (const f of built.files.keys()) {
    if (!GENERATED.test(f)) continue; // not published (timing.json)
    if (!committed.includes(f) && (opts.svg !== false || !rendered(f)))
      problems.push({ file: f, reason: "missing: today's results produce it but it is not in paper-tables/" });
  }
  return problems;
}
