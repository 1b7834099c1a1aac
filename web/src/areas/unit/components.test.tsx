import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Form } from 'antd';
import { renderWith } from '../../lib/test/render';
import { installFakeXHR } from '../../lib/test/xhr';
import { rpcError } from '../../lib/test/fetch';
import { toApiError } from '../../api/errors';
import { EvidenceUploader, acceptFor, typeAccepted } from './EvidenceUploader';
import { NarrativeInput, narrativeRule } from './NarrativeInput';
import { MissingList, missingItems } from './MissingList';
import { ChecklistTable, progressOf } from './ChecklistTable';
import { pointsRule, assessable } from './SelfAssessmentForm';
import { initialValues } from './EvidencePage';
import type { EvidenceFile, Requirement } from './api';

describe('EvidenceUploader', () => {
  it('uploads a dropped file with progress and adds it to the attached files', async () => {
    installFakeXHR([
      { status: 201, body: { id: 'f1', name: '活动照片.jpg', size: '2048', contentType: 'image/jpeg' } },
    ]);
    const onChange = vi.fn();
    const { container } = renderWith(<EvidenceUploader applicationId="a1" value={[]} onChange={onChange} />);
    const input = container.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.upload(input, new File(['jpeg'], '活动照片.jpg', { type: 'image/jpeg' }));
    await waitFor(() => expect(onChange).toHaveBeenCalledWith([expect.objectContaining({ id: 'f1' })]));
  });

  it('keeps a failed upload with the reason and a retry that sends the same key', async () => {
    const xhr = installFakeXHR([
      { status: 413, body: rpcError(8, 'FILE_TOO_LARGE', '文件超过 50 MiB 的上限') },
      { status: 201, body: { id: 'f2', name: '报告.pdf', size: '10' } },
    ]);
    const onChange = vi.fn();
    const { container } = renderWith(<EvidenceUploader applicationId="a1" value={[]} onChange={onChange} />);
    await userEvent.upload(
      container.querySelector('input[type=file]') as HTMLInputElement,
      new File(['pdf'], '报告.pdf', { type: 'application/pdf' }),
    );
    expect(await screen.findByText(/上传失败：文件超过 50 MiB 的上限/)).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: /重试/ }));
    await waitFor(() => expect(onChange).toHaveBeenCalledWith([expect.objectContaining({ id: 'f2' })]));
    expect(screen.queryByText(/上传失败/)).not.toBeInTheDocument();
    expect(xhr.sent[0].headers['Idempotency-Key']).toBe(xhr.sent[1].headers['Idempotency-Key']);
  });

  it('gives each file its own key', async () => {
    const xhr = installFakeXHR([
      { status: 201, body: { id: 'a', name: 'a.pdf' } },
      { status: 201, body: { id: 'b', name: 'b.pdf' } },
    ]);
    const onChange = vi.fn();
    const { container } = renderWith(<EvidenceUploader applicationId="x" value={[]} onChange={onChange} />);
    await userEvent.upload(container.querySelector('input[type=file]') as HTMLInputElement, [
      new File(['1'], 'a.pdf', { type: 'application/pdf' }),
      new File(['2'], 'b.pdf', { type: 'application/pdf' }),
    ]);
    await waitFor(() => expect(onChange).toHaveBeenCalledTimes(2));
    expect(onChange).toHaveBeenLastCalledWith([
      expect.objectContaining({ id: 'a' }),
      expect.objectContaining({ id: 'b' }),
    ]);
    expect(xhr.sent[0].headers['Idempotency-Key']).not.toBe(xhr.sent[1].headers['Idempotency-Key']);
  });

  it('lists attached files as text, flags a type the indicator does not take, and removes', async () => {
    const files: EvidenceFile[] = [
      { id: '1', name: '<img src=x onerror=alert(1)>.pdf', size: '1536', contentType: 'application/pdf' },
      { id: '2', name: '合影.png', size: '10', contentType: 'image/png' },
    ];
    const onChange = vi.fn();
    const { container } = renderWith(
      <EvidenceUploader applicationId="a1" value={files} onChange={onChange} fileTypes={['pdf', 'jpg']} />,
    );
    expect(screen.getByText('<img src=x onerror=alert(1)>.pdf')).toBeInTheDocument();
    expect(container.querySelector('img[src=x]')).toBeNull();
    expect(screen.getByText('1.5 KB')).toBeInTheDocument();
    expect(screen.getAllByText('本指标不接受此类型')).toHaveLength(1);
    await userEvent.click(screen.getByRole('button', { name: '移除 合影.png' }));
    expect(onChange).toHaveBeenCalledWith([files[0]]);
  });

  it('maps spec types to the picker and checks names', () => {
    expect(acceptFor(['pdf', 'jpg'])).toBe('.pdf,.jpg,.jpeg');
    expect(acceptFor([])).toBeUndefined();
    expect(typeAccepted('a.JPEG', ['jpg'])).toBe(true);
    expect(typeAccepted('a.docx', ['pdf'])).toBe(false);
    expect(typeAccepted('a.docx', undefined)).toBe(true);
  });
});

describe('NarrativeInput', () => {
  function Harness({ max }: { max: number }) {
    return (
      <Form>
        <Form.Item name="n" label="文字说明" rules={[narrativeRule(max)]}>
          <NarrativeInput max={max} />
        </Form.Item>
        <button type="submit">保存</button>
      </Form>
    );
  }

  it('counts characters live as the server does', async () => {
    renderWith(<Harness max={5} />);
    const box = screen.getByLabelText('文字说明');
    await userEvent.type(box, '文明𠮷');
    expect(screen.getByText('3 / 5')).toBeInTheDocument();
  });

  it('refuses more characters than the limit', async () => {
    const rule = narrativeRule(4);
    await expect(rule.validator(null, '文明单位')).resolves.toBeUndefined();
    await expect(rule.validator(null, '文明单位好')).rejects.toThrow('文字说明最多 4 字，当前 5 字');
    await expect(narrativeRule(4, true).validator(null, '  ')).rejects.toThrow('请填写文字说明');
  });
});

describe('MissingList', () => {
  const refusal = toApiError(
    400,
    rpcError(9, 'APPLICATION_INCOMPLETE', '申报材料不完整，共 2 项', [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [
          { type: 'MISSING', subject: '1.2/2026-Q1', description: '未报送' },
          { type: 'MISSING', subject: '1.2/2026-Q1', description: '至少 1 张照片（已附 0 张）' },
          { type: 'MISSING', subject: '2.1/2026', description: '测量值' },
        ],
      },
    ]),
  );

  it('groups what is missing per item in the server’s order', () => {
    expect(missingItems(refusal)).toEqual([
      { code: '1.2', period: '2026-Q1', what: ['未报送', '至少 1 张照片（已附 0 张）'] },
      { code: '2.1', period: '2026', what: ['测量值'] },
    ]);
  });

  it('shows each item with a link to fill it in', () => {
    renderWith(<MissingList error={refusal} applicationId="app1" titles={{ '1.2': '理论学习' }} />);
    expect(screen.getByText('申报材料不完整，共 2 项')).toBeInTheDocument();
    const list = screen.getByLabelText('尚缺材料');
    const link = within(list).getByRole('link', { name: /1\.2 理论学习 · 2026年第一季度/ });
    expect(link).toHaveAttribute('href', '/unit/applications/app1/evidence/1.2/2026-Q1');
    expect(within(list).getByText('未报送；至少 1 张照片（已附 0 张）')).toBeInTheDocument();
    expect(within(list).getByRole('link', { name: /2\.1 · 2026年度/ })).toBeInTheDocument();
  });
});

describe('checklist', () => {
  const reqs: Requirement[] = [
    {
      indicatorCode: '1.1',
      indicatorTitle: '领导小组',
      period: '2026',
      due: true,
      missingZh: ['未报送'],
      dueTime: '2027-01-31T05:00:00Z',
      startTime: '2025-12-31T16:00:00Z',
    },
    {
      indicatorCode: '1.2',
      indicatorTitle: '学习',
      period: '2026-Q1',
      due: true,
      state: 'EVIDENCE_STATE_SUBMITTED',
      dueTime: '2026-04-20T16:00:00Z',
      startTime: '2025-12-31T16:00:00Z',
    },
    {
      indicatorCode: '1.2',
      indicatorTitle: '学习',
      period: '2026-Q4',
      missingZh: ['未报送'],
      dueTime: '2027-01-20T16:00:00Z',
      startTime: '2026-09-30T16:00:00Z',
    },
    { indicatorCode: '8.1', indicatorTitle: '表彰', period: '2026', due: true, dueTime: '2027-01-31T05:00:00Z' },
    {
      indicatorCode: '2.4',
      indicatorTitle: '志愿服务',
      period: '2026-01',
      due: true,
      missingZh: ['测量值'],
      dueTime: '2026-02-20T16:00:00Z',
      startTime: '2025-12-31T16:00:00Z',
    },
  ];

  it('counts progress over required items that are due', () => {
    expect(progressOf(reqs)).toEqual({ done: 1, due: 3 });
  });

  it('lists the to-do items first with their windows, and everything on demand', async () => {
    renderWith(
      <ChecklistTable
        applicationId="a"
        requirements={reqs}
        timeZone="Asia/Shanghai"
        now={new Date('2026-12-02T00:00:00Z')}
      />,
    );
    expect(screen.getByText('已完成 1 / 3 项应报材料')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: '填报' })).toHaveLength(3);
    expect(screen.getByText('已逾期')).toBeInTheDocument();
    expect(screen.getByText('2026-01-01 至 2026-02-20 24:00')).toBeInTheDocument();
    await userEvent.click(screen.getByText('全部（5）'));
    expect(screen.getByText('选报')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '查看' })).toHaveAttribute(
      'href',
      '/unit/applications/a/evidence/1.2/2026-Q1',
    );
  });
});

describe('self-assessment and drafts', () => {
  it('accepts points up to the maximum with two decimals', async () => {
    const r = pointsRule('4.00');
    await expect(r.validator(null, '3.5')).resolves.toBeUndefined();
    await expect(r.validator(null, '')).resolves.toBeUndefined();
    await expect(r.validator(null, '4.01')).rejects.toThrow('不能超过满分 4.00');
    await expect(r.validator(null, '1e1')).rejects.toThrow('请输入不超过两位小数的数');
  });

  it('assesses leaves only, never deductions or vetoes', () => {
    const codes = assessable([
      { code: '1', kind: 'INDICATOR_KIND_GROUP' },
      { code: '1.1', parentCode: '1', kind: 'INDICATOR_KIND_GRADE' },
      { code: '8.1', kind: 'INDICATOR_KIND_BONUS' },
      { code: '9.1', kind: 'INDICATOR_KIND_DEDUCTION' },
      { code: '9.2', kind: 'INDICATOR_KIND_VETO' },
    ]).map((i) => i.code);
    expect(codes).toEqual(['1.1', '8.1']);
  });

  it('edits the draft, or after a submission the latest revision', () => {
    expect(initialValues(null)).toEqual({ narrative: '', value: '', files: [], note: '' });
    expect(
      initialValues({
        draft: { narrative: '草稿' },
        draftFiles: [{ id: 'f' }],
        revisions: [{ number: 1, content: { narrative: '旧' } }],
      }),
    ).toMatchObject({ narrative: '草稿', files: [{ id: 'f' }] });
    expect(
      initialValues({
        revisions: [
          { number: 1, content: { narrative: '一' } },
          { number: 2, content: { narrative: '二', value: '87.50' }, files: [{ id: 'g' }] },
        ],
      }),
    ).toEqual({ narrative: '二', value: '87.50', files: [{ id: 'g' }], note: '' });
  });
});

describe('ResultView', () => {
  it('explains the points with the unit’s own self-assessment beside them', async () => {
    const { ResultView, noteText, resultState } = await import('./ResultView');
    expect(resultState('RECOMMENDED')).toBe('APPLICATION_STATE_RECOMMENDED');
    expect(noteText('scored 0: evidence 2026 returned')).toBe('');
    expect(noteText('no reviewer input: scored 0, the result is incomplete')).toBe(
      '无测评员评分，暂计 0 分，结果尚不完整',
    );
    expect(noteText('veto proposed by 2 reviewer(s); confirmed: false')).toBe('2 名测评员提议一票否决，待文明办确认');
    renderWith(
      <ResultView
        result={{
          total: '87.3',
          base: '87.3',
          rank: 1,
          state: 'RECOMMENDED',
          explanation: {
            code: '',
            kind: 'GROUP',
            children: [
              {
                code: '1',
                title: '基础工作',
                kind: 'GROUP',
                maxPoints: '60.00',
                points: '47.30',
                children: [
                  {
                    code: '1.1',
                    title: '志愿服务活动',
                    kind: 'POINTS',
                    maxPoints: '30.00',
                    points: '27.50',
                    inputs: [{ entered: '27.50' }],
                  },
                  {
                    code: '1.2',
                    title: '宣传阵地',
                    kind: 'GRADE',
                    maxPoints: '30.00',
                    points: '0',
                    zeroed: '退回次数超过允许的重新报送次数',
                  },
                ],
              },
            ],
          },
        }}
        selfPoints={{ '1.1': '28' }}
      />,
    );
    expect(screen.getAllByText('87.30')).toHaveLength(2);
    expect(screen.getByText('已推荐')).toBeInTheDocument();
    expect(screen.getByText('第 1 名')).toBeInTheDocument();
    expect(screen.getByText('28.00')).toBeInTheDocument();
    expect(screen.getByText('测评员评定：27.50')).toBeInTheDocument();
    expect(screen.getByText('计 0 分：退回次数超过允许的重新报送次数')).toBeInTheDocument();
  });
});
