import { App, Alert, Button, Card, Empty, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ApiError, errorMessage } from '../../api/errors';
import { applicationStateColor, applicationStateLabel, campaignStateLabel } from '../../lib/labels';
import { deadline, formatDateTime } from '../../lib/format';
import { PageLoading } from '../../app/PageLoading';
import { useApply, useCampaign, useOfficeCampaigns, useUnitApplications, type Application, type Campaign } from './api';
import { useUnitScope } from './scope';
import { reasonHint } from './reasons';

function DeadlineText({ time }: { time?: string }) {
  const d = deadline(time);
  if (d.status === 'none') return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={4} wrap>
      <span>{d.text}</span>
      <Tag color={d.status === 'overdue' ? 'default' : d.status === 'soon' ? 'orange' : 'blue'}>{d.remaining}</Tag>
    </Space>
  );
}

function CampaignName({ id }: { id?: string }) {
  const c = useCampaign(id);
  return <>{c.data?.displayName || (c.isPending ? '…' : id)}</>;
}

export function UnitHome() {
  const { unitId, officeId, isAdmin, loading } = useUnitScope();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const unit = useQuery({
    queryKey: ['unit', unitId],
    enabled: !!unitId,
    queryFn: async () => unwrap(await api.GET('/v1/units/{unitId}', { params: { path: { unitId: unitId! } } })),
  });
  const campaigns = useOfficeCampaigns(officeId);
  const apps = useUnitApplications(unitId);
  const apply = useApply(unitId);

  if (loading) return <PageLoading />;
  if (!unitId) return <Alert type="warning" showIcon title="您的账号未关联申报单位" />;

  const byCampaign = new Map(
    (apps.data ?? []).filter((a) => a.state !== 'APPLICATION_STATE_WITHDRAWN').map((a) => [a.campaignId, a]),
  );
  const open = (campaigns.data ?? []).filter(
    (c) => c.state === 'CAMPAIGN_STATE_OPEN' || c.state === 'CAMPAIGN_STATE_SUBMISSION' || byCampaign.has(c.id),
  );

  const onApply = (c: Campaign) => {
    apply.mutate(c.id ?? '', {
      onSuccess: (a) => {
        message.success('申报成功，请按清单报送材料');
        navigate(`/unit/applications/${a.id}`);
      },
      onError: (e) => {
        const hint = e instanceof ApiError ? reasonHint(e.reason) : undefined;
        modal.error({
          title: '无法申报',
          content: (
            <div>
              <Typography.Paragraph>{errorMessage(e)}</Typography.Paragraph>
              {hint && <Typography.Paragraph type="secondary">{hint}</Typography.Paragraph>}
            </div>
          ),
        });
      },
    });
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        本单位申报{unit.data?.displayName ? ` · ${unit.data.displayName}` : ''}
      </Typography.Title>
      <Card title="可申报的测评">
        {campaigns.error ? (
          <Alert type="error" showIcon title={errorMessage(campaigns.error)} />
        ) : (
          <Table<Campaign>
            rowKey={(c) => c.id ?? ''}
            loading={campaigns.isPending}
            dataSource={open}
            pagination={false}
            locale={{ emptyText: <Empty description="暂无开放申报的测评" /> }}
            columns={[
              { title: '测评', dataIndex: 'displayName' },
              { title: '年度', dataIndex: 'year', width: 80 },
              { title: '阶段', render: (_, c) => <Tag>{campaignStateLabel(c.state)}</Tag>, width: 100 },
              { title: '申报截止', render: (_, c) => <DeadlineText time={c.applicationWindow?.endTime} /> },
              { title: '材料报送截止', render: (_, c) => <DeadlineText time={c.submissionWindow?.endTime} /> },
              {
                title: '操作',
                width: 140,
                render: (_, c) => {
                  const a = byCampaign.get(c.id);
                  if (a) return <Link to={`/unit/applications/${a.id}`}>进入申报</Link>;
                  if (c.state !== 'CAMPAIGN_STATE_OPEN')
                    return <Typography.Text type="secondary">申报已截止</Typography.Text>;
                  const btn = (
                    <Button
                      type="primary"
                      disabled={!isAdmin}
                      loading={apply.isPending && apply.variables === c.id}
                      onClick={() => onApply(c)}
                    >
                      申报
                    </Button>
                  );
                  return isAdmin ? btn : <Tooltip title="仅单位管理员可以申报">{btn}</Tooltip>;
                },
              },
            ]}
          />
        )}
      </Card>
      <Card title="我的申报">
        {apps.error ? (
          <Alert type="error" showIcon title={errorMessage(apps.error)} />
        ) : (
          <Table<Application>
            rowKey={(a) => a.id ?? ''}
            loading={apps.isPending}
            dataSource={apps.data ?? []}
            pagination={false}
            locale={{ emptyText: <Empty description="尚未申报任何测评" /> }}
            columns={[
              {
                title: '测评',
                render: (_, a) => (
                  <Link to={`/unit/applications/${a.id}`}>
                    <CampaignName id={a.campaignId} />
                  </Link>
                ),
              },
              {
                title: '状态',
                width: 120,
                render: (_, a) => <Tag color={applicationStateColor(a.state)}>{applicationStateLabel(a.state)}</Tag>,
              },
              { title: '提交时间', render: (_, a) => formatDateTime(a.submitTime) || '未提交' },
              { title: '来源', render: (_, a) => (a.sourceApplicationId ? '下级推荐' : '本单位申报') },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
