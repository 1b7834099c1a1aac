import { defineConfig } from '@playwright/test';

// The browser tests run against a real `wenming serve --demo` (serve.sh) in Debian's
// Chromium: Playwright downloads no browser of its own (docs/console.md "Tests").
const port = Number(process.env.E2E_PORT ?? 18480);
export const baseURL = `http://127.0.0.1:${port}`;
export const artifacts = process.env.E2E_ARTIFACTS ?? 'artifacts';

export default defineConfig({
  testDir: '.',
  outputDir: `${artifacts}/results`,
  // The flows build on each other's data (the unit submits what the reviewer scores).
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 240_000, // a flow step loads several pages; CI machines are shared
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: `${artifacts}/report` }]],
  use: {
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1440, height: 900 },
    // Motion off: antd's animations would only slow the runs and blur the screenshots.
    reducedMotion: 'reduce',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    },
  },
  webServer: {
    command: 'bash serve.sh',
    url: `${baseURL}/readyz`,
    timeout: 600_000, // the first Go build on a cold cache
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: { E2E_PORT: String(port) },
  },
});
