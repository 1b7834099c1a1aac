// ReinspectionTab (复查结论): each title holder's total, what the campaign's lines propose
// (keep, warn, revoke), and the admin's decision, which moves the title at once.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, DatePicker, Form, Input, Modal, Select, Table, Tag } from 'antd';
import type { Dayjs } from 'dayjs';
import { api, unwrap } from '../../api/client';
import { applyFieldErrors, errorMessage } from '../../api/errors';
import { dayjs, formatPoints } from '../../lib/format';
import { fromWall } from '../review/tz';
import { useOffice, type S } from './common';
import { message } from '../../lib/feedback';

type Outcome = S['v1ReinspectionOutcome'];

export const verdictLabel: Record<string, string> = {
  REINSPECTION_VERDICT_KEEP: '保留',
  REINSPECTION_VERDICT_WARN: '警示（黄牌）',
  REINSPECTION_VERDICT_REVOKE: '撤销（摘牌）',
};
const verdictColor: Record<string, string> = { REINSPECTION_VERDICT_KEEP: 'success', REINSPECTION_VERDICT_WARN: 'warning', REINSPECTION_VERDICT_REVOKE: 'error' };

function Decide({ outcome, tz, onClose, onDone }: { outcome: Outcome; tz?: string; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ verdict: S['v1ReinspectionVerdict']; reason: string; documentNumber: string; deadline?: Dayjs }>();
  const verdict = Form.useWatch('verdict', form);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      unwrap(await api.POST('/v1/applications/{applicationId}:decideReinspection', {
        params: { path: { applicationId: outcome.applicationId ?? '' } },
        body: {
          verdict: v.verdict,
          reason: v.reason.trim(),
          documentNumber: v.documentNumber.trim(),
          rectificationDeadline: v.verdict === 'REINSPECTION_VERDICT_WARN' && v.deadline ? fromWall(v.deadline.endOf('day'), tz) : undefined,
        },
      }));
      onDone();
      onClose();
    } catch (e) {
      applyFieldErrors(form, e);
      void message.error(errorMessage(e));
    }
  };
  return (
    <Modal open title={`复查结论：${outcome.unitDisplayName ?? ''}`} onOk={submit} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ verdict: outcome.proposed }}>
        <Form.Item name="verdict" label="结论" rules={[{ required: true }]}>
          <Select aria-label="复查结论" options={Object.entries(verdictLabel).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        {verdict === 'REINSPECTION_VERDICT_WARN' && (
          <Form.Item name="deadline" label="整改期限" rules={[{ required: true }]}>
            <DatePicker aria-label="整改期限" disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
          </Form.Item>
        )}
        <Form.Item name="reason" label="理由" rules={[{ required: true, whitespace: true }, { max: 1000 }]}>
          <Input.TextArea autoSize={{ minRows: 2 }} />
        </Form.Item>
        <Form.Item name="documentNumber" label="文件文号" rules={[{ required: true, whitespace: true }, { max: 200 }]}>
          <Input />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function ReinspectionTab({ campaign, own }: { campaign: S['v1Campaign']; own: boolean }) {
  const campaignId = campaign.id ?? '';
  const qc = useQueryClient();
  const [deciding, setDeciding] = useState<Outcome | null>(null);
  const office = useOffice(campaign.officeId ?? '');
  const ready = campaign.state === 'CAMPAIGN_STATE_RANKED' || campaign.state === 'CAMPAIGN_STATE_PUBLICITY' || campaign.state === 'CAMPAIGN_STATE_CLOSED';
  const outcomes = useQuery({
    queryKey: ['office', 'c', campaignId, 'reinspection'],
    enabled: ready,
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{campaignId}/reinspection', { params: { path: { campaignId } } })).outcomes ?? [],
  });
  if (!ready) return <Alert type="info" showIcon title="测评周期进入“已排名”阶段后给出复查建议" />;
  return (
    <Card size="small">
      {outcomes.isError && <Alert type="error" showIcon title={errorMessage(outcomes.error)} />}
      <Table<Outcome>
        size="small"
        rowKey={(o) => o.applicationId ?? ''}
        loading={outcomes.isLoading}
        dataSource={outcomes.data ?? []}
        pagination={false}
        columns={[
          { title: '单位', render: (_, o) => o.unitDisplayName },
          { title: '总分', render: (_, o) => (o.scored ? formatPoints(o.total) : '未评分') },
          { title: '否决', render: (_, o) => (o.vetoed ? <Tag color="error">是</Tag> : '否') },
          { title: '建议', render: (_, o) => <Tag color={verdictColor[o.proposed ?? '']}>{verdictLabel[o.proposed ?? ''] ?? '—'}</Tag> },
          {
            title: '结论',
            render: (_, o) =>
              o.decision?.verdict ? (
                <span>
                  <Tag color={verdictColor[o.decision.verdict]}>{verdictLabel[o.decision.verdict]}</Tag>
                  {o.decision.documentNumber}
                </span>
              ) : own && campaign.state !== 'CAMPAIGN_STATE_CLOSED' ? (
                <Button size="small" onClick={() => setDeciding(o)}>
                  作出结论
                </Button>
              ) : (
                '待定'
              ),
          },
        ]}
      />
      {deciding && <Decide outcome={deciding} tz={office.data?.timeZone} onClose={() => setDeciding(null)} onDone={() => void qc.invalidateQueries({ queryKey: ['office', 'c', campaignId] })} />}
    </Card>
  );
}
