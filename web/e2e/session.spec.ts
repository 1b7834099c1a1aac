import { test, expect, signIn, shot, accessible } from './fixtures';

// The console's session (docs/console.md "Sessions"): the access token only in memory,
// the refresh token in a cookie no script can read, a reload restored by the cookie.
test('the token is out of every script’s reach, and a reload keeps the session', async ({ page, context }) => {
  await page.goto('/login');
  await shot(page, 'login');
  await accessible(page);
  await signIn(page, 'demo-unit');

  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(stored).not.toMatch(/eyJ|token/i);
  expect(await page.evaluate(() => document.cookie)).not.toContain('wenming_refresh');
  const cookie = (await context.cookies()).find((c) => c.name === 'wenming_refresh');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth/' });

  await page.reload();
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByText('图书馆创建联络员')).toBeVisible();

  await page.getByText('图书馆创建联络员').click();
  await page.getByText('退出登录').click();
  await expect(page).toHaveURL(/\/login/);
  expect((await context.cookies()).find((c) => c.name === 'wenming_refresh')).toBeUndefined();
  await page.reload();
  await expect(page).toHaveURL(/\/login/);
});

// Tabs share the refresh cookie, and a rotated refresh token presented again ends the
// whole session as suspected theft: tabs loading at once (a browser restoring them) must
// take turns, or every one of them is signed out.
test('tabs loading at the same moment all keep the session', async ({ page, context }) => {
  await signIn(page, 'demo-unit');
  const tabs = [page, ...(await Promise.all([1, 2, 3].map(() => context.newPage())))];
  // A slow network (a second added to every request): tabs that did not take turns would
  // all send the same cookie before the first answer (and its new cookie) came back.
  for (const t of tabs) {
    const cdp = await context.newCDPSession(t);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 1000, downloadThroughput: -1, uploadThroughput: -1 });
  }
  for (let round = 0; round < 2; round++) {
    await Promise.all(tabs.map((t) => t.goto('/unit')));
    for (const t of tabs) {
      await expect(t.getByText('图书馆创建联络员')).toBeVisible();
      await expect(t).not.toHaveURL(/\/login/);
    }
  }
});

test('a wrong password is explained and signs nobody in', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill('demo-unit');
  await page.getByLabel('密码').fill('not-the-password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText(/密码/);
  await expect(page).toHaveURL(/\/login/);
});
