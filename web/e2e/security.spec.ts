import { test, expect, signIn, shot, token } from './fixtures';
import { creditCode, pdf } from './world';

// Nothing a user typed is ever rendered as HTML (docs/console.md "Sessions"): a unit whose
// name, narrative and file name are full of markup shows them as text, and no script runs.
// The fixtures fail the test on any dialog (an alert() that ran) or script error.
const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
// A file name keeps only its last path element ("</script>" has a slash), so its markup is
// the image alone.
const evilFile = '<img src=x onerror=alert(3)>.pdf';

test('names, narratives and file names with script tags show as text', async ({ page, request }) => {
  const district = await token(request, 'demo-district');
  const as = (t: string) => ({ Authorization: `Bearer ${t}`, 'Accept-Language': 'zh-CN' });
  const me = await (await request.get('/v1/auth/me', { headers: as(district) })).json();
  const office = me.scopes[0].officeId as string;

  const unit = await request.post(`/v1/offices/${office}/units`, {
    headers: as(district),
    data: { displayName: `${evil}示例小学`, creditCode: creditCode('12330106MB0000029'), category: 'UNIT_CATEGORY_SCHOOL' },
  });
  expect(unit.status(), await unit.text()).toBe(200);
  const unitId = (await unit.json()).id as string;
  const user = await request.post(`/v1/units/${unitId}/users`, {
    headers: as(district),
    data: { login: 'xss-unit', displayName: `${evil}联络员`, password: 'xss-unit-password', roles: ['ROLE_UNIT_ADMIN'] },
  });
  expect(user.status(), await user.text()).toBe(200);

  // The unit applies to the demo's open campaign and writes its evidence through the API.
  const login = await request.post('/v1/auth/login', { data: { login: 'xss-unit', password: 'xss-unit-password' } });
  const unitToken = (await login.json()).accessToken as string;
  const campaigns = await (await request.get(`/v1/offices/${office}/campaigns`, { headers: as(unitToken) })).json();
  const demo = campaigns.campaigns.find((c: { state: string }) => c.state === 'CAMPAIGN_STATE_OPEN');
  const app = await (
    await request.post(`/v1/campaigns/${demo.id}/applications`, { headers: as(unitToken), data: { unitId } })
  ).json();
  const file = await request.put(`/v1/applications/${app.id}/files`, {
    headers: { ...as(unitToken), 'Content-Type': 'application/pdf', 'X-File-Name': encodeURIComponent(evilFile) },
    data: pdf('xss'),
  });
  expect(file.status(), await file.text()).toBe(201);
  const period = String(new Date().getFullYear());
  const saved = await request.put(`/v1/applications/${app.id}/evidence/1.1/${period}`, {
    headers: as(unitToken),
    data: { narrative: `${evil}领导小组文件`, fileIds: [(await file.json()).id] },
  });
  expect(saved.status(), await saved.text()).toBe(200);

  await signIn(page, 'xss-unit', 'xss-unit-password');
  await expect(page.getByRole('heading', { level: 3 })).toContainText(`${evil}示例小学`);
  await page.goto(`/unit/applications/${app.id}/evidence/1.1/${period}`);
  await expect(page.getByText(evilFile).first()).toBeVisible();
  await expect(page.getByRole('textbox').first()).toHaveValue(`${evil}领导小组文件`);
  expect(await page.locator('img[src="x"], script:not([src])').count()).toBe(0);
  await shot(page, 'security-unit-evidence');
});
