/**
 * One Markdown table per stage: the paper's value and ours side by side, profile and engine in the
 * header (nobody should mistake a `quick` run for the paper's), a provenance comment per row
 * (stage, row, config hash, profile) that `pnpm audit:tables` checks against config and Arrow.
 */
import type { ResultRecord } from '@snn/reporting';
import { isUncommitted } from '@snn/pipeline';
import { formatValue } from './format.js';
import { accOf, Z95 } from './noise.js';

export interface StageTableRow {
  id: string;
  /** Config hash of the row under this profile (from @snn/pipeline loadStageConfig). */
  hash: string;
  topology?: string;
  method?: string;
  coding?: string;
  classifier?: string;
  T?: number;
  paper?: Record<string, number | string>;
  /** Config says the row is not run here, and why (e.g. "needs ImageNet"). */
  skip?: string;
}

export interface StageTableInput {
  stage: string;
  title: string;
  source?: string;
  description?: string;
  profile: string;
  profileDescription?: string;
  rows: StageTableRow[];
  /** Results of this stage (other profiles and stale hashes are ignored). */
  results: readonly ResultRecord[];
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function rowComment(stage: string, rowId: string, hash: string, profile: string): string {
  return `<!-- stage=${stage} row=${rowId} hash=${hash} profile=${profile} -->`;
}

export function parseRowComment(
  line: string,
): { stage: string; row: string; hash: string; profile: string } | undefined {
  const m = /<!-- stage=(\S+) row=(\S+) hash=(\S+) profile=(\S+) -->/.exec(line);
  return m ? { stage: m[1], row: m[2], hash: m[3], profile: m[4] } : undefined;
}

/** Short cell text for a row that has no numbers: 'not run', 'failed', or the skip reason. */
function statusCell(recs: readonly ResultRecord[], skip: string | undefined): string | undefined {
  if (!recs.length) return skip ?? 'not run';
  const st = recs.find((r) => r.status !== 'ok');
  if (!st) return undefined;
  if (st.status === 'failed') {
    // the reason, in one short line (the full error is in the row's .failed.json)
    const why = (st.error ?? '').split('\n')[0]!.replace(/\|/g, '/').slice(0, 120);
    return why ? `failed: ${why}` : 'failed';
  }
  return st.error ?? 'skipped';
}

/** Heading of a stage table's second section (the audit finds it by this line). */
export const DETAILS_HEADING = '## Training and run details (ours)';

/**
 * Metrics that belong in a table's first (compact) section whatever the paper says of them: the
 * paper's own columns. Every metric the paper gives a value or words for is added to them; the
 * rest (training details: samples, epochs, width, throughput, energy in µJ...) go to the second.
 * `ee_w1` stands beside `ee`: the same row's rates on the paper's width-1 MACs (small widths
 * overweight the Poisson-input layer), so a reader sees both next to the paper's EE.
 */
export const PRIMARY_METRICS: readonly string[] = ['accuracy', 'accuracy_sd', 'ee', 'ee_w1', 'unique_params'];

export function renderStageTable(inp: StageTableInput): string {
  const mine = inp.results.filter((r) => r.profile === inp.profile && r.table === inp.stage);
  const recsOf = (row: StageTableRow): ResultRecord[] =>
    mine.filter((r) => r.rowId === row.id && r.configHash === row.hash);

  const metrics: string[] = [];
  const units = new Map<string, string | null>();
  for (const r of mine) {
    if (r.metric === 'status') continue;
    if (!metrics.includes(r.metric)) metrics.push(r.metric);
    if (!units.has(r.metric) || units.get(r.metric) === null) units.set(r.metric, r.unit);
  }
  for (const row of inp.rows) for (const m of Object.keys(row.paper ?? {})) if (!metrics.includes(m)) metrics.push(m);
  const hasPaper = (m: string): boolean =>
    inp.rows.some((row) => row.paper?.[m] !== undefined) ||
    mine.some((r) => r.metric === m && (r.paper !== null || r.paperText !== null));
  const primary = [
    ...PRIMARY_METRICS.filter((m) => metrics.includes(m) && m !== 'unique_params'),
    ...metrics.filter((m) => hasPaper(m) && !PRIMARY_METRICS.includes(m)),
    ...PRIMARY_METRICS.filter((m) => m === 'unique_params' && metrics.includes(m)),
  ];
  const details = metrics.filter((m) => !primary.includes(m));

  // Row attributes: topology always; the others only where rows differ (a column of one value is noise).
  const attrs: Array<[keyof StageTableRow, string]> = [
    ['topology', 'topology'],
    ['method', 'method'],
    ['coding', 'coding'],
    ['classifier', 'classifier'],
    ['T', 'T'],
  ];
  const distinct = new Map(
    attrs.map(([k]) => [
      k,
      [
        ...new Set(
          inp.rows
            .map((r) => r[k])
            .filter((v) => v !== undefined)
            .map(String),
        ),
      ],
    ]),
  );
  const shows = (k: keyof StageTableRow): boolean => {
    const n = distinct.get(k)!.length;
    return k === 'topology' || k === 'T' ? n > 0 : n > 1;
  };
  const shownAttrs = attrs.filter(([k]) => shows(k));
  const constAttrs = attrs
    .filter(([k]) => !shows(k) && distinct.get(k)!.length === 1)
    .map(([k, h]) => `${h} ${distinct.get(k)![0]}`);
  const reconstructed = new Set(mine.filter((r) => r.reconstructed).map((r) => r.topology));
  const label = (m: string): string => {
    const u = units.get(m);
    return u && u !== 'count' ? `${m} (${u})` : m;
  };

  const attrCells = (row: StageTableRow): string[] =>
    shownAttrs.map(([k]) => {
      const v = row[k];
      return v === undefined ? '' : k === 'topology' && reconstructed.has(String(v)) ? `${String(v)}†` : String(v);
    });
  const num = (recs: ResultRecord[], m: string): number | null =>
    recs.find((r) => r.metric === m && r.status === 'ok')?.value ?? null;
  let intervals = false;
  const value = (recs: ResultRecord[], status: string | undefined, m: string): string => {
    const rec = recs.find((r) => r.metric === m && r.status === 'ok');
    if (status !== undefined) return status;
    if (!rec) return '—';
    if (m === 'accuracy' && rec.value !== null) {
      // accuracy with its 95% interval (noise.ts: binomial over the row's test images, plus the seeds' spread)
      const a = accOf(rec.value, num(recs, 'test_samples'), num(recs, 'accuracy_sd'), num(recs, 'seeds'));
      if (a.se > 0) {
        intervals = true;
        return `${formatValue(a.value, rec.unit)} ± ${formatValue(Z95 * a.se, rec.unit)}`;
      }
    }
    return formatValue(rec.value, rec.unit);
  };

  const header = ['row', ...shownAttrs.map(([, h]) => h)];
  for (const m of primary) {
    if (hasPaper(m)) header.push(`${label(m)} paper`, `${label(m)} ours`);
    else header.push(`${label(m)} ours`);
  }
  const body: string[] = [];
  const detailBody: string[] = [];
  for (const row of inp.rows) {
    const recs = recsOf(row);
    const status = statusCell(recs, row.skip);
    const cells = [`${row.id} ${rowComment(inp.stage, row.id, row.hash, inp.profile)}`, ...attrCells(row)];
    for (const m of primary) {
      if (hasPaper(m)) {
        const rec = recs.find((r) => r.metric === m && r.status === 'ok');
        const p = row.paper?.[m] ?? rec?.paper ?? rec?.paperText ?? undefined;
        cells.push(p === undefined || p === null ? '—' : typeof p === 'number' ? formatValue(p, units.get(m)) : esc(p));
      }
      cells.push(value(recs, status, m));
    }
    body.push(`| ${cells.join(' | ')} |`);
    if (details.length && (status === undefined || recs.length)) {
      detailBody.push(`| ${[row.id, ...details.map((m) => value(recs, status, m))].join(' | ')} |`);
    }
  }

  const engines = [...new Set(mine.filter((r) => r.status !== 'skipped').map((r) => r.engine))].sort();
  const versions = [...new Set(mine.map((r) => r.codeVersion))].sort();
  const noPaper = metrics.filter((m) => !hasPaper(m));
  const out = [
    `# ${inp.title}`,
    '',
    `<!-- generated by pipelines/report from artifacts/results/${inp.profile}/${inp.stage}/results.arrow; do not edit (pnpm audit:tables checks it) -->`,
    '',
    `Stage \`${inp.stage}\`${inp.source ? ` — ${esc(inp.source)}` : ''}.`,
    '',
    `Profile: **${inp.profile}**${inp.profileDescription ? ` (${inp.profileDescription})` : ''}. Engine: ${engines.length ? engines.join(', ') : 'n/a'}. Code: ${versions.length ? versions.join(', ') : 'n/a'}.`,
    '',
  ];
  const dirty = versions.filter(isUncommitted);
  if (dirty.length)
    out.push(
      `**Uncommitted code**: rows here were computed from a working tree with uncommitted changes (${dirty.join(', ')}; diff. is a hash of \`git diff HEAD\`). No one can check that code out; \`pnpm audit:tables\` rejects such rows in committed tables.`,
      '',
    );
  if (inp.profile !== 'paper')
    out.push(
      `These are \`${inp.profile}\` numbers, not the paper's setting: the paper's values stand beside ours for reference only.`,
      '',
    );
  if (constAttrs.length) out.push(`Every row: ${constAttrs.join(', ')}.`, '');
  out.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...body, '');
  if (intervals)
    out.push(
      "accuracy ± its 95% interval: binomial over the row's test images (test_samples), plus the spread of its seeds where it averages several (accuracy_sd / sqrt(seeds)).",
      '',
    );
  if (reconstructed.size)
    out.push(
      "† reconstructed topology: built from the naming rules in the paper's text (its tables and figures were images); see packages/models.",
      '',
    );
  if (inp.description) out.push(inp.description, '');
  if (detailBody.length) {
    const dh = ['row', ...details.map(label)];
    out.push(DETAILS_HEADING, '', `| ${dh.join(' | ')} |`, `| ${dh.map(() => '---').join(' | ')} |`, ...detailBody, '');
  }
  if (noPaper.length) out.push(`The paper's text gives no number for: ${noPaper.join(', ')}.`, '');
  return out.join('\n');
}
