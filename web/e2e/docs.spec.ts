import { test, expect, shot, token, accessible } from './fixtures';

// /docs is the interactive API reference: Swagger UI over /openapi3.json, working under the
// console's Content-Security-Policy and sending real requests with a bearer token.
test('the API page lists the routes and tries one with a bearer token', async ({ page, request }) => {
  await page.goto('/docs');
  await expect(page.getByRole('heading', { name: /Wenming API/ })).toBeVisible();
  await expect(page.locator('.opblock-summary-path', { hasText: /^\/v1\/auth\/me$/ })).toBeVisible();
  await shot(page, 'docs');
  await accessible(page);

  const bearer = await token(request, 'demo-district');
  await page.getByRole('button', { name: /Authorize/ }).first().click();
  await page.locator('.auth-container input').first().fill(bearer);
  await page.getByRole('button', { name: 'Apply credentials' }).click();
  await page.getByRole('button', { name: 'Close', exact: true }).click();

  const me = page.locator('.opblock', { has: page.locator('.opblock-summary-path', { hasText: /^\/v1\/auth\/me$/ }) });
  await me.locator('.opblock-summary').click();
  await me.getByRole('button', { name: 'Try it out' }).click();
  await me.getByRole('button', { name: 'Execute' }).click();
  await expect(me.locator('.live-responses-table tr.response .response-col_status').first()).toHaveText('200');
  await expect(me.locator('.live-responses-table tr.response .microlight').first()).toContainText('demo-district');
  await shot(page, 'docs-try-it');

  // The token was kept for the page only.
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(bearer);
});
