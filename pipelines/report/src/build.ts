/**
 * Builds every file of paper-tables/ in memory from today's stage configs and the Arrow results,
 * so that the report stage writes them and `pnpm audit:tables` can compare them with what is
 * committed (same code, same bytes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  anyRow,
  listStages,
  loadStageConfig,
  PROFILES,
  profileResults,
  type ExpandedRow,
  type ProfileName,
} from '@snn/pipeline';
import {
  readActivity,
  readResults,
  readSeries,
  type ActivityRecord,
  type ResultRecord,
  type SeriesRecord,
  type StageTiming,
} from '@snn/reporting';
import {
  accuracyVsEnergySpec,
  accuracyVsTSpec,
  activitySpec,
  claimsSpec,
  figure7Spec,
  metricBarSpec,
  renderSvg,
  stdpVsRandomSpec,
  withProfile,
} from './figures.js';
import { renderStageTable, type StageTableRow } from './markdown.js';
import type { TopLevelSpec } from 'vega-lite';
import { CLAIMS, claimsMarkdown, evaluateClaims } from './claims.js';
import { companionClaims } from './companion-claims.js';
import { resultsPage } from './page.js';

export interface StageReport {
  stage: string;
  title: string;
  file: string;
  rows: Array<{ id: string; hash: string }>;
  counts: { ok: number; failed: number; skipped: number; notRun: number };
}

export interface BuiltReport {
  profile: ProfileName;
  /** file name in paper-tables/ -> contents */
  files: Map<string, string>;
  stages: StageReport[];
  results: ResultRecord[];
}

function tableRow(r: ExpandedRow<Record<string, unknown>>): StageTableRow {
  const row = r.row as {
    topology?: string;
    method?: string;
    coding?: string;
    classifier?: string;
    T?: number;
    paper?: Record<string, number | string>;
    skip?: string;
  };
  return {
    id: r.id,
    hash: r.hash,
    topology: row.topology,
    method: row.method,
    coding: row.coding,
    classifier: row.classifier,
    T: row.T,
    paper: row.paper,
    skip: row.skip,
  };
}

function readTiming(file: string): StageTiming | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StageTiming;
  } catch {
    return undefined; // timing is informative only; a damaged file leaves the rows' timing out
  }
}

export async function buildReport(
  root: string,
  profile: ProfileName,
  opts: { svg?: boolean } = {},
): Promise<BuiltReport> {
  const files = new Map<string, string>();
  const stages: StageReport[] = [];
  const all: ResultRecord[] = [];
  const activity: ActivityRecord[] = [];
  const series: SeriesRecord[] = [];
  const resDir = profileResults(profile, root);
  const specs = new Map<string, TopLevelSpec>();
  const timing: Record<string, StageTiming['rows']> = {};

  for (const s of listStages(root)) {
    if (!s.config) continue;
    const cfg = loadStageConfig(s.config, anyRow, profile);
    const results = readResults(join(resDir, s.dir, 'results.arrow')).filter((r) => r.profile === profile);
    all.push(...results);
    activity.push(...readActivity(join(resDir, s.dir, 'activity.arrow')).filter((a) => a.profile === profile));
    series.push(...readSeries(join(resDir, s.dir, 'series.arrow')).filter((c) => c.profile === profile));
    const rows = cfg.rows.map((r) => tableRow(r as ExpandedRow<Record<string, unknown>>));
    const file = `${s.dir}.md`;
    // timing and throughput differ on every run: runStage keeps them out of results.arrow, in
    // <stage>/timing.json; the report gathers the current rows' into artifacts/report/timing.json
    const st = readTiming(join(resDir, s.dir, 'timing.json'));
    if (st?.profile === profile) {
      for (const r of rows) {
        const t = st.rows[r.id];
        if (t && t.configHash === r.hash) (timing[cfg.stage] ??= {})[r.id] = t;
      }
    }
    files.set(
      file,
      renderStageTable({
        stage: cfg.stage,
        title: cfg.title,
        source: cfg.source,
        description: cfg.description,
        profile,
        profileDescription: PROFILES[profile].description,
        rows,
        results,
      }),
    );
    const counts = { ok: 0, failed: 0, skipped: 0, notRun: 0 };
    for (const r of rows) {
      const recs = results.filter((x) => x.rowId === r.id && x.configHash === r.hash);
      if (!recs.length) {
        if (r.skip) counts.skipped++;
        else counts.notRun++;
      } else if (recs.some((x) => x.status === 'failed')) counts.failed++;
      else if (recs.some((x) => x.status === 'skipped')) counts.skipped++;
      else counts.ok++;
    }
    stages.push({
      stage: cfg.stage,
      title: cfg.title,
      file,
      rows: rows.map((r) => ({ id: r.id, hash: r.hash })),
      counts,
    });
    const act = activitySpec(activity, cfg.stage);
    if (act) specs.set(`activity-${s.dir}`, act);
  }

  // Only rows whose config hash is today's count (stale Arrow rows of an edited config are ignored).
  const current = new Set(stages.flatMap((s) => s.rows.map((r) => `${s.stage}/${r.id}/${r.hash}`)));
  const fresh = all.filter((r) => current.has(`${r.table}/${r.rowId}/${r.configHash}`));
  const freshSeries = series.filter((c) => current.has(`${c.table}/${c.rowId}/${c.configHash}`));

  const params = fresh.filter((r) => r.table === 'params');
  const add = (name: string, spec: TopLevelSpec | undefined): void => {
    if (spec) specs.set(name, spec);
  };
  add('params-unique', metricBarSpec(params, 'unique_params', 'Unique parameters per topology (paper widths)', true));
  add('params-ann-energy', metricBarSpec(params, 'ann_energy_uJ', 'ANN energy per image, 45 nm int32 (µJ)', true));
  const fig7 = fresh.filter((r) => r.table === 'figure-07');
  add('figure-07-ee', figure7Spec(fig7));
  add('accuracy-vs-T', accuracyVsTSpec(fresh, freshSeries));
  add('accuracy-vs-energy', accuracyVsEnergySpec(fresh));
  add('stdp-vs-random', stdpVsRandomSpec(fresh));

  const evaluated = evaluateClaims(fresh, profile, CLAIMS, freshSeries);
  const companion = evaluateClaims(fresh, profile, companionClaims(fresh, profile, freshSeries), freshSeries);
  add('claims-verdicts', claimsSpec(evaluated, 'Claims of the paper: verdict per table'));

  const figureNames = [...specs.keys()].sort();
  for (const name of figureNames) {
    const spec = withProfile(specs.get(name)!, profile);
    files.set(`${name}.vl.json`, `${JSON.stringify(spec, null, 2)}\n`);
    if (opts.svg !== false) files.set(`${name}.svg`, `${await renderSvg(spec)}\n`);
  }

  const engines = [
    ...new Set(fresh.filter((r) => r.engine !== 'none' && r.status === 'ok').map((r) => r.engine)),
  ].sort();
  files.set('claims.md', claimsMarkdown(evaluated, profile, engines));
  files.set(
    'companion-claims.md',
    claimsMarkdown(companion, profile, engines)
      .replace(
        /^# .*$/m,
        '# Claims of the companion methods (TTFS, low-latency conversion, Dspike), checked on the extension tables',
      )
      .replace(
        'checks are in pipelines/report/src/claims.ts',
        'checks are in pipelines/report/src/companion-claims.ts',
      ),
  );

  const idx = [
    '# Paper tables (generated)',
    '',
    `<!-- report profile=${profile} -->`,
    '',
    `Regenerated by \`pnpm reproduce\` (pipelines/report) from artifacts/results/${profile}/*/results.arrow. Profile: **${profile}** — ${PROFILES[profile].description}. ` +
      "Every number carries its config hash; `pnpm audit:tables` checks this folder against today's configs and the Arrow results.",
    '',
    '| stage | table | rows ok | failed | skipped | not run |',
    '| --- | --- | --- | --- | --- | --- |',
    ...stages.map(
      (s) =>
        `| ${s.stage} | [${s.title.replace(/\|/g, '\\|')}](${s.file}) | ${s.counts.ok} | ${s.counts.failed} | ${s.counts.skipped} | ${s.counts.notRun} |`,
    ),
    '',
    `Claims: [claims.md](claims.md) — ${['holds', 'does not hold', 'inconclusive', 'not run'].map((st) => `${evaluated.filter((e) => e.status === st).length} ${st}`).join(', ')}.`,
    `Companion-method claims: [companion-claims.md](companion-claims.md) — ${['holds', 'does not hold', 'inconclusive', 'not run'].map((st) => `${companion.filter((e) => e.status === st).length} ${st}`).join(', ')}.`,
    '',
    'All of it on one page, offline: [index.html](index.html) (figures drawn by vega-embed from `vendor/`, which `pnpm reproduce` writes beside it and git ignores; without it the page shows the SVGs).',
    '',
    'Figures:',
    '',
    ...(figureNames.length
      ? figureNames.map((n) => `- ${n}: [spec](${n}.vl.json), [svg](${n}.svg)`)
      : ['- none yet (no results with the metrics they plot)']),
    '',
  ];
  files.set('README.md', idx.join('\n'));
  // not a published file (publish.ts copies tables, figures and the page): timings change every run
  files.set(
    'timing.json',
    `${JSON.stringify({ profile, note: 'seconds and throughput per row of this run; kept out of the committed tables', stages: timing }, null, 1)}\n`,
  );
  // The results page needs the SVGs (its fallback where the vendored scripts are absent): the
  // audit's svg-less build leaves it out, as it leaves out the SVGs.
  if (opts.svg !== false) {
    files.set(
      'index.html',
      resultsPage({
        profile,
        profileDescription: PROFILES[profile].description,
        engines,
        codeVersions: [...new Set(fresh.filter((r) => r.status !== 'skipped').map((r) => r.codeVersion))].sort(),
        claims: [
          { title: 'Claims of Panda, Aketi & Roy 2020', file: 'claims.md', results: evaluated },
          {
            title: 'Claims of the companion methods (TTFS, low-latency conversion, Dspike)',
            file: 'companion-claims.md',
            results: companion,
          },
        ],
        tables: stages.map((st) => ({
          stage: st.stage,
          file: st.file,
          title: st.title,
          markdown: files.get(st.file) ?? '',
        })),
        figures: figureNames.map((n) => ({
          name: n,
          spec: files.get(`${n}.vl.json`) ?? '{}',
          svg: files.get(`${n}.svg`) ?? '',
        })),
      }),
    );
  }
  return { profile, files, stages, results: fresh };
}
