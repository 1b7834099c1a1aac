// Dashboard (汇总看板): a year's applications across an office's subtree — per child
// office the counts by state and the mean and median totals, the best units, and the way
// down to any child office. Exports come from the API as files (XLSX or CSV).
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import {
  Alert, Breadcrumb, Button, Card, Col, Dropdown, Empty, InputNumber, Row, Select, Space, Spin, Statistic, Table, Tag, Typography,
} from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import type { components } from '../../api/schema';
import { api, unwrap } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { scopesWith, useMe } from '../../api/me';
import { dayjs, formatPoints } from '../../lib/format';
import { applicationStateLabel, applicationStateColor } from '../../lib/labels';
import { downloadFile } from '../../lib/files';
import { fullAppState } from '../office/common';
import Chart from './Chart';
import { countsOption, distributionOption, scoresOption, topOption, type OfficeCounts, type TopUnit } from './charts';
import { message } from '../../lib/feedback';
import { LinkButton } from '../../lib/LinkButton';

type TitleLevel = components['schemas']['v1TitleLevel'];

export const titleLevelOptions: { value: TitleLevel | ''; label: string }[] = [
  { value: '', label: '全部级别' },
  { value: 'TITLE_LEVEL_DISTRICT', label: '区县级' },
  { value: 'TITLE_LEVEL_MUNICIPAL', label: '市级' },
  { value: 'TITLE_LEVEL_PROVINCIAL', label: '省级' },
  { value: 'TITLE_LEVEL_NATIONAL', label: '全国' },
];

interface Crumb {
  id: string;
  name: string;
}

export default function Dashboard() {
  const me = useMe();
  const scopes = scopesWith(me.data, 'ROLE_OFFICE_ADMIN', 'ROLE_OFFICE_VIEWER', 'ROLE_OFFICE_REVIEWER').filter((s) => !s.unitId);
  const homeIds = [...new Set(scopes.map((s) => s.officeId ?? ''))].filter(Boolean);
  const [home, setHome] = useState('');
  const rootId = home || homeIds[0] || '';
  const [path, setPath] = useState<Crumb[]>([]);
  const officeId = path.length ? path[path.length - 1].id : rootId;
  const [year, setYear] = useState<number>(dayjs().year());
  const [level, setLevel] = useState<TitleLevel | ''>('');
  const [top, setTop] = useState(20);

  const homeOffices = useQuery({
    queryKey: ['summary', 'offices', homeIds],
    enabled: homeIds.length > 0,
    queryFn: () =>
      Promise.all(homeIds.map(async (officeId) => unwrap(await api.GET('/v1/offices/{officeId}', { params: { path: { officeId } } })))),
  });
  const rootName = homeOffices.data?.find((o) => o.id === rootId)?.displayName ?? '本级';

  const query = { year, targetLevel: level || undefined, top };
  const summary = useQuery({
    queryKey: ['summary', officeId, year, level, top],
    enabled: !!officeId,
    queryFn: async () =>
      unwrap(await api.GET('/v1/offices/{officeId}/summary', { params: { path: { officeId }, query } })),
  });
  const children = useMemo(() => summary.data?.children ?? [], [summary.data]);
  const topUnits = useMemo(() => summary.data?.top ?? [], [summary.data]);
  const total = summary.data?.total ?? {};

  const drill = (c: OfficeCounts) => {
    // The row of units registered with the office itself has the office's own id.
    if (!c.officeId || c.officeId === officeId) return;
    setPath((p) => [...p, { id: c.officeId ?? '', name: c.displayName ?? '' }]);
  };
  const countsOpt = useMemo(() => countsOption(children), [children]);
  const scoresOpt = useMemo(() => scoresOption(children), [children]);
  const distOpt = useMemo(() => distributionOption(topUnits), [topUnits]);
  const topOpt = useMemo(() => topOption(topUnits), [topUnits]);

  const exportAs = async (key: string) => {
    const [format, sheet] = key.split(':');
    try {
      const name = await downloadFile(
        `/v1/offices/${encodeURIComponent(officeId)}/summary:export`,
        { year, targetLevel: level || undefined, top, format, sheet: sheet || undefined },
        format === 'EXPORT_FORMAT_CSV' ? `汇总-${year}.csv` : `汇总-${year}.xlsx`,
      );
      void message.success(`已下载 ${name}`);
    } catch (e) {
      void message.error(errorMessage(e));
    }
  };

  if (me.isLoading) return <Spin />;
  if (homeIds.length === 0) return <Alert type="warning" showIcon title="你不是文明办工作人员，不能查看汇总看板" />;

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card size="small">
        <Space wrap>
          {homeIds.length > 1 && (
            <Select
              aria-label="文明办"
              style={{ width: 200 }}
              value={rootId}
              onChange={(v) => {
                setHome(v);
                setPath([]);
              }}
              options={homeIds.map((id) => ({ value: id, label: homeOffices.data?.find((o) => o.id === id)?.displayName ?? id }))}
            />
          )}
          <span>年度</span>
          <InputNumber aria-label="年度" min={2000} max={2100} value={year} onChange={(v) => v && setYear(v)} />
          <Select aria-label="称号级别" style={{ width: 120 }} value={level} onChange={setLevel} options={titleLevelOptions} />
          <span>前</span>
          <InputNumber aria-label="优秀单位数" min={1} max={500} value={top} onChange={(v) => v && setTop(v)} />
          <span>名</span>
          <Dropdown
            menu={{
              onClick: ({ key }) => void exportAs(key),
              items: [
                { key: 'EXPORT_FORMAT_XLSX:', label: 'Excel（两张表）' },
                { key: 'EXPORT_FORMAT_CSV:EXPORT_SHEET_MAIN', label: 'CSV：各文明办统计' },
                { key: 'EXPORT_FORMAT_CSV:EXPORT_SHEET_INDICATORS', label: 'CSV：优秀单位' },
              ],
            }}
          >
            <Button icon={<DownloadOutlined />}>导出</Button>
          </Dropdown>
        </Space>
      </Card>
      <Breadcrumb
        items={[
          { title: <LinkButton onClick={() => setPath([])}>{rootName}</LinkButton> },
          ...path.map((c, i) => ({
            title: i === path.length - 1 ? c.name : <LinkButton onClick={() => setPath(path.slice(0, i + 1))}>{c.name}</LinkButton>,
          })),
        ]}
      />
      {summary.isError && <Alert type="error" showIcon title={errorMessage(summary.error)} />}
      {summary.isLoading && <Spin />}
      {summary.data && (
        <>
          <Row gutter={[12, 12]}>
            {[
              ['申报', total.applied],
              ['已报送', total.submitted],
              ['已评分', total.scored],
              ['整改中', total.returned],
              ['否决', total.vetoed],
              ['推荐', total.recommended],
            ].map(([t, v]) => (
              <Col key={t as string} xs={12} md={4}>
                <Card size="small">
                  <Statistic title={t as string} value={(v as number | undefined) ?? 0} />
                </Card>
              </Col>
            ))}
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title="平均总分" value={formatPoints(total.meanTotal)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title="总分中位数" value={formatPoints(total.medianTotal)} />
              </Card>
            </Col>
          </Row>
          <Card title="各文明办申报情况" size="small" extra={<Typography.Text type="secondary">点击柱形或名称查看下级</Typography.Text>}>
            {children.length ? (
              <Chart label="各文明办申报情况柱状图" option={countsOpt} onClick={(i) => drill(children[i])} />
            ) : (
              <Empty description="没有下级文明办" />
            )}
            <Table<OfficeCounts>
              size="small"
              rowKey={(r) => `${r.officeId}-${r.displayName}`}
              dataSource={children}
              pagination={false}
              columns={[
                {
                  title: '文明办',
                  render: (_, r) =>
                    r.officeId && r.officeId !== officeId ? <LinkButton onClick={() => drill(r)}>{r.displayName}</LinkButton> : <span>{r.displayName}（本级直属单位）</span>,
                },
                { title: '申报', render: (_, r) => r.applied ?? 0 },
                { title: '已报送', render: (_, r) => r.submitted ?? 0 },
                { title: '已评分', render: (_, r) => r.scored ?? 0 },
                { title: '整改中', render: (_, r) => r.returned ?? 0 },
                { title: '否决', render: (_, r) => r.vetoed ?? 0 },
                { title: '推荐', render: (_, r) => r.recommended ?? 0 },
                { title: '平均分', render: (_, r) => formatPoints(r.meanTotal) },
                { title: '中位数', render: (_, r) => formatPoints(r.medianTotal) },
              ]}
            />
          </Card>
          <Row gutter={12}>
            <Col xs={24} lg={12}>
              <Card title="各文明办得分" size="small">
                {children.some((c) => (c.scored ?? 0) > 0) ? <Chart label="各文明办平均分与中位数" option={scoresOpt} /> : <Empty description="暂无评分结果" />}
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={`前 ${top} 名总分分布`} size="small">
                {topUnits.length ? <Chart label="优秀单位总分分布" option={distOpt} /> : <Empty description="暂无评分结果" />}
              </Card>
            </Col>
          </Row>
          <Card title={`优秀单位（前 ${top} 名）`} size="small">
            {topUnits.length > 0 && <Chart label="优秀单位总分" option={topOpt} height={Math.max(200, Math.min(topUnits.length, 30) * 24)} />}
            <Table<TopUnit>
              size="small"
              rowKey={(r) => r.applicationId ?? `${r.place}`}
              dataSource={topUnits}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              locale={{ emptyText: <Typography.Text type="secondary">暂无评分结果</Typography.Text> }}
              columns={[
                { title: '名次', render: (_, r) => r.place },
                { title: '单位', render: (_, r) => r.unitDisplayName },
                {
                  title: '所属文明办',
                  render: (_, r) => (
                    <Space size={4} wrap>
                      {(r.officePath ?? []).map((n, i) => {
                        const id = (r.officePathIds ?? [])[i];
                        return i === 0 || !id ? (
                          <span key={i}>{n}</span>
                        ) : (
                          <LinkButton key={i} onClick={() => setPath((p) => [...p, ...(r.officePath ?? []).slice(1, i + 1).map((name, j) => ({ name, id: (r.officePathIds ?? [])[j + 1] ?? '' }))])}>
                            {n}
                          </LinkButton>
                        );
                      })}
                    </Space>
                  ),
                },
                { title: '总分', render: (_, r) => formatPoints(r.total) },
                { title: '基础分', render: (_, r) => formatPoints(r.base) },
                { title: '状态', render: (_, r) => <Tag color={applicationStateColor(fullAppState(r.state))}>{applicationStateLabel(fullAppState(r.state))}</Tag> },
              ]}
            />
          </Card>
        </>
      )}
    </Space>
  );
}
