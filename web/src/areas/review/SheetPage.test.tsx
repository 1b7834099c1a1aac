import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Providers } from '../../app/Providers';
import { setTokenForTest } from '../../api/session';
import { json, rpcError, stubFetch, type Call } from '../../lib/test/fetch';
import SheetPage from './SheetPage';

afterEach(() => setTokenForTest(null));
// Let React's scheduler finish the unmount before the environment is torn down.
afterAll(() => new Promise((r) => setTimeout(r, 100)));

const standard = {
  id: 's1',
  displayName: '细则',
  aggregation: 'AGGREGATION_MEAN',
  indicators: [
    { code: '1', title: '领导班子好', kind: 'INDICATOR_KIND_GROUP', maxPoints: '10.00' },
    { code: '1.1', parentCode: '1', title: '学习制度', kind: 'INDICATOR_KIND_POINTS', maxPoints: '4.00', step: '0.50', position: 1 },
    { code: '1.2', parentCode: '1', title: '党风廉政', kind: 'INDICATOR_KIND_GRADE', maxPoints: '2.00', position: 2 },
    { code: '1.3', parentCode: '1', title: '安全事故', kind: 'INDICATOR_KIND_VETO', position: 3 },
  ],
};

function setup(extra: Record<string, Parameters<typeof stubFetch>[0][string]> = {}) {
  setTokenForTest('tok');
  const stub = stubFetch({
    'GET /v1/assignments/as1': json(200, {
      id: 'as1',
      applicationId: 'ap1',
      campaignId: 'c1',
      state: 'ASSIGNMENT_STATE_ASSIGNED',
      etag: '3',
      scores: [{ indicatorCode: '1.2', grade: 'B' }],
    }),
    'GET /v1/applications/ap1': json(200, { id: 'ap1', unitDisplayName: '示例区图书馆', state: 'APPLICATION_STATE_IN_REVIEW' }),
    'GET /v1/campaigns/c1': json(200, { id: 'c1', displayName: '2026 年度测评', state: 'CAMPAIGN_STATE_REVIEW', standardId: 's1' }),
    'GET /v1/standards/s1': json(200, standard),
    'GET /v1/applications/ap1/evidence': json(200, {
      evidence: [
        {
          indicatorCode: '1.1',
          period: '2026',
          state: 'EVIDENCE_STATE_SUBMITTED',
          revisions: [
            {
              number: 1,
              content: { narrative: '<b>全年学习 4 次</b>', fileIds: ['f1'] },
              files: [{ id: 'f1', name: '纪要.pdf', contentType: 'application/pdf', size: '2048' }],
            },
          ],
        },
      ],
    }),
    'GET /v1/applications/ap1/files': json(200, {
      files: [{ id: 'f1', name: '纪要.pdf', contentType: 'application/pdf', size: '2048', copies: [{ applicationId: 'x', unitDisplayName: '另一单位' }] }],
    }),
    ...extra,
  });
  render(
    <Providers>
      <MemoryRouter initialEntries={['/review/as1']}>
        <Routes>
          <Route path="/review/:assignmentId" element={<SheetPage />} />
        </Routes>
      </MemoryRouter>
    </Providers>,
  );
  return stub;
}

const saves = (calls: Call[]) => calls.filter((c) => c.method === 'POST' && c.path === '/v1/assignments/as1:saveScores');

describe('SheetPage', () => {
  it('shows evidence as text and flags copied files', async () => {
    setup();
    expect(await screen.findByText('<b>全年学习 4 次</b>')).toBeInTheDocument();
    expect(screen.getByText('疑似雷同（1）')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /预览/ })).toBeInTheDocument();
  });

  it('checks an entry before sending it and sends only what changed', async () => {
    const { calls } = setup({
      'POST /v1/assignments/as1:saveScores': (c) =>
        json(200, { id: 'as1', state: 'ASSIGNMENT_STATE_ASSIGNED', etag: '4', scores: [{ indicatorCode: '1.2', grade: 'B' }, ...(c.body as { scores: unknown[] }).scores] }),
    });
    const user = userEvent.setup();
    const input = await screen.findByLabelText('1.1 学习制度 得分');
    await user.type(input, '3.25');
    expect(await screen.findByText('须按 0.50 分递增（或取满分）')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '保存草稿' }));
    expect(saves(calls)).toHaveLength(0);

    await user.clear(input);
    await user.type(input, '3.5');
    await user.click(screen.getByRole('button', { name: '保存草稿' }));
    await waitFor(() => expect(saves(calls)).toHaveLength(1));
    expect(saves(calls)[0].body).toEqual({ scores: [{ indicatorCode: '1.1', points: '3.50' }], etag: '3' });
  });

  it('needs a reason to propose a veto', async () => {
    const { calls } = setup();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('switch', { name: '1.3 安全事故 提议否决' }));
    expect(await screen.findByText('提议否决须填写理由')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '保存草稿' }));
    expect(saves(calls)).toHaveLength(0);
  });

  it('puts the server’s field violations on the indicator they name', async () => {
    setup({
      'POST /v1/assignments/as1:saveScores': json(
        400,
        rpcError(3, 'INVALID_ARGUMENT', '请求无效', [
          { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'scores[0].points', description: '指标 1.1：超出范围' }] },
        ]),
      ),
    });
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('1.1 学习制度 得分'), '4');
    await user.click(screen.getByRole('button', { name: '保存草稿' }));
    const card = await screen.findByTestId('indicator-1.1');
    expect(await within(card).findByText('指标 1.1：超出范围')).toBeInTheDocument();
  });

  it('refuses to finalize while scored leaves have no entry', async () => {
    const { calls } = setup();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: '提交评分表' }));
    expect(await screen.findByText(/还有 1 项未评分：1.1/)).toBeInTheDocument();
    expect(calls.some((c) => c.path.endsWith(':finalize'))).toBe(false);
  });
});
