// QueuePage is a reviewer's queue (我的评审任务): their score sheets, oldest first, with the
// unit and campaign each belongs to, and the conflicts of interest (回避) they declared.
import { useState } from 'react';
import { Link } from 'react-router';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import type { components } from '../../api/schema';
import { api, unwrap, withIdempotency } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { applicationStateLabel, applicationStateColor, campaignStateLabel } from '../../lib/labels';
import { assignmentStateLabel } from './labels';
import { useSubmit } from '../../lib/submit';

type Assignment = components['schemas']['v1Assignment'];
type AssignmentState = components['schemas']['v1AssignmentState'];

function ConflictDialog({ unit, onClose }: { unit: { id: string; name: string } | null; onClose: () => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const qc = useQueryClient();
  const { submit, busy } = useSubmit(
    form,
    async (v, key) => unwrap(await api.POST('/v1/reviewers/me/conflicts', { body: { unitId: unit!.id, reason: v.reason.trim() }, ...withIdempotency(key) })),
    {
      strip: ['conflict'],
      success: '已申报回避，该单位的评分表已撤回',
      then: () => {
        void qc.invalidateQueries({ queryKey: ['review'] });
        onClose();
      },
    },
  );
  return (
    <Modal open={!!unit} title={`申报回避：${unit?.name ?? ''}`} okText="申报回避" okButtonProps={{ danger: true }} onOk={submit} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      <Typography.Paragraph type="secondary">回避一经申报不能撤销；你在该单位申报上的评分表将被撤回，由文明办重新分配。</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label="回避理由" rules={[{ required: true, whitespace: true, message: '请填写理由' }, { max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 3 }} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function QueuePage() {
  const [state, setState] = useState<AssignmentState | ''>('ASSIGNMENT_STATE_ASSIGNED');
  const [conflict, setConflict] = useState<{ id: string; name: string } | null>(null);
  const queue = useQuery({
    queryKey: ['review', 'queue', state],
    queryFn: async () => {
      const out: Assignment[] = [];
      let pageToken: string | undefined;
      for (let i = 0; i < 20; i++) {
        const r = unwrap(await api.GET('/v1/reviewers/me/assignments', {
          params: { query: { state: state || undefined, pageSize: 500, pageToken } },
        }));
        out.push(...(r.assignments ?? []));
        if (!r.nextPageToken) break;
        pageToken = r.nextPageToken;
      }
      return out;
    },
  });
  const rows = queue.data ?? [];
  const appIds = [...new Set(rows.map((r) => r.applicationId ?? ''))];
  const campaignIds = [...new Set(rows.map((r) => r.campaignId ?? ''))];
  const apps = useQueries({
    queries: appIds.map((applicationId) => ({
      queryKey: ['review', 'application', applicationId],
      queryFn: async () => unwrap(await api.GET('/v1/applications/{applicationId}', { params: { path: { applicationId } } })),
    })),
  });
  const campaigns = useQueries({
    queries: campaignIds.map((campaignId) => ({
      queryKey: ['review', 'campaign', campaignId],
      queryFn: async () => unwrap(await api.GET('/v1/campaigns/{campaignId}', { params: { path: { campaignId } } })),
    })),
  });
  const appById = new Map(apps.map((q) => [q.data?.id ?? '', q.data]));
  const campaignById = new Map(campaigns.map((q) => [q.data?.id ?? '', q.data]));
  const conflicts = useQuery({
    queryKey: ['review', 'conflicts'],
    queryFn: async () => unwrap(await api.GET('/v1/reviewers/me/conflicts')).conflicts ?? [],
  });

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="large">
      <Card
        title="我的评审任务"
        extra={
          <Select
            aria-label="评分表状态"
            style={{ width: 160 }}
            value={state}
            onChange={setState}
            options={[
              { value: 'ASSIGNMENT_STATE_ASSIGNED', label: '评分中' },
              { value: 'ASSIGNMENT_STATE_FINALIZED', label: '已提交' },
              { value: 'ASSIGNMENT_STATE_WITHDRAWN', label: '已撤回' },
              { value: '', label: '全部' },
            ]}
          />
        }
      >
        {queue.isError && <Alert type="error" showIcon title={errorMessage(queue.error)} />}
        <Table<Assignment>
          rowKey={(r) => r.id ?? ''}
          loading={queue.isLoading}
          dataSource={rows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Typography.Text type="secondary">暂无评审任务</Typography.Text> }}
          columns={[
            {
              title: '申报单位',
              render: (_, r) => appById.get(r.applicationId ?? '')?.unitDisplayName ?? '…',
            },
            {
              title: '测评周期',
              render: (_, r) => {
                const c = campaignById.get(r.campaignId ?? '');
                return c ? `${c.displayName ?? ''}（${campaignStateLabel(c.state)}）` : '…';
              },
            },
            {
              title: '申报状态',
              render: (_, r) => {
                const s = appById.get(r.applicationId ?? '')?.state;
                return s ? <Tag color={applicationStateColor(s)}>{applicationStateLabel(s)}</Tag> : '…';
              },
            },
            { title: '评分表', render: (_, r) => <Tag>{assignmentStateLabel[r.state ?? ''] ?? '—'}</Tag> },
            { title: '已评项目', render: (_, r) => (r.scores ?? []).length },
            { title: '分配时间', render: (_, r) => formatDateTime(r.createTime) },
            {
              title: '操作',
              render: (_, r) => (
                <Space>
                  <Link to={`/review/${encodeURIComponent(r.id ?? '')}`}>{r.state === 'ASSIGNMENT_STATE_ASSIGNED' ? '评分' : '查看'}</Link>
                  {r.state === 'ASSIGNMENT_STATE_ASSIGNED' && (
                    <Button
                      type="link"
                      size="small"
                      danger
                      onClick={() => setConflict({ id: r.unitId ?? '', name: appById.get(r.applicationId ?? '')?.unitDisplayName ?? r.unitId ?? '' })}
                    >
                      回避
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card title="我申报的回避" size="small">
        <Table
          rowKey={(r) => r.id ?? ''}
          size="small"
          loading={conflicts.isLoading}
          dataSource={conflicts.data ?? []}
          pagination={false}
          locale={{ emptyText: <Typography.Text type="secondary">未申报回避</Typography.Text> }}
          columns={[
            { title: '单位', render: (_, r) => [...appById.values()].find((a) => a?.unitId === r.unitId)?.unitDisplayName ?? r.unitId },
            { title: '理由', render: (_, r) => r.reason },
            { title: '申报时间', render: (_, r) => formatDateTime(r.createTime) },
          ]}
        />
      </Card>
      <ConflictDialog unit={conflict} onClose={() => setConflict(null)} />
    </Space>
  );
}
