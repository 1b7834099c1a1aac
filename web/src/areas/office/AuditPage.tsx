// AuditPage (操作留痕): the office's hash-chained audit trail, oldest first, page by page,
// each event's before and after shown as JSON text; and a signed checkpoint of the chain's
// head to keep outside Wenming.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Modal, Space, Table, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { formatDateTime } from '../../lib/format';
import { useOfficeCtx, type S } from './common';
import { message } from '../../lib/feedback';

type Event = S['v1AuditEvent'];

export function jsonText(v: unknown): string {
  return v === undefined || v === null ? '—' : JSON.stringify(v, null, 2);
}

export default function AuditPage() {
  const { officeId } = useOfficeCtx();
  const [tokens, setTokens] = useState<string[]>(['']);
  const page = tokens[tokens.length - 1];
  const events = useQuery({
    queryKey: ['office', 'audit', officeId, page],
    enabled: !!officeId,
    queryFn: async () =>
      unwrap(await api.GET('/v1/offices/{officeId}/audit-events', { params: { path: { officeId }, query: { pageSize: 50, pageToken: page || undefined } } })),
  });
  const [checkpoint, setCheckpoint] = useState<S['v1AuditCheckpoint'] | null>(null);
  const getCheckpoint = async () => {
    try {
      setCheckpoint(unwrap(await api.GET('/v1/offices/{officeId}/audit-checkpoint', { params: { path: { officeId } } })));
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  return (
    <Card
      size="small"
      title="操作留痕"
      extra={<Button onClick={getCheckpoint}>获取签名检查点</Button>}
    >
      {events.isError && <Alert type="error" showIcon title={errorMessage(events.error)} />}
      <Table<Event>
        size="small"
        rowKey={(e) => e.id ?? ''}
        loading={events.isLoading}
        dataSource={events.data?.auditEvents ?? []}
        pagination={false}
        expandable={{
          expandedRowRender: (e) => (
            <Space align="start" wrap>
              <div>
                <Typography.Text strong>变更前</Typography.Text>
                <pre style={{ maxWidth: 560, maxHeight: 360, overflow: 'auto' }}>{jsonText(e.before)}</pre>
              </div>
              <div>
                <Typography.Text strong>变更后</Typography.Text>
                <pre style={{ maxWidth: 560, maxHeight: 360, overflow: 'auto' }}>{jsonText(e.after)}</pre>
              </div>
              <Typography.Text type="secondary">哈希 {e.hash}（前一条 {e.prevHash || '—'}）请求 {e.requestId}</Typography.Text>
            </Space>
          ),
        }}
        columns={[
          { title: '序号', render: (_, e) => e.sequence },
          { title: '时间', render: (_, e) => formatDateTime(e.createTime) },
          { title: '操作人', render: (_, e) => e.actor },
          { title: '操作', render: (_, e) => e.action },
          { title: '对象', render: (_, e) => `${e.resourceType ?? ''} ${e.resourceId ?? ''}` },
        ]}
      />
      <Space style={{ marginTop: 8 }}>
        <Button disabled={tokens.length <= 1} onClick={() => setTokens((t) => t.slice(0, -1))}>
          上一页
        </Button>
        <Button disabled={!events.data?.nextPageToken} onClick={() => setTokens((t) => [...t, events.data?.nextPageToken ?? ''])}>
          下一页
        </Button>
      </Space>
      <Modal open={!!checkpoint} title="审计链签名检查点" width={720} footer={null} onCancel={() => setCheckpoint(null)}>
        <Typography.Paragraph type="secondary">请将此检查点保存在系统之外，以便日后用 wenming audit verify --checkpoint 核验留痕未被篡改。</Typography.Paragraph>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label="序号">{checkpoint?.sequence}</Descriptions.Item>
          <Descriptions.Item label="链头哈希">{checkpoint?.headHash}</Descriptions.Item>
          <Descriptions.Item label="时间">{checkpoint?.time}</Descriptions.Item>
          <Descriptions.Item label="公钥 ID">{checkpoint?.keyId}</Descriptions.Item>
          <Descriptions.Item label="签名">
            <Typography.Text copyable={{ text: jsonText(checkpoint) }} style={{ wordBreak: 'break-all' }}>
              {checkpoint?.signature}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Modal>
    </Card>
  );
}
