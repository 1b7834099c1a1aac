import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Providers } from '../../app/Providers';
import { setTokenForTest } from '../../api/session';
import { json, rpcError, stubFetch } from '../../lib/test/fetch';
import ImportUnits, { toBase64 } from './ImportUnits';

afterEach(() => setTokenForTest(null));

function renderImport() {
  let done = 0;
  render(
    <Providers>
      <ImportUnits officeId="o1" onDone={() => done++} />
    </Providers>,
  );
  return { done: () => done };
}

async function chooseAndImport() {
  const user = userEvent.setup();
  await user.click(screen.getByRole('button', { name: /批量导入/ }));
  const dialog = await screen.findByRole('dialog');
  const input = dialog.querySelector('input[type=file]') as HTMLInputElement;
  await user.upload(input, new File([new Uint8Array([80, 75, 3, 4])], '单位.xlsx'));
  await user.click(within(dialog).getByRole('button', { name: '导入' }));
  return dialog;
}

describe('ImportUnits', () => {
  it('lists every problem of a refused file by row and column', async () => {
    setTokenForTest('tok');
    const { calls } = stubFetch({
      'POST /v1/offices/o1/units:import': json(
        400,
        rpcError(3, 'UNIT_FILE_INVALID', '文件存在问题，未登记任何单位', [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [
              { field: 'content', description: '第 2 行，B 列（统一社会信用代码）：不是有效的统一社会信用代码' },
              { field: 'content', description: '第 3 行，C 列（单位类别）：未知的单位类别“学堂”' },
              { field: 'content', description: '第 4 行：与第 2 行的统一社会信用代码相同' },
            ],
          },
        ]),
      ),
    });
    renderImport();
    const dialog = await chooseAndImport();
    expect(await within(dialog).findByText('文件存在问题，未登记任何单位')).toBeInTheDocument();
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]).getByText('B（统一社会信用代码）')).toBeInTheDocument();
    expect(within(rows[1]).getByText('未知的单位类别“学堂”')).toBeInTheDocument();
    expect(within(rows[2]).getByText('4')).toBeInTheDocument();
    const call = calls.find((c) => c.path === '/v1/offices/o1/units:import')!;
    expect(call.body).toEqual({ content: 'UEsDBA==' });
    expect(call.headers.get('Idempotency-Key')).toBeTruthy();
    expect(call.headers.get('Authorization')).toBe('Bearer tok');
  });

  it('reports the units registered', async () => {
    setTokenForTest('tok');
    stubFetch({ 'POST /v1/offices/o1/units:import': json(200, { units: [{ id: 'u1' }, { id: 'u2' }] }) });
    const r = renderImport();
    const dialog = await chooseAndImport();
    expect(await within(dialog).findByText('已登记 2 个单位')).toBeInTheDocument();
    await waitFor(() => expect(r.done()).toBe(1));
  });

  it('encodes files in base64 in chunks', () => {
    const big = new Uint8Array(100_000).map((_, i) => i % 256);
    expect(atob(toBase64(big.buffer)).length).toBe(100_000);
  });
});
