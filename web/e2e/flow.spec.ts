import type { Page } from '@playwright/test';
import { test, expect, signIn, shot, accessible } from './fixtures';
import { arrange, pdf, png, year, type World } from './world';

// The yearly cycle, one role after another, through the console and the real API (issue 13):
// the unit applies, uploads a PDF and a photo and submits; the reviewer scores and returns
// one indicator; the unit resubmits; the reviewer finalizes; the district ranks and
// recommends; the city sees the recommendation; the public files an objection.
test.describe.configure({ mode: 'serial' });

let world: World;
let application = '';
const period = String(year);

test.beforeAll(async () => {
  world = await arrange();
});
test.afterAll(async () => {
  await world?.api.dispose();
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** district moves the district's campaign through the API (early, with a reason, as offices may). */
async function transition(to: string) {
  const r = await world.api.post(`/v1/campaigns/${world.campaign}:transition`, {
    headers: { Authorization: `Bearer ${world.tokens['demo-district']}` },
    data: { to, force: true, reason: '浏览器测试：提前进入下一阶段' },
  });
  expect(r.status(), await r.text()).toBe(200);
}

async function openItem(page: Page, code: string) {
  await page.goto(`/unit/applications/${application}`);
  const row = page.getByRole('row').filter({ hasText: new RegExp(`^\\s*${escape(code)}\\b`) });
  await row.getByRole('link', { name: /填报|查看/ }).click();
  await expect(page).toHaveURL(new RegExp(`/evidence/${escape(code)}/${period}$`));
}

async function submitItem(page: Page) {
  await page.getByRole('button', { name: /^(重新)?报送$/ }).click();
  await expect(page.getByText(/已报送/).first()).toBeVisible();
}

test('the unit applies to the campaign', async ({ page }) => {
  await signIn(page, 'demo-unit');
  await expect(page).toHaveURL(/\/unit/);
  const item = page.getByRole('listitem').filter({ hasText: world.campaignName });
  await item.getByRole('button', { name: '申报' }).click();
  await expect(page).toHaveURL(/\/unit\/applications\/[^/]+$/);
  application = page.url().split('/').pop()!;
  await expect(page.getByText('报送清单').first()).toBeVisible();
  await shot(page, 'unit-application');
  await accessible(page);
});

test('the unit uploads a PDF and a photo, writes its narratives and submits', async ({ page }) => {
  await transition('CAMPAIGN_STATE_SUBMISSION');
  await signIn(page, 'demo-unit');

  await openItem(page, '1.1');
  await page.getByLabel('文字说明').fill('全年组织志愿服务活动 12 次，参与职工 86 人次。');
  await page.locator('input[type=file]').setInputFiles([
    { name: '志愿服务活动台账.pdf', mimeType: 'application/pdf', buffer: pdf('volunteer log') },
    { name: '活动照片.png', mimeType: 'image/png', buffer: png() },
  ]);
  await expect(page.getByText('志愿服务活动台账.pdf').first()).toBeVisible();
  await expect(page.getByText('活动照片.png').first()).toBeVisible();
  await shot(page, 'unit-evidence-upload');
  await accessible(page);
  await submitItem(page);

  await openItem(page, '1.2');
  await page.getByLabel('文字说明').fill('在单位大厅设置文明宣传栏，每月更新。');
  await submitItem(page);

  await openItem(page, '2.1');
  await page.getByLabel('文字说明').fill('随机抽取 40 名职工问卷测试。');
  await page.getByLabel('测量值').fill('92.50');
  await submitItem(page);

  await page.goto(`/unit/applications/${application}`);
  await page.getByRole('button', { name: '提交申报' }).click();
  await page.getByRole('button', { name: '提交', exact: true }).click();
  await expect(page.getByText('申报已提交').first()).toBeVisible();
  await shot(page, 'unit-submitted');
});
