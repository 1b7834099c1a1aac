import { App, Alert, Button, Card, Empty, Space, Tag, Tooltip, Typography } from 'antd';
import { ItemList } from '../../lib/ItemList';
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
      <Card title="可申报的测评" loading={campaigns.isPending}>
        {campaigns.error ? (
          <Alert type="error" showIcon title={errorMessage(campaigns.error)} />
        ) : open.length === 0 ? (
          <Empty description="暂无开放申报的测评" />
        ) : (
          <ItemList<Campaign>
            aria-label="可申报的测评"
            items={open}
            rowKey={(c, i) => c.id ?? i}
            render={(c) => (
              <Space orientation="vertical" size={2}>
                <Space wrap>
                  <Typography.Text strong>{c.displayName}</Typography.Text>
                  <Tag>{campaignStateLabel(c.state)}</Tag>
                </Space>
                {(c.state === 'CAMPAIGN_STATE_OPEN' || c.state === 'CAMPAIGN_STATE_SUBMISSION') && (
                  <Space wrap size="large">
                    <span>
                      申报截止：
                      <DeadlineText time={c.applicationWindow?.endTime} />
                    </span>
                    <span>
                      材料报送截止：
                      <DeadlineText time={c.submissionWindow?.endTime} />
                    </span>
                  </Space>
                )}
              </Space>
            )}
            actions={(c) => {
              const a = byCampaign.get(c.id);
              if (a) {
                return [
                  <Link key="go" to={`/unit/applications/${a.id}`}>
                    进入申报
                  </Link>,
                ];
              }
              if (c.state !== 'CAMPAIGN_STATE_OPEN') {
                return [
                  <Typography.Text key="closed" type="secondary">
                    申报已截止
                  </Typography.Text>,
                ];
              }
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
              return [
                isAdmin ? (
                  <span key="apply">{btn}</span>
                ) : (
                  <Tooltip key="apply" title="仅单位管理员可以申报">
                    {btn}
                  </Tooltip>
                ),
              ];
            }}
          />
        )}
      </Card>
      <Card title="我的申报" loading={apps.isPending}>
        {apps.error ? (
          <Alert type="error" showIcon title={errorMessage(apps.error)} />
        ) : (apps.data ?? []).length === 0 ? (
          <Empty description="尚未申报任何测评" />
        ) : (
          <ItemList<Application>
            aria-label="我的申报"
            items={apps.data ?? []}
            rowKey={(a, i) => a.id ?? i}
            render={(a) => (
              <Space wrap size="large">
                <Link to={`/unit/applications/${a.id}`}>
                  <CampaignName id={a.campaignId} />
                </Link>
                <Tag color={applicationStateColor(a.state)}>{applicationStateLabel(a.state)}</Tag>
                <Typography.Text type="secondary">
                  {a.submitTime ? `提交于 ${formatDateTime(a.submitTime)}` : '未提交'}
                </Typography.Text>
                {a.sourceApplicationId && <Tag>下级推荐</Tag>}
              </Space>
            )}
          />
        )}
      </Card>
    </Space>
  );
}
