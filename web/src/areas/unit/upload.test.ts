import { afterEach, describe, expect, it } from 'vitest';
import { uploadFile, retryable } from './upload';
import { installFakeXHR } from '../../lib/test/xhr';
import { json, rpcError, stubFetch } from '../../lib/test/fetch';
import { ApiError } from '../../api/errors';
import { getAccessToken, setTokenForTest } from '../../api/session';

afterEach(() => setTokenForTest(null));

const file = () => new File(['%PDF-1.4 test'], '三月活动 报告.pdf', { type: 'application/pdf' });
const stored = { id: 'f1', name: '三月活动 报告.pdf', size: '13', contentType: 'application/pdf' };

describe('uploadFile', () => {
  it('sends the raw body with the name, type, token and idempotency key, reporting progress', async () => {
    setTokenForTest('tok');
    const xhr = installFakeXHR([{ status: 201, body: stored, progress: [30, 100] }]);
    const seen: number[] = [];
    const f = await uploadFile({
      applicationId: 'app/1',
      file: file(),
      idempotencyKey: 'k1',
      onProgress: (p) => seen.push(p),
    });
    expect(f).toEqual(stored);
    const x = xhr.sent[0];
    expect(x.method).toBe('PUT');
    expect(x.url).toBe('http://localhost:5173/v1/applications/app%2F1/files');
    expect(x.headers).toMatchObject({
      Authorization: 'Bearer tok',
      'Idempotency-Key': 'k1',
      'X-File-Name': encodeURIComponent('三月活动 报告.pdf'),
      'Content-Type': 'application/pdf',
      'Accept-Language': 'zh-CN',
    });
    expect(seen).toEqual([30, 99, 100]);
  });

  it('retries faults of the platform with the same key, and succeeds', async () => {
    const xhr = installFakeXHR([
      'network-error',
      { status: 503, body: rpcError(14, 'BACKEND_UNAVAILABLE', '服务暂时不可用'), headers: { 'Retry-After': '0' } },
      { status: 201, body: stored },
    ]);
    const f = await uploadFile(
      { applicationId: 'a', file: file(), idempotencyKey: 'same' },
      { attempts: 3, backoffMs: 1 },
    );
    expect(f.id).toBe('f1');
    expect(xhr.sent.map((x) => x.headers['Idempotency-Key'])).toEqual(['same', 'same', 'same']);
  });

  it('gives up after the attempts, with the last error', async () => {
    installFakeXHR(['network-error', 'network-error']);
    await expect(
      uploadFile({ applicationId: 'a', file: file(), idempotencyKey: 'k' }, { attempts: 2, backoffMs: 1 }),
    ).rejects.toMatchObject({ status: 0, reason: 'NETWORK' });
  });

  it('does not retry a refusal, and shows the server’s reason', async () => {
    const xhr = installFakeXHR([
      { status: 415, body: rpcError(3, 'FILE_TYPE_REFUSED', '不支持该文件类型') },
      { status: 201, body: stored },
    ]);
    await expect(
      uploadFile({ applicationId: 'a', file: file(), idempotencyKey: 'k' }, { backoffMs: 1 }),
    ).rejects.toMatchObject({
      status: 415,
      reason: 'FILE_TYPE_REFUSED',
      message: '不支持该文件类型',
    });
    expect(xhr.sent).toHaveLength(1);
  });

  it('refreshes an expired session once and sends again', async () => {
    setTokenForTest('old');
    stubFetch({ 'POST /v1/auth/refresh': json(200, { accessToken: 'new', expiresIn: 900 }) });
    const xhr = installFakeXHR([
      { status: 401, body: rpcError(16, 'UNAUTHENTICATED', '登录已过期') },
      { status: 201, body: stored },
    ]);
    await uploadFile({ applicationId: 'a', file: file(), idempotencyKey: 'k' }, { backoffMs: 1 });
    expect(xhr.sent.map((x) => x.headers.Authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(getAccessToken()).toBe('new');
  });

  it('declares no type for a file the browser could not type', async () => {
    const xhr = installFakeXHR([{ status: 201, body: stored }]);
    await uploadFile({ applicationId: 'a', file: new File(['x'], 'a.ofd'), idempotencyKey: 'k' });
    expect(xhr.sent[0].headers['Content-Type']).toBe('application/octet-stream');
  });

  it('knows what is worth retrying', () => {
    expect(retryable(new ApiError({ status: 503, message: '' }))).toBe(true);
    expect(retryable(new ApiError({ status: 409, message: '', reason: 'TRANSACTION_CONFLICT' }))).toBe(true);
    expect(retryable(new ApiError({ status: 413, message: '', reason: 'FILE_TOO_LARGE' }))).toBe(false);
    expect(retryable(new Error('x'))).toBe(false);
  });
});
