import { test, expect, signIn, shot, accessible, type Who } from './fixtures';

// Every page of every area, as the role that works there sees it on the demo data: each one
// renders without a script error, passes axe-core and is kept as a screenshot.
const tours: [Who, string, string, RegExp][] = [
  ['demo-district', '/office/campaigns', 'office-campaigns', /测评周期/],
  ['demo-district', '/office/offices', 'office-offices', /示例区文明办/],
  ['demo-district', '/office/units', 'office-units', /示例区图书馆/],
  ['demo-district', '/office/users', 'office-users', /demo-reviewer/],
  ['demo-city', '/office/standards', 'office-standards', /示例市文明单位测评细则/],
  ['demo-district', '/office/webhooks', 'office-webhooks', /Webhook|webhook|回调/],
  ['demo-district', '/office/audit', 'office-audit', /操作留痕/],
  ['demo-reviewer', '/review', 'review-queue', /我的评审任务/],
  ['demo-province', '/summary', 'province-summary', /示例市文明办/],
];

for (const [who, path, name, text] of tours) {
  test(`${name} (${who})`, async ({ page }) => {
    await signIn(page, who);
    await page.goto(path);
    await expect(page.getByText(text).first()).toBeVisible();
    await shot(page, name);
    await accessible(page);
  });
}

test('the standard editor (demo-city)', async ({ page }) => {
  await signIn(page, 'demo-city');
  await page.goto('/office/standards');
  await page.getByRole('link', { name: /示例市文明单位测评细则/ }).first().click();
  await expect(page.getByText('领导班子好').first()).toBeVisible();
  await shot(page, 'office-standard-editor');
  await accessible(page);
});
