import { Alert, Empty, Space, Tag, Typography } from 'antd';
import { ItemList } from '../../lib/ItemList';
import { Link } from 'react-router';
import { deadline, formatPeriod } from '../../lib/format';
import type { Evidence } from './api';

/** The items a reviewer sent back, with the reason and until when to resubmit. */
export function ReturnedList({
  applicationId,
  items,
  titles,
  maxResubmissions,
}: {
  applicationId: string;
  items: Evidence[];
  titles: Record<string, string>;
  maxResubmissions?: number;
}) {
  const returned = items.filter((e) => e.state === 'EVIDENCE_STATE_RETURNED' || e.locked);
  if (returned.length === 0) return <Empty description="没有被退回的材料" />;
  return (
    <ItemList
      items={returned}
      rowKey={(e) => `${e.indicatorCode}/${e.period}`}
      actions={(e) =>
        e.locked
          ? []
          : [
              <Link
                key="fix"
                to={`/unit/applications/${encodeURIComponent(applicationId)}/evidence/${encodeURIComponent(e.indicatorCode ?? '')}/${encodeURIComponent(e.period ?? '')}`}
              >
                修改并重新报送
              </Link>,
            ]
      }
      render={(e) => {
        const d = deadline(e.returnDueTime);
        return (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Space wrap>
              <Typography.Text strong>
                {e.indicatorCode} {titles[e.indicatorCode ?? ''] ?? ''}
              </Typography.Text>
              <Tag>{formatPeriod(e.period)}</Tag>
              {e.locked ? (
                <Tag color="error">已锁定</Tag>
              ) : (
                <Tag color={d.status === 'overdue' ? 'default' : 'orange'}>
                  {d.text ? `请于 ${d.text} 前重新报送（${d.remaining}）` : '请尽快重新报送'}
                </Tag>
              )}
              <Typography.Text type="secondary">
                已重新报送 {e.resubmissions ?? 0} 次{maxResubmissions ? `，最多 ${maxResubmissions} 次` : ''}
              </Typography.Text>
            </Space>
            <Alert
              type={e.locked ? 'error' : 'warning'}
              title="退回原因"
              description={
                <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>
                  {e.returnReason || '（测评员未填写原因）'}
                </Typography.Text>
              }
            />
            {e.locked && <Typography.Text type="danger">退回次数已超过上限，该项不能再报送，计 0 分。</Typography.Text>}
          </Space>
        );
      }}
    />
  );
}
