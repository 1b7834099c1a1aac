import { Alert, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { formatDateTime, formatPoints } from '../../lib/format';
import { applicationStateColor, applicationStateLabel, indicatorKindLabel } from '../../lib/labels';
import type { ExplanationNode, Result } from './api';

interface Row {
  key: string;
  node: ExplanationNode;
  children?: Row[];
}

function rows(nodes: ExplanationNode[] | undefined, prefix = ''): Row[] {
  return (nodes ?? []).map((n, i) => {
    const key = `${prefix}${n.code || i}`;
    const children = rows(n.children, key + '/');
    return { key, node: n, children: children.length ? children : undefined };
  });
}

function kindText(kind: string | undefined): string {
  if (!kind) return '';
  if (kind === 'GROUP') return '分组';
  if (kind === 'NEGATIVE_LIST') return '负面清单';
  return indicatorKindLabel(`INDICATOR_KIND_${kind}`);
}

const methodText: Record<string, string> = { MEAN: '平均', MEDIAN: '中位数', TRIMMED_MEAN: '去极值平均' };

/** ResultView shows the published result and how each indicator's points came about. */
export function ResultView({ result }: { result: Result }) {
  const root = result.explanation;
  const data = rows(root?.children?.length ? root.children : root ? [root] : []);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {result.vetoed && (
        <Alert
          type="error"
          showIcon
          title="一票否决"
          description={(result.vetoes ?? [])
            .filter((v) => v.confirmed)
            .map(
              (v) =>
                `${v.code ?? ''}：${(v.reasons ?? []).join('；')}${v.decisionReason ? `（${v.decisionReason}）` : ''}`,
            )
            .join('\n')}
        />
      )}
      <Descriptions bordered size="small" column={{ xs: 1, sm: 2, md: 3 }}>
        <Descriptions.Item label="总分">
          <Typography.Text strong style={{ fontSize: 18 }}>
            {formatPoints(result.total)}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label="基础分">{formatPoints(result.base)}</Descriptions.Item>
        <Descriptions.Item label="加分">{formatPoints(result.bonus)}</Descriptions.Item>
        <Descriptions.Item label="扣分">{formatPoints(result.deductions)}</Descriptions.Item>
        <Descriptions.Item label="排名">{result.rank ? `第 ${result.rank} 名` : '—'}</Descriptions.Item>
        <Descriptions.Item label="结论">
          <Tag color={applicationStateColor(result.state)}>{applicationStateLabel(result.state)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label="计算时间">{formatDateTime(result.computeTime) || '—'}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ margin: 0 }}>
        得分说明
      </Typography.Title>
      <Table<Row>
        size="small"
        pagination={false}
        dataSource={data}
        expandable={{ defaultExpandAllRows: true }}
        columns={[
          {
            title: '指标',
            render: (_, r) => (
              <span>
                <Typography.Text strong>{r.node.code}</Typography.Text> {r.node.title}
              </span>
            ),
          },
          { title: '类型', width: 90, render: (_, r) => kindText(r.node.kind) },
          { title: '满分', width: 80, render: (_, r) => (r.node.maxPoints ? formatPoints(r.node.maxPoints) : '') },
          {
            title: '得分',
            width: 110,
            render: (_, r) => (
              <span>
                {formatPoints(r.node.points)}
                {r.node.capped && (
                  <Tag color="orange" style={{ marginLeft: 4 }}>
                    封顶
                  </Tag>
                )}
              </span>
            ),
          },
          {
            title: '说明',
            render: (_, r) => {
              const parts: string[] = [];
              if (r.node.method && r.node.inputs?.length) {
                parts.push(
                  `${methodText[r.node.method] ?? r.node.method}：${r.node.inputs.map((i) => i.entered || i.value).join('、')}`,
                );
              }
              if (r.node.zeroed) parts.push(`计 0 分：${r.node.zeroed}`);
              if (r.node.note) parts.push(r.node.note);
              return <Typography.Text type="secondary">{parts.join('；')}</Typography.Text>;
            },
          },
        ]}
      />
    </Space>
  );
}
