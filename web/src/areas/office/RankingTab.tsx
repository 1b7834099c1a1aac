// RankingTab: the campaign's ranking (campaign-wide ranks, filtered by office subtree or
// unit category), which results the quota would recommend while the campaign is still in
// review, the exports, and how consistently the reviewers scored.
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Dropdown, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { formatDateTime, formatPoints } from '../../lib/format';
import { applicationStateColor, applicationStateLabel, unitCategoryLabel } from '../../lib/labels';
import { downloadFile } from '../../lib/files';
import { useOfficeUsers } from './ApplicationsTab';
import { fullAppState, listAll, unitCategories, type S } from './common';
import { describeQuota, quotaSlots, recommendPreview } from './recommend';
import { message } from '../../lib/feedback';

type Campaign = S['v1Campaign'];
type Result = S['v1Result'];

const openStates = ['APPLICATION_STATE_SUBMITTED', 'APPLICATION_STATE_IN_REVIEW', 'APPLICATION_STATE_RETURNED', 'APPLICATION_STATE_RESUBMITTED'] as const;

// The preview needs the whole ranking and the applications still without a result, which the
// quota's percentage counts too (services/review/rank.go).
function usePreview(campaign: Campaign) {
  const campaignId = campaign.id ?? '';
  return useQuery({
    queryKey: ['office', 'c', campaignId, 'preview'],
    enabled: campaign.state === 'CAMPAIGN_STATE_REVIEW',
    queryFn: async () => {
      const rows = await listAll<Result>(async (pageToken) => {
        const r = unwrap(await api.GET('/v1/campaigns/{campaignId}/ranking', { params: { path: { campaignId }, query: { pageSize: 500, pageToken } } }));
        return { items: r.results ?? [], next: r.nextPageToken };
      }, 40);
      let open = 0;
      for (const state of openStates) {
        const apps = await listAll<S['v1Application']>(async (pageToken) => {
          const r = unwrap(await api.GET('/v1/campaigns/{campaignId}/applications', { params: { path: { campaignId }, query: { state, pageSize: 500, pageToken } } }));
          return { items: r.applications ?? [], next: r.nextPageToken };
        }, 40);
        open += apps.length;
      }
      const slots = quotaSlots(campaign.quota, rows.length + open);
      return { picked: recommendPreview(rows, slots, campaign.passLine), slots, open, ranked: rows.length };
    },
  });
}

function ReviewerStats({ campaign, unitOf }: { campaign: Campaign; unitOf: (applicationId?: string) => string }) {
  const campaignId = campaign.id ?? '';
  const users = useOfficeUsers(campaign.officeId ?? '');
  const stats = useQuery({
    queryKey: ['office', 'c', campaignId, 'stats'],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{campaignId}/reviewer-stats', { params: { path: { campaignId }, query: { top: 20 } } })),
  });
  const nameOf = (id?: string) => users.data?.find((u) => u.id === id)?.displayName ?? id ?? '';
  const s = stats.data;
  return (
    <Card size="small" title="评审一致性">
      {stats.isError && <Alert type="warning" showIcon title={errorMessage(stats.error)} />}
      {s && (
        <>
          <Space size="large" style={{ marginBottom: 8 }}>
            <Statistic title="Krippendorff α" value={s.alpha || '—'} />
            <Statistic title="比较的评分数" value={s.values ?? 0} />
            <Statistic title="比较单元" value={s.units ?? 0} />
          </Space>
          <Table
            size="small"
            rowKey={(r) => r.reviewerId ?? ''}
            dataSource={s.reviewers ?? []}
            pagination={false}
            columns={[
              { title: '测评员', render: (_, r) => r.displayName || nameOf(r.reviewerId) },
              { title: '已提交', render: (_, r) => r.scored ?? 0 },
              { title: '可比较指标', render: (_, r) => r.compared ?? 0 },
              { title: '平均偏差（正为偏宽，负为偏严）', render: (_, r) => r.meanDeviation ?? '0' },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 12 }}>
            分歧最大的评分
          </Typography.Title>
          <Table
            size="small"
            rowKey={(d) => `${d.applicationId}-${d.indicatorCode}`}
            dataSource={s.disagreements ?? []}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            columns={[
              { title: '单位', render: (_, d) => unitOf(d.applicationId) },
              { title: '指标', render: (_, d) => d.indicatorCode },
              { title: '极差', render: (_, d) => `${d.spread ?? ''}（${d.spreadShare ?? ''}）` },
              { title: '各测评员', render: (_, d) => (d.inputs ?? []).map((i) => `${nameOf(i.reviewerId)} ${i.entered ?? ''}`).join('；') },
            ]}
          />
        </>
      )}
    </Card>
  );
}

export default function RankingTab({ campaign }: { campaign: Campaign }) {
  const campaignId = campaign.id ?? '';
  const [officeId, setOfficeId] = useState<string | undefined>();
  const [category, setCategory] = useState<string | undefined>();
  const [pages, setPages] = useState<string[]>(['']);
  const children = useQuery({
    queryKey: ['office', 'children', campaign.officeId],
    queryFn: async () => unwrap(await api.GET('/v1/offices', { params: { query: { parentId: campaign.officeId, pageSize: 500 } } })).offices ?? [],
  });
  const ranking = useQuery({
    queryKey: ['office', 'c', campaignId, 'ranking', officeId, category, pages],
    queryFn: async () => {
      const rows: Result[] = [];
      let ranked = 0;
      let next = '';
      for (const pageToken of pages) {
        const r = unwrap(await api.GET('/v1/campaigns/{campaignId}/ranking', {
          params: { path: { campaignId }, query: { officeId, unitCategory: category, pageSize: 100, pageToken: pageToken || undefined } },
        }));
        if (!pageToken) ranked = r.ranked ?? 0;
        rows.push(...(r.results ?? []));
        next = r.nextPageToken ?? '';
      }
      return { rows, ranked, next };
    },
  });
  const preview = usePreview(campaign);
  const picked = preview.data?.picked;
  const exportAs = async (key: string) => {
    const [format, sheet] = key.split(':');
    try {
      await downloadFile(`/v1/campaigns/${encodeURIComponent(campaignId)}/ranking:export`, { format, sheet: sheet || undefined }, `排名.${format === 'EXPORT_FORMAT_CSV' ? 'csv' : 'xlsx'}`);
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };
  const filtered = !!officeId || !!category;
  const rows = useMemo(() => ranking.data?.rows ?? [], [ranking.data]);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap style={{ marginBottom: 8 }}>
          <Select
            aria-label="下级文明办"
            placeholder="全部文明办"
            allowClear
            style={{ width: 200 }}
            value={officeId}
            onChange={(v) => {
              setOfficeId(v);
              setPages(['']);
            }}
            options={[
              { value: campaign.officeId ?? '', label: '本级及全部下级' },
              ...(children.data ?? []).map((o) => ({ value: o.id ?? '', label: o.displayName ?? '' })),
            ]}
          />
          <Select
            aria-label="单位类别"
            placeholder="全部类别"
            allowClear
            style={{ width: 160 }}
            value={category}
            onChange={(v) => {
              setCategory(v);
              setPages(['']);
            }}
            options={unitCategories}
          />
          <Dropdown
            menu={{
              onClick: ({ key }) => void exportAs(key),
              items: [
                { key: 'EXPORT_FORMAT_XLSX:', label: 'Excel（排名、指标得分、评审原始数据）' },
                { key: 'EXPORT_FORMAT_CSV:EXPORT_SHEET_MAIN', label: 'CSV：排名' },
                { key: 'EXPORT_FORMAT_CSV:EXPORT_SHEET_INDICATORS', label: 'CSV：指标得分' },
                { key: 'EXPORT_FORMAT_CSV:EXPORT_SHEET_INPUTS', label: 'CSV：评审原始数据' },
              ],
            }}
          >
            <Button icon={<DownloadOutlined />}>导出</Button>
          </Dropdown>
          <Typography.Text type="secondary">全周期共 {ranking.data?.ranked ?? 0} 份结果{filtered ? '（以下为筛选结果，名次为全周期名次）' : ''}</Typography.Text>
        </Space>
        {campaign.state === 'CAMPAIGN_STATE_REVIEW' && preview.data && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 8 }}
            title={`按名额 ${describeQuota(campaign.quota)}（${preview.data.slots} 个）、分数线 ${campaign.passLine || '不设'}，当前将推荐 ${preview.data.picked.size} 个单位（标“拟推荐”）`}
            description={preview.data.open ? `另有 ${preview.data.open} 份申报尚无结果，计入名额基数；进入“已排名”阶段时确定推荐。` : '进入“已排名”阶段时确定推荐。'}
          />
        )}
        {ranking.isError && <Alert type="error" showIcon title={errorMessage(ranking.error)} />}
        <Table<Result>
          size="small"
          rowKey={(r) => r.applicationId ?? ''}
          loading={ranking.isLoading}
          dataSource={rows}
          pagination={false}
          locale={{ emptyText: <Typography.Text type="secondary">暂无结果</Typography.Text> }}
          columns={[
            { title: '名次', render: (_, r) => r.rank },
            { title: '单位', render: (_, r) => r.unitDisplayName },
            { title: '类别', render: (_, r) => unitCategoryLabel(r.unitCategory) },
            { title: '总分', render: (_, r) => formatPoints(r.total) },
            { title: '基础分', render: (_, r) => formatPoints(r.base) },
            { title: '加分', render: (_, r) => formatPoints(r.bonus) },
            { title: '扣分', render: (_, r) => formatPoints(r.deductions) },
            {
              title: '状态',
              render: (_, r) => (
                <Space size={4}>
                  <Tag color={applicationStateColor(fullAppState(r.state))}>{applicationStateLabel(fullAppState(r.state))}</Tag>
                  {picked?.has(r.applicationId ?? '') && <Tag color="success">拟推荐</Tag>}
                </Space>
              ),
            },
            { title: '最终提交', render: (_, r) => formatDateTime(r.submitTime) },
          ]}
        />
        {ranking.data?.next && (
          <Button style={{ marginTop: 8 }} onClick={() => setPages((p) => [...p, ranking.data?.next ?? ''])}>
            加载更多
          </Button>
        )}
      </Card>
      <ReviewerStats campaign={campaign} unitOf={(id) => rows.find((r) => r.applicationId === id)?.unitDisplayName ?? id ?? ''} />
    </Space>
  );
}
