import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { Providers } from '../../app/Providers';
import { setTokenForTest } from '../../api/session';
import { json, stubFetch, type Call } from '../../lib/test/fetch';
import { OfficeContext } from './common';
import StandardEditor from './StandardEditor';

afterEach(() => setTokenForTest(null));

const draft = {
  id: 's1',
  officeId: 'o1',
  code: 'T',
  displayName: '草稿细则',
  version: 1,
  state: 'STANDARD_STATE_DRAFT',
  etag: '5',
  indicators: [
    { code: '1', title: '领导班子好', kind: 'INDICATOR_KIND_GROUP', maxPoints: '10.00' },
    { code: '1.1', parentCode: '1', title: '学习制度', kind: 'INDICATOR_KIND_POINTS', maxPoints: '4.00', position: 1 },
  ],
};

function renderEditor() {
  return render(
    <Providers>
      <OfficeContext.Provider value={{ officeId: 'o1', adminOfficeIds: ['o1'], setOfficeId: () => {} }}>
        <MemoryRouter initialEntries={['/office/standards/s1']}>
          <Routes>
            <Route path="/office/standards/:standardId" element={<StandardEditor />} />
          </Routes>
        </MemoryRouter>
      </OfficeContext.Provider>
    </Providers>,
  );
}

describe('StandardEditor', () => {
  it('adds an indicator and edits one, naming the standard’s etag', async () => {
    setTokenForTest('tok');
    const writes: Call[] = [];
    const { calls } = stubFetch({
      'GET /v1/standards/s1': json(200, draft),
      'POST /v1/standards/s1/indicators': (c) => {
        writes.push(c);
        return json(200, { ...draft, etag: '6', indicators: [...draft.indicators, { ...(c.body as object), position: 2 }] });
      },
      'PATCH /v1/standards/s1/indicators/1.1': (c) => {
        writes.push(c);
        return json(200, { ...draft, etag: '7' });
      },
    });
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /添加一级指标/ }));
    const form = screen.getByText('添加一级指标', { selector: '.ant-card-head-title' }).closest('.ant-card') as HTMLElement;
    await user.type(within(form).getByLabelText('编号'), '2');
    await user.type(within(form).getByLabelText('测评内容'), '单位风气好');
    await user.type(within(form).getByLabelText('分值'), '5.5');
    await user.click(within(form).getByRole('button', { name: /添\s*加/ }));
    await waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0].body).toMatchObject({ code: '2', title: '单位风气好', maxPoints: '5.5', kind: 'INDICATOR_KIND_POINTS', parentCode: '' });
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/v1/standards/s1/indicators');

    await user.click(await screen.findByText(/^1\.1 学习制度/));
    const card = (await screen.findByText('指标 1.1')).closest('.ant-card') as HTMLElement;
    const title = within(card).getByLabelText('测评内容');
    await user.clear(title);
    await user.type(title, '学习制度健全');
    await user.click(within(card).getByRole('button', { name: '保存指标' }));
    await waitFor(() => expect(writes).toHaveLength(2));
    expect(writes[1].body).toMatchObject({ code: '1.1', title: '学习制度健全' });
  });

  it('refuses a LINEAR indicator without its floor before sending', async () => {
    setTokenForTest('tok');
    const { calls } = stubFetch({ 'GET /v1/standards/s1': json(200, draft) });
    renderEditor();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: /添加一级指标/ }));
    const form = screen.getByText('添加一级指标', { selector: '.ant-card-head-title' }).closest('.ant-card') as HTMLElement;
    await user.click(within(form).getByRole('combobox', { name: '指标类型' }));
    await user.click(await screen.findByTitle('线性'));
    expect(await within(form).findByLabelText('起点值（得 0 分）')).toBeInTheDocument();
    await user.type(within(form).getByLabelText('编号'), '3');
    await user.type(within(form).getByLabelText('测评内容'), '满意度');
    await user.type(within(form).getByLabelText('分值'), '4');
    await user.type(within(form).getByLabelText('目标值（得满分）'), '95');
    await user.click(within(form).getByRole('button', { name: /添\s*加/ }));
    expect(await within(form).findByText(/请输入起点值/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
