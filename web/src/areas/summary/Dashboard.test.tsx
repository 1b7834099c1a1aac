import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Providers } from '../../app/Providers';
import { setTokenForTest } from '../../api/session';
import { json, stubFetch } from '../../lib/test/fetch';
import Dashboard from './Dashboard';

// ECharts needs a canvas; the options it is given are tested in charts.test.ts.
vi.mock('./Chart', () => ({
  default: ({ label, onClick }: { label: string; onClick?: (i: number) => void }) => (
    <button type="button" aria-label={label} onClick={() => onClick?.(0)} />
  ),
}));

afterEach(() => setTokenForTest(null));

const summaryOf = (name: string, childId: string, childName: string) => ({
  officeId: name,
  year: 2026,
  children: [
    { officeId: childId, displayName: childName, applied: 4, submitted: 3, scored: 2, recommended: 1, meanTotal: '88.25', medianTotal: '88.25' },
  ],
  total: { applied: 4, submitted: 3, scored: 2, recommended: 1, meanTotal: '88.25', medianTotal: '88.25' },
  top: [
    { place: 1, unitId: 'u1', unitDisplayName: '<i>示例区图书馆</i>', total: '91.50', base: '90.00', state: 'APPLICATION_STATE_SCORED', officePath: ['示例市文明办', childName], officePathIds: [name, childId] },
  ],
});

describe('Dashboard', () => {
  it('shows the subtree, drills down to a child office and renders names as text', async () => {
    setTokenForTest('tok');
    const { calls } = stubFetch({
      'GET /v1/auth/me': json(200, { login: 'demo-city', scopes: [{ officeId: 'city', roles: ['ROLE_OFFICE_ADMIN'] }] }),
      'GET /v1/offices/city': json(200, { id: 'city', displayName: '示例市文明办', level: 'LEVEL_MUNICIPAL' }),
      'GET /v1/offices/city/summary': json(200, summaryOf('city', 'dist', '示例区文明办')),
      'GET /v1/offices/dist/summary': json(200, summaryOf('dist', 'dist', '示例区文明办')),
    });
    render(
      <Providers>
        <Dashboard />
      </Providers>,
    );
    expect(await screen.findByText('<i>示例区图书馆</i>')).toBeInTheDocument();
    const first = calls.find((c) => c.path === '/v1/offices/city/summary');
    expect(first).toBeTruthy();
    await userEvent.setup().click(screen.getAllByRole('button', { name: '示例区文明办' })[0]);
    await waitFor(() => expect(calls.some((c) => c.path === '/v1/offices/dist/summary')).toBe(true));
    // The units registered with the office itself are not a drill-down.
    expect(await screen.findByText('示例区文明办（本级直属单位）')).toBeInTheDocument();
  });

  it('exports with the bearer token and the summary’s parameters', async () => {
    setTokenForTest('tok');
    const { calls } = stubFetch({
      'GET /v1/auth/me': json(200, { login: 'demo-city', scopes: [{ officeId: 'city', roles: ['ROLE_OFFICE_ADMIN'] }] }),
      'GET /v1/offices/city': json(200, { id: 'city', displayName: '示例市文明办', level: 'LEVEL_MUNICIPAL' }),
      'GET /v1/offices/city/summary': json(200, summaryOf('city', 'dist', '示例区文明办')),
      'GET /v1/offices/city/summary:export': json(200, 'x', { 'Content-Disposition': 'attachment; filename="s.xlsx"' }),
    });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    render(
      <Providers>
        <Dashboard />
      </Providers>,
    );
    const user = userEvent.setup();
    await screen.findByText('<i>示例区图书馆</i>');
    await user.hover(screen.getByRole('button', { name: /导出/ }));
    await user.click(await screen.findByText('Excel（两张表）'));
    await waitFor(() => expect(click).toHaveBeenCalled());
    const call = calls.find((c) => c.path === '/v1/offices/city/summary:export')!;
    expect(call.headers.get('Authorization')).toBe('Bearer tok');
  });
});
