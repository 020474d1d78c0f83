import { describe, expect, it } from 'vitest';
import { resultsPage, rowAnchor, vendorFiles } from '../src/page.js';
import { renderStageTable } from '../src/markdown.js';
import { resultRecord as rec } from '@snn/reporting/testing';
import type { ClaimResult } from '../src/claims.js';

const md = renderStageTable({
  stage: 'table-08',
  title: 'Table 8: AGD',
  profile: 'quick',
  rows: [{ id: 'vgg5-agd', hash: 'h1', topology: 'VGG5', method: 'agd', T: 25, paper: { accuracy: 88.1 } }],
  results: [rec({ rowId: 'vgg5-agd', configHash: 'h1', topology: 'VGG5', value: 30.5 })],
});
const claim = (status: ClaimResult['status']): ClaimResult => ({
  claim: {
    id: 't8-a',
    table: 'Table 8',
    text: 'AGD within <3 points of its ANN',
    rule: 'r',
    check: () => ({ status, detail: '' }),
  },
  profile: 'quick',
  status,
  detail: 'VGG5 30.50 vs 35.00',
  rows: [{ stage: 'table-08', rowId: 'vgg5-agd' }],
  basis: 'T 25 · width 0.25 · 1000 test images · 1 seed',
});
const html = resultsPage({
  profile: 'quick',
  profileDescription: 'laptop',
  engines: ['tensorflow@4.22.0+tf2.21.0'],
  codeVersions: ['abc123'],
  claims: [{ title: 'Claims', file: 'claims.md', results: [claim('holds'), { ...claim('not run'), rows: [] }] }],
  tables: [{ stage: 'table-08', file: 'table-08.md', title: 'Table 8: AGD', markdown: md }],
  figures: [
    {
      name: 'accuracy-vs-T',
      spec: JSON.stringify({ title: '</script><b>x</b>', mark: 'point' }),
      svg: '<svg><g class="role-mark"></g></svg>',
    },
  ],
});

describe('results page (paper-tables/index.html)', () => {
  it('has the profile and engine in its header and says quick is not the paper setting', () => {
    expect(html).toContain('Profile: <b>quick</b> (laptop). Engine: tensorflow@4.22.0+tf2.21.0. Code: abc123.');
    expect(html).toContain('not the paper');
  });
  it('links each claim to the table rows it used, which carry matching anchors', () => {
    const anchor = rowAnchor('table-08', 'vgg5-agd');
    expect(html).toContain(`<a href="#${anchor}">table-08 vgg5-agd</a>`);
    expect(html).toContain('judged on T 25 · width 0.25 · 1000 test images · 1 seed');
    expect(html).toContain(`<td id="${anchor}" title="config hash h1">vgg5-agd`);
    expect(html).toMatch(
      /<span class="badge holds">1 hold<\/span> <span class="badge fails">0 do not hold<\/span> <span class="badge unsure">0 inconclusive<\/span> <span class="badge notrun">1 not run<\/span>/,
    );
  });
  it('embeds each spec safely, with its SVG as the fallback, and loads scripts only from vendor/', () => {
    expect(html).toContain(
      '<script type="application/json" id="spec-accuracy-vs-T">{"title":"<\\/script><b>x<\\/b>","mark":"point"}</script>',
    );
    expect(html).toContain('<div class="static"><svg>');
    expect(html.match(/<script src="[^"]+"/g)).toEqual([
      '<script src="vendor/vega.min.js"',
      '<script src="vendor/vega-lite.min.js"',
      '<script src="vendor/vega-embed.min.js"',
    ]);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
  it('vendors vega, vega-lite and vega-embed from the installed packages', () => {
    const v = vendorFiles();
    expect([...v.keys()]).toEqual(['vendor/vega.min.js', 'vendor/vega-lite.min.js', 'vendor/vega-embed.min.js']);
    for (const text of v.values()) expect(text.length).toBeGreaterThan(10_000);
  });
});
