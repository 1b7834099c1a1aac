import { useMemo, useRef, useState } from 'react';
import {
  App,
  Alert,
  Breadcrumb,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { Link, useParams } from 'react-router';
import { api, idempotencyKey, unwrap, withIdempotency } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { applicationStateColor, applicationStateLabel, campaignStateLabel } from '../../lib/labels';
import { deadline, formatDateTime, formatDue, formatFileSize, formatPeriod } from '../../lib/format';
import { PageLoading } from '../../app/PageLoading';
import {
  RESULT_PHASES,
  useApplication,
  useCampaign,
  useChecklist,
  useEvidenceList,
  useFiles,
  useInvalidateApplication,
  useResult,
  useStandard,
  type EvidenceFile,
} from './api';
import { useUnitScope } from './scope';
import { ChecklistTable } from './ChecklistTable';
import { ReturnedList } from './ReturnedList';
import { SelfAssessmentForm } from './SelfAssessmentForm';
import { ResultView } from './ResultView';
import { MissingList } from './MissingList';
import { reasonHint } from './reasons';
import { saveStoredFile } from '../../lib/files';

function FilesTable({ applicationId }: { applicationId: string }) {
  const files = useFiles(applicationId);
  const { message } = App.useApp();
  if (files.error) return <Alert type="error" showIcon title={errorMessage(files.error)} />;
  return (
    <Table<EvidenceFile>
      size="small"
      rowKey={(f) => f.id ?? ''}
      loading={files.isPending}
      dataSource={files.data ?? []}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      columns={[
        { title: '文件名', render: (_, f) => f.name },
        { title: '类型', width: 180, render: (_, f) => f.contentType },
        { title: '大小', width: 100, render: (_, f) => formatFileSize(f.size) },
        { title: '上传时间', width: 160, render: (_, f) => formatDateTime(f.createTime) },
        {
          title: '操作',
          width: 80,
          render: (_, f) => (
            <Button
              type="link"
              size="small"
              onClick={() => void saveStoredFile(f.id ?? '', f.name ?? '').catch((e) => message.error(errorMessage(e)))}
            >
              下载
            </Button>
          ),
        },
      ]}
    />
  );
}

export function ApplicationPage() {
  const { applicationId = '' } = useParams();
  const { isAdmin } = useUnitScope();
  const { message } = App.useApp();
  const app = useApplication(applicationId);
  const campaign = useCampaign(app.data?.campaignId);
  const standard = useStandard(campaign.data?.standardId);
  const checklist = useChecklist(applicationId);
  const evidence = useEvidenceList(applicationId);
  const resultVisible = RESULT_PHASES.includes(campaign.data?.state ?? '');
  const result = useResult(applicationId, resultVisible);
  const invalidate = useInvalidateApplication(applicationId);
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [withdrawOpen, setWithdrawOpen] = useState(false);
  // Until the caller picks a tab, the most useful one shows: returns, else the result.
  const [tab, setTab] = useState<string>();
  const [withdrawForm] = Form.useForm<{ reason: string }>();
  // One key per submission attempt of this page: a retry after a lost answer is the same request.
  const submitKey = useRef(idempotencyKey());

  const titles = useMemo(() => {
    const t: Record<string, string> = {};
    for (const i of standard.data?.indicators ?? []) t[i.code ?? ''] = i.title ?? '';
    for (const r of checklist.data?.requirements ?? [])
      if (r.indicatorCode) t[r.indicatorCode] = r.indicatorTitle ?? '';
    return t;
  }, [standard.data, checklist.data]);

  if (app.isPending) return <PageLoading />;
  if (app.error) return <Alert type="error" showIcon title={errorMessage(app.error)} />;
  const a = app.data;
  const state = a.state ?? 'APPLICATION_STATE_UNSPECIFIED';
  const canSubmit = isAdmin && (state === 'APPLICATION_STATE_DRAFT' || state === 'APPLICATION_STATE_RETURNED');
  const canWithdraw = isAdmin && (state === 'APPLICATION_STATE_DRAFT' || state === 'APPLICATION_STATE_SUBMITTED');
  const returnedCount = (evidence.data ?? []).filter((e) => e.state === 'EVIDENCE_STATE_RETURNED').length;
  const tz = checklist.data?.timeZone ?? 'Asia/Shanghai';
  const inSubmission = campaign.data?.state === 'CAMPAIGN_STATE_SUBMISSION';
  const submissionDue = deadline(campaign.data?.submissionWindow?.endTime, new Date(), tz);

  const submit = async () => {
    setSubmitting(true);
    setSubmitError(null);
    try {
      unwrap(
        await api.POST('/v1/applications/{applicationId}:submit', {
          params: { path: { applicationId } },
          body: { etag: a.etag },
          ...withIdempotency(submitKey.current),
        }),
      );
      submitKey.current = idempotencyKey();
      message.success(state === 'APPLICATION_STATE_RETURNED' ? '已重新提交' : '申报已提交');
    } catch (e) {
      submitKey.current = idempotencyKey();
      if (e instanceof ApiError) setSubmitError(e);
      else message.error(errorMessage(e));
    } finally {
      setSubmitting(false);
      void invalidate();
    }
  };

  const withdraw = async () => {
    const { reason } = await withdrawForm.validateFields();
    try {
      unwrap(
        await api.POST('/v1/applications/{applicationId}:withdraw', {
          params: { path: { applicationId } },
          body: { reason: reason.trim(), etag: a.etag },
        }),
      );
      setWithdrawOpen(false);
      message.success('申报已撤回');
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      void invalidate();
    }
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Breadcrumb
        items={[{ title: <Link to="/unit">本单位申报</Link> }, { title: campaign.data?.displayName ?? '申报' }]}
      />
      <Card
        title={
          <Space wrap>
            <span>{campaign.data?.displayName ?? '申报'}</span>
            <Tag color={applicationStateColor(state)}>{applicationStateLabel(state)}</Tag>
          </Space>
        }
        extra={
          <Space>
            {canWithdraw && (
              <Button danger onClick={() => setWithdrawOpen(true)}>
                撤回申报
              </Button>
            )}
            {canSubmit && !inSubmission && state === 'APPLICATION_STATE_DRAFT' && (
              <Tooltip
                title={`材料报送阶段开始后才能提交申报${campaign.data?.submissionWindow?.startTime ? `（${formatDateTime(campaign.data.submissionWindow.startTime, tz)} 起）` : ''}`}
              >
                <Button type="primary" disabled>
                  提交申报
                </Button>
              </Tooltip>
            )}
            {canSubmit && (inSubmission || state === 'APPLICATION_STATE_RETURNED') && (
              <Popconfirm
                title={state === 'APPLICATION_STATE_RETURNED' ? '确认重新提交？' : '确认提交申报？'}
                description="提交后材料将交由测评员审核，不能再修改。"
                okText="提交"
                cancelText="取消"
                onConfirm={() => submit()}
              >
                <Button type="primary" loading={submitting}>
                  {state === 'APPLICATION_STATE_RETURNED' ? '重新提交' : '提交申报'}
                </Button>
              </Popconfirm>
            )}
          </Space>
        }
      >
        <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }}>
          <Descriptions.Item label="申报单位">{a.unitDisplayName}</Descriptions.Item>
          <Descriptions.Item label="测评阶段">{campaignStateLabel(campaign.data?.state)}</Descriptions.Item>
          {(campaign.data?.state === 'CAMPAIGN_STATE_OPEN' || inSubmission) && (
            <Descriptions.Item label="材料报送截止">
              {submissionDue.text ? `${submissionDue.text}（${submissionDue.remaining}）` : '—'}
            </Descriptions.Item>
          )}
          <Descriptions.Item label="提交时间">{formatDateTime(a.submitTime, tz) || '未提交'}</Descriptions.Item>
          {a.withdrawReason && <Descriptions.Item label="撤回原因">{a.withdrawReason}</Descriptions.Item>}
          {(a.extensions?.length ?? 0) > 0 && (
            <Descriptions.Item label="延期" span="filled">
              {(a.extensions ?? []).map((x) => (
                <div key={x.id}>
                  {x.indicatorCode ? `指标 ${x.indicatorCode}` : '全部指标'}
                  {x.period ? ` ${formatPeriod(x.period)}` : ''} 延至 {formatDue(x.dueTime, tz)}
                  {x.reason ? `：${x.reason}` : ''}
                </div>
              ))}
            </Descriptions.Item>
          )}
        </Descriptions>
        {!isAdmin && canSubmit === false && state === 'APPLICATION_STATE_DRAFT' && (
          <Typography.Text type="secondary">材料齐全后由单位管理员提交申报。</Typography.Text>
        )}
      </Card>
      {submitError && (
        <MissingList
          error={submitError}
          applicationId={applicationId}
          titles={titles}
          hint={reasonHint(submitError.reason)}
        />
      )}
      {returnedCount > 0 && (
        <Alert
          type="warning"
          showIcon
          title={`有 ${returnedCount} 项材料被测评员退回`}
          description="请查看“退回事项”，按退回原因修改后在截止时间前重新报送，全部处理后重新提交申报。"
        />
      )}
      <Card>
        <Tabs
          activeKey={tab ?? (returnedCount > 0 ? 'returned' : resultVisible ? 'result' : 'checklist')}
          onChange={setTab}
          items={[
            {
              key: 'checklist',
              label: '报送清单',
              children: checklist.error ? (
                <Alert type="error" showIcon title={errorMessage(checklist.error)} />
              ) : checklist.isPending ? (
                <PageLoading />
              ) : (
                <ChecklistTable
                  applicationId={applicationId}
                  requirements={checklist.data.requirements}
                  timeZone={tz}
                />
              ),
            },
            {
              key: 'returned',
              label: `退回事项${returnedCount ? `（${returnedCount}）` : ''}`,
              children: (
                <ReturnedList
                  applicationId={applicationId}
                  items={evidence.data ?? []}
                  titles={titles}
                  maxResubmissions={campaign.data?.maxResubmissions}
                />
              ),
            },
            {
              key: 'self',
              label: '自评',
              children: standard.data ? (
                <SelfAssessmentForm
                  application={a}
                  indicators={standard.data.indicators ?? []}
                  editable={state === 'APPLICATION_STATE_DRAFT'}
                  onSaved={() => void invalidate()}
                />
              ) : standard.error ? (
                <Alert type="error" showIcon title={errorMessage(standard.error)} />
              ) : (
                <PageLoading />
              ),
            },
            { key: 'files', label: '全部文件', children: <FilesTable applicationId={applicationId} /> },
            {
              key: 'result',
              label: '测评结果',
              children: !resultVisible ? (
                <Alert type="info" showIcon title="测评结果将在排名后公布" />
              ) : result.isPending ? (
                <PageLoading />
              ) : result.error ? (
                <Alert type="error" showIcon title={errorMessage(result.error)} />
              ) : result.data ? (
                <ResultView
                  result={result.data}
                  selfPoints={Object.fromEntries(
                    (a.selfAssessment ?? []).map((x) => [x.indicatorCode ?? '', x.points ?? '']),
                  )}
                />
              ) : (
                <Alert type="info" showIcon title="暂无测评结果" />
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={withdrawOpen}
        title="撤回申报"
        okText="撤回"
        okButtonProps={{ danger: true }}
        cancelText="取消"
        onOk={() => withdraw().catch(() => undefined)}
        onCancel={() => setWithdrawOpen(false)}
        destroyOnHidden
      >
        <Typography.Paragraph type="warning">撤回是最终操作，撤回后该申报不能恢复。</Typography.Paragraph>
        <Form form={withdrawForm} layout="vertical">
          <Form.Item
            name="reason"
            label="撤回原因"
            rules={[{ required: true, whitespace: true, message: '请填写撤回原因' }, { max: 2000 }]}
          >
            <Input.TextArea rows={3} showCount maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
