import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Providers } from '../../app/Providers';
import { setTokenForTest } from '../../api/session';
import { json, stubFetch } from '../../lib/test/fetch';
import QueuePage from './QueuePage';

afterEach(() => setTokenForTest(null));

describe('QueuePage', () => {
  it('lists the queue with unit and campaign names and declares a conflict', async () => {
    setTokenForTest('tok');
    const { calls } = stubFetch({
      'GET /v1/reviewers/me/assignments': json(200, {
        assignments: [{ id: 'as1', applicationId: 'ap1', campaignId: 'c1', unitId: 'u1', state: 'ASSIGNMENT_STATE_ASSIGNED', scores: [{ indicatorCode: '1.1' }] }],
      }),
      'GET /v1/applications/ap1': json(200, { id: 'ap1', unitId: 'u1', unitDisplayName: '示例区图书馆', state: 'APPLICATION_STATE_IN_REVIEW' }),
      'GET /v1/campaigns/c1': json(200, { id: 'c1', displayName: '2026 年度测评', state: 'CAMPAIGN_STATE_REVIEW' }),
      'GET /v1/reviewers/me/conflicts': json(200, {}),
      'POST /v1/reviewers/me/conflicts': json(200, { id: 'cf1', unitId: 'u1', reason: 'x' }),
    });
    render(
      <Providers>
        <MemoryRouter>
          <QueuePage />
        </MemoryRouter>
      </Providers>,
    );
    expect(await screen.findByText('示例区图书馆')).toBeInTheDocument();
    expect(await screen.findByText('2026 年度测评（测评中）')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '评分' })).toHaveAttribute('href', '/review/as1');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: '回避' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '申报回避' }));
    expect(await within(dialog).findByText('请填写理由')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('回避理由'), '本人曾在该单位任职');
    await user.click(within(dialog).getByRole('button', { name: '申报回避' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.path === '/v1/reviewers/me/conflicts')).toBe(true));
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ unitId: 'u1', reason: '本人曾在该单位任职' });
    expect(post.headers.get('Idempotency-Key')).toBeTruthy();
  });
});
