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

/**
 * The explanation's notes come in English only (services/platform/scoring); the ones a
 * unit meets are said in Chinese, and a "scored 0" note repeats the zeroed reason shown.
 */
export function noteText(note: string | undefined): string {
  if (!note || note.startsWith('scored 0:')) return '';
  if (note.startsWith('no reviewer input')) return '无测评员评分，暂计 0 分，结果尚不完整';
  const veto = /^veto proposed by (\d+) reviewer\(s\); confirmed: (true|false)/.exec(note);
  if (veto) return `${veto[1]} 名测评员提议一票否决${veto[2] === 'true' ? '，已确认' : '，待文明办确认'}`;
  return note;
}

const methodText: Record<string, string> = { MEAN: '平均', MEDIAN: '中位数', TRIMMED_MEAN: '去极值平均' };

/** The result's state is the bare name ("RECOMMENDED"); the labels take the enum's. */
export function resultState(state: string | undefined): string | undefined {
  return state && !state.startsWith('APPLICATION_STATE_') ? `APPLICATION_STATE_${state}` : state;
}

/**
 * ResultView shows the published result and how each indicator's points came about, with
 * the unit's own self-assessment beside the reviewers' points.
 */
export function ResultView({ result, selfPoints = {} }: { result: Result; selfPoints?: Record<string, string> }) {
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
          <Tag color={applicationStateColor(resultState(result.state))}>
            {applicationStateLabel(resultState(result.state))}
          </Tag>
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
            title: '自评',
            width: 80,
            render: (_, r) => (selfPoints[r.node.code ?? ''] ? formatPoints(selfPoints[r.node.code ?? '']) : ''),
          },
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
              const inputs = r.node.inputs ?? [];
              if (inputs.length === 1) {
                parts.push(`测评员评定：${inputs[0].entered || inputs[0].value || ''}`);
              } else if (inputs.length > 1) {
                const how = methodText[r.node.method ?? ''] ?? r.node.method ?? '';
                parts.push(
                  `${inputs.length} 名测评员（${how}）：${inputs.map((x) => x.entered || x.value).join('、')}`,
                );
              }
              if (r.node.zeroed) parts.push(`计 0 分：${r.node.zeroed}`);
              const note = noteText(r.node.note);
              if (note) parts.push(note);
              return <Typography.Text type="secondary">{parts.join('；')}</Typography.Text>;
            },
          },
        ]}
      />
    </Space>
  );
}
