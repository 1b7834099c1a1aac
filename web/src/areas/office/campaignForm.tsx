// The campaign form (create and edit) and its conversion to and from the API's Campaign:
// four phase windows as date ranges, a quota that is either a count or a percentage, the
// pass line and the reinspection lines as two-place decimals.
import { Checkbox, Col, DatePicker, Form, Input, InputNumber, Radio, Row, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { dayjs } from '../../lib/format';
import { fromWall, toWall } from '../review/tz';
import { titleLevels, type S } from './common';

type Campaign = S['v1Campaign'];
type Range = [Dayjs | null, Dayjs | null] | null | undefined;

export interface CampaignValues {
  displayName?: string;
  standardId?: string;
  year?: number;
  targetLevel?: S['v1TitleLevel'];
  kind?: S['v1CampaignKind'];
  applicationWindow?: Range;
  submissionWindow?: Range;
  reviewWindow?: Range;
  publicityWindow?: Range;
  quotaMode?: 'none' | 'count' | 'percent';
  quotaValue?: number | null;
  passLine?: string;
  reviewersPerApplication?: number | null;
  maxResubmissions?: number | null;
  parentCampaignId?: string;
  titleModel?: boolean;
  termYears?: number | null;
  keepLine?: string;
  warnLine?: string;
  noTitleRequired?: boolean;
  lookbackMonths?: number | null;
}

const windows = ['applicationWindow', 'submissionWindow', 'reviewWindow', 'publicityWindow'] as const;

// Windows are picked on the office's wall clock (tz.ts).
function toRange(w: S['v1Window'] | undefined, tz?: string): Range {
  if (!w?.startTime && !w?.endTime) return undefined;
  return [toWall(w.startTime, tz), toWall(w.endTime, tz)];
}

function fromRange(r: Range, tz?: string): S['v1Window'] | undefined {
  if (!r) return undefined;
  return { startTime: r[0] ? fromWall(r[0], tz) : undefined, endTime: r[1] ? fromWall(r[1], tz) : undefined };
}

export function toValues(c: Campaign, tz?: string): CampaignValues {
  const q = c.quota;
  return {
    displayName: c.displayName,
    standardId: c.standardId,
    year: c.year,
    targetLevel: c.targetLevel,
    kind: c.kind,
    applicationWindow: toRange(c.applicationWindow, tz),
    submissionWindow: toRange(c.submissionWindow, tz),
    reviewWindow: toRange(c.reviewWindow, tz),
    publicityWindow: toRange(c.publicityWindow, tz),
    quotaMode: q?.count !== undefined ? 'count' : q?.percent !== undefined ? 'percent' : 'none',
    quotaValue: q?.count ?? q?.percent ?? null,
    passLine: c.passLine ?? '',
    reviewersPerApplication: c.reviewersPerApplication ?? null,
    maxResubmissions: c.maxResubmissions ?? null,
    parentCampaignId: c.parentCampaignId ?? '',
    titleModel: !!c.titleModel,
    termYears: c.termYears ?? null,
    keepLine: c.keepLine ?? '',
    warnLine: c.warnLine ?? '',
    noTitleRequired: !!c.eligibility?.noTitleRequired,
    lookbackMonths: c.eligibility?.lookbackMonths ?? null,
  };
}

export function fromValues(v: CampaignValues, tz?: string): Campaign {
  const c: Campaign = {
    displayName: v.displayName?.trim(),
    standardId: v.standardId,
    year: v.year,
    targetLevel: v.targetLevel,
    kind: v.kind,
    passLine: v.passLine?.trim() || undefined,
    reviewersPerApplication: v.reviewersPerApplication ?? undefined,
    maxResubmissions: v.maxResubmissions ?? undefined,
    parentCampaignId: v.parentCampaignId?.trim() || undefined,
    titleModel: v.titleModel,
    termYears: v.termYears ?? undefined,
    keepLine: v.keepLine?.trim() || undefined,
    warnLine: v.warnLine?.trim() || undefined,
    eligibility: { noTitleRequired: !!v.noTitleRequired, lookbackMonths: v.lookbackMonths ?? undefined },
  };
  for (const w of windows) c[w] = fromRange(v[w], tz);
  if (v.quotaMode === 'count' && v.quotaValue !== null && v.quotaValue !== undefined) c.quota = { count: v.quotaValue };
  else if (v.quotaMode === 'percent' && v.quotaValue) c.quota = { percent: v.quotaValue };
  else c.quota = {};
  return c;
}

// The update mask of an edit: the API fields whose form values changed, so a campaign past
// DRAFT is not refused for fields it froze that the admin did not touch.
const fieldOf: Record<keyof CampaignValues, string> = {
  displayName: 'displayName',
  standardId: 'standardId',
  year: 'year',
  targetLevel: 'targetLevel',
  kind: 'kind',
  applicationWindow: 'applicationWindow',
  submissionWindow: 'submissionWindow',
  reviewWindow: 'reviewWindow',
  publicityWindow: 'publicityWindow',
  quotaMode: 'quota',
  quotaValue: 'quota',
  passLine: 'passLine',
  reviewersPerApplication: 'reviewersPerApplication',
  maxResubmissions: 'maxResubmissions',
  parentCampaignId: 'parentCampaignId',
  titleModel: 'titleModel',
  termYears: 'termYears',
  keepLine: 'keepLine',
  warnLine: 'warnLine',
  noTitleRequired: 'eligibility',
  lookbackMonths: 'eligibility',
};

function same(a: unknown, b: unknown): boolean {
  const norm = (x: unknown): unknown => {
    if (dayjs.isDayjs(x)) return x.toISOString();
    if (Array.isArray(x)) return x.map(norm);
    if (x === '' || x === null || x === undefined) return null;
    return x;
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

export function changedMask(before: CampaignValues, after: CampaignValues): string[] {
  const out = new Set<string>();
  for (const k of Object.keys(fieldOf) as (keyof CampaignValues)[]) {
    if (k in after && !same(before[k], after[k])) out.add(fieldOf[k]);
  }
  return [...out];
}

const decimal = { pattern: /^\d+(\.\d{1,2})?$/, message: '最多两位小数' };

export function CampaignFields({ creating, standards, reinspection, timeZone }: {
  creating: boolean;
  timeZone?: string;
  standards?: { value: string; label: string }[];
  reinspection: boolean;
}) {
  const form = Form.useFormInstance<CampaignValues>();
  const quotaMode = Form.useWatch('quotaMode', form);
  return (
    <>
      <Form.Item name="displayName" label="名称" rules={[{ required: true, whitespace: true }, { max: 200 }]}>
        <Input />
      </Form.Item>
      {creating && (
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="standardId" label="测评细则（已发布）" rules={[{ required: true }]}>
              <Select aria-label="测评细则" options={standards} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="year" label="年度" rules={[{ required: true }]}>
              <InputNumber aria-label="年度" min={2000} max={2100} />
            </Form.Item>
          </Col>
          <Col span={6}>
            <Form.Item name="targetLevel" label="称号级别" rules={[{ required: true }]}>
              <Select aria-label="称号级别" options={titleLevels} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="kind" label="类型">
              <Radio.Group
                options={[
                  { value: 'CAMPAIGN_KIND_SELECTION', label: '评选' },
                  { value: 'CAMPAIGN_KIND_REINSPECTION', label: '复查' },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Row gutter={12}>
        {(
          [
            ['applicationWindow', '申报期'],
            ['submissionWindow', '材料报送期'],
            ['reviewWindow', '测评期'],
            ['publicityWindow', '公示期'],
          ] as const
        ).map(([name, label]) => (
          <Col span={12} key={name}>
            <Form.Item name={name} label={`${label}（${timeZone || 'Asia/Shanghai'}）`}>
              <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" aria-label={label} allowEmpty={[true, true]} />
            </Form.Item>
          </Col>
        ))}
      </Row>
      {!reinspection && (
        <Row gutter={12}>
          <Col span={8}>
            <Form.Item name="quotaMode" label="推荐名额">
              <Radio.Group
                options={[
                  { value: 'none', label: '不设' },
                  { value: 'count', label: '个数' },
                  { value: 'percent', label: '比例' },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            {quotaMode && quotaMode !== 'none' && (
              <Form.Item name="quotaValue" label={quotaMode === 'percent' ? '比例（%）' : '个数'} rules={[{ required: true }]}>
                <InputNumber aria-label="名额" min={quotaMode === 'percent' ? 1 : 0} max={quotaMode === 'percent' ? 100 : 100000} precision={0} />
              </Form.Item>
            )}
          </Col>
          <Col span={8}>
            <Form.Item name="passLine" label="推荐分数线" rules={[decimal]}>
              <Input placeholder="如 85.00，不填为不设" />
            </Form.Item>
          </Col>
        </Row>
      )}
      {reinspection && (
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="keepLine" label="保留线" rules={[decimal, { required: true }]}>
              <Input placeholder="如 85.00" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="warnLine" label="警示线" rules={[decimal, { required: true }]}>
              <Input placeholder="如 70.00" />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Row gutter={12}>
        <Col span={8}>
          <Form.Item name="reviewersPerApplication" label="每份申报测评员数（默认 3）">
            <InputNumber aria-label="每份申报测评员数" min={0} max={20} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="maxResubmissions" label="最多重报次数（默认 1）">
            <InputNumber aria-label="最多重报次数" min={0} max={10} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="termYears" label="称号有效年限（默认 3）">
            <InputNumber aria-label="称号有效年限" min={0} max={10} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="lookbackMonths" label="负面清单追溯月数（默认 24）">
            <InputNumber aria-label="负面清单追溯月数" min={0} max={120} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="noTitleRequired" valuePropName="checked" label=" ">
            <Checkbox>无称号单位也可申报</Checkbox>
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="titleModel" valuePropName="checked" label=" ">
            <Checkbox>命名为标兵</Checkbox>
          </Form.Item>
        </Col>
      </Row>
      {!reinspection && (
        <Form.Item name="parentCampaignId" label="向上级推荐的测评周期 ID（可选）">
          <Input />
        </Form.Item>
      )}
    </>
  );
}
