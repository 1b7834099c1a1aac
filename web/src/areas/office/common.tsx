// What every page of the office area shares: the office being managed (the caller's own,
// or one below it picked in the office tree), paging through list routes, and the Chinese
// names of the enums this area shows that src/lib does not name.
import { createContext, useContext } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { components } from '../../api/schema';
import { api, unwrap } from '../../api/client';

export type S = components['schemas'];
export type Office = S['v1Office'];

export interface OfficeCtx {
  /** The office the pages manage. */
  officeId: string;
  /** The offices where the caller is an admin (writes are allowed only there). */
  adminOfficeIds: string[];
  setOfficeId: (id: string) => void;
}

export const OfficeContext = createContext<OfficeCtx>({ officeId: '', adminOfficeIds: [], setOfficeId: () => {} });

export function useOfficeCtx(): OfficeCtx & { canWrite: boolean } {
  const c = useContext(OfficeContext);
  return { ...c, canWrite: c.adminOfficeIds.includes(c.officeId) };
}

export function useOffice(officeId: string) {
  return useQuery({
    queryKey: ['office', officeId],
    enabled: !!officeId,
    staleTime: 5 * 60_000,
    queryFn: async () => unwrap(await api.GET('/v1/offices/{officeId}', { params: { path: { officeId } } })),
  });
}

/** listAll follows page tokens (at most `pages` pages) and returns every item. */
export async function listAll<T>(
  page: (token: string | undefined) => Promise<{ items: T[]; next?: string }>,
  pages = 50,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < pages; i++) {
    const r = await page(token);
    out.push(...r.items);
    if (!r.next) break;
    token = r.next;
  }
  return out;
}

function label(table: Record<string, string>, prefix: string) {
  return (v: string | undefined): string => (!v ? '—' : (table[v] ?? v.replace(prefix, '')));
}

export const unitCategories: { value: S['v1UnitCategory']; label: string }[] = ([
  ['UNIT_CATEGORY_PARTY_GOVERNMENT', '党政机关'],
  ['UNIT_CATEGORY_PUBLIC_INSTITUTION', '事业单位'],
  ['UNIT_CATEGORY_STATE_ENTERPRISE', '国有企业'],
  ['UNIT_CATEGORY_PRIVATE_ENTERPRISE', '民营企业'],
  ['UNIT_CATEGORY_SCHOOL', '学校'],
  ['UNIT_CATEGORY_HOSPITAL', '医院'],
  ['UNIT_CATEGORY_SERVICE_WINDOW', '窗口单位'],
  ['UNIT_CATEGORY_SOCIAL_ORGANIZATION', '社会组织'],
  ['UNIT_CATEGORY_OTHER', '其他'],
] as const).map(([value, l]) => ({ value, label: l }));

export const titleLevels: { value: S['v1TitleLevel']; label: string }[] = [
  { value: 'TITLE_LEVEL_DISTRICT', label: '区县级' },
  { value: 'TITLE_LEVEL_MUNICIPAL', label: '市级' },
  { value: 'TITLE_LEVEL_PROVINCIAL', label: '省级' },
  { value: 'TITLE_LEVEL_NATIONAL', label: '全国' },
];
export const titleLevelLabel = label(Object.fromEntries(titleLevels.map((t) => [t.value, t.label])), 'TITLE_LEVEL_');

export const levels: { value: S['v1Level']; label: string }[] = [
  { value: 'LEVEL_DISTRICT', label: '区县级' },
  { value: 'LEVEL_MUNICIPAL', label: '市级' },
  { value: 'LEVEL_PROVINCIAL', label: '省级' },
  { value: 'LEVEL_NATIONAL', label: '全国' },
];

export const negativeCategories: { value: S['v1NegativeListCategory']; label: string }[] = [
  { value: 'NEGATIVE_LIST_CATEGORY_DISCIPLINE_VIOLATION', label: '领导班子或成员严重违纪违法' },
  { value: 'NEGATIVE_LIST_CATEGORY_CRIMINAL_CASE', label: '职工发生刑事案件' },
  { value: 'NEGATIVE_LIST_CATEGORY_MAJOR_ACCIDENT', label: '重大安全生产事故' },
  { value: 'NEGATIVE_LIST_CATEGORY_FOOD_SAFETY', label: '重大食品药品安全事故' },
  { value: 'NEGATIVE_LIST_CATEGORY_MASS_INCIDENT', label: '群体性事件' },
  { value: 'NEGATIVE_LIST_CATEGORY_ENVIRONMENTAL', label: '重大环境污染事件' },
  { value: 'NEGATIVE_LIST_CATEGORY_SOCIAL_GOVERNANCE', label: '社会治安综合治理未达标' },
  { value: 'NEGATIVE_LIST_CATEGORY_CONDUCT_REVIEW', label: '行风政风评议排名末位' },
  { value: 'NEGATIVE_LIST_CATEGORY_OTHER', label: '其他' },
];
export const negativeCategoryLabel = label(Object.fromEntries(negativeCategories.map((t) => [t.value, t.label])), 'NEGATIVE_LIST_CATEGORY_');

export const standardStateLabel = label(
  { STANDARD_STATE_DRAFT: '草稿', STANDARD_STATE_PUBLISHED: '已发布', STANDARD_STATE_RETIRED: '已停用' },
  'STANDARD_STATE_',
);

export const aggregations: { value: S['v1Aggregation']; label: string }[] = [
  { value: 'AGGREGATION_MEAN', label: '平均' },
  { value: 'AGGREGATION_MEDIAN', label: '中位数' },
  { value: 'AGGREGATION_TRIMMED_MEAN', label: '去掉最高最低后平均' },
];

export const assessmentMethods: { value: S['v1AssessmentMethod']; label: string }[] = [
  { value: 'ASSESSMENT_METHOD_MATERIAL', label: '查阅资料' },
  { value: 'ASSESSMENT_METHOD_ON_SITE', label: '实地考察' },
  { value: 'ASSESSMENT_METHOD_QUESTIONNAIRE', label: '问卷调查' },
  { value: 'ASSESSMENT_METHOD_ONLINE', label: '网上测评' },
  { value: 'ASSESSMENT_METHOD_DEPARTMENT_OPINION', label: '部门意见' },
];

export const indicatorKinds: { value: S['v1IndicatorKind']; label: string }[] = [
  { value: 'INDICATOR_KIND_GROUP', label: '分组' },
  { value: 'INDICATOR_KIND_POINTS', label: '计分' },
  { value: 'INDICATOR_KIND_GRADE', label: '等级' },
  { value: 'INDICATOR_KIND_THRESHOLD', label: '达标' },
  { value: 'INDICATOR_KIND_LINEAR', label: '线性' },
  { value: 'INDICATOR_KIND_CHECKLIST', label: '清单' },
  { value: 'INDICATOR_KIND_BONUS', label: '加分' },
  { value: 'INDICATOR_KIND_DEDUCTION', label: '扣分' },
  { value: 'INDICATOR_KIND_VETO', label: '一票否决' },
];

export const cadences: { value: S['v1Cadence']; label: string }[] = [
  { value: 'CADENCE_ANNUAL', label: '年度' },
  { value: 'CADENCE_QUARTERLY', label: '季度' },
  { value: 'CADENCE_MONTHLY', label: '月度' },
];

/** The phase after each campaign state, for the transition button. */
export const nextCampaignState: Partial<Record<string, S['v1CampaignState']>> = {
  CAMPAIGN_STATE_DRAFT: 'CAMPAIGN_STATE_OPEN',
  CAMPAIGN_STATE_OPEN: 'CAMPAIGN_STATE_SUBMISSION',
  CAMPAIGN_STATE_SUBMISSION: 'CAMPAIGN_STATE_REVIEW',
  CAMPAIGN_STATE_REVIEW: 'CAMPAIGN_STATE_RANKED',
  CAMPAIGN_STATE_RANKED: 'CAMPAIGN_STATE_PUBLICITY',
  CAMPAIGN_STATE_PUBLICITY: 'CAMPAIGN_STATE_CLOSED',
};

/**
 * Results and summaries name an application's state without its prefix ("SCORED"), the
 * applications API with it; this gives the full enum name the labels know.
 */
export function fullAppState(s: string | undefined): string {
  if (!s) return '';
  return s.startsWith('APPLICATION_STATE_') ? s : `APPLICATION_STATE_${s}`;
}
