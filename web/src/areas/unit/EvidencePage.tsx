import { useMemo, useRef, useState } from 'react';
import {
  App,
  Alert,
  Breadcrumb,
  Button,
  Card,
  Collapse,
  Descriptions,
  Empty,
  Form,
  Input,
  Space,
  Tag,
  Typography,
} from 'antd';
import { ItemList } from '../../lib/ItemList';
import { Link, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, idempotencyKey, unwrap, withIdempotency } from '../../api/client';
import { ApiError, applyFieldErrors, errorMessage } from '../../api/errors';
import {
  deadline,
  formatDateTime,
  formatDue,
  formatFileSize,
  formatPeriod,
  formatPoints,
  isDecimal2,
} from '../../lib/format';
import { cadenceLabel, evidenceStateColor, evidenceStateLabel, indicatorKindLabel } from '../../lib/labels';
import { PageLoading } from '../../app/PageLoading';
import {
  keys,
  useApplication,
  useCampaign,
  useChecklist,
  useEvidence,
  useStandard,
  type Evidence,
  type EvidenceFile,
} from './api';
import { EvidenceUploader } from './EvidenceUploader';
import { NarrativeInput, narrativeRule } from './NarrativeInput';
import { MissingList } from './MissingList';
import { reasonHint } from './reasons';
import { saveStoredFile } from '../../lib/files';

interface Values {
  narrative: string;
  value: string;
  files: EvidenceFile[];
  note: string;
}

const DEFAULT_NARRATIVE_MAX = 500;

/** What to start editing from: the draft, else the latest revision (a resubmission). */
export function initialValues(e: Evidence | null | undefined): Values {
  const last = e?.revisions?.[e.revisions.length - 1];
  const hasDraft = !!(e?.draft && (e.draft.narrative || e.draft.value || e.draft.fileIds?.length || e.draft.note));
  if (hasDraft) {
    return {
      narrative: e!.draft!.narrative ?? '',
      value: e!.draft!.value ?? '',
      files: e!.draftFiles ?? [],
      note: e!.draft!.note ?? '',
    };
  }
  if (last) {
    return {
      narrative: last.content?.narrative ?? '',
      value: last.content?.value ?? '',
      files: last.files ?? [],
      note: last.content?.note ?? '',
    };
  }
  return { narrative: '', value: '', files: [], note: '' };
}

export function EvidencePage() {
  const { applicationId = '', code = '', period = '' } = useParams();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const app = useApplication(applicationId);
  const campaign = useCampaign(app.data?.campaignId);
  const standard = useStandard(campaign.data?.standardId);
  const checklist = useChecklist(applicationId);
  const item = useEvidence(applicationId, code, period);
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const [refusal, setRefusal] = useState<ApiError | null>(null);
  const submitKey = useRef(idempotencyKey());

  const indicator = useMemo(() => standard.data?.indicators?.find((i) => i.code === code), [standard.data, code]);
  const req = checklist.data?.requirements.find((r) => r.indicatorCode === code && r.period === period);
  const tz = checklist.data?.timeZone ?? 'Asia/Shanghai';
  const spec = indicator?.evidenceSpec;
  const max = spec?.narrativeMaxChars || DEFAULT_NARRATIVE_MAX;
  const needsValue = indicator?.kind === 'INDICATOR_KIND_THRESHOLD' || indicator?.kind === 'INDICATOR_KIND_LINEAR';
  const e = item.data;
  const appState = app.data?.state;
  const editable =
    !e?.locked &&
    (appState === 'APPLICATION_STATE_DRAFT' ||
      (appState === 'APPLICATION_STATE_RETURNED' && e?.state === 'EVIDENCE_STATE_RETURNED'));

  const refresh = async (next?: Evidence) => {
    if (next) qc.setQueryData(keys.evidence(applicationId, code, period), next);
    await qc.invalidateQueries({ queryKey: ['application', applicationId] });
  };

  const fail = async (err: unknown) => {
    if (err instanceof ApiError && err.isConflict) {
      message.warning(reasonHint('ETAG_MISMATCH'));
      await refresh();
      return;
    }
    if (err instanceof ApiError) {
      const rest = applyFieldErrors(form, err, {
        strip: ['draft'],
        map: { fileIds: 'files', value: 'value', narrative: 'narrative', note: 'note' },
      });
      if (err.preconditionViolations.length || rest.length || err.reason.endsWith('INCOMPLETE')) {
        setRefusal(err);
        return;
      }
      if (err.fieldViolations.length) {
        // Shown beside the fields they name.
        message.error(err.message);
        return;
      }
    }
    modal.error({
      title: '操作未成功',
      content: (
        <div>
          <Typography.Paragraph>{errorMessage(err)}</Typography.Paragraph>
          {err instanceof ApiError && reasonHint(err.reason) && (
            <Typography.Paragraph type="secondary">{reasonHint(err.reason)}</Typography.Paragraph>
          )}
        </div>
      ),
    });
  };

  const saveDraft = async (): Promise<Evidence> => {
    const v = await form.validateFields();
    return unwrap(
      await api.PUT('/v1/applications/{applicationId}/evidence/{indicatorCode}/{period}', {
        params: {
          path: { applicationId, indicatorCode: code, period },
          query: e?.etag ? { etag: e.etag } : undefined,
        },
        body: {
          narrative: v.narrative ?? '',
          value: needsValue ? (v.value ?? '').trim() : '',
          fileIds: (v.files ?? []).map((f) => f.id ?? ''),
          note: v.note ?? '',
        },
      }),
    );
  };

  const onSave = async () => {
    setRefusal(null);
    setBusy('save');
    try {
      const saved = await saveDraft();
      await refresh(saved);
      message.success('草稿已保存');
    } catch (err) {
      if (!(err && typeof err === 'object' && 'errorFields' in err)) await fail(err);
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = async () => {
    setRefusal(null);
    setBusy('submit');
    try {
      const saved = await saveDraft();
      const submitted = unwrap(
        await api.POST('/v1/applications/{applicationId}/evidence/{indicatorCode}/{period}:submit', {
          params: { path: { applicationId, indicatorCode: code, period } },
          body: { etag: saved.etag },
          ...withIdempotency(submitKey.current),
        }),
      );
      submitKey.current = idempotencyKey();
      await refresh(submitted);
      message.success('已报送');
    } catch (err) {
      submitKey.current = idempotencyKey();
      if (!(err && typeof err === 'object' && 'errorFields' in err)) await fail(err);
      await refresh();
    } finally {
      setBusy(null);
    }
  };

  if (app.isPending || item.isPending) return <PageLoading />;
  if (app.error) return <Alert type="error" showIcon title={errorMessage(app.error)} />;
  if (item.error) return <Alert type="error" showIcon title={errorMessage(item.error)} />;

  const start = e?.startTime ?? req?.startTime;
  const due = e?.dueTime ?? req?.dueTime;
  const d = deadline(due, new Date(), tz);
  const notYet = !!start && new Date(start) > new Date();
  const state = e?.state ?? req?.state;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb
        items={[
          { title: <Link to="/unit">本单位申报</Link> },
          {
            title: (
              <Link to={`/unit/applications/${encodeURIComponent(applicationId)}`}>
                {campaign.data?.displayName ?? '申报'}
              </Link>
            ),
          },
          { title: `${code} · ${formatPeriod(period)}` },
        ]}
      />
      <Card
        title={
          <Space wrap>
            <span>
              {code} {indicator?.title ?? req?.indicatorTitle ?? ''}
            </span>
            <Tag>{formatPeriod(period)}</Tag>
            <Tag color={evidenceStateColor(state)}>{evidenceStateLabel(state ?? 'EVIDENCE_STATE_UNSPECIFIED')}</Tag>
            {e?.locked && <Tag color="error">已锁定</Tag>}
          </Space>
        }
      >
        <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
          <Descriptions.Item label="指标类型">
            {indicatorKindLabel(indicator?.kind)}（满分 {formatPoints(indicator?.maxPoints)}）
          </Descriptions.Item>
          <Descriptions.Item label="报送周期">{cadenceLabel(spec?.cadence)}</Descriptions.Item>
          <Descriptions.Item label="报送时间">
            {formatDateTime(start, tz)} 至 {formatDue(due, tz)}{' '}
            {d.status !== 'none' && (
              <Tag color={d.status === 'overdue' ? 'default' : d.status === 'soon' ? 'orange' : 'blue'}>
                {notYet ? '未开始' : d.remaining}
              </Tag>
            )}
          </Descriptions.Item>
          <Descriptions.Item label="材料要求">
            {[
              spec?.minFiles ? `至少 ${spec.minFiles} 个文件` : '',
              spec?.minPhotos ? `至少 ${spec.minPhotos} 张照片` : '',
              spec?.fileTypes?.length ? `类型：${spec.fileTypes.join('、')}` : '',
              needsValue ? '须填写测量值' : '',
              `文字说明不超过 ${max} 字`,
            ]
              .filter(Boolean)
              .join('；')}
          </Descriptions.Item>
          {indicator?.guidance && (
            <Descriptions.Item label="评分说明" span="filled">
              <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{indicator.guidance}</Typography.Text>
            </Descriptions.Item>
          )}
          {req?.missingZh?.length ? (
            <Descriptions.Item label="尚缺" span="filled">
              <Typography.Text type="warning">{req.missingZh.join('；')}</Typography.Text>
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      </Card>
      {e?.state === 'EVIDENCE_STATE_RETURNED' && (
        <Alert
          type={e.locked ? 'error' : 'warning'}
          showIcon
          title={
            e.locked
              ? '该项退回次数已超过上限，不能再报送'
              : `测评员退回了该项材料，请于 ${formatDue(e.returnDueTime, tz) || '截止时间'} 前修改后重新报送`
          }
          description={
            <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{e.returnReason || '（未填写原因）'}</Typography.Text>
          }
        />
      )}
      {refusal && (
        <MissingList
          error={refusal}
          applicationId={applicationId}
          titles={{ [code]: indicator?.title ?? '' }}
          hint={reasonHint(refusal.reason)}
        />
      )}
      <Card title="填报内容">
        {!editable && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={
              e?.locked
                ? '该项已锁定，不能再修改'
                : appState === 'APPLICATION_STATE_RETURNED'
                  ? '申报已退回：只有被退回的材料可以修改'
                  : '申报已提交，材料不能再修改'
            }
          />
        )}
        <Form<Values>
          key={e?.etag ?? 'new'}
          form={form}
          layout="vertical"
          disabled={!editable || busy !== null}
          initialValues={initialValues(e)}
        >
          <Form.Item
            name="narrative"
            label="文字说明"
            rules={[narrativeRule(max)]}
            extra="按评分说明写清做了什么、何时、多少人参与，便于测评员核实。"
          >
            <NarrativeInput max={max} placeholder="请填写本期工作情况" />
          </Form.Item>
          {needsValue && (
            <Form.Item
              name="value"
              label="测量值"
              rules={[
                {
                  validator: async (_, v: string | undefined) => {
                    if ((v ?? '').trim() && !isDecimal2(v ?? ''))
                      throw new Error('请输入不超过两位小数的数，例如 87.50');
                  },
                },
              ]}
            >
              <Input inputMode="decimal" maxLength={16} style={{ maxWidth: 240 }} placeholder="例如 87.50" />
            </Form.Item>
          )}
          <Form.Item name="files" label="证明材料" valuePropName="value">
            <EvidenceUploader applicationId={applicationId} fileTypes={spec?.fileTypes} disabled={!editable} />
          </Form.Item>
          <Form.Item name="note" label="备注" rules={[{ max: 2000, message: '备注最多 2000 字' }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} showCount maxLength={2000} />
          </Form.Item>
          {editable && (
            <Space>
              <Button onClick={() => void onSave()} loading={busy === 'save'} disabled={busy !== null}>
                保存草稿
              </Button>
              <Button
                type="primary"
                onClick={() => void onSubmit()}
                loading={busy === 'submit'}
                disabled={busy !== null || notYet}
              >
                {e?.state === 'EVIDENCE_STATE_RETURNED' ? '重新报送' : '报送'}
              </Button>
            </Space>
          )}
        </Form>
      </Card>
      <Card title={`报送记录（${e?.revisionCount ?? e?.revisions?.length ?? 0}）`}>
        {(e?.revisions?.length ?? 0) === 0 ? (
          <Empty description="尚未报送" />
        ) : (
          <Collapse
            items={[...(e?.revisions ?? [])].reverse().map((r) => ({
              key: String(r.number),
              label: (
                <Space wrap>
                  <span>第 {r.number} 次报送</span>
                  <span>{formatDateTime(r.submitTime, tz)}</span>
                  {r.resubmission && <Tag color="orange">退回后重新报送</Tag>}
                </Space>
              ),
              children: (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  {r.content?.narrative && (
                    <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                      {r.content.narrative}
                    </Typography.Paragraph>
                  )}
                  {r.content?.value && <Typography.Text>测量值：{r.content.value}</Typography.Text>}
                  {r.content?.note && <Typography.Text type="secondary">备注：{r.content.note}</Typography.Text>}
                  {(r.files?.length ?? 0) > 0 && (
                    <ItemList
                      items={r.files ?? []}
                      rowKey={(f, i) => f.id ?? i}
                      render={(f) => (
                        <Space>
                          <Button
                            type="link"
                            size="small"
                            disabled={false}
                            onClick={() =>
                              void saveStoredFile(f.id ?? '', f.name ?? '').catch((x) => message.error(errorMessage(x)))
                            }
                          >
                            {f.name}
                          </Button>
                          <Typography.Text type="secondary">{formatFileSize(f.size)}</Typography.Text>
                        </Space>
                      )}
                    />
                  )}
                </Space>
              ),
            }))}
          />
        )}
      </Card>
    </Space>
  );
}
