import { request as playwrightRequest, expect, type APIRequestContext } from '@playwright/test';
import { baseURL } from './playwright.config';
import { password, type Who } from './fixtures';

// The browser flows run on a campaign of their own, arranged through the API as the demo's
// offices: a small standard (three scored indicators, so the unit can complete its evidence
// in a few steps in the browser), the city's campaign, and the district's campaign under it
// (one reviewer per application, quota of one) — the real cycle with less typing.

export const year = new Date().getFullYear();
const day = 86_400_000;

export interface World {
  api: APIRequestContext;
  tokens: Record<Who, string>;
  cityOffice: string;
  districtOffice: string;
  unit: string;
  cityCampaign: string;
  campaign: string;
  campaignName: string;
}

async function ok<T>(res: Promise<import('@playwright/test').APIResponse>): Promise<T> {
  const r = await res;
  expect(r.status(), `${r.url()}: ${await r.text()}`).toBeLessThan(300);
  return (await r.json()) as T;
}

export async function arrange(): Promise<World> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { 'Accept-Language': 'zh-CN' } });
  const who: Who[] = ['demo-province', 'demo-city', 'demo-district', 'demo-reviewer', 'demo-unit'];
  const tokens = {} as Record<Who, string>;
  for (const w of who) {
    tokens[w] = (await ok<{ accessToken: string }>(api.post('/v1/auth/login', { data: { login: w, password: password(w) } }))).accessToken;
  }
  const as = (w: Who) => ({ Authorization: `Bearer ${tokens[w]}` });
  const scope = async (w: Who) =>
    (await ok<{ scopes: { officeId?: string; unitId?: string }[] }>(api.get('/v1/auth/me', { headers: as(w) }))).scopes[0];
  const cityOffice = (await scope('demo-city')).officeId!;
  const districtOffice = (await scope('demo-district')).officeId!;
  const unit = (await scope('demo-unit')).unitId!;

  const annual = (more: object = {}) => ({ narrativeMaxChars: 200, cadence: 'CADENCE_ANNUAL', ...more });
  const std = await ok<{ id: string; etag: string }>(
    api.post(`/v1/offices/${cityOffice}/standards`, {
      headers: as('demo-city'),
      data: {
        code: 'E2E-WMDW',
        displayName: '示例市文明单位测评细则（浏览器测试）',
        basePoints: '100.00',
        bonusCap: '5.00',
        indicators: [
          { code: '1', title: '基础工作', kind: 'INDICATOR_KIND_GROUP', maxPoints: '60.00' },
          {
            code: '1.1', parentCode: '1', title: '志愿服务活动', kind: 'INDICATOR_KIND_POINTS', maxPoints: '30.00',
            evidenceSpec: annual({ fileTypes: ['pdf', 'jpg', 'png'], minFiles: 2, minPhotos: 1 }),
          },
          { code: '1.2', parentCode: '1', title: '文明宣传阵地', kind: 'INDICATOR_KIND_GRADE', maxPoints: '30.00', evidenceSpec: annual() },
          { code: '2', title: '工作业绩', kind: 'INDICATOR_KIND_GROUP', maxPoints: '40.00' },
          {
            code: '2.1', parentCode: '2', title: '道德规范知晓率', kind: 'INDICATOR_KIND_THRESHOLD', maxPoints: '40.00',
            target: '85.00', evidenceSpec: annual(),
          },
        ],
      },
    }),
  );
  await ok(api.post(`/v1/standards/${std.id}:publish`, { headers: as('demo-city'), data: { etag: std.etag } }));

  const now = Date.now();
  const window = (from: number, to: number) => ({
    startTime: new Date(now + from).toISOString(),
    endTime: new Date(now + to).toISOString(),
  });
  const campaignName = `${year} 年度示例区文明单位测评（浏览器测试）`;
  const open = async (w: Who, office: string, level: string, name: string, parent = '') => {
    const c = await ok<{ id: string }>(
      api.post(`/v1/offices/${office}/campaigns`, {
        headers: as(w),
        data: {
          standardId: std.id, year, targetLevel: level, displayName: name,
          applicationWindow: window(-3_600_000, 10 * day), submissionWindow: window(day, 20 * day),
          reviewWindow: window(21 * day, 30 * day), publicityWindow: window(31 * day, 38 * day),
          quota: { count: 1 }, passLine: '60.00', reviewersPerApplication: 1, parentCampaignId: parent,
        },
      }),
    );
    await ok(api.post(`/v1/campaigns/${c.id}:transition`, { headers: as(w), data: { to: 'CAMPAIGN_STATE_OPEN' } }));
    return c.id;
  };
  const cityCampaign = await open('demo-city', cityOffice, 'TITLE_LEVEL_MUNICIPAL', `${year} 年度示例市文明单位测评（浏览器测试）`);
  const campaign = await open('demo-district', districtOffice, 'TITLE_LEVEL_DISTRICT', campaignName, cityCampaign);
  return { api, tokens, cityOffice, districtOffice, unit, cityCampaign, campaign, campaignName };
}

/** PDF is a small valid PDF with one page of text, as a unit's scanned document would be. */
export function pdf(text: string): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${`BT /F1 18 Tf 20 70 Td (${text}) Tj ET`.length} >>\nstream\nBT /F1 18 Tf 20 70 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** png is a small valid PNG photo (16×16, one colour). */
export function png(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGM4oaFBEmIY1TCqYfhqAAB8MxgQ+Pjr0gAAAABJRU5ErkJggg==',
    'base64',
  );
}

/** creditCode completes a unified social credit code (GB 32100-2015) with its check character. */
export function creditCode(body: string): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body.slice(0, 17)].reduce((n, c, i) => n + chars.indexOf(c) * weights[i], 0);
  return body.slice(0, 17) + chars[(31 - (sum % 31)) % 31];
}
