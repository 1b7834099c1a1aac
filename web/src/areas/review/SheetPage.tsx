// SheetPage is one score sheet (评分表): each leaf indicator's evidence beside the input its
// kind takes. Entries are checked here as the engine will check them before anything is
// sent; the server's field violations (scores[i].field) land on the indicator they name.
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert, Affix, Button, Card, Col, DatePicker, Descriptions, Form, Input, Modal, Row, Select, Space, Spin, Tag, Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import type { components } from '../../api/schema';
import { api, unwrap } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { DEFAULT_TIME_ZONE, dayjs, formatDateTime, formatPeriod, formatPoints } from '../../lib/format';
import { applicationStateLabel, campaignStateLabel, indicatorKindLabel } from '../../lib/labels';
import { EvidenceList, type Evidence, type EvidenceFile } from './Evidence';
import { assignmentStateLabel } from './labels';
import { ScoreInput, kindHint } from './ScoreInput';
import { fromWall } from './tz';
import {
  fromScore, hasEntry, indicatorDepths, isLeaf, missingLeaves, orderedIndicators, sameEntry, toScore, validateEntry,
  type Indicator, type ScoreDraft,
} from './scoreRules';
import { message, confirm } from '../../lib/feedback';

type Assignment = components['schemas']['v1Assignment'];

async function listAll<T>(page: (token: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token = '';
  for (let i = 0; i < 100; i++) {
    const r = await page(token);
    out.push(...r.items);
    if (!r.next) break;
    token = r.next;
  }
  return out;
}

export function useSheetData(assignmentId: string) {
  const assignment = useQuery({
    queryKey: ['review', 'assignment', assignmentId],
    queryFn: async () =>
      unwrap(await api.GET('/v1/assignments/{assignmentId}', { params: { path: { assignmentId } } })),
  });
  const applicationId = assignment.data?.applicationId ?? '';
  const campaignId = assignment.data?.campaignId ?? '';
  const application = useQuery({
    queryKey: ['review', 'application', applicationId],
    enabled: !!applicationId,
    queryFn: async () =>
      unwrap(await api.GET('/v1/applications/{applicationId}', { params: { path: { applicationId } } })),
  });
  const campaign = useQuery({
    queryKey: ['review', 'campaign', campaignId],
    enabled: !!campaignId,
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{campaignId}', { params: { path: { campaignId } } })),
  });
  const officeId = campaign.data?.officeId ?? '';
  // Deadlines show in the campaign office's time zone.
  const office = useQuery({
    queryKey: ['office', officeId],
    enabled: !!officeId,
    staleTime: 5 * 60_000,
    queryFn: async () => unwrap(await api.GET('/v1/offices/{officeId}', { params: { path: { officeId } } })),
  });
  const standardId = campaign.data?.standardId ?? '';
  const standard = useQuery({
    queryKey: ['review', 'standard', standardId],
    enabled: !!standardId,
    staleTime: Infinity, // a campaign pins a published standard, which never changes
    queryFn: async () => unwrap(await api.GET('/v1/standards/{standardId}', { params: { path: { standardId } } })),
  });
  const evidence = useQuery({
    queryKey: ['review', 'evidence', applicationId],
    enabled: !!applicationId,
    queryFn: () =>
      listAll<Evidence>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/applications/{applicationId}/evidence', {
          params: { path: { applicationId }, query: { pageSize: 500, pageToken: pageToken || undefined } },
        }));
        return { items: r.evidence ?? [], next: r.nextPageToken };
      }),
  });
  const files = useQuery({
    queryKey: ['review', 'files', applicationId],
    enabled: !!applicationId,
    queryFn: () =>
      listAll<EvidenceFile>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/applications/{applicationId}/files', {
          params: { path: { applicationId }, query: { pageSize: 500, pageToken: pageToken || undefined } },
        }));
        return { items: r.files ?? [], next: r.nextPageToken };
      }),
  });
  return { assignment, application, campaign, office, standard, evidence, files };
}

function ReturnDialog({ open, onClose, assignment, leaves, evidence, onDone, timeZone }: {
  open: boolean;
  onClose: () => void;
  assignment: Assignment;
  leaves: Indicator[];
  evidence: Evidence[];
  onDone: () => void;
  timeZone?: string;
}) {
  const [form] = Form.useForm<{ items: string[]; reason: string; due: Dayjs }>();
  const [busy, setBusy] = useState(false);
  const options = useMemo(() => {
    const out: { label: string; value: string }[] = [];
    for (const l of leaves) {
      const items = evidence.filter((e) => e.indicatorCode === l.code);
      if (items.length === 0) continue;
      out.push({ label: `${l.code} ${l.title ?? ''}（全部期次）`, value: `${l.code}|` });
      if (items.length > 1) {
        for (const e of items) out.push({ label: `${l.code} ${formatPeriod(e.period)}`, value: `${l.code}|${e.period ?? ''}` });
      }
    }
    return out;
  }, [leaves, evidence]);
  const submit = async () => {
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    setBusy(true);
    try {
      const r = unwrap(await api.POST('/v1/assignments/{assignmentId}:returnEvidence', {
        params: { path: { assignmentId: assignment.id ?? '' } },
        body: {
          items: v.items.map((s) => {
            const [indicatorCode, period] = s.split('|');
            return period ? { indicatorCode, period } : { indicatorCode };
          }),
          reason: v.reason.trim(),
          dueTime: fromWall(v.due, timeZone),
        },
      }));
      const locked = (r.items ?? []).filter((i) => i.locked);
      void message.success(
        locked.length
          ? `已退回整改；${locked.map((i) => i.indicatorCode).join('、')} 已超过重报次数，锁定并计 0 分`
          : '已退回整改',
      );
      form.resetFields();
      onDone();
      onClose();
    } catch (e) {
      void message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} title="退回整改" okText="退回" onOk={submit} confirmLoading={busy} onCancel={onClose} destroyOnHidden>
      <Form form={form} layout="vertical">
        <Form.Item name="items" label="退回的材料" rules={[{ required: true, message: '请选择要退回的材料' }]}>
          <Select mode="multiple" aria-label="退回的材料" options={options} optionFilterProp="label" />
        </Form.Item>
        <Form.Item name="reason" label="退回理由" rules={[{ required: true, whitespace: true, message: '请填写理由' }, { max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 3 }} maxLength={2000} />
        </Form.Item>
        <Form.Item
          name="due"
          label={`整改截止时间（${timeZone || DEFAULT_TIME_ZONE}）`}
          rules={[
            { required: true, message: '请选择截止时间' },
            { validator: (_, v: Dayjs | undefined) => (!v || v.isAfter(dayjs()) ? Promise.resolve() : Promise.reject(new Error('须晚于现在'))) },
          ]}
        >
          <DatePicker showTime aria-label={`整改截止时间（${timeZone || DEFAULT_TIME_ZONE}）`} disabledDate={(d) => d.isBefore(dayjs(), 'day')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function SheetPage() {
  const { assignmentId = '' } = useParams();
  const qc = useQueryClient();
  const { assignment, application, campaign, office, standard, evidence, files } = useSheetData(assignmentId);
  const [drafts, setDrafts] = useState<Record<string, ScoreDraft>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<'' | 'save' | 'finalize'>('');
  const [returning, setReturning] = useState(false);
  const [filter, setFilter] = useState<'all' | 'missing'>('all');

  const indicators = useMemo(() => orderedIndicators(standard.data?.indicators ?? []), [standard.data]);
  const depths = useMemo(() => indicatorDepths(indicators), [indicators]);
  const byCode = useMemo(() => new Map(indicators.map((i) => [i.code ?? '', i])), [indicators]);
  const leaves = useMemo(() => indicators.filter(isLeaf), [indicators]);
  const scale = standard.data?.gradeScale ?? [];

  // What the server holds, as drafts: the baseline "changed" is measured against.
  const saved = useMemo(() => {
    const out: Record<string, ScoreDraft> = {};
    for (const s of assignment.data?.scores ?? []) {
      const ind = byCode.get(s.indicatorCode ?? '');
      if (ind) out[s.indicatorCode ?? ''] = fromScore(ind, s);
    }
    return out;
  }, [assignment.data, byCode]);
  useEffect(() => setDrafts(saved), [saved]);

  const filesById = useMemo(() => new Map((files.data ?? []).map((f) => [f.id ?? '', f])), [files.data]);
  const evidenceByCode = useMemo(() => {
    const m = new Map<string, Evidence[]>();
    for (const e of evidence.data ?? []) {
      const k = e.indicatorCode ?? '';
      if (!m.has(k)) m.set(k, []);
      m.get(k)!.push(e);
    }
    return m;
  }, [evidence.data]);

  const errors = useMemo(() => {
    const out: Record<string, string> = {};
    for (const l of leaves) {
      const err = validateEntry(l, drafts[l.code ?? ''], scale);
      if (err) out[l.code ?? ''] = err;
    }
    return out;
  }, [leaves, drafts, scale]);
  const changed = leaves.filter((l) => !sameEntry(l, drafts[l.code ?? ''], saved[l.code ?? '']));
  const missing = missingLeaves(leaves, drafts);
  const dirty = changed.length > 0;
  // Closing or reloading the tab with unsaved entries asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  if (assignment.isError) return <Alert type="error" showIcon title={errorMessage(assignment.error)} />;
  if (assignment.isLoading || standard.isLoading || campaign.isLoading) return <Spin />;
  const a = assignment.data!;
  const editable = a.state === 'ASSIGNMENT_STATE_ASSIGNED' && campaign.data?.state === 'CAMPAIGN_STATE_REVIEW';
  const tz = office.data?.timeZone || undefined;

  const reload = () => {
    void qc.invalidateQueries({ queryKey: ['review'] });
  };

  const save = async (): Promise<Assignment | null> => {
    const toSend = changed.filter((l) => hasEntry(l, drafts[l.code ?? '']));
    if (Object.keys(errors).length > 0) {
      void message.error('有评分不符合要求，请先修正标红的项目');
      return null;
    }
    if (toSend.length === 0) return a;
    const scores = toSend.map((l) => toScore(l, drafts[l.code ?? '']));
    try {
      const r = unwrap(await api.POST('/v1/assignments/{assignmentId}:saveScores', {
        params: { path: { assignmentId } },
        body: { scores, etag: a.etag },
      }));
      setServerErrors({});
      qc.setQueryData(['review', 'assignment', assignmentId], r);
      return r;
    } catch (e) {
      if (e instanceof ApiError && e.fieldViolations.length) {
        const byInd: Record<string, string> = {};
        for (const v of e.fieldViolations) {
          const m = /^scores\[(\d+)\]/.exec(v.field);
          const code = m ? scores[Number(m[1])]?.indicatorCode : undefined;
          if (code) byInd[code] = v.description;
        }
        setServerErrors(byInd);
      }
      if (e instanceof ApiError && e.isConflict) {
        void message.error('评分表已在别处更新，已重新载入，请核对后再保存');
        reload();
      } else {
        void message.error(errorMessage(e));
      }
      return null;
    }
  };

  const onSave = async () => {
    setBusy('save');
    const r = await save();
    setBusy('');
    if (r) void message.success('草稿已保存');
  };

  const onFinalize = () => {
    if (missing.length > 0) {
      void message.error(`还有 ${missing.length} 项未评分：${missing.slice(0, 10).join('、')}${missing.length > 10 ? '…' : ''}`);
      return;
    }
    confirm({
      title: '提交评分表？',
      content: '提交后不能再修改，除非文明办管理员退回重评。',
      okText: '提交',
      onOk: async () => {
        setBusy('finalize');
        try {
          const cur = await save();
          if (!cur) return;
          const r = unwrap(await api.POST('/v1/assignments/{assignmentId}:finalize', {
            params: { path: { assignmentId } },
            body: { etag: cur.etag },
          }));
          qc.setQueryData(['review', 'assignment', assignmentId], r);
          void qc.invalidateQueries({ queryKey: ['review', 'queue'] });
          void qc.invalidateQueries({ queryKey: ['review', 'application', r.applicationId ?? ''] });
          void message.success('评分表已提交');
        } catch (e) {
          void message.error(errorMessage(e));
          if (e instanceof ApiError && e.isConflict) reload();
        } finally {
          setBusy('');
        }
      },
    });
  };

  const app = application.data;
  const shown = filter === 'missing' ? indicators.filter((i) => !isLeaf(i) || missing.includes(i.code ?? '')) : indicators;

  return (
    <div>
      <Space style={{ marginBottom: 12 }} wrap>
        <Link to="/review">← 返回评审任务</Link>
      </Space>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label="申报单位">{app?.unitDisplayName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="测评周期">{campaign.data?.displayName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="周期阶段">{campaignStateLabel(campaign.data?.state)}</Descriptions.Item>
          <Descriptions.Item label="申报状态">{applicationStateLabel(app?.state)}</Descriptions.Item>
          <Descriptions.Item label="评分表">
            <Tag>{assignmentStateLabel[a.state ?? ''] ?? '—'}</Tag>
            {a.finalizeTime && `提交于 ${formatDateTime(a.finalizeTime, tz)}`}
          </Descriptions.Item>
          <Descriptions.Item label="测评细则">
            {standard.data?.displayName}（{standard.data?.aggregation === 'AGGREGATION_MEDIAN' ? '中位数' : standard.data?.aggregation === 'AGGREGATION_TRIMMED_MEAN' ? '去掉最高最低后平均' : '平均'}）
          </Descriptions.Item>
        </Descriptions>
        {a.reason && <Alert type="info" showIcon title={`说明：${a.reason}`} />}
      </Card>
      {!editable && (
        <Alert
          style={{ marginBottom: 12 }}
          type="info"
          showIcon
          title={a.state === 'ASSIGNMENT_STATE_ASSIGNED' ? '测评周期不在评审阶段，评分表只读' : '评分表只读'}
        />
      )}
      <Affix offsetTop={0}>
        <Card size="small" style={{ marginBottom: 12 }}>
          <Space wrap>
            <Tag color={missing.length ? 'warning' : 'success'}>{missing.length ? `待评 ${missing.length} 项` : '已全部评分'}</Tag>
            <Select
              aria-label="显示项目"
              value={filter}
              onChange={setFilter}
              style={{ width: 140 }}
              options={[{ value: 'all', label: '全部指标' }, { value: 'missing', label: '仅未评项目' }]}
            />
            {changed.length > 0 && <Typography.Text type="warning">{changed.length} 项未保存</Typography.Text>}
            <Button onClick={onSave} loading={busy === 'save'} disabled={!editable || changed.length === 0}>
              保存草稿
            </Button>
            <Button type="primary" onClick={onFinalize} loading={busy === 'finalize'} disabled={!editable}>
              提交评分表
            </Button>
            <Button danger onClick={() => setReturning(true)} disabled={!editable}>
              退回整改
            </Button>
          </Space>
        </Card>
      </Affix>
      {shown.map((ind) => {
        const code = ind.code ?? '';
        const depth = depths.get(code) ?? 0;
        if (!isLeaf(ind)) {
          return (
            <Typography.Title key={code} level={depth === 0 ? 4 : 5} style={{ marginTop: 16 }}>
              {code} {ind.title}
              {ind.maxPoints && <Typography.Text type="secondary">（{formatPoints(ind.maxPoints)} 分）</Typography.Text>}
            </Typography.Title>
          );
        }
        const err = errors[code] ?? serverErrors[code];
        const unsaved = !sameEntry(ind, drafts[code], saved[code]);
        return (
          <Card key={code} size="small" style={{ marginBottom: 8, borderColor: err ? '#ff4d4f' : undefined }} data-testid={`indicator-${code}`}>
            <Row gutter={16}>
              <Col xs={24} lg={14}>
                <Space wrap>
                  <Typography.Text strong>
                    {code} {ind.title}
                  </Typography.Text>
                  <Tag>{indicatorKindLabel(ind.kind)}</Tag>
                  {ind.maxPoints && <Tag color="processing">{formatPoints(ind.maxPoints)} 分</Tag>}
                </Space>
                {ind.guidance && (
                  <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap', marginBottom: 4 }}>
                    {ind.guidance}
                  </Typography.Paragraph>
                )}
                <EvidenceList items={evidenceByCode.get(code) ?? []} filesById={filesById} timeZone={tz} />
              </Col>
              <Col xs={24} lg={10}>
                <Typography.Text type="secondary">{kindHint(ind, scale)}</Typography.Text>
                <div style={{ margin: '6px 0' }}>
                  <ScoreInput
                    ind={ind}
                    value={drafts[code]}
                    scale={scale}
                    disabled={!editable}
                    onChange={(d) => {
                      setDrafts((p) => ({ ...p, [code]: d }));
                      setServerErrors((p) => ({ ...p, [code]: '' }));
                    }}
                  />
                </div>
                <Input.TextArea
                  aria-label={`${code} 备注`}
                  placeholder="评分说明（可选）"
                  value={drafts[code]?.comment ?? ''}
                  disabled={!editable}
                  maxLength={2000}
                  autoSize={{ minRows: 1, maxRows: 4 }}
                  onChange={(e) => setDrafts((p) => ({ ...p, [code]: { ...p[code], comment: e.target.value } }))}
                />
                {err && (
                  <Typography.Text type="danger" role="alert">
                    {err}
                  </Typography.Text>
                )}
                {unsaved && !err && <Typography.Text type="warning">未保存</Typography.Text>}
              </Col>
            </Row>
          </Card>
        );
      })}
      <ReturnDialog
        open={returning}
        onClose={() => setReturning(false)}
        assignment={a}
        leaves={leaves}
        evidence={evidence.data ?? []}
        onDone={reload}
        timeZone={tz}
      />
    </div>
  );
}
