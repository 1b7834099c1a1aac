// PublicityTab: the publicity list as the public reads it, the objections the office
// received (from the public form, or recorded by staff from letters, e-mail and phone),
// their handling one by one or in a batch, and the naming list export.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { api, unwrap, withIdempotency } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { formatDateTime, formatPoints } from '../../lib/format';
import { objectionStateLabel, unitCategoryLabel } from '../../lib/labels';
import { downloadFile } from '../../lib/files';
import { listAll, type S } from './common';
import { message } from '../../lib/feedback';
import { useSubmit, useSubmitDialog } from '../../lib/submit';

type Campaign = S['v1Campaign'];
type Objection = S['v1Objection'];

const channelLabel: Record<string, string> = {
  OBJECTION_CHANNEL_PUBLIC_FORM: '网上公示页',
  OBJECTION_CHANNEL_LETTER: '信函',
  OBJECTION_CHANNEL_EMAIL: '电子邮件',
  OBJECTION_CHANNEL_PHONE: '电话',
};

function DecideModal({ campaignId, ids, etag, onClose, onDone }: { campaignId: string; ids: string[]; etag?: string; onClose: () => void; onDone: () => void }) {
  const [form] = Form.useForm<{ outcome: S['v1ObjectionState']; finding: string }>();
  const { submit, busy } = useSubmit(
    form,
    async (v) => {
      if (ids.length === 1) {
        unwrap(await api.POST('/v1/objections/{objectionId}:decide', {
          params: { path: { objectionId: ids[0] } },
          body: { outcome: v.outcome, finding: v.finding.trim(), etag },
        }));
      } else {
        unwrap(await api.POST('/v1/campaigns/{campaignId}/objections:decide', {
          params: { path: { campaignId } },
          body: { objectionIds: ids, outcome: v.outcome, finding: v.finding.trim() },
        }));
      }
    },
    {
      success: '已办结',
      then: () => {
        onDone();
        onClose();
      },
    },
  );
  return (
    <Modal open title={ids.length > 1 ? `批量办理 ${ids.length} 条异议` : '办理异议'} onOk={submit} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ outcome: 'OBJECTION_STATE_RESOLVED' }}>
        <Form.Item name="outcome" label="结论" rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'OBJECTION_STATE_RESOLVED', label: '经核查不成立（保留在名单上）' },
              { value: 'OBJECTION_STATE_UPHELD', label: '异议成立（移出名单，不予推荐）' },
            ]}
          />
        </Form.Item>
        <Form.Item name="finding" label="核查情况" rules={[{ required: true, whitespace: true }, { max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 3 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RecordObjection({ campaignId, units, onDone }: { campaignId: string; units: { value: string; label: string }[]; onDone: () => void }) {
  const [form] = Form.useForm();
  const dialog = useSubmitDialog(
    form,
    async (v, key) => unwrap(await api.POST('/v1/campaigns/{campaignId}/objections', { params: { path: { campaignId } }, body: v, ...withIdempotency(key) })),
    { strip: ['objection'], then: onDone },
  );
  return (
    <>
      <Button onClick={dialog.show}>登记异议</Button>
      <Modal {...dialog.modal} title="登记收到的异议">
        <Form form={form} layout="vertical" initialValues={{ channel: 'OBJECTION_CHANNEL_LETTER' }}>
          <Form.Item name="unitId" label="被异议单位" rules={[{ required: true }]}>
            <Select aria-label="被异议单位" showSearch optionFilterProp="label" options={units} />
          </Form.Item>
          <Form.Item name="channel" label="来源" rules={[{ required: true }]}>
            <Select
              aria-label="异议来源"
              options={['OBJECTION_CHANNEL_LETTER', 'OBJECTION_CHANNEL_EMAIL', 'OBJECTION_CHANNEL_PHONE'].map((v) => ({ value: v, label: channelLabel[v] }))}
            />
          </Form.Item>
          <Form.Item name="content" label="异议内容" rules={[{ required: true, whitespace: true }, { max: 2000 }]}>
            <Input.TextArea autoSize={{ minRows: 3 }} />
          </Form.Item>
          <Form.Item name="name" label="反映人（可选）" rules={[{ max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="contact" label="联系方式（可选）" rules={[{ max: 200 }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function PublicityTab({ campaign, own }: { campaign: Campaign; own: boolean }) {
  const campaignId = campaign.id ?? '';
  const qc = useQueryClient();
  const [state, setState] = useState<S['v1ObjectionState'] | undefined>();
  const [selected, setSelected] = useState<string[]>([]);
  const [deciding, setDeciding] = useState<{ ids: string[]; etag?: string } | null>(null);
  const inPublicity = campaign.state === 'CAMPAIGN_STATE_PUBLICITY';
  const publicity = useQuery({
    queryKey: ['office', 'c', campaignId, 'publicity'],
    enabled: inPublicity,
    retry: false,
    queryFn: async () => {
      try {
        return unwrap(await api.GET('/v1/public/campaigns/{campaignId}/publicity', { params: { path: { campaignId } } }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
  const objections = useQuery({
    queryKey: ['office', 'c', campaignId, 'objections', state],
    queryFn: () =>
      listAll<Objection>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/campaigns/{campaignId}/objections', { params: { path: { campaignId }, query: { state, pageSize: 500, pageToken } } }));
        return { items: r.objections ?? [], next: r.nextPageToken };
      }),
  });
  const refresh = () => {
    setSelected([]);
    void qc.invalidateQueries({ queryKey: ['office', 'c', campaignId] });
  };
  const lines = publicity.data?.lines ?? [];
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card
        size="small"
        title="公示名单"
        extra={
          (inPublicity || campaign.state === 'CAMPAIGN_STATE_CLOSED') && (
            <Button
              icon={<DownloadOutlined />}
              onClick={() =>
                downloadFile(`/v1/campaigns/${encodeURIComponent(campaignId)}/naming:export`, {}, '命名名单.xlsx').catch((e) => message.error(errorMessage(e)))
              }
            >
              导出命名名单
            </Button>
          )
        }
      >
        {!inPublicity && <Typography.Text type="secondary">测评周期进入“公示中”阶段后发布名单。</Typography.Text>}
        {inPublicity && publicity.data === null && <Alert type="info" showIcon title="公示期已结束或尚未开始，公众已看不到名单" />}
        {lines.length > 0 && (
          <>
            <Typography.Paragraph type="secondary">
              公示期 {formatDateTime(publicity.data?.startTime)} – {formatDateTime(publicity.data?.endTime)}；公众页面：/public/campaigns/{campaignId}
            </Typography.Paragraph>
            <Table
              size="small"
              rowKey={(l) => l.unitId ?? ''}
              dataSource={lines}
              pagination={false}
              columns={[
                { title: '序号', render: (_, l) => l.number },
                { title: '单位', render: (_, l) => l.unitDisplayName },
                { title: '所属文明办', render: (_, l) => l.officeDisplayName },
                { title: '类别', render: (_, l) => unitCategoryLabel(l.unitCategory) },
                { title: '总分', render: (_, l) => formatPoints(l.total) },
                { title: '名次', render: (_, l) => l.rank },
              ]}
            />
          </>
        )}
      </Card>
      <Card
        size="small"
        title="异议"
        extra={
          <Space>
            {own && inPublicity && selected.length > 1 && <Button onClick={() => setDeciding({ ids: selected })}>批量办理（{selected.length}）</Button>}
            {inPublicity && lines.length > 0 && (
              <RecordObjection campaignId={campaignId} units={lines.map((l) => ({ value: l.unitId ?? '', label: l.unitDisplayName ?? '' }))} onDone={refresh} />
            )}
          </Space>
        }
      >
        <Select aria-label="异议状态" placeholder="全部状态" allowClear style={{ width: 160, marginBottom: 8 }} value={state} onChange={setState}
          options={(['OBJECTION_STATE_RECEIVED', 'OBJECTION_STATE_RESOLVED', 'OBJECTION_STATE_UPHELD'] as const).map((v) => ({ value: v, label: objectionStateLabel(v) }))}
        />
        <Table<Objection>
          size="small"
          rowKey={(o) => o.id ?? ''}
          loading={objections.isLoading}
          dataSource={objections.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: <Typography.Text type="secondary">暂无异议</Typography.Text> }}
          rowSelection={
            own && inPublicity
              ? {
                  selectedRowKeys: selected,
                  onChange: (k) => setSelected(k.map(String)),
                  getCheckboxProps: (o) => ({ disabled: o.state !== 'OBJECTION_STATE_RECEIVED' }),
                }
              : undefined
          }
          expandable={{
            expandedRowRender: (o) => (
              <div>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{o.content}</Typography.Paragraph>
                {(o.name || o.contact) && <Typography.Text type="secondary">反映人：{o.name || '匿名'} {o.contact}</Typography.Text>}
                {o.finding && <Typography.Paragraph>核查情况：{o.finding}</Typography.Paragraph>}
              </div>
            ),
          }}
          columns={[
            { title: '编号', render: (_, o) => o.reference },
            { title: '单位', render: (_, o) => o.unitDisplayName },
            { title: '来源', render: (_, o) => channelLabel[o.channel ?? ''] ?? '—' },
            { title: '收到时间', render: (_, o) => formatDateTime(o.createTime) },
            { title: '状态', render: (_, o) => <Tag color={o.state === 'OBJECTION_STATE_UPHELD' ? 'error' : o.state === 'OBJECTION_STATE_RESOLVED' ? 'success' : 'warning'}>{objectionStateLabel(o.state)}</Tag> },
            {
              title: '操作',
              render: (_, o) =>
                own && inPublicity && o.state === 'OBJECTION_STATE_RECEIVED' && (
                  <Button size="small" onClick={() => setDeciding({ ids: [o.id ?? ''], etag: o.etag })}>
                    办理
                  </Button>
                ),
            },
          ]}
        />
      </Card>
      {deciding && <DecideModal campaignId={campaignId} ids={deciding.ids} etag={deciding.etag} onClose={() => setDeciding(null)} onDone={refresh} />}
    </Space>
  );
}
