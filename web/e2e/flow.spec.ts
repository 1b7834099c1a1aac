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

/** moveCampaign moves a campaign to its next phase from the office's campaign page, early. */
async function moveCampaign(page: Page, campaign: string, label: string) {
  await page.goto(`/office/campaigns/${campaign}`);
  await page.getByRole('button', { name: `进入“${label}”阶段` }).click();
  const dialog = page.getByRole('dialog', { name: `进入“${label}”阶段` });
  await dialog.getByRole('checkbox').check();
  await dialog.getByLabel('理由').fill('浏览器测试：提前进入下一阶段');
  await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
  await expect(page.getByText(`已进入“${label}”阶段`).first()).toBeVisible();
}

async function pickDue(page: Page, label: string) {
  const due = new Date(Date.now() + 7 * 86_400_000);
  const text = `${due.getFullYear()}-${String(due.getMonth() + 1).padStart(2, '0')}-${String(due.getDate()).padStart(2, '0')} 18:00:00`;
  const input = page.getByLabel(label);
  await input.click();
  await input.fill(text);
  await input.press('Enter');
  const ok = page.locator('.ant-picker-ok button');
  if (await ok.isVisible()) await ok.click();
}

test('the district opens the review and assigns its reviewer', async ({ page }) => {
  await signIn(page, 'demo-district');
  await moveCampaign(page, world.campaign, '测评中');
  await page.getByRole('tab', { name: '申报与评审' }).click();
  await page.getByRole('button', { name: /分配测评员/ }).click();
  await expect(page.getByText(/已为 1 份申报分配 1 张评分表/)).toBeVisible();
  await shot(page, 'office-assigned');
  await accessible(page);
});

test('the reviewer scores, and returns one indicator for rectification', async ({ page }) => {
  await signIn(page, 'demo-reviewer');
  await page.goto('/review');
  await page.getByRole('row').filter({ hasText: '示例区图书馆' }).getByRole('link', { name: '评分' }).click();
  await expect(page.getByText('志愿服务活动台账.pdf').first()).toBeVisible();
  await page.getByLabel('1.1 志愿服务活动 得分').fill('27.50');
  await page.getByLabel('2.1 道德规范知晓率 测量值').fill('92.50');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page.getByText('草稿已保存').first()).toBeVisible();
  await shot(page, 'review-sheet');
  await accessible(page);

  await page.getByRole('button', { name: '退回整改' }).click();
  const dialog = page.getByRole('dialog', { name: '退回整改' });
  await dialog.getByLabel('退回的材料').click();
  await page.locator('.ant-select-item-option', { hasText: '1.2 文明宣传阵地（全部期次）' }).click();
  await dialog.getByLabel('退回理由').fill('宣传栏未见更新记录，请补充每月更新的照片说明。');
  await pickDue(page, '整改截止时间');
  await dialog.getByRole('button', { name: '退回' }).click();
  await expect(page.getByText('已退回整改').first()).toBeVisible();
});

test('the unit sees the return with its reason and resubmits', async ({ page }) => {
  await signIn(page, 'demo-unit');
  await page.goto(`/unit/applications/${application}`);
  await page.getByRole('tab', { name: /退回事项/ }).click();
  await expect(page.getByText('宣传栏未见更新记录').filter({ visible: true }).first()).toBeVisible();
  await shot(page, 'unit-returned');
  await accessible(page);

  await page.getByRole('link', { name: '修改并重新报送' }).click();
  await expect(page).toHaveURL(new RegExp(`/evidence/1\\.2/${period}$`));
  await page.getByLabel('文字说明').fill('宣传栏每月更新，附 1-11 月更新记录。');
  await submitItem(page);
  await page.goto(`/unit/applications/${application}`);
  await page.getByRole('button', { name: '重新提交' }).click();
  await page.getByRole('button', { name: '提交', exact: true }).click();
  await expect(page.getByText('已重新提交').first()).toBeVisible();
});

test('the reviewer finalizes the sheet', async ({ page }) => {
  await signIn(page, 'demo-reviewer');
  await page.goto('/review');
  await page.getByRole('row').filter({ hasText: '示例区图书馆' }).getByRole('link', { name: '评分' }).click();
  await page.getByRole('radiogroup', { name: '1.2 文明宣传阵地 等次' }).getByText('A', { exact: true }).click();
  await page.getByRole('button', { name: '提交评分表' }).click();
  await page.getByRole('dialog').getByRole('button', { name: '提交' }).click();
  await expect(page.getByText('评分表已提交').first()).toBeVisible();
  await shot(page, 'review-finalized');
});

test('the district ranks and recommends within its quota', async ({ page }) => {
  await signIn(page, 'demo-district');
  await moveCampaign(page, world.campaign, '已排名');
  await page.getByRole('tab', { name: '排名与推荐' }).click();
  const row = page.getByRole('row').filter({ hasText: '示例区图书馆' });
  await expect(row).toContainText('推荐');
  await shot(page, 'office-ranking');
  await accessible(page);
});

test('the city sees the recommendation in its own campaign', async ({ page }) => {
  await signIn(page, 'demo-city');
  await page.goto(`/office/campaigns/${world.cityCampaign}`);
  await page.getByRole('tab', { name: '申报与评审' }).click();
  await expect(page.getByRole('row').filter({ hasText: '示例区图书馆' })).toBeVisible();
  await shot(page, 'city-recommended');
  await accessible(page);
  await page.goto('/summary');
  await expect(page.getByText('示例区文明办').first()).toBeVisible();
  await shot(page, 'city-summary');
  await accessible(page);
});

test('the public reads the publicity list and files an objection, without signing in', async ({ page }) => {
  await signIn(page, 'demo-district');
  await moveCampaign(page, world.campaign, '公示中');
  await page.context().clearCookies();

  await page.goto(`/public/campaigns/${world.campaign}`);
  await expect(page.getByText('示例区图书馆').first()).toBeVisible();
  await shot(page, 'public-publicity');
  await accessible(page);
  await page.getByRole('button', { name: '对 示例区图书馆 提出异议' }).click();
  const dialog = page.getByRole('dialog', { name: '提出异议' });
  await dialog.getByLabel('异议内容').fill('该单位周末闭馆，未按承诺开放。');
  await dialog.getByRole('button', { name: '提交异议' }).click();
  await expect(page.getByText('受理编号').first()).toBeVisible();
  await shot(page, 'public-objection-receipt');
});
