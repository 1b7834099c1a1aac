// 办公室管理: an office admin's pages. The office managed is the caller's own by default;
// the office tree picks one below it (read-only there: an office writes only its own data).
import { lazy, Suspense, useMemo, useState } from 'react';
import { useQueries } from '@tanstack/react-query';
import { Route, Routes, useLocation, useNavigate } from 'react-router';
import { Alert, Menu, Select, Space, Spin, Tag, Typography } from 'antd';
import { scopesWith, useMe } from '../../api/me';
import { api, unwrap } from '../../api/client';
import { OfficeContext, useOffice } from './common';
import { LinkButton } from '../../lib/LinkButton';

const OfficesPage = lazy(() => import('./OfficesPage'));
const UnitsPage = lazy(() => import('./UnitsPage'));
const UsersPage = lazy(() => import('./UsersPage'));
const StandardsPage = lazy(() => import('./StandardsPage'));
const StandardEditor = lazy(() => import('./StandardEditor'));
const CampaignsPage = lazy(() => import('./CampaignsPage'));
const CampaignPage = lazy(() => import('./CampaignPage'));
const WebhooksPage = lazy(() => import('./WebhooksPage'));
const AuditPage = lazy(() => import('./AuditPage'));

const sections = [
  { key: 'offices', label: '组织架构' },
  { key: 'units', label: '单位与称号' },
  { key: 'users', label: '用户与服务账号' },
  { key: 'standards', label: '测评细则' },
  { key: 'campaigns', label: '测评周期' },
  { key: 'webhooks', label: '事件推送' },
  { key: 'audit', label: '操作留痕' },
];

export default function OfficeArea() {
  const me = useMe();
  const adminOfficeIds = useMemo(
    () => [...new Set(scopesWith(me.data, 'ROLE_OFFICE_ADMIN').map((s) => s.officeId ?? '').filter(Boolean))],
    [me.data],
  );
  const adminOffices = useQueries({
    queries: adminOfficeIds.map((officeId) => ({
      queryKey: ['office', officeId],
      staleTime: 5 * 60_000,
      queryFn: async () => unwrap(await api.GET('/v1/offices/{officeId}', { params: { path: { officeId } } })),
    })),
  });
  const [picked, setPicked] = useState('');
  const officeId = picked || adminOfficeIds[0] || '';
  const office = useOffice(officeId);
  const location = useLocation();
  const navigate = useNavigate();
  const section = location.pathname.split('/')[2] || 'campaigns';

  if (me.isLoading) return <Spin />;
  if (adminOfficeIds.length === 0) return <Alert type="warning" showIcon title="你不是文明办管理员" />;
  const own = adminOfficeIds.includes(officeId);
  return (
    <OfficeContext.Provider value={{ officeId, adminOfficeIds, setOfficeId: setPicked }}>
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {office.data?.displayName ?? '…'}
        </Typography.Title>
        {!own && <Tag color="warning">下级文明办（只读）</Tag>}
        {adminOfficeIds.length > 1 && (
          <Select
            aria-label="管理的文明办"
            style={{ width: 200 }}
            value={adminOfficeIds.includes(officeId) ? officeId : undefined}
            placeholder="切换文明办"
            onChange={setPicked}
            options={adminOfficeIds.map((id, i) => ({ value: id, label: adminOffices[i]?.data?.displayName ?? id }))}
          />
        )}
        {!own && <LinkButton onClick={() => setPicked('')}>回到本级</LinkButton>}
      </Space>
      <Menu
        mode="horizontal"
        selectedKeys={[section]}
        items={sections}
        onClick={({ key }) => navigate(`/office/${key}`)}
        style={{ marginBottom: 16 }}
      />
      <Suspense fallback={<Spin />}>
        <Routes>
          <Route index element={<CampaignsPage />} />
          <Route path="offices" element={<OfficesPage />} />
          <Route path="units" element={<UnitsPage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="standards" element={<StandardsPage />} />
          <Route path="standards/:standardId" element={<StandardEditor />} />
          <Route path="campaigns" element={<CampaignsPage />} />
          <Route path="campaigns/:campaignId/*" element={<CampaignPage />} />
          <Route path="webhooks" element={<WebhooksPage />} />
          <Route path="audit" element={<AuditPage />} />
        </Routes>
      </Suspense>
    </OfficeContext.Provider>
  );
}
