// WebhooksPage: the office's webhooks (events of its subtree, signed with a secret shown
// once when generated), their delivery log and redelivery, and the reminder schedule.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Button, Card, Checkbox, Drawer, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography,
} from 'antd';
import { api, unwrap, withIdempotency } from '../../api/client';
import { applyFieldErrors, errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { listAll, useOfficeCtx, type S } from './common';
import { message } from '../../lib/feedback';
import { useSubmit } from '../../lib/submit';

type Webhook = S['v1Webhook'];
type Delivery = S['v1WebhookDelivery'];

export const eventTypes: { value: string; label: string }[] = [
  { value: 'application.submitted', label: '申报提交' },
  { value: 'application.returned', label: '退回整改' },
  { value: 'application.scored', label: '评分完成' },
  { value: 'campaign.phase_changed', label: '周期阶段变更' },
  { value: 'objection.received', label: '收到异议' },
  { value: 'title.changed', label: '称号变动' },
  { value: 'reminder.sent', label: '发送提醒' },
];

const deliveryState: Record<string, { label: string; color: string }> = {
  DELIVERY_STATE_PENDING: { label: '待发送', color: 'processing' },
  DELIVERY_STATE_DELIVERED: { label: '已送达', color: 'success' },
  DELIVERY_STATE_FAILED: { label: '失败', color: 'error' },
};

function WebhookForm({ officeId, webhook, onClose, onDone }: { officeId: string; webhook: Webhook | null; onClose: () => void; onDone: (secret?: string) => void }) {
  const [form] = Form.useForm();
  const { submit, busy } = useSubmit(
    form,
    async (v, key) => {
      const secret = (v.secret as string | undefined)?.trim() || undefined;
      if (webhook) {
        const mask = ['url', 'events', 'description', 'disabled', ...(secret ? ['secret'] : [])];
        unwrap(await api.PATCH('/v1/webhooks/{webhookId}', {
          params: { path: { webhookId: webhook.id ?? '' }, query: { updateMask: mask.join(',') } },
          body: { url: v.url, events: v.events, description: v.description, disabled: !!v.disabled, secret, etag: webhook.etag },
        }));
        return undefined;
      }
      const r = unwrap(await api.POST('/v1/offices/{officeId}/webhooks', {
        params: { path: { officeId } },
        body: { url: v.url, events: v.events, description: v.description, secret },
        ...withIdempotency(key),
      }));
      // A generated secret is in this answer only.
      return secret ? undefined : r.secret;
    },
    {
      strip: ['webhook'],
      then: (secret) => {
        onDone(secret);
        onClose();
      },
    },
  );
  return (
    <Modal open title={webhook ? '修改事件推送' : '新建事件推送'} onOk={submit} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={webhook ?? { events: eventTypes.map((e) => e.value) }}>
        <Form.Item name="url" label="接收地址" rules={[{ required: true }, { pattern: /^https?:\/\/\S+$/, message: 'http 或 https 地址' }]}>
          <Input placeholder="https://…" />
        </Form.Item>
        <Form.Item name="events" label="事件" rules={[{ required: true, message: '至少一个事件' }]}>
          <Checkbox.Group options={eventTypes} />
        </Form.Item>
        <Form.Item name="description" label="说明">
          <Input />
        </Form.Item>
        <Form.Item name="secret" label={webhook ? '新密钥（不改请留空）' : '签名密钥（留空自动生成）'} rules={[{ min: 16, max: 200, message: '16 到 200 个字符' }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {webhook && (
          <Form.Item name="disabled" label="停用" valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function Deliveries({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const webhookId = webhook.id ?? '';
  const qc = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['office', 'deliveries', webhookId],
    queryFn: async () => unwrap(await api.GET('/v1/webhooks/{webhookId}/deliveries', { params: { path: { webhookId }, query: { pageSize: 100 } } })).deliveries ?? [],
  });
  const redeliver = async (d: Delivery) => {
    try {
      unwrap(await api.POST('/v1/webhooks/{webhookId}/deliveries/{deliveryId}:redeliver', { params: { path: { webhookId, deliveryId: d.id ?? '' } }, body: {} }));
      void message.success('已重新发送');
      void qc.invalidateQueries({ queryKey: ['office', 'deliveries', webhookId] });
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  return (
    <Drawer open size={900} title={`推送记录：${webhook.url ?? ''}`} onClose={onClose} destroyOnHidden>
      <Table<Delivery>
        size="small"
        rowKey={(d) => d.id ?? ''}
        loading={deliveries.isLoading}
        dataSource={deliveries.data ?? []}
        pagination={false}
        expandable={{
          expandedRowRender: (d) => (
            <div>
              {(d.attempts ?? []).map((a, i) => (
                <div key={i}>
                  {formatDateTime(a.time)} HTTP {a.statusCode ?? '—'} {a.durationMs ?? 0} ms {a.error}
                </div>
              ))}
              <Typography.Paragraph code style={{ whiteSpace: 'pre-wrap', marginTop: 8 }}>
                {d.payload}
              </Typography.Paragraph>
            </div>
          ),
        }}
        columns={[
          { title: '事件', render: (_, d) => d.eventType },
          { title: '状态', render: (_, d) => <Tag color={deliveryState[d.state ?? '']?.color}>{deliveryState[d.state ?? '']?.label ?? '—'}</Tag> },
          { title: '尝试', render: (_, d) => (d.attempts ?? []).length },
          { title: '创建时间', render: (_, d) => formatDateTime(d.createTime) },
          { title: '下次尝试', render: (_, d) => formatDateTime(d.nextAttemptTime) },
          { title: '操作', render: (_, d) => <Button size="small" onClick={() => redeliver(d)}>重新发送</Button> },
        ]}
      />
    </Drawer>
  );
}

function Reminders({ officeId, canWrite }: { officeId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const settings = useQuery({
    queryKey: ['office', 'reminders', officeId],
    queryFn: async () => unwrap(await api.GET('/v1/offices/{officeId}/reminderSettings', { params: { path: { officeId } } })),
  });
  const [form] = Form.useForm();
  const save = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    try {
      unwrap(await api.PATCH('/v1/offices/{officeId}/reminderSettings', {
        params: { path: { officeId }, query: { updateMask: 'days_before,days_after' } },
        body: { daysBefore: (v.daysBefore ?? []).map(Number), daysAfter: (v.daysAfter ?? []).map(Number), etag: settings.data?.etag },
      }));
      void message.success('已保存');
      void qc.invalidateQueries({ queryKey: ['office', 'reminders', officeId] });
    } catch (e) {
      applyFieldErrors(form, e);
      void message.error(errorMessage(e));
    }
  };
  if (!settings.data) return null;
  const opts = [1, 2, 3, 5, 7, 10, 14, 30].map((d) => ({ value: d, label: `${d} 天` }));
  return (
    <Card size="small" title="截止提醒">
      <Form form={form} layout="inline" disabled={!canWrite} initialValues={{ daysBefore: settings.data.daysBefore ?? [], daysAfter: settings.data.daysAfter ?? [] }}>
        <Form.Item name="daysBefore" label="截止前">
          <Select mode="multiple" aria-label="截止前提醒" style={{ minWidth: 200 }} options={opts} />
        </Form.Item>
        <Form.Item name="daysAfter" label="逾期后">
          <Select mode="multiple" aria-label="逾期后提醒" style={{ minWidth: 200 }} options={opts} />
        </Form.Item>
        {canWrite && <Button onClick={save}>保存</Button>}
      </Form>
    </Card>
  );
}

export default function WebhooksPage() {
  const { officeId, canWrite } = useOfficeCtx();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Webhook | null | 'new'>(null);
  const [viewing, setViewing] = useState<Webhook | null>(null);
  const [secret, setSecret] = useState('');
  const hooks = useQuery({
    queryKey: ['office', 'webhooks', officeId],
    enabled: canWrite,
    queryFn: () => listAll<Webhook>(async () => ({ items: unwrap(await api.GET('/v1/offices/{officeId}/webhooks', { params: { path: { officeId } } })).webhooks ?? [] })),
  });
  if (!canWrite) return <Alert type="info" showIcon title="只有本级文明办管理员可以管理事件推送" />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card size="small" title="事件推送（Webhook）" extra={<Button type="primary" onClick={() => setEditing('new')}>新建</Button>}>
        <Table<Webhook>
          size="small"
          rowKey={(w) => w.id ?? ''}
          loading={hooks.isLoading}
          dataSource={hooks.data ?? []}
          pagination={false}
          locale={{ emptyText: <Typography.Text type="secondary">暂无事件推送</Typography.Text> }}
          columns={[
            { title: '地址', render: (_, w) => w.url },
            { title: '事件', render: (_, w) => (w.events ?? []).map((e) => eventTypes.find((t) => t.value === e)?.label ?? e).join('、') },
            { title: '说明', render: (_, w) => w.description },
            { title: '状态', render: (_, w) => (w.disabled ? <Tag>已停用</Tag> : <Tag color="success">启用</Tag>) },
            {
              title: '操作',
              render: (_, w) => (
                <Space>
                  <Button size="small" onClick={() => setEditing(w)}>修改</Button>
                  <Button size="small" onClick={() => setViewing(w)}>推送记录</Button>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Reminders officeId={officeId} canWrite={canWrite} />
      {editing && (
        <WebhookForm
          officeId={officeId}
          webhook={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onDone={(s) => {
            if (s) setSecret(s);
            void qc.invalidateQueries({ queryKey: ['office', 'webhooks', officeId] });
          }}
        />
      )}
      {viewing && <Deliveries webhook={viewing} onClose={() => setViewing(null)} />}
      <Modal open={!!secret} title="签名密钥" onOk={() => setSecret('')} onCancel={() => setSecret('')} cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title="密钥只显示这一次，请立即保存到接收方。" style={{ marginBottom: 12 }} />
        <Typography.Text copyable code>
          {secret}
        </Typography.Text>
      </Modal>
    </Space>
  );
}
