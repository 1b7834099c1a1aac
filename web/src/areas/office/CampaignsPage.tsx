// CampaignsPage: the office's campaigns (and, optionally, those of every office below it),
// and a new DRAFT campaign on a published standard.
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Checkbox, Form, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap, withIdempotency } from '../../api/client';
import { dayjs, formatDate } from '../../lib/format';
import { campaignStateLabel } from '../../lib/labels';
import { CampaignFields, fromValues, type CampaignValues } from './campaignForm';
import { listAll, titleLevelLabel, useOffice, useOfficeCtx, type S } from './common';
import { describeQuota } from './recommend';
import { useSubmitDialog } from '../../lib/submit';

type Campaign = S['v1Campaign'];

const states: { value: S['v1CampaignState']; label: string }[] = (
  ['CAMPAIGN_STATE_DRAFT', 'CAMPAIGN_STATE_OPEN', 'CAMPAIGN_STATE_SUBMISSION', 'CAMPAIGN_STATE_REVIEW', 'CAMPAIGN_STATE_RANKED', 'CAMPAIGN_STATE_PUBLICITY', 'CAMPAIGN_STATE_CLOSED'] as const
).map((value) => ({ value, label: campaignStateLabel(value) }));

function CreateCampaign({ officeId, onDone }: { officeId: string; onDone: (id: string) => void }) {
  const [form] = Form.useForm<CampaignValues>();
  const kind = Form.useWatch('kind', form);
  const office = useOffice(officeId);
  const dialog = useSubmitDialog(
    form,
    async (v, key) =>
      unwrap(await api.POST('/v1/offices/{officeId}/campaigns', { params: { path: { officeId } }, body: fromValues(v, office.data?.timeZone), ...withIdempotency(key) })),
    { strip: ['campaign'], then: (r) => onDone(r.id ?? '') },
  );
  // A campaign names titles of its office's level by default.
  const level = (office.data?.level ?? 'LEVEL_DISTRICT').replace('LEVEL_', 'TITLE_LEVEL_') as S['v1TitleLevel'];
  const standards = useQuery({
    queryKey: ['office', 'standards', officeId, 'STANDARD_STATE_PUBLISHED'],
    enabled: dialog.modal.open,
    queryFn: () =>
      listAll<S['v1Standard']>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/standards', {
          params: { path: { officeId }, query: { state: 'STANDARD_STATE_PUBLISHED', pageSize: 500, pageToken } },
        }));
        return { items: r.standards ?? [], next: r.nextPageToken };
      }),
  });
  return (
    <>
      <Button type="primary" onClick={dialog.show}>
        新建测评周期
      </Button>
      <Modal {...dialog.modal} title="新建测评周期（草稿）" width={820}>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ year: dayjs().year(), kind: 'CAMPAIGN_KIND_SELECTION', quotaMode: 'percent', quotaValue: 30, targetLevel: level }}
        >
          <CampaignFields
            creating
            timeZone={office.data?.timeZone}
            reinspection={kind === 'CAMPAIGN_KIND_REINSPECTION'}
            standards={(standards.data ?? []).map((s) => ({ value: s.id ?? '', label: `${s.displayName ?? ''}（v${s.version ?? 0}）` }))}
          />
        </Form>
      </Modal>
    </>
  );
}

export default function CampaignsPage() {
  const { officeId, canWrite } = useOfficeCtx();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [year, setYear] = useState<number | null>(null);
  const [state, setState] = useState<S['v1CampaignState'] | undefined>();
  const [subtree, setSubtree] = useState(false);
  const campaigns = useQuery({
    queryKey: ['office', 'campaigns', officeId, year, state, subtree],
    enabled: !!officeId,
    queryFn: () =>
      listAll<Campaign>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/offices/{officeId}/campaigns', {
          params: { path: { officeId }, query: { year: year ?? undefined, state, subtree, pageSize: 500, pageToken } },
        }));
        return { items: r.campaigns ?? [], next: r.nextPageToken };
      }),
  });
  return (
    <Card
      title="测评周期"
      size="small"
      extra={
        canWrite && (
          <CreateCampaign
            officeId={officeId}
            onDone={(id) => {
              void qc.invalidateQueries({ queryKey: ['office', 'campaigns'] });
              navigate(`/office/campaigns/${encodeURIComponent(id)}`);
            }}
          />
        )
      }
    >
      <Space style={{ marginBottom: 8 }} wrap>
        <InputNumber aria-label="年度" placeholder="年度" min={2000} max={2100} value={year} onChange={setYear} />
        <Select aria-label="阶段" placeholder="全部阶段" allowClear style={{ width: 140 }} value={state} onChange={setState} options={states} />
        <Checkbox checked={subtree} onChange={(e) => setSubtree(e.target.checked)}>
          含下级文明办
        </Checkbox>
      </Space>
      <Table<Campaign>
        size="small"
        rowKey={(c) => c.id ?? ''}
        loading={campaigns.isLoading}
        dataSource={campaigns.data ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: <Typography.Text type="secondary">暂无测评周期</Typography.Text> }}
        columns={[
          { title: '名称', render: (_, c) => <Link to={`/office/campaigns/${encodeURIComponent(c.id ?? '')}`}>{c.displayName}</Link> },
          { title: '年度', render: (_, c) => c.year },
          { title: '级别', render: (_, c) => titleLevelLabel(c.targetLevel) },
          { title: '类型', render: (_, c) => (c.kind === 'CAMPAIGN_KIND_REINSPECTION' ? '复查' : '评选') },
          { title: '阶段', render: (_, c) => <Tag color="processing">{campaignStateLabel(c.state)}</Tag> },
          { title: '名额', render: (_, c) => describeQuota(c.quota) },
          { title: '申报截止', render: (_, c) => formatDate(c.applicationWindow?.endTime) },
          { title: '本级', render: (_, c) => (c.officeId === officeId ? '是' : '下级') },
        ]}
      />
    </Card>
  );
}
