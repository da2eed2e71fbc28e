/**
 * Opens report.html in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) and checks
 * that the charts rendered: no console error, no request leaves the file, every chart's SVG has its marks.
 * Saves a full-page screenshot to .tailstream-tmp/screenshots/report.png. Skipped without Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { writeReport } from '../../src/eval/report/write-report.js';
import { writeFakeRun } from './report-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve('.tailstream-tmp', 'screenshots', 'report.png');

describe.runIf(existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ts-report-chromium-'));
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders every chart with its marks, without console errors or network requests, and saves a screenshot', async () => {
    writeFakeRun(path.join(dir, 'ce'), { recipe: 'ce', skill: 0.8 });
    writeFakeRun(path.join(dir, 'ldam-drw'), { recipe: 'ldam-drw', seed: 2 });
    const { html } = await writeReport([path.join(dir, 'ce'), path.join(dir, 'ldam-drw')], { out: path.join(dir, 'report'), png: false });

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

    const charts = await page.$$eval('figure[data-chart]', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const count = (selector: string) => svg?.querySelectorAll(selector).length ?? 0;
        return {
          id: f.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          symbols: count('g.mark-symbol.role-mark path'),
          rects: count('g.mark-rect.role-mark path'),
          lines: count('g.mark-line.role-mark path'),
          texts: count('g.mark-text.role-mark text'),
        };
      }),
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(
      ['run-1', 'run-2'].flatMap((r) => ['per-class-accuracy', 'long-tail-profile', 'confusion-matrix', 'training-curves', 'reliability-diagram'].map((c) => `${r}-${c}`)),
    );
    for (const c of charts) {
      expect(c.width, c.id!).toBeGreaterThan(100);
      expect(c.height, c.id!).toBeGreaterThan(100);
    }
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId['run-1-per-class-accuracy']!.symbols).toBe(10); // one point per class
    expect(byId['run-1-long-tail-profile']!.rects).toBe(10); // one bar per class
    expect(byId['run-1-confusion-matrix']!.rects).toBe(100); // C² cells
    expect(byId['run-1-confusion-matrix']!.texts).toBe(100);
    expect(byId['run-1-training-curves']!.lines).toBeGreaterThanOrEqual(2);
    expect(byId['run-1-reliability-diagram']!.rects).toBeGreaterThan(0);
    // The comparison table with a delta in every ldam-drw cell.
    const deltas = await page.locator('#comparison tbody tr').nth(1).locator('.delta').count();
    expect(deltas).toBeGreaterThanOrEqual(8);

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await page.close();
  });
});
