import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { test, expect, password } from './fixtures';
import { artifacts } from './playwright.config';

// First loads, timed in a fresh browser context each (nothing cached), beside a static
// page served by the same gateway; the figures go to docs/BENCHMARKS.md ("Console").
// Interactive means the page's first control can be used: the login form's field, the
// unit area's list of campaigns with its 申报 buttons.
const runs = Number(process.env.E2E_PERF_RUNS ?? 5);

interface Load {
  ms: number;
  domContentLoaded: number;
  scriptBytes: number; // as sent: gzip
  scripts: number;
}

async function measure(browser: Browser, path: string, ready: (p: Page) => Promise<void>, signIn = false): Promise<Load> {
  const context = await browser.newContext({ reducedMotion: 'reduce' });
  const page = await context.newPage();
  if (signIn) {
    // The session cookie, as a returning user has it; the load itself starts cold.
    const r = await page.request.post('/v1/auth/login', {
      headers: { 'X-Wenming-Session': 'cookie' },
      data: { login: 'demo-unit', password: password('demo-unit') },
    });
    expect(r.status()).toBe(200);
  }
  const start = Date.now();
  await page.goto(path);
  await ready(page);
  const ms = Date.now() - start;
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
    return {
      domContentLoaded: nav.domContentLoadedEventEnd,
      scriptBytes: scripts.reduce((n, r) => n + r.transferSize, 0),
      scripts: scripts.length,
    };
  });
  await context.close();
  return { ms, ...timing };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('first load of the console beside a static page', async ({ browser }) => {
  test.setTimeout(300_000);
  const pages: Record<string, [string, (p: Page) => Promise<void>, boolean]> = {
    'static page (/healthz)': ['/healthz', async (p) => void (await expect(p.locator('body')).toContainText('ok')), false],
    'login page': ['/login', async (p) => void (await expect(p.getByLabel('用户名')).toBeEditable()), false],
    'unit area (signed in)': [
      '/unit',
      async (p) => void (await expect(p.getByRole('button', { name: /申报/ }).first()).toBeVisible()),
      true,
    ],
  };
  const report: Record<string, Load & { runs: number[] }> = {};
  for (const [name, [path, ready, signIn]] of Object.entries(pages)) {
    const loads: Load[] = [];
    for (let i = 0; i < runs; i++) loads.push(await measure(browser, path, ready, signIn));
    report[name] = {
      ms: median(loads.map((l) => l.ms)),
      domContentLoaded: Math.round(median(loads.map((l) => l.domContentLoaded))),
      scriptBytes: median(loads.map((l) => l.scriptBytes)),
      scripts: median(loads.map((l) => l.scripts)),
      runs: loads.map((l) => l.ms),
    };
  }
  const dir = resolve(import.meta.dirname, artifacts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'perf.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(
    ['| page | interactive (median ms) | runs | DOMContentLoaded (ms) | JavaScript sent (gzip) | scripts |', '|---|---|---|---|---|---|']
      .concat(
        Object.entries(report).map(
          ([n, r]) => `| ${n} | ${r.ms} | ${r.runs.join(', ')} | ${r.domContentLoaded} | ${(r.scriptBytes / 1024).toFixed(1)} KiB | ${r.scripts} |`,
        ),
      )
      .join('\n'),
  );
  // The budget of issue 13: the unit area's first load stays under 350 KB of gzip script.
  expect(report['unit area (signed in)'].scriptBytes).toBeLessThan(350 * 1000);
});
