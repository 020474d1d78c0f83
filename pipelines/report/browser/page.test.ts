/**
 * The results page in a real browser (Debian's Chromium, driven by playwright-core; no browser
 * download): it must load from file://, draw every figure with vega-embed from its own vendor/
 * folder, show every table and the claims, and log no console errors. Writes a screenshot to
 * artifacts/report/results-page.png (CI copies it into .ci/out/).
 *
 * Run after a pipeline run: `pnpm test:browser` checks the page that run generated
 * (artifacts/report/index.html; SNN_PAGE_DIR=paper-tables checks the committed one). It fails, saying why,
 * where Chromium is missing (CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = resolve(root, process.env.SNN_PAGE_DIR ?? join('artifacts', 'report'));
const page = join(dir, 'index.html');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(executablePath))
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  if (!existsSync(page)) throw new Error(`no ${page}: run pnpm reproduce first`);
  if (!existsSync(join(dir, 'vendor', 'vega-embed.min.js')))
    throw new Error(`no ${dir}/vendor/: the report stage writes it; run pnpm reproduce`);
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

describe('the results page (index.html) in Chromium', () => {
  it('draws every figure, shows every table and claim, logs no errors; screenshot saved', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const p = await ctx.newPage();
    const errors: string[] = [];
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    p.on('pageerror', (e) => errors.push(String(e)));
    // offline: any request that leaves file:// is an error
    await p.route(/^(?!file:)/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await p.goto(pathToFileURL(page).href);
    // (strings, not functions: this file is typechecked without the DOM library)
    await p.waitForFunction('document.body.dataset.figures !== undefined', undefined, { timeout: 60_000 });
    expect(await p.evaluate('document.body.dataset.figures')).toBe('vega-embed');

    const figures = readdirSync(dir)
      .filter((f) => f.endsWith('.vl.json'))
      .map((f) => f.replace(/\.vl\.json$/, ''));
    expect(figures.length).toBeGreaterThan(0);
    for (const name of figures) {
      const marks = await p.locator(`#fig-${name} .embed svg .role-mark`).count();
      expect(marks, `figure ${name} drew no marks`).toBeGreaterThan(0);
      expect(await p.locator(`#fig-${name} .static`).count(), `figure ${name} still shows its static SVG`).toBe(0);
    }
    const index = readFileSync(join(dir, 'README.md'), 'utf8');
    const stages = [...index.matchAll(/^\| (\S+) \| \[/gm)].map((m) => m[1]!);
    expect(stages.length).toBeGreaterThan(5);
    for (const s of stages) expect(await p.locator(`#table-${s} table`).count(), `table ${s}`).toBeGreaterThan(0);
    expect(await p.locator('table.claims tr.claim').count()).toBeGreaterThan(10);
    // a claim's row link lands on a table row
    const link = p.locator('table.claims td a').first();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^#row-/);
    expect(await p.locator(href!).count()).toBe(1);

    await p.screenshot({ path: join(root, 'artifacts', 'report', 'results-page.png'), fullPage: false });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
