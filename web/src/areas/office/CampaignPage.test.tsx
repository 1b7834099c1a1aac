import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Providers } from '../../app/Providers';
import { setTokenForTest } from '../../api/session';
import { json, rpcError, stubFetch } from '../../lib/test/fetch';
import CampaignPage from './CampaignPage';
import { OfficeContext, type S } from './common';
import RankingTab from './RankingTab';

afterEach(() => setTokenForTest(null));

const campaign: S['v1Campaign'] = {
  id: 'c1',
  officeId: 'o1',
  displayName: '2026 年度测评',
  year: 2026,
  state: 'CAMPAIGN_STATE_REVIEW',
  quota: { percent: 50 },
  passLine: '80.00',
  etag: '7',
  kind: 'CAMPAIGN_KIND_SELECTION',
};

const results = [
  { applicationId: 'a1', unitDisplayName: '甲单位', total: '95.00', rank: 1, vetoed: true, state: 'VETOED' },
  { applicationId: 'a2', unitDisplayName: '乙单位', total: '90.00', rank: 2, state: 'SCORED' },
  { applicationId: 'a3', unitDisplayName: '丙单位', total: '85.00', rank: 3, state: 'SCORED' },
  { applicationId: 'a4', unitDisplayName: '丁单位', total: '79.00', rank: 4, state: 'SCORED' },
];

function wrap(children: React.ReactNode) {
  return (
    <Providers>
      <OfficeContext.Provider value={{ officeId: 'o1', adminOfficeIds: ['o1'], setOfficeId: () => {} }}>{children}</OfficeContext.Provider>
    </Providers>
  );
}

describe('RankingTab', () => {
  it('marks the results the quota and pass line would recommend', async () => {
    setTokenForTest('tok');
    stubFetch({
      'GET /v1/offices': json(200, { offices: [] }),
      'GET /v1/offices/o1/users': json(200, { users: [] }),
      'GET /v1/campaigns/c1/ranking': json(200, { results, ranked: 4 }),
      'GET /v1/campaigns/c1/applications': json(200, { applications: [] }),
      'GET /v1/campaigns/c1/reviewer-stats': json(200, {}),
    });
    render(wrap(<RankingTab campaign={{ ...campaign, quota: { percent: 75 } }} />));
    expect(await screen.findByText(/名额 75%（3 个）.*当前将推荐 2 个单位/)).toBeInTheDocument();
    const rows = screen.getAllByRole('row');
    const tagged = rows.filter((r) => within(r).queryByText('拟推荐')).map((r) => within(r).getAllByRole('cell')[1].textContent);
    // 75 % of 4 is 3 slots: the vetoed leader is passed over and 丁 is below the pass line, so one stays empty.
    expect(tagged).toEqual(['乙单位', '丙单位']);
    expect(screen.getByText('一票否决')).toBeInTheDocument();
  });
});

describe('CampaignPage phase moves', () => {
  it('offers forcing with a reason when reviews are unfinished', async () => {
    setTokenForTest('tok');
    const bodies: unknown[] = [];
    stubFetch({
      'GET /v1/campaigns/c1': json(200, campaign),
      'GET /v1/campaigns/c1/applications': json(200, { applications: [] }),
      'GET /v1/offices/o1/users': json(200, { users: [] }),
      'POST /v1/campaigns/c1:transition': (c) => {
        bodies.push(c.body);
        return (c.body as { force?: boolean }).force
          ? json(200, { ...campaign, state: 'CAMPAIGN_STATE_RANKED', etag: '8' })
          : json(400, rpcError(9, 'REVIEW_INCOMPLETE', '还有 1 份申报没有测评结果'));
      },
    });
    render(
      wrap(
        <MemoryRouter initialEntries={['/office/campaigns/c1']}>
          <Routes>
            <Route path="/office/campaigns/:campaignId/*" element={<CampaignPage />} />
          </Routes>
        </MemoryRouter>,
      ),
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: '进入“已排名”阶段' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await within(dialog).findByText('还有 1 份申报没有测评结果')).toBeInTheDocument();
    expect(within(dialog).getByRole('checkbox')).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(bodies).toHaveLength(1); // the reason is required before forcing
    await user.type(within(dialog).getByLabelText('理由'), '其余申报已撤回');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]).toEqual({ to: 'CAMPAIGN_STATE_RANKED', force: true, reason: '其余申报已撤回', etag: '7' });
    expect(await screen.findByRole('button', { name: '进入“公示中”阶段' })).toBeInTheDocument();
  });
});
