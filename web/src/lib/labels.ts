// Chinese names of the API's enums. An unknown value (a newer server) is shown as is,
// without its prefix, rather than hidden.
import type { components } from '../api/schema';

type S = components['schemas'];

function label<T extends string>(table: Partial<Record<T, string>>, prefix: string) {
  return (v: T | string | undefined): string => {
    if (!v) return '—';
    return (table as Record<string, string>)[v] ?? v.replace(prefix, '');
  };
}

export const applicationStateLabel = label<S['v1ApplicationState']>(
  {
    APPLICATION_STATE_UNSPECIFIED: '—',
    APPLICATION_STATE_DRAFT: '填报中',
    APPLICATION_STATE_SUBMITTED: '已提交',
    APPLICATION_STATE_IN_REVIEW: '测评中',
    APPLICATION_STATE_RETURNED: '已退回',
    APPLICATION_STATE_RESUBMITTED: '已重新提交',
    APPLICATION_STATE_SCORED: '已评分',
    APPLICATION_STATE_RECOMMENDED: '已推荐',
    APPLICATION_STATE_NOT_RECOMMENDED: '未推荐',
    APPLICATION_STATE_VETOED: '一票否决',
    APPLICATION_STATE_NAMED: '已命名',
    APPLICATION_STATE_WITHDRAWN: '已撤回',
  },
  'APPLICATION_STATE_',
);

export const campaignStateLabel = label<S['v1CampaignState']>(
  {
    CAMPAIGN_STATE_UNSPECIFIED: '—',
    CAMPAIGN_STATE_DRAFT: '草稿',
    CAMPAIGN_STATE_OPEN: '申报中',
    CAMPAIGN_STATE_SUBMISSION: '材料报送',
    CAMPAIGN_STATE_REVIEW: '测评中',
    CAMPAIGN_STATE_RANKED: '已排名',
    CAMPAIGN_STATE_PUBLICITY: '公示中',
    CAMPAIGN_STATE_CLOSED: '已结束',
  },
  'CAMPAIGN_STATE_',
);

export const indicatorKindLabel = label<S['v1IndicatorKind']>(
  {
    INDICATOR_KIND_UNSPECIFIED: '—',
    INDICATOR_KIND_GROUP: '分组',
    INDICATOR_KIND_POINTS: '计分',
    INDICATOR_KIND_GRADE: '等级',
    INDICATOR_KIND_THRESHOLD: '达标',
    INDICATOR_KIND_LINEAR: '线性',
    INDICATOR_KIND_CHECKLIST: '清单',
    INDICATOR_KIND_BONUS: '加分',
    INDICATOR_KIND_DEDUCTION: '扣分',
    INDICATOR_KIND_VETO: '一票否决',
  },
  'INDICATOR_KIND_',
);

export const evidenceStateLabel = label<S['v1EvidenceState']>(
  {
    EVIDENCE_STATE_UNSPECIFIED: '未填报',
    EVIDENCE_STATE_DRAFT: '草稿',
    EVIDENCE_STATE_SUBMITTED: '已报送',
    EVIDENCE_STATE_ACCEPTED: '已通过',
    EVIDENCE_STATE_RETURNED: '已退回',
  },
  'EVIDENCE_STATE_',
);

export const cadenceLabel = label<S['v1Cadence']>(
  {
    CADENCE_UNSPECIFIED: '年度',
    CADENCE_ANNUAL: '年度',
    CADENCE_QUARTERLY: '季度',
    CADENCE_MONTHLY: '月度',
  },
  'CADENCE_',
);

export const levelLabel = label<S['v1Level']>(
  {
    LEVEL_UNSPECIFIED: '—',
    LEVEL_DISTRICT: '区县级',
    LEVEL_MUNICIPAL: '市级',
    LEVEL_PROVINCIAL: '省级',
    LEVEL_NATIONAL: '全国',
  },
  'LEVEL_',
);

export const objectionStateLabel = label<S['v1ObjectionState']>(
  {
    OBJECTION_STATE_UNSPECIFIED: '—',
    OBJECTION_STATE_RECEIVED: '已受理',
    OBJECTION_STATE_RESOLVED: '已办结',
    OBJECTION_STATE_UPHELD: '异议成立',
  },
  'OBJECTION_STATE_',
);

export const titleStateLabel = label<S['v1TitleState']>(
  {
    TITLE_STATE_UNSPECIFIED: '—',
    TITLE_STATE_NAMED: '已命名',
    TITLE_STATE_WARNED: '警示',
    TITLE_STATE_RECTIFYING: '整改中',
    TITLE_STATE_REVOKED: '已撤销',
    TITLE_STATE_RESTORED: '已恢复',
  },
  'TITLE_STATE_',
);

export const roleLabel = label<S['v1Role']>(
  {
    ROLE_UNSPECIFIED: '—',
    ROLE_OFFICE_ADMIN: '文明办管理员',
    ROLE_OFFICE_REVIEWER: '测评员',
    ROLE_OFFICE_VIEWER: '文明办查阅',
    ROLE_UNIT_ADMIN: '单位管理员',
    ROLE_UNIT_SUBMITTER: '单位填报员',
    ROLE_PLATFORM_ADMIN: '平台管理员',
  },
  'ROLE_',
);

/** Tag colours of application states, for antd Tag. */
export function applicationStateColor(v: string | undefined): string {
  switch (v) {
    case 'APPLICATION_STATE_DRAFT':
      return 'default';
    case 'APPLICATION_STATE_RETURNED':
      return 'warning';
    case 'APPLICATION_STATE_VETOED':
    case 'APPLICATION_STATE_NOT_RECOMMENDED':
    case 'APPLICATION_STATE_WITHDRAWN':
      return 'error';
    case 'APPLICATION_STATE_RECOMMENDED':
    case 'APPLICATION_STATE_NAMED':
      return 'success';
    default:
      return 'processing';
  }
}

export function evidenceStateColor(v: string | undefined): string {
  switch (v) {
    case 'EVIDENCE_STATE_SUBMITTED':
      return 'processing';
    case 'EVIDENCE_STATE_ACCEPTED':
      return 'success';
    case 'EVIDENCE_STATE_RETURNED':
      return 'warning';
    case 'EVIDENCE_STATE_DRAFT':
      return 'default';
    default:
      return 'default';
  }
}

export const unitCategoryLabel = label<string>(
  {
    UNIT_CATEGORY_UNSPECIFIED: '—',
    UNIT_CATEGORY_PARTY_GOVERNMENT: '党政机关',
    UNIT_CATEGORY_PUBLIC_INSTITUTION: '事业单位',
    UNIT_CATEGORY_STATE_ENTERPRISE: '国有企业',
    UNIT_CATEGORY_PRIVATE_ENTERPRISE: '民营企业',
    UNIT_CATEGORY_SCHOOL: '学校',
    UNIT_CATEGORY_HOSPITAL: '医院',
    UNIT_CATEGORY_SERVICE_WINDOW: '窗口单位',
    UNIT_CATEGORY_SOCIAL_ORGANIZATION: '社会组织',
    UNIT_CATEGORY_OTHER: '其他',
  },
  'UNIT_CATEGORY_',
);
