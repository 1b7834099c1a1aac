// ApplicationsTab: a campaign's applications; reviewer assignment (all or nothing, least
// loaded first); per application its score sheets (reassign, reopen), result with the
// explanation tree, veto decisions, spot checks and deadline extensions.
import { useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Button, Card, Checkbox, DatePicker, Descriptions, Drawer, Empty, Form, Input, Modal, Select, Space, Table, Tag, Tree, Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { api, idempotencyKey, unwrap, withIdempotency } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { dayjs, formatDateTime, formatPoints } from '../../lib/format';
import { applicationStateColor, applicationStateLabel, unitCategoryLabel } from '../../lib/labels';
import { assignmentStateLabel } from '../review/labels';
import { fromWall } from '../review/tz';
import { listAll, useOffice, type S } from './common';
import { message } from '../../lib/feedback';
import { LinkButton } from '../../lib/LinkButton';

type Campaign = S['v1Campaign'];
type Application = S['v1Application'];
type Assignment = S['v1Assignment'];
type Node = S['v1ExplanationNode'];

const appStates = (
  ['APPLICATION_STATE_DRAFT', 'APPLICATION_STATE_SUBMITTED', 'APPLICATION_STATE_IN_REVIEW', 'APPLICATION_STATE_RETURNED', 'APPLICATION_STATE_RESUBMITTED', 'APPLICATION_STATE_SCORED', 'APPLICATION_STATE_RECOMMENDED', 'APPLICATION_STATE_NOT_RECOMMENDED', 'APPLICATION_STATE_VETOED', 'APPLICATION_STATE_NAMED', 'APPLICATION_STATE_WITHDRAWN'] as const
).map((value) => ({ value, label: applicationStateLabel(value) }));

/** useOfficeUsers names users (reviewers) of an office by id. */
export function useOfficeUsers(officeId: string) {
  return useQuery({
    queryKey: ['office', 'users', officeId],
    enabled: !!officeId,
    queryFn: () =>
      listAll<S['v1User']>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/users', { params: { path: { officeId }, query: { pageSize: 500, pageToken } } }));
        return { items: r.users ?? [], next: r.nextPageToken };
      }),
  });
}

const methodLabel: Record<string, string> = { MEAN: '平均', MEDIAN: '中位数', TRIMMED_MEAN: '去掉最高最低后平均' };

interface ExplainNode {
  key: string;
  title: string;
  children: ExplainNode[];
}

export function explanationTree(n: Node, nameOf: (id?: string) => string, key = 'root'): ExplainNode {
  const parts = [
    n.code ? `${n.code} ${n.title ?? ''}` : n.title || '总分',
    n.points !== undefined ? `得 ${formatPoints(n.points)}` : '',
    n.maxPoints ? `（满分 ${formatPoints(n.maxPoints)}）` : '',
    n.capped ? `封顶前 ${formatPoints(n.rawPoints)}` : '',
    n.method ? `汇总：${methodLabel[n.method] ?? n.method}` : '',
    n.zeroed ? `计 0 分：${n.zeroed}` : '',
    n.note ?? '',
  ].filter(Boolean);
  const inputs = (n.inputs ?? []).map((i, j) => ({
    key: `${key}-i${j}`,
    title: `${nameOf(i.reviewerId)}：录入 ${i.entered ?? ''}，折合 ${i.value ?? ''}${i.comment ? `（${i.comment}）` : ''}`,
    children: [],
  }));
  return {
    key,
    title: parts.join('  '),
    children: [...inputs, ...(n.children ?? []).map((c, j) => explanationTree(c, nameOf, `${key}-${j}`))],
  };
}

function ReasonModal({ title, open, onOk, onCancel, extra }: {
  title: string;
  open: boolean;
  onOk: (reason: string, extra: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
  extra?: React.ReactNode;
}) {
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open={open}
      title={title}
      confirmLoading={busy}
      onCancel={onCancel}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields().catch(() => null);
        if (!v) return;
        setBusy(true);
        try {
          await onOk(String(v.reason).trim(), v);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Form form={form} layout="vertical">
        {extra}
        <Form.Item name="reason" label="理由" rules={[{ required: true, whitespace: true }, { max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 2 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ApplicationDrawer({ app, campaign, own, onClose }: { app: Application | null; campaign: Campaign; own: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const applicationId = app?.id ?? '';
  const users = useOfficeUsers(campaign.officeId ?? '');
  const tz = useOffice(campaign.officeId ?? '').data?.timeZone;
  const nameOf = (id?: string) => users.data?.find((u) => u.id === id)?.displayName ?? id ?? '';
  const reviewers = (users.data ?? []).filter((u) => !u.disabled && (u.roles ?? []).includes('ROLE_OFFICE_REVIEWER'));
  const sheets = useQuery({
    queryKey: ['office', 'c', campaign.id, 'sheets', applicationId],
    enabled: !!applicationId,
    queryFn: async () => unwrap(await api.GET('/v1/applications/{applicationId}/assignments', { params: { path: { applicationId } } })).assignments ?? [],
  });
  const result = useQuery({
    queryKey: ['office', 'c', campaign.id, 'result', applicationId],
    enabled: !!applicationId,
    retry: false,
    queryFn: async () => {
      try {
        return unwrap(await api.GET('/v1/applications/{applicationId}/result', { params: { path: { applicationId } } }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }
    },
  });
  const [dialog, setDialog] = useState<
    | { kind: 'reassign' | 'reopen'; sheet: Assignment }
    | { kind: 'veto'; code: string; confirm: boolean }
    | { kind: 'spot' }
    | { kind: 'extend' }
    | null
  >(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['office', 'c', campaign.id] });
  const inReview = campaign.state === 'CAMPAIGN_STATE_REVIEW';
  const run = async (f: () => Promise<unknown>, ok: string) => {
    try {
      await f();
      void message.success(ok);
      setDialog(null);
      refresh();
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  const r = result.data;
  const leafCodes = useMemo(() => {
    const out: string[] = [];
    const walk = (n?: Node) => {
      if (!n) return;
      if (n.code && !(n.children ?? []).length && n.kind !== 'NEGATIVE_LIST') out.push(n.code);
      (n.children ?? []).forEach(walk);
    };
    walk(r?.explanation);
    return out;
  }, [r]);
  return (
    <Drawer open={!!app} size={960} title={app?.unitDisplayName} onClose={onClose} destroyOnHidden>
      {app && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={3}>
            <Descriptions.Item label="状态">
              <Tag color={applicationStateColor(app.state)}>{applicationStateLabel(app.state)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="类别">{unitCategoryLabel(app.unitCategory)}</Descriptions.Item>
            <Descriptions.Item label="提交时间">{formatDateTime(app.submitTime)}</Descriptions.Item>
            {app.sourceApplicationId && <Descriptions.Item label="来自下级推荐">{app.sourceApplicationId}</Descriptions.Item>}
          </Descriptions>
          {own && (campaign.state === 'CAMPAIGN_STATE_SUBMISSION' || campaign.state === 'CAMPAIGN_STATE_OPEN' || inReview) && (
            <Button onClick={() => setDialog({ kind: 'extend' })}>延长报送期限</Button>
          )}
          <Card size="small" title="评分表">
            <Table<Assignment>
              size="small"
              rowKey={(a) => a.id ?? ''}
              loading={sheets.isLoading}
              dataSource={sheets.data ?? []}
              pagination={false}
              locale={{ emptyText: <Typography.Text type="secondary">尚未分配测评员</Typography.Text> }}
              columns={[
                { title: '测评员', render: (_, a) => nameOf(a.reviewerId) },
                { title: '状态', render: (_, a) => <Tag>{assignmentStateLabel[a.state ?? ''] ?? '—'}</Tag> },
                { title: '已评', render: (_, a) => (a.scores ?? []).length },
                { title: '提交时间', render: (_, a) => formatDateTime(a.finalizeTime) },
                { title: '说明', render: (_, a) => a.reason },
                {
                  title: '操作',
                  render: (_, a) =>
                    own && inReview && (
                      <Space>
                        {a.state === 'ASSIGNMENT_STATE_ASSIGNED' && <Button size="small" onClick={() => setDialog({ kind: 'reassign', sheet: a })}>改派</Button>}
                        {a.state === 'ASSIGNMENT_STATE_FINALIZED' && <Button size="small" onClick={() => setDialog({ kind: 'reopen', sheet: a })}>退回重评</Button>}
                      </Space>
                    ),
                },
              ]}
            />
          </Card>
          <Card
            size="small"
            title="测评结果"
            extra={own && r && ['CAMPAIGN_STATE_REVIEW', 'CAMPAIGN_STATE_RANKED', 'CAMPAIGN_STATE_PUBLICITY'].includes(campaign.state ?? '') && (
              <Button size="small" onClick={() => setDialog({ kind: 'spot' })}>记录抽查</Button>
            )}
          >
            {result.isError && <Alert type="error" showIcon title={errorMessage(result.error)} />}
            {r === null && <Empty description="评分表全部提交后生成结果" />}
            {r && (
              <>
                <Descriptions size="small" column={4}>
                  <Descriptions.Item label="总分">{formatPoints(r.total)}</Descriptions.Item>
                  <Descriptions.Item label="基础分">{formatPoints(r.base)}</Descriptions.Item>
                  <Descriptions.Item label="加分">{formatPoints(r.bonus)}</Descriptions.Item>
                  <Descriptions.Item label="扣分">{formatPoints(r.deductions)}</Descriptions.Item>
                  <Descriptions.Item label="排名">{r.rank ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label="否决">{r.vetoed ? <Tag color="error">是</Tag> : '否'}</Descriptions.Item>
                </Descriptions>
                {(r.vetoes ?? []).map((v) => (
                  <Alert
                    key={v.code}
                    type={v.confirmed ? 'error' : 'warning'}
                    showIcon
                    style={{ marginBottom: 8 }}
                    title={`否决提议 ${v.code ?? ''}：${(v.reasons ?? []).join('；')}`}
                    description={
                      <Space>
                        <span>{v.decided ? `${v.confirmed ? '已确认' : '已驳回'}：${v.decisionReason ?? ''}` : '待文明办决定'}</span>
                        {own && inReview && (
                          <>
                            <Button size="small" danger onClick={() => setDialog({ kind: 'veto', code: v.code ?? '', confirm: true })}>确认否决</Button>
                            <Button size="small" onClick={() => setDialog({ kind: 'veto', code: v.code ?? '', confirm: false })}>驳回</Button>
                          </>
                        )}
                      </Space>
                    }
                  />
                ))}
                {r.explanation && (
                  <>
                    <Typography.Text strong>得分说明</Typography.Text>
                    <Tree treeData={[explanationTree(r.explanation, nameOf)]} defaultExpandedKeys={['root']} selectable={false} />
                  </>
                )}
              </>
            )}
          </Card>
        </Space>
      )}
      {dialog?.kind === 'reassign' && (
        <ReasonModal
          open
          title="改派测评员"
          onCancel={() => setDialog(null)}
          extra={
            <Form.Item name="reviewerId" label="新测评员" rules={[{ required: true }]}>
              <Select aria-label="新测评员" options={reviewers.filter((u) => u.id !== dialog.sheet.reviewerId).map((u) => ({ value: u.id, label: u.displayName || u.login }))} />
            </Form.Item>
          }
          onOk={(reason, v) =>
            run(
              async () =>
                unwrap(await api.POST('/v1/assignments/{assignmentId}:reassign', {
                  params: { path: { assignmentId: dialog.sheet.id ?? '' } },
                  body: { reviewerId: String(v.reviewerId), reason, etag: dialog.sheet.etag },
                })),
              '已改派',
            )
          }
        />
      )}
      {dialog?.kind === 'reopen' && (
        <ReasonModal
          open
          title="退回测评员重新评分"
          onCancel={() => setDialog(null)}
          onOk={(reason) =>
            run(
              async () =>
                unwrap(await api.POST('/v1/assignments/{assignmentId}:reopen', {
                  params: { path: { assignmentId: dialog.sheet.id ?? '' } },
                  body: { reason, etag: dialog.sheet.etag },
                })),
              '已退回重评，结果暂时撤下',
            )
          }
        />
      )}
      {dialog?.kind === 'veto' && (
        <ReasonModal
          open
          title={dialog.confirm ? `确认一票否决（${dialog.code}）` : `驳回否决提议（${dialog.code}）`}
          onCancel={() => setDialog(null)}
          onOk={(reason) =>
            run(
              async () =>
                unwrap(await api.POST('/v1/applications/{applicationId}/vetoes/{indicatorCode}:decide', {
                  params: { path: { applicationId, indicatorCode: dialog.code } },
                  body: { confirm: dialog.confirm, reason },
                })),
              '已决定',
            )
          }
        />
      )}
      {dialog?.kind === 'spot' && (
        <ReasonModal
          open
          title="记录抽查"
          onCancel={() => setDialog(null)}
          extra={
            <>
              <Form.Item name="indicatorCode" label="抽查指标" rules={[{ required: true }]}>
                <Select aria-label="抽查指标" showSearch options={leafCodes.map((c) => ({ value: c, label: c }))} />
              </Form.Item>
              <Form.Item name="period" label="期次（不填为全部）">
                <Input placeholder="如 2026、2026-Q1、2026-03" />
              </Form.Item>
              <Form.Item name="veto" valuePropName="checked">
                <Checkbox>材料不实：该指标计 0 分</Checkbox>
              </Form.Item>
            </>
          }
          onOk={(finding, v) =>
            run(
              async () =>
                unwrap(await api.POST('/v1/applications/{applicationId}/spotChecks', {
                  params: { path: { applicationId } },
                  body: { indicatorCode: String(v.indicatorCode), period: (v.period as string | undefined)?.trim() || undefined, finding, veto: !!v.veto },
                  ...withIdempotency(idempotencyKey()),
                })),
              '已记录抽查',
            )
          }
        />
      )}
      {dialog?.kind === 'extend' && (
        <ReasonModal
          open
          title="延长报送期限"
          onCancel={() => setDialog(null)}
          extra={
            <>
              <Form.Item name="dueTime" label={`新的截止时间（${tz || 'Asia/Shanghai'}）`} rules={[{ required: true }]}>
                <DatePicker showTime aria-label="新的截止时间" disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
              </Form.Item>
              <Form.Item name="indicatorCode" label="指标（不填为全部）">
                <Input />
              </Form.Item>
              <Form.Item name="period" label="期次（不填为全部）">
                <Input />
              </Form.Item>
            </>
          }
          onOk={(reason, v) =>
            run(
              async () =>
                unwrap(await api.POST('/v1/applications/{applicationId}:extend', {
                  params: { path: { applicationId } },
                  body: {
                    dueTime: fromWall(v.dueTime as Dayjs, tz),
                    indicatorCode: (v.indicatorCode as string | undefined)?.trim() || undefined,
                    period: (v.period as string | undefined)?.trim() || undefined,
                    reason,
                  },
                })),
              '已延期',
            )
          }
        />
      )}
    </Drawer>
  );
}

export default function ApplicationsTab({ campaign, own }: { campaign: Campaign; own: boolean }) {
  const campaignId = campaign.id ?? '';
  const qc = useQueryClient();
  const [state, setState] = useState<S['v1ApplicationState'] | undefined>();
  const [open, setOpen] = useState<Application | null>(null);
  const [assigned, setAssigned] = useState<S['v1AssignReviewersResponse'] | null>(null);
  const [shortage, setShortage] = useState<string>('');
  const [busy, setBusy] = useState(false);
  const users = useOfficeUsers(campaign.officeId ?? '');
  const apps = useQuery({
    queryKey: ['office', 'c', campaignId, 'apps', state],
    queryFn: () =>
      listAll<Application>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/campaigns/{campaignId}/applications', { params: { path: { campaignId }, query: { state, pageSize: 500, pageToken } } }));
        return { items: r.applications ?? [], next: r.nextPageToken };
      }),
  });
  const assign = async () => {
    setBusy(true);
    setShortage('');
    try {
      const r = unwrap(await api.POST('/v1/campaigns/{campaignId}:assignReviewers', { params: { path: { campaignId } }, body: {} }));
      setAssigned(r);
      void qc.invalidateQueries({ queryKey: ['office', 'c', campaignId] });
    } catch (e) {
      setShortage(
        e instanceof ApiError && e.preconditionViolations.length
          ? `${e.message}：${e.preconditionViolations.map((v) => `${v.subject} ${v.description}`).join('；')}`
          : errorMessage(e),
      );
    } finally {
      setBusy(false);
    }
  };
  const nameOf = (id?: string) => users.data?.find((u) => u.id === id)?.displayName ?? id ?? '';
  return (
    <Card size="small">
      <Space style={{ marginBottom: 8 }} wrap>
        <Select aria-label="申报状态" placeholder="全部状态" allowClear style={{ width: 160 }} value={state} onChange={setState} options={appStates} />
        {own && campaign.state === 'CAMPAIGN_STATE_REVIEW' && (
          <Button type="primary" loading={busy} onClick={assign}>
            分配测评员（每份 {campaign.reviewersPerApplication || 3} 人）
          </Button>
        )}
      </Space>
      {shortage && <Alert type="error" showIcon title={shortage} style={{ marginBottom: 8 }} closable={{ onClose: () => setShortage('') }} />}
      {assigned && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setAssigned(null) }}
          style={{ marginBottom: 8 }}
          title={`已为 ${assigned.applications ?? 0} 份申报分配 ${assigned.assignments ?? 0} 张评分表`}
          description={(assigned.loads ?? []).map((l) => `${nameOf(l.reviewerId)}：${l.assignments ?? 0}`).join('；')}
        />
      )}
      <Table<Application>
        size="small"
        rowKey={(a) => a.id ?? ''}
        loading={apps.isLoading}
        dataSource={apps.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: <Typography.Text type="secondary">暂无申报</Typography.Text> }}
        columns={[
          { title: '单位', render: (_, a) => <LinkButton onClick={() => setOpen(a)}>{a.unitDisplayName}</LinkButton> },
          { title: '类别', render: (_, a) => unitCategoryLabel(a.unitCategory) },
          { title: '状态', render: (_, a) => <Tag color={applicationStateColor(a.state)}>{applicationStateLabel(a.state)}</Tag> },
          { title: '提交时间', render: (_, a) => formatDateTime(a.submitTime) },
        ]}
      />
      <ApplicationDrawer app={open} campaign={campaign} own={own} onClose={() => setOpen(null)} />
    </Card>
  );
}
