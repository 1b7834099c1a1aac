// CampaignPage: one campaign — its settings and phase moves, applications and reviewer
// assignment, ranking and recommendation, publicity and objections, reinspection.
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Button, Card, Checkbox, Descriptions, Form, Input, Modal, Space, Spin, Steps, Tabs, Tag, Typography,
} from 'antd';
import { api, unwrap } from '../../api/client';
import { ApiError, applyFieldErrors, errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { campaignStateLabel } from '../../lib/labels';
import ApplicationsTab from './ApplicationsTab';
import { CampaignFields, changedMask, fromValues, toValues, type CampaignValues } from './campaignForm';
import { nextCampaignState, titleLevelLabel, useOffice, useOfficeCtx, type S } from './common';
import PublicityTab from './PublicityTab';
import RankingTab from './RankingTab';
import ReinspectionTab from './ReinspectionTab';
import { describeQuota } from './recommend';
import { message } from '../../lib/feedback';

type Campaign = S['v1Campaign'];

const order: S['v1CampaignState'][] = [
  'CAMPAIGN_STATE_DRAFT',
  'CAMPAIGN_STATE_OPEN',
  'CAMPAIGN_STATE_SUBMISSION',
  'CAMPAIGN_STATE_REVIEW',
  'CAMPAIGN_STATE_RANKED',
  'CAMPAIGN_STATE_PUBLICITY',
  'CAMPAIGN_STATE_CLOSED',
];

export function useCampaign(campaignId: string) {
  return useQuery({
    queryKey: ['office', 'campaign', campaignId],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{campaignId}', { params: { path: { campaignId } } })),
  });
}

function Transition({ campaign, onDone }: { campaign: Campaign; onDone: (c: Campaign) => void }) {
  const to = nextCampaignState[campaign.state ?? ''];
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ force: boolean; reason: string; documentNumber: string }>();
  const force = Form.useWatch('force', form);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  if (!to) return null;
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    setProblem('');
    try {
      const r = unwrap(await api.POST('/v1/campaigns/{campaignId}:transition', {
        params: { path: { campaignId: campaign.id ?? '' } },
        body: {
          to,
          force: !!v.force,
          reason: v.force ? v.reason?.trim() : undefined,
          documentNumber: to === 'CAMPAIGN_STATE_CLOSED' ? v.documentNumber?.trim() : undefined,
          etag: campaign.etag,
        },
      }));
      setOpen(false);
      form.resetFields();
      onDone(r);
      void message.success(`已进入“${campaignStateLabel(to)}”阶段`);
    } catch (e) {
      applyFieldErrors(form, e);
      setProblem(errorMessage(e));
      // Moves refused for the window or unfinished reviews can be forced with a reason.
      if (e instanceof ApiError && (e.reason === 'REVIEW_INCOMPLETE' || e.reason === 'CAMPAIGN_TOO_EARLY')) form.setFieldValue('force', true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        进入“{campaignStateLabel(to)}”阶段
      </Button>
      <Modal open={open} title={`进入“${campaignStateLabel(to)}”阶段`} onOk={submit} confirmLoading={busy} onCancel={() => setOpen(false)} destroyOnHidden>
        {to === 'CAMPAIGN_STATE_RANKED' && (
          <Typography.Paragraph>将按排名在名额内推荐（{describeQuota(campaign.quota)}，分数线 {campaign.passLine || '不设'}），推荐结果随即确定。</Typography.Paragraph>
        )}
        {to === 'CAMPAIGN_STATE_PUBLICITY' && <Typography.Paragraph>将发布公示名单（全部推荐单位），公众可提出异议。</Typography.Paragraph>}
        {to === 'CAMPAIGN_STATE_CLOSED' && <Typography.Paragraph>将命名公示名单上的单位，并记入各单位的称号。</Typography.Paragraph>}
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} />}
        <Form form={form} layout="vertical">
          {to === 'CAMPAIGN_STATE_CLOSED' && (
            <Form.Item name="documentNumber" label="命名文件文号" rules={[{ required: true, whitespace: true }]}>
              <Input placeholder="如 西文明委〔2026〕3号" />
            </Form.Item>
          )}
          <Form.Item name="force" valuePropName="checked">
            <Checkbox>强制推进（不在阶段时间内，或仍有申报未完成评审）</Checkbox>
          </Form.Item>
          {force && (
            <Form.Item name="reason" label="理由" rules={[{ required: true, whitespace: true }]}>
              <Input.TextArea autoSize={{ minRows: 2 }} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </>
  );
}

function SettingsTab({ campaign, editable, onSaved }: { campaign: Campaign; editable: boolean; onSaved: (c: Campaign) => void }) {
  const [form] = Form.useForm<CampaignValues>();
  const tz = useOffice(campaign.officeId ?? '').data?.timeZone;
  const initial = useMemo(() => toValues(campaign, tz), [campaign, tz]);
  useEffect(() => form.setFieldsValue(initial), [initial, form]);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    const mask = changedMask(initial, v);
    if (mask.length === 0) {
      void message.info('没有修改');
      return;
    }
    setBusy(true);
    try {
      const r = unwrap(await api.PATCH('/v1/campaigns/{campaignId}', {
        params: { path: { campaignId: campaign.id ?? '' }, query: { updateMask: mask.join(',') } },
        body: { ...fromValues(v, tz), etag: campaign.etag },
      }));
      onSaved(r);
      void message.success('已保存');
    } catch (e) {
      applyFieldErrors(form, e, { strip: ['campaign'] });
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" disabled={!editable}>
      <CampaignFields creating={false} timeZone={tz} reinspection={campaign.kind === 'CAMPAIGN_KIND_REINSPECTION'} />
      {editable && (
        <Button type="primary" loading={busy} onClick={save}>
          保存
        </Button>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        草稿可以修改全部设置；开始后只能修改尚未冻结的设置（如后续阶段的时间）。
      </Typography.Paragraph>
    </Form>
  );
}

export default function CampaignPage() {
  const { campaignId = '' } = useParams();
  const { officeId, canWrite } = useOfficeCtx();
  const qc = useQueryClient();
  const campaign = useCampaign(campaignId);
  const c = campaign.data;
  if (campaign.isError) return <Alert type="error" showIcon title={errorMessage(campaign.error)} />;
  if (!c) return <Spin />;
  const own = canWrite && c.officeId === officeId;
  const set = (r: Campaign) => {
    qc.setQueryData(['office', 'campaign', campaignId], r);
    void qc.invalidateQueries({ queryKey: ['office', 'campaigns'] });
    void qc.invalidateQueries({ queryKey: ['office', 'c', campaignId] });
  };
  const current = order.indexOf(c.state ?? 'CAMPAIGN_STATE_DRAFT');
  const reinspection = c.kind === 'CAMPAIGN_KIND_REINSPECTION';
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Link to="/office/campaigns">← 返回测评周期</Link>
      <Card size="small" title={c.displayName} extra={own && <Transition campaign={c} onDone={set} />}>
        <Steps size="small" current={current} items={order.map((s) => ({ title: campaignStateLabel(s) }))} style={{ marginBottom: 12 }} />
        <Descriptions size="small" column={{ xs: 1, md: 4 }}>
          <Descriptions.Item label="年度">{c.year}</Descriptions.Item>
          <Descriptions.Item label="级别">{titleLevelLabel(c.targetLevel)}</Descriptions.Item>
          <Descriptions.Item label="类型">{reinspection ? '复查' : '评选'}</Descriptions.Item>
          <Descriptions.Item label="名额">{reinspection ? `保留线 ${c.keepLine ?? ''} / 警示线 ${c.warnLine ?? ''}` : `${describeQuota(c.quota)}，分数线 ${c.passLine || '不设'}`}</Descriptions.Item>
          <Descriptions.Item label="申报期">{formatDateTime(c.applicationWindow?.startTime)} – {formatDateTime(c.applicationWindow?.endTime)}</Descriptions.Item>
          <Descriptions.Item label="报送期">{formatDateTime(c.submissionWindow?.startTime)} – {formatDateTime(c.submissionWindow?.endTime)}</Descriptions.Item>
          <Descriptions.Item label="测评期">{formatDateTime(c.reviewWindow?.startTime)} – {formatDateTime(c.reviewWindow?.endTime)}</Descriptions.Item>
          <Descriptions.Item label="公示期">{formatDateTime(c.publicityWindow?.startTime)} – {formatDateTime(c.publicityWindow?.endTime)}</Descriptions.Item>
        </Descriptions>
        {!own && <Tag color="warning">非本级测评周期：只读</Tag>}
      </Card>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'apps', label: '申报与评审', children: <ApplicationsTab campaign={c} own={own} /> },
          ...(reinspection
            ? [{ key: 'reinspection', label: '复查结论', children: <ReinspectionTab campaign={c} own={own} /> }]
            : [
                { key: 'ranking', label: '排名与推荐', children: <RankingTab campaign={c} /> },
                { key: 'publicity', label: '公示与异议', children: <PublicityTab campaign={c} own={own} /> },
              ]),
          { key: 'settings', label: '设置', children: <SettingsTab campaign={c} editable={own && c.state !== 'CAMPAIGN_STATE_CLOSED'} onSaved={set} /> },
        ]}
      />
    </Space>
  );
}
