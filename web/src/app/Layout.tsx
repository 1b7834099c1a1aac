import { Alert, Button, Layout, Menu, Result, Space, Typography } from 'antd';
import { AuditOutlined, BarChartOutlined, FileDoneOutlined, LogoutOutlined, SettingOutlined } from '@ant-design/icons';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { Suspense, type ReactNode } from 'react';
import { logout } from '../api/session';
import { errorMessage } from '../api/errors';
import { useAreas, type AreaKey } from './areas';
import { PageLoading } from './PageLoading';

const icons: Record<AreaKey, ReactNode> = {
  unit: <FileDoneOutlined />,
  review: <AuditOutlined />,
  office: <SettingOutlined />,
  summary: <BarChartOutlined />,
};

/** The signed-in frame: a side menu of the caller's areas and the current area. */
export function ConsoleLayout() {
  const { areas, loading, me, error } = useAreas();
  const location = useLocation();
  const navigate = useNavigate();
  const selected = areas.find((a) => location.pathname.startsWith(a.path))?.key;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" width={200}>
        <div style={{ padding: '16px 20px', fontWeight: 600, fontSize: 16 }}>文明单位测评</div>
        <Menu
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          items={areas.map((a) => ({ key: a.key, icon: icons[a.key], label: a.label }))}
          onClick={({ key }) => navigate(areas.find((a) => a.key === key)!.path)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            padding: '0 24px',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            borderBottom: '1px solid #f0f0f0',
          }}
        >
          <Space>
            <Typography.Text>{me?.displayName || me?.login || ''}</Typography.Text>
            <Button
              icon={<LogoutOutlined />}
              onClick={() => {
                void logout().then(() => navigate('/login', { replace: true }));
              }}
            >
              退出登录
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          {error ? (
            <Alert type="error" showIcon title="无法读取账号信息" description={errorMessage(error)} />
          ) : loading ? (
            <PageLoading />
          ) : (
            // The frame stays while an area's chunk loads: only the content waits.
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          )}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** / and unknown paths go to the caller's first area. */
export function HomeRedirect({ notFound = false }: { notFound?: boolean }) {
  const { areas, loading } = useAreas();
  if (loading) return <PageLoading />;
  if (notFound) return <Result status="404" title="页面不存在" extra={<a href="/">返回首页</a>} />;
  if (areas.length === 0) {
    return <Result status="403" title="您的账号暂无可用的功能" subTitle="请联系本级文明办管理员分配角色。" />;
  }
  return <Navigate to={areas[0].path} replace />;
}

/** AreaGuard shows an area only to callers whose roles allow it. */
export function AreaGuard({ area, children }: { area: AreaKey; children: ReactNode }) {
  const { areas, loading } = useAreas();
  if (loading) return <PageLoading />;
  if (!areas.some((a) => a.key === area)) {
    return <Result status="403" title="无权访问" subTitle="您的角色不能使用此功能。" />;
  }
  return <>{children}</>;
}
