import { useState } from 'react';
import { Alert, Button, Card, Descriptions, Modal, Result, Space, Table, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { errorMessage } from '../../api/errors';
import { formatDateTime, formatPoints } from '../../lib/format';
import { unitCategoryLabel } from '../../lib/labels';
import { PageLoading } from '../../app/PageLoading';
import { usePublicity, type PublicityLine } from './api';
import { ObjectionForm } from './ObjectionForm';

/** A campaign's publicity list (公示) with the objection form, for anyone. */
export function PublicityPage() {
  const { campaignId = '' } = useParams();
  const pub = usePublicity(campaignId);
  const [objecting, setObjecting] = useState<{ unitId?: string } | null>(null);

  if (pub.isPending) return <PageLoading />;
  if (pub.error) return <Alert type="error" showIcon title={errorMessage(pub.error)} />;
  if (!pub.data) {
    return (
      <Result
        status="404"
        title="没有找到该公示"
        subTitle="公示可能尚未开始或已经结束，请核对链接。"
        extra={<Link to="/public">返回</Link>}
      />
    );
  }
  const p = pub.data;
  const lines = p.lines ?? [];
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ textAlign: 'center', margin: 0 }}>
        {p.campaignDisplayName} 拟推荐名单公示
      </Typography.Title>
      <Card>
        <Descriptions size="small" column={{ xs: 1, sm: 3 }}>
          <Descriptions.Item label="发布单位">{p.officeDisplayName}</Descriptions.Item>
          <Descriptions.Item label="年度">{p.year}</Descriptions.Item>
          <Descriptions.Item label="公示期">
            {formatDateTime(p.startTime)} 至 {formatDateTime(p.endTime)}
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph style={{ marginTop: 12 }}>
          公示期内，如对下列单位有异议，可通过本页面实名或匿名提出。请实事求是，反映具体问题。
        </Typography.Paragraph>
      </Card>
      <Card
        title={`公示名单（${lines.length} 个单位）`}
        extra={<Button onClick={() => setObjecting({})}>提出异议</Button>}
      >
        <Table<PublicityLine>
          rowKey={(l) => l.unitId ?? String(l.number)}
          dataSource={lines}
          pagination={lines.length > 50 ? { pageSize: 50 } : false}
          columns={[
            { title: '序号', dataIndex: 'number', width: 70 },
            { title: '单位名称', render: (_, l) => l.unitDisplayName },
            { title: '所属文明办', render: (_, l) => l.officeDisplayName },
            { title: '单位类别', width: 110, render: (_, l) => unitCategoryLabel(l.unitCategory) },
            { title: '总分', width: 90, render: (_, l) => formatPoints(l.total) },
            { title: '排名', width: 70, render: (_, l) => l.rank ?? '' },
            {
              title: '',
              width: 100,
              render: (_, l) => (
                <Button
                  size="small"
                  onClick={() => setObjecting({ unitId: l.unitId })}
                  aria-label={`对 ${l.unitDisplayName ?? ''} 提出异议`}
                >
                  提出异议
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={!!objecting}
        title="提出异议"
        footer={null}
        onCancel={() => setObjecting(null)}
        destroyOnHidden
        width={640}
      >
        {objecting && <ObjectionForm campaignId={campaignId} lines={lines} unitId={objecting.unitId} />}
      </Modal>
    </Space>
  );
}
