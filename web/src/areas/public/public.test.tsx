import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderWith } from '../../lib/test/render';
import { json, rpcError, stubFetch } from '../../lib/test/fetch';
import { ObjectionForm } from './ObjectionForm';
import { PublicityPage } from './PublicityPage';
import { campaignIdFrom, type PublicityLine } from './api';

const lines: PublicityLine[] = [
  {
    number: 1,
    unitId: 'u1',
    unitDisplayName: '示例区图书馆',
    officeDisplayName: '示例区文明办',
    unitCategory: 'UNIT_CATEGORY_PUBLIC_INSTITUTION',
    total: '92.5',
    rank: 1,
  },
  {
    number: 2,
    unitId: 'u2',
    unitDisplayName: '<b>示例小学</b>',
    officeDisplayName: '示例区文明办',
    unitCategory: 'UNIT_CATEGORY_SCHOOL',
    total: '88',
    rank: 3,
  },
];

describe('the objection form', () => {
  it('asks for the unit and the content before sending anything', async () => {
    const { calls } = stubFetch({});
    renderWith(<ObjectionForm campaignId="c1" lines={lines} />);
    await userEvent.click(screen.getByRole('button', { name: '提交异议' }));
    expect(await screen.findByText('请选择公示名单中的单位')).toBeInTheDocument();
    expect(screen.getByText('请填写异议内容')).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it('refuses blank content and control characters', async () => {
    const { calls } = stubFetch({});
    renderWith(<ObjectionForm campaignId="c1" lines={lines} unitId="u1" />);
    await userEvent.type(screen.getByLabelText('异议内容'), '   ');
    await userEvent.click(screen.getByRole('button', { name: '提交异议' }));
    expect(await screen.findByText('请填写异议内容')).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('异议内容'));
    await userEvent.type(screen.getByLabelText('异议内容'), '有问题');
    await userEvent.type(screen.getByLabelText('姓名（选填）'), 'a\u0007b');
    await userEvent.click(screen.getByRole('button', { name: '提交异议' }));
    expect(await screen.findByText('含有不可见的控制字符，请删除后重试')).toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  it('limits the content to 2000 characters with a live count', async () => {
    renderWith(<ObjectionForm campaignId="c1" lines={lines} unitId="u1" />);
    const box = screen.getByLabelText('异议内容') as HTMLTextAreaElement;
    expect(box.maxLength).toBe(2000);
    await userEvent.type(box, '该单位');
    expect(screen.getByText('3 / 2000')).toBeInTheDocument();
  });

  it('files the objection and shows the reference to quote', async () => {
    const { calls } = stubFetch({
      'POST /v1/public/campaigns/c1/objections': json(200, {
        reference: 'K7Q2M-X9DPA',
        createTime: '2027-02-17T02:00:00Z',
      }),
    });
    renderWith(<ObjectionForm campaignId="c1" lines={lines} unitId="u2" />);
    await userEvent.type(screen.getByLabelText('异议内容'), '该校存在有偿补课问题');
    await userEvent.type(screen.getByLabelText('联系方式（选填）'), ' 13800000000 ');
    await userEvent.click(screen.getByRole('button', { name: '提交异议' }));
    expect(await screen.findByText('K7Q2M-X9DPA')).toBeInTheDocument();
    expect(screen.getByText(/2027-02-17 10:00/)).toBeInTheDocument();
    expect(calls[0].body).toEqual({ unitId: 'u2', content: '该校存在有偿补课问题', name: '', contact: '13800000000' });
    expect(calls[0].headers.get('Authorization')).toBeNull();
  });

  it('puts the server’s field violations on the fields, and shows other refusals', async () => {
    let n = 0;
    stubFetch({
      'POST /v1/public/campaigns/c1/objections': () =>
        ++n === 1
          ? json(
              400,
              rpcError(3, 'INVALID_ARGUMENT', '请求无效', [
                {
                  '@type': 'type.googleapis.com/google.rpc.BadRequest',
                  fieldViolations: [{ field: 'objection.unit_id', description: '该单位不在公示名单中' }],
                },
              ]),
            )
          : json(429, rpcError(8, 'RATE_LIMITED', '提交过于频繁，请稍后再试'), { 'Retry-After': '600' }),
    });
    renderWith(<ObjectionForm campaignId="c1" lines={lines} unitId="u1" />);
    await userEvent.type(screen.getByLabelText('异议内容'), '内容');
    await userEvent.click(screen.getByRole('button', { name: '提交异议' }));
    expect(await screen.findByText('该单位不在公示名单中')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '提交异议' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('提交过于频繁，请稍后再试');
  });
});

describe('the publicity page', () => {
  it('shows the list as text, with an objection button per unit', async () => {
    stubFetch({
      'GET /v1/public/campaigns/c1/publicity': json(200, {
        campaignId: 'c1',
        campaignDisplayName: '2026 年度示例区文明单位测评',
        officeDisplayName: '示例区文明办',
        year: 2026,
        startTime: '2027-02-16T00:00:00Z',
        endTime: '2027-02-23T00:00:00Z',
        lines,
      }),
    });
    const { container } = renderWith(<PublicityPage />, {
      path: '/public/campaigns/c1',
      route: '/public/campaigns/:campaignId',
    });
    expect(await screen.findByText('2026 年度示例区文明单位测评 拟推荐名单公示')).toBeInTheDocument();
    const table = screen.getByRole('columnheader', { name: '单位名称' }).closest('table')!;
    expect(within(table).getByText('<b>示例小学</b>')).toBeInTheDocument();
    expect(container.querySelector('b')).toBeNull();
    expect(within(table).getByText('92.50')).toBeInTheDocument();
    expect(within(table).getByText('事业单位')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '对 示例区图书馆 提出异议' }));
    expect(await screen.findByRole('dialog')).toBeInTheDocument();
  });

  it('says plainly when there is no such publicity', async () => {
    stubFetch({});
    renderWith(<PublicityPage />, { path: '/public/campaigns/nope', route: '/public/campaigns/:campaignId' });
    await waitFor(() => expect(screen.getByText('没有找到该公示')).toBeInTheDocument());
  });

  it('takes a pasted link or id', () => {
    expect(campaignIdFrom(' https://wm.example.gov.cn/public/campaigns/01a2-b3?x=1 ')).toBe('01a2-b3');
    expect(campaignIdFrom('01a23551-86f5-7978-89e0-c2599c72d905')).toBe('01a23551-86f5-7978-89e0-c2599c72d905');
    expect(campaignIdFrom('<script>')).toBe('');
  });
});
