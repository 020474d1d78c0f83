/**
 * paper-tables/index.html: one self-contained, offline results page generated from the same data
 * as the Markdown (which stays the committed, diffable format). Claims dashboard first (verdict
 * counts, then each claim with its evidence and links to the rows it used), then every table,
 * then every figure. Figures are Vega-Lite specs rendered in the page by vega-embed from the
 * page's own `vendor/` folder (copied there by the report; no CDN); where the scripts are absent
 * (e.g. a git checkout, where vendor/ is not committed) the pre-rendered SVG is shown instead.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';
import type { ClaimResult, ClaimStatus } from './claims.js';

export interface PageInput {
  profile: string;
  profileDescription: string;
  engines: string[];
  codeVersions: string[];
  claims: Array<{ title: string; file: string; results: readonly ClaimResult[] }>;
  /** stage table Markdown files in order: [file name, title, markdown] */
  tables: Array<{ stage: string; file: string; title: string; markdown: string }>;
  /** figure name -> { spec JSON text, svg (may be empty) } */
  figures: Array<{ name: string; spec: string; svg: string }>;
}

/** The vendored scripts the page loads, as paper-tables/vendor/<name>. */
export const VENDOR_SCRIPTS = ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'] as const;

function buildDirOf(pkg: string): string {
  return dirname(fileURLToPath(import.meta.resolve(pkg)));
}

/** The vendored scripts' contents (from the installed vega, vega-lite and vega-embed packages). */
export function vendorFiles(): Map<string, string> {
  const out = new Map<string, string>();
  out.set('vendor/vega.min.js', readFileSync(join(buildDirOf('vega'), 'vega.min.js'), 'utf8'));
  out.set('vendor/vega-lite.min.js', readFileSync(join(buildDirOf('vega-lite'), 'vega-lite.min.js'), 'utf8'));
  out.set('vendor/vega-embed.min.js', readFileSync(join(buildDirOf('vega-embed'), 'vega-embed.min.js'), 'utf8'));
  return out;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const rowAnchor = (stage: string, rowId: string): string =>
  `row-${stage}-${rowId}`.replace(/[^A-Za-z0-9_-]/g, '_');

const BADGE: Record<ClaimStatus, string> = {
  holds: 'holds',
  'does not hold': 'fails',
  inconclusive: 'unsure',
  'not run': 'notrun',
};

/** Markdown of one stage table -> HTML, with an anchor on each row (from its provenance comment). */
function tableHtml(md: string): string {
  const body = md.replace(/^# .*\n/, ''); // the section heading is the page's own
  const html = marked.parse(body, { async: false, gfm: true }) as string;
  return html
    .replace(
      /<td>([^<]*?) <!-- stage=(\S+) row=(\S+) hash=(\S+) profile=(\S+) -->/g,
      (_m, id: string, stage: string, row: string, hash: string) =>
        `<td id="${rowAnchor(stage, row)}" title="config hash ${esc(hash)}">${id}`,
    )
    .replace(/<table>/g, '<div class="scroll"><table>')
    .replace(/<\/table>/g, '</table></div>');
}

function claimsHtml(c: PageInput['claims'][number], tableFiles: Map<string, string>): string {
  const count = (s: ClaimStatus): number => c.results.filter((e) => e.status === s).length;
  const rows = c.results.map((e) => {
    const links = e.rows
      .filter((r) => tableFiles.has(r.stage))
      .map((r) => `<a href="#${rowAnchor(r.stage, r.rowId)}">${esc(r.stage)} ${esc(r.rowId)}</a>`)
      .join(', ');
    return (
      `<tr class="claim ${BADGE[e.status]}"><td>${esc(e.claim.id)}</td><td>${esc(e.claim.table)}</td><td>${esc(e.claim.text)}</td>` +
      `<td class="verdict"><span class="badge ${BADGE[e.status]}">${esc(e.status)}</span></td><td>${esc(e.detail)}${e.basis ? `<br><small>judged on ${esc(e.basis)}</small>` : ''}</td><td>${links || '—'}</td></tr>`
    );
  });
  return [
    `<section id="${c.file.replace(/\.md$/, '')}"><h2>${esc(c.title)}</h2>`,
    `<p class="counts"><span class="badge holds">${count('holds')} hold</span> <span class="badge fails">${count('does not hold')} do not hold</span> <span class="badge unsure">${count('inconclusive')} inconclusive</span> <span class="badge notrun">${count('not run')} not run</span> — rules and tolerances: <a href="${esc(c.file)}">${esc(c.file)}</a></p>`,
    '<div class="scroll"><table class="claims"><thead><tr><th>id</th><th>paper</th><th>claim</th><th>verdict</th><th>evidence</th><th>rows used</th></tr></thead><tbody>',
    ...rows,
    '</tbody></table></div></section>',
  ].join('\n');
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1f2937;color:#f9fafb;padding:16px 24px}header h1{margin:0 0 6px;font-size:20px}
header p{margin:2px 0;font-size:13px;color:#d1d5db}.warn{color:#fde68a}
nav{padding:8px 24px;background:#e5e7eb;font-size:13px}nav a{margin-right:12px}
main{padding:8px 24px 48px}section{margin:24px 0}h2{font-size:17px;border-bottom:1px solid #d1d5db;padding-bottom:4px}
h3{font-size:15px}.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:12.5px;background:#fff}
th,td{border:1px solid #d1d5db;padding:3px 7px;vertical-align:top}th{background:#f3f4f6;text-align:left}
td:target{outline:3px solid #f59e0b}.badge{display:inline-block;border-radius:9px;padding:0 8px;font-weight:600;font-size:12px}
.badge.holds{background:#d1fae5;color:#065f46}.badge.fails{background:#fee2e2;color:#991b1b}.badge.unsure{background:#fef3c7;color:#92400e}.badge.notrun{background:#e5e7eb;color:#374151}
.fig{background:#fff;border:1px solid #d1d5db;padding:8px;margin:8px 0;overflow-x:auto}.fig svg{max-width:100%;height:auto}
`;

/** Renders the figures once the page has loaded, if the vendored scripts are there. */
const SCRIPT = `
window.addEventListener('load', function () {
  if (typeof vegaEmbed !== 'function') { document.body.dataset.figures = 'svg'; return; }
  var figs = document.querySelectorAll('.fig[data-spec]');
  var pending = [];
  figs.forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    var target = el.querySelector('.embed');
    pending.push(vegaEmbed(target, spec, { actions: { export: true, source: true, compiled: false, editor: false }, renderer: 'svg' })
      .then(function () { var s = el.querySelector('.static'); if (s) s.remove(); }));
  });
  Promise.all(pending).then(function () { document.body.dataset.figures = 'vega-embed'; },
    function (e) { document.body.dataset.figures = 'error'; console.error(e); });
});
`;

export function resultsPage(inp: PageInput): string {
  const tableFiles = new Map(inp.tables.map((t) => [t.stage, t.file]));
  const nav = [
    ...inp.claims.map((c) => `<a href="#${c.file.replace(/\.md$/, '')}">${esc(c.title.replace(/ \(.*$/, ''))}</a>`),
    '<a href="#tables">tables</a>',
    '<a href="#figures">figures</a>',
  ].join('');
  const tables = inp.tables.map(
    (t) =>
      `<section id="table-${esc(t.stage)}"><h3>${esc(t.title)} <small><a href="${esc(t.file)}">${esc(t.file)}</a></small></h3>\n${tableHtml(t.markdown)}</section>`,
  );
  const figures = inp.figures.map((f) =>
    [
      `<div class="fig" id="fig-${esc(f.name)}" data-spec="spec-${esc(f.name)}"><h3>${esc(f.name)}</h3>`,
      `<div class="embed"></div>`,
      f.svg ? `<div class="static">${f.svg}</div>` : '',
      `<script type="application/json" id="spec-${esc(f.name)}">${f.spec.replace(/<\//g, '<\\/')}</script></div>`,
    ].join('\n'),
  );
  const paperSetting =
    inp.profile === 'paper'
      ? ''
      : `<p class="warn">These are <b>${esc(inp.profile)}</b> results, not the paper's setting; the paper's numbers stand beside ours for reference. Topologies are reconstructed from the paper's text (its tables were images).</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Results (${esc(inp.profile)}): Panda, Aketi &amp; Roy 2020 reproduced</title>
<style>${CSS}</style>
${VENDOR_SCRIPTS.map((s) => `<script src="vendor/${s}"></script>`).join('\n')}
</head><body>
<header><h1>Panda, Aketi &amp; Roy 2020 and companion methods: reproduced results</h1>
<p>Profile: <b>${esc(inp.profile)}</b> (${esc(inp.profileDescription)}). Engine: ${esc(inp.engines.join(', ') || 'n/a')}. Code: ${esc(inp.codeVersions.join(', ') || 'n/a')}.</p>
${paperSetting}
<p>Generated by pipelines/report from artifacts/results/${esc(inp.profile)}/*/results.arrow, like the Markdown tables beside this page.</p></header>
<nav>${nav}</nav>
<main>
${inp.claims.map((c) => claimsHtml(c, tableFiles)).join('\n')}
<section id="tables"><h2>Tables</h2>
${tables.join('\n')}
</section>
<section id="figures"><h2>Figures</h2>
${figures.join('\n')}
</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
