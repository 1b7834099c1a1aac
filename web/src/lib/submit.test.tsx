import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Button, Form, Input, Modal } from 'antd';
import { Providers } from '../app/Providers';
import { api, unwrap, withIdempotency } from '../api/client';
import { setTokenForTest } from '../api/session';
import { json, rpcError, stubFetch } from './test/fetch';
import { useSubmitDialog } from './submit';

afterEach(() => setTokenForTest(null));

function CreateUnit({ onDone }: { onDone: (id: string) => void }) {
  const [form] = Form.useForm<{ displayName: string }>();
  const dialog = useSubmitDialog(
    form,
    async (v, key) => unwrap(await api.POST('/v1/offices/{officeId}/units', { params: { path: { officeId: 'o1' } }, body: v, ...withIdempotency(key) })),
    { strip: ['unit'], success: '已登记单位', then: (u) => onDone(u.id ?? '') },
  );
  return (
    <>
      <Button onClick={dialog.show}>登记单位</Button>
      <Modal {...dialog.modal} title="登记单位">
        <Form form={form}>
          <Form.Item name="displayName" label="单位名称" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

// openDialog renders CreateUnit, answers its creates in turn, and opens the dialog.
async function openDialog(answers: ReturnType<typeof json>[]) {
  const { calls } = stubFetch({ 'POST /v1/offices/o1/units': () => answers.shift() });
  const created: string[] = [];
  render(
    <Providers>
      <CreateUnit onDone={(id) => created.push(id)} />
    </Providers>,
  );
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name: '登记单位' }));
  return { calls, created, user };
}

describe('useSubmitDialog', () => {
  it('retries with the same key, shows field errors, and renews the key once it succeeded', async () => {
    setTokenForTest('tok');
    const answers = [
      json(400, rpcError(3, 'INVALID_ARGUMENT', '请求有误', [
        { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'unit.display_name', description: '名称已被占用' }] },
      ])),
      json(200, { id: 'u1' }),
      json(200, { id: 'u2' }),
    ];
    const { calls, created, user } = await openDialog(answers);
    let dialog = await screen.findByRole('dialog');

    // Nothing is sent until the form passes its own rules.
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await within(dialog).findByText('请输入单位名称')).toBeInTheDocument();
    expect(calls).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('单位名称'), '示例区图书馆');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await within(dialog).findByText('名称已被占用')).toBeInTheDocument();
    expect(created).toEqual([]);

    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(created).toEqual(['u1']));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(await screen.findByText('已登记单位')).toBeInTheDocument();
    expect(calls[1].body).toEqual({ displayName: '示例区图书馆' });
    const keys = calls.map((c) => c.headers.get('Idempotency-Key'));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);

    // The next unit is a new submission: the form starts empty and the key is new.
    await user.click(screen.getByRole('button', { name: '登记单位' }));
    dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('单位名称')).toHaveValue('');
    await user.type(within(dialog).getByLabelText('单位名称'), '示例区医院');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(created).toEqual(['u1', 'u2']));
    expect(calls[2].headers.get('Idempotency-Key')).not.toBe(keys[0]);
  });

  it('after a lost answer that did create, says so and makes the next submission a new one', async () => {
    setTokenForTest('tok');
    const answers = [
      json(422, rpcError(3, 'IDEMPOTENCY_KEY_REUSED', '调用者在 24 小时内已将此 Idempotency-Key 用于另一个不同的请求。')),
      json(200, { id: 'u2' }),
    ];
    const { calls, created, user } = await openDialog(answers);
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('单位名称'), '示例区医院');
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    expect(await screen.findByText(/上一次提交可能已经成功/)).toBeInTheDocument();
    expect(created).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: /确\s*定/ }));
    await waitFor(() => expect(created).toEqual(['u2']));
    expect(calls[1].headers.get('Idempotency-Key')).not.toBe(calls[0].headers.get('Idempotency-Key'));
  });
});
