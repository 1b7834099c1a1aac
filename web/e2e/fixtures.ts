import { readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page, type APIRequestContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { artifacts } from './playwright.config';

/** The demo's accounts, as `wenming serve --demo` wrote them into its data directory. */
export type Who = 'demo-province' | 'demo-city' | 'demo-district' | 'demo-reviewer' | 'demo-unit';

let passwords: Map<string, string> | undefined;
export function password(who: Who): string {
  if (!passwords) {
    const file = join(import.meta.dirname, process.env.E2E_DATA_DIR ?? '.data', 'demo-accounts');
    passwords = new Map(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.trim().split(/\s+/))
        .map((f) => [f[0], f[f.length - 1]]),
    );
  }
  const pw = passwords.get(who);
  if (!pw) throw new Error(`no demo account ${who}`);
  return pw;
}

/** signIn signs in through the login page, as a person does (a demo account by default). */
export async function signIn(page: Page, who: string, pw = password(who as Who)): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('用户名').fill(who);
  await page.getByLabel('密码').fill(pw);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** token signs in through the API (for arranging data the page under test will show). */
export async function token(request: APIRequestContext, who: Who): Promise<string> {
  const r = await request.post('/v1/auth/login', { data: { login: who, password: password(who) } });
  expect(r.status(), await r.text()).toBe(200);
  return (await r.json()).accessToken;
}

/** shot keeps a full-page screenshot of each page as a CI artefact. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = resolve(import.meta.dirname, artifacts, 'screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** accessible fails on any serious or critical axe-core violation of the page as shown. */
export async function accessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 160)}`).join(', ')}`),
  ).toEqual([]);
}

/**
 * test fails a test on any script error or Content-Security-Policy refusal in the page:
 * a console that works only because an error went unseen is broken.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
      });
      page.on('dialog', (d) => {
        errors.push(`dialog opened: ${d.message()}`);
        void d.dismiss();
      });
      await use(errors);
      expect(errors).toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };
