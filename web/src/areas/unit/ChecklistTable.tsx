import { useMemo, useState } from 'react';
import { Progress, Segmented, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { deadline, formatDateTime, formatDue, formatPeriod, periodOrder } from '../../lib/format';
import { evidenceStateColor, evidenceStateLabel } from '../../lib/labels';
import type { Requirement } from './api';

export type ChecklistFilter = 'todo' | 'all' | 'done';

/** An item still wants something (the server lists what), or was never submitted. */
export function isOpen(r: Requirement): boolean {
  return (r.missingZh?.length ?? 0) > 0 || r.state === 'EVIDENCE_STATE_RETURNED';
}

/** An item nobody requires (a bonus is claimed only when earned) and nobody started. */
export function isOptional(r: Requirement): boolean {
  return (r.missingZh?.length ?? 0) === 0 && (!r.state || r.state === 'EVIDENCE_STATE_UNSPECIFIED');
}

/** Progress of what is due now: required items whose period has ended, or annual ones. */
export function progressOf(reqs: Requirement[]): { done: number; due: number } {
  const due = reqs.filter((r) => r.due && !isOptional(r));
  return { done: due.filter((r) => !isOpen(r)).length, due: due.length };
}

function windowStatus(r: Requirement, now: Date) {
  if (r.startTime && new Date(r.startTime) > now) return <Tag>未开始</Tag>;
  const d = deadline(r.dueTime, now);
  if (d.status === 'overdue') return isOpen(r) ? <Tag color="error">已逾期</Tag> : <Tag>已截止</Tag>;
  return <Tag color={d.status === 'soon' ? 'orange' : 'blue'}>{d.remaining}</Tag>;
}

/**
 * ChecklistTable is the unit's to-do list (GET …/checklist): every indicator and period of
 * the year with its window, state and what is still missing, most urgent first.
 */
export function ChecklistTable({
  applicationId,
  requirements,
  timeZone,
  now = new Date(),
}: {
  applicationId: string;
  requirements: Requirement[];
  timeZone: string;
  now?: Date;
}) {
  // Everything done: the to-do filter would show an empty table.
  const [filter, setFilter] = useState<ChecklistFilter>(() => (requirements.some(isOpen) ? 'todo' : 'all'));
  const rows = useMemo(() => {
    const rs = requirements.filter((r) => (filter === 'all' ? true : filter === 'todo' ? isOpen(r) : !isOpen(r)));
    return [...rs].sort(
      (a, b) =>
        (a.indicatorCode ?? '').localeCompare(b.indicatorCode ?? '', 'zh-CN', { numeric: true }) ||
        periodOrder(a.period).localeCompare(periodOrder(b.period)),
    );
  }, [requirements, filter]);
  const p = progressOf(requirements);
  const todo = requirements.filter(isOpen).length;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap size="large">
        <div style={{ minWidth: 260 }}>
          <Typography.Text>
            已完成 {p.done} / {p.due} 项应报材料
          </Typography.Text>
          <Progress percent={p.due ? Math.round((p.done / p.due) * 100) : 100} size="small" aria-label="报送进度" />
        </div>
        <Segmented<ChecklistFilter>
          value={filter}
          onChange={setFilter}
          options={[
            { label: `待办（${todo}）`, value: 'todo' },
            { label: '已完成', value: 'done' },
            { label: `全部（${requirements.length}）`, value: 'all' },
          ]}
        />
      </Space>
      <Table<Requirement>
        size="middle"
        rowKey={(r) => `${r.indicatorCode}/${r.period}`}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          {
            title: '指标',
            render: (_, r) => (
              <span>
                <Typography.Text strong>{r.indicatorCode}</Typography.Text> {r.indicatorTitle}
              </span>
            ),
          },
          { title: '期间', width: 130, render: (_, r) => formatPeriod(r.period) },
          {
            title: `报送时间（${timeZone}）`,
            width: 250,
            render: (_, r) => (
              <div>
                <div>
                  {formatDateTime(r.startTime, timeZone).slice(0, 10)} 至 {formatDue(r.dueTime, timeZone)}
                </div>
                {windowStatus(r, now)}
              </div>
            ),
          },
          {
            title: '状态',
            width: 90,
            render: (_, r) => (
              <Tag color={evidenceStateColor(r.state)}>
                {evidenceStateLabel(r.state ?? 'EVIDENCE_STATE_UNSPECIFIED')}
              </Tag>
            ),
          },
          {
            title: '尚缺',
            render: (_, r) =>
              r.missingZh?.length ? (
                <Typography.Text type="warning">{r.missingZh.join('；')}</Typography.Text>
              ) : isOptional(r) ? (
                <Typography.Text type="secondary">选报</Typography.Text>
              ) : (
                <Typography.Text type="success">齐全</Typography.Text>
              ),
          },
          {
            title: '操作',
            width: 80,
            render: (_, r) => (
              <Link
                to={`/unit/applications/${encodeURIComponent(applicationId)}/evidence/${encodeURIComponent(r.indicatorCode ?? '')}/${encodeURIComponent(r.period ?? '')}`}
              >
                {isOpen(r) || isOptional(r) ? '填报' : '查看'}
              </Link>
            ),
          },
        ]}
      />
    </Space>
  );
}
