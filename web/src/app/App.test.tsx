import { describe, expect, it, afterEach } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { AppRoutes } from './App';
import { Providers } from './Providers';
import { areasFor, AREAS } from './areas';
import { safeNext } from './LoginPage';
import { setTokenForTest } from '../api/session';
import { json, rpcError, stubFetch } from '../lib/test/fetch';

afterEach(() => setTokenForTest(null));

function renderAt(path: string) {
  return render(
    <Providers>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </Providers>,
  );
}

describe('areas', () => {
  it('shows each role its areas', () => {
    expect(areasFor({ scopes: [{ unitId: 'u1', roles: ['ROLE_UNIT_SUBMITTER'] }] }, [])).toEqual([AREAS.unit]);
    expect(areasFor({ scopes: [{ officeId: 'o1', roles: ['ROLE_OFFICE_REVIEWER'] }] }, [])).toEqual([AREAS.review]);
    expect(
      areasFor({ scopes: [{ officeId: 'd', roles: ['ROLE_OFFICE_ADMIN'] }] }, [{ level: 'LEVEL_DISTRICT' }]),
    ).toEqual([AREAS.office]);
    expect(
      areasFor({ scopes: [{ officeId: 'c', roles: ['ROLE_OFFICE_ADMIN'] }] }, [{ level: 'LEVEL_MUNICIPAL' }]),
    ).toEqual([AREAS.office, AREAS.summary]);
    expect(areasFor(undefined, [])).toEqual([]);
  });

  it('follows only same-site paths after login', () => {
    expect(safeNext('/unit/apps/1')).toBe('/unit/apps/1');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});

describe('routing', () => {
  it('sends a signed-out caller to the login page and back after login', async () => {
    stubFetch({
      'POST /v1/auth/login': (c) =>
        (c.body as { password: string }).password === 'right'
          ? json(200, { accessToken: 't', expiresIn: 900 })
          : json(401, rpcError(16, 'INVALID_CREDENTIALS', '用户名或密码错误')),
      'GET /v1/auth/me': json(200, {
        login: 'demo-unit',
        displayName: '示例区图书馆管理员',
        scopes: [{ unitId: 'u1', officeId: 'o3', roles: ['ROLE_UNIT_ADMIN'] }],
      }),
    });
    renderAt('/unit');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('用户名'), 'demo-unit');
    await user.type(screen.getByLabelText('密码'), 'wrong');
    await user.click(screen.getByRole('button', { name: '登录' }));
    expect(await screen.findByText('用户名或密码错误')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('密码'));
    await user.type(screen.getByLabelText('密码'), 'right');
    await user.click(screen.getByRole('button', { name: '登录' }));
    expect(await screen.findByText('示例区图书馆管理员')).toBeInTheDocument();
    expect(screen.getByRole('menuitem', { name: /本单位申报/ })).toBeInTheDocument();
    expect(screen.queryByRole('menuitem', { name: /测评工作台/ })).not.toBeInTheDocument();
  });

  it('asks for the fields before calling the server', async () => {
    const { calls } = stubFetch({});
    renderAt('/login');
    await userEvent.setup().click(await screen.findByRole('button', { name: '登录' }));
    expect(await screen.findByText('请输入用户名')).toBeInTheDocument();
    expect(screen.getByText('请输入密码')).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it('refuses an area the roles do not allow', async () => {
    setTokenForTest('t');
    stubFetch({ 'GET /v1/auth/me': json(200, { scopes: [{ unitId: 'u1', roles: ['ROLE_UNIT_ADMIN'] }] }) });
    renderAt('/office');
    expect(await screen.findByText('无权访问')).toBeInTheDocument();
  });

  it('shows the public pages without signing in', async () => {
    stubFetch({});
    renderAt('/public');
    await waitFor(() => expect(screen.queryByLabelText('用户名')).not.toBeInTheDocument());
  });
});
