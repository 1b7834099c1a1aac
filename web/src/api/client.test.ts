import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, idempotencyKey, unwrap, withIdempotency } from './client';
import { ApiError, applyFieldErrors, camelField, toApiError } from './errors';
import { getAccessToken, login, logout, refresh, setTokenForTest } from './session';
import { json, rpcError, stubFetch } from '../lib/test/fetch';

afterEach(() => setTokenForTest(null));

describe('client', () => {
  it('sends the token and asks for Chinese messages', async () => {
    setTokenForTest('tok-1');
    const { calls } = stubFetch({ 'GET /v1/auth/me': json(200, { login: 'demo-unit' }) });
    const me = unwrap(await api.GET('/v1/auth/me'));
    expect(me.login).toBe('demo-unit');
    expect(calls[0].headers.get('Authorization')).toBe('Bearer tok-1');
    expect(calls[0].headers.get('Accept-Language')).toBe('zh-CN');
  });

  it('refreshes once after a 401 and retries with the new token', async () => {
    setTokenForTest('old');
    const { calls } = stubFetch({
      'GET /v1/auth/me': (c) =>
        c.headers.get('Authorization') === 'Bearer new'
          ? json(200, { login: 'x' })
          : json(401, rpcError(16, 'UNAUTHENTICATED', '登录已过期')),
      'POST /v1/auth/refresh': json(200, { accessToken: 'new', expiresIn: 900 }),
    });
    const me = unwrap(await api.GET('/v1/auth/me'));
    expect(me.login).toBe('x');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /v1/auth/me',
      'POST /v1/auth/refresh',
      'GET /v1/auth/me',
    ]);
    expect(calls[1].headers.get('X-Wenming-Session')).toBe('cookie');
    expect(calls[1].body).toEqual({});
    expect(getAccessToken()).toBe('new');
  });

  it('signs out when the refresh is refused', async () => {
    setTokenForTest('old');
    stubFetch({
      'GET /v1/auth/me': json(401, rpcError(16, 'UNAUTHENTICATED', '登录已过期')),
      'POST /v1/auth/refresh': json(401, rpcError(16, 'UNAUTHENTICATED', '会话已结束')),
    });
    const r = await api.GET('/v1/auth/me');
    expect(r.response.status).toBe(401);
    expect(getAccessToken()).toBeNull();
  });

  it('shares one refresh between concurrent callers', async () => {
    const { calls } = stubFetch({ 'POST /v1/auth/refresh': json(200, { accessToken: 'a', expiresIn: 900 }) });
    await Promise.all([refresh(), refresh(), refresh()]);
    expect(calls.filter((c) => c.path === '/v1/auth/refresh')).toHaveLength(1);
  });

  it('waits for the other tabs’ refresh before sending its own', async () => {
    // Another tab holds the browser-wide lock; this one must not present the shared cookie
    // until that tab is done (a second presentation would end the session everywhere).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const names: string[] = [];
    vi.stubGlobal('navigator', {
      ...navigator,
      locks: {
        request: async (name: string, fn: () => Promise<unknown>) => {
          names.push(name);
          await held;
          return fn();
        },
      },
    });
    const { calls } = stubFetch({ 'POST /v1/auth/refresh': json(200, { accessToken: 'after', expiresIn: 900 }) });
    const done = refresh();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(0);
    release();
    expect(await done).toBe(true);
    expect(names).toEqual(['wenming-refresh']);
    expect(calls.filter((c) => c.path === '/v1/auth/refresh')).toHaveLength(1);
    expect(getAccessToken()).toBe('after');
  });

  it('refreshes unguarded when the browser refuses the lock', async () => {
    vi.stubGlobal('navigator', {
      ...navigator,
      locks: { request: async () => Promise.reject(new DOMException('no locks here', 'SecurityError')) },
    });
    stubFetch({ 'POST /v1/auth/refresh': json(200, { accessToken: 'anyway', expiresIn: 900 }) });
    expect(await refresh()).toBe(true);
    expect(getAccessToken()).toBe('anyway');
  });

  it('logs in with the cookie session header and keeps the token in memory only', async () => {
    let signedInDuringLogout = false;
    const { calls } = stubFetch({
      'POST /v1/auth/login': json(200, { accessToken: 'acc', expiresIn: 900, tokenType: 'Bearer' }),
      'POST /v1/auth/logout': () => {
        // The token is forgotten (and the page leaves) only once the server cleared the cookie.
        signedInDuringLogout = getAccessToken() !== null;
        return json(200, {});
      },
    });
    await login('demo-unit', 'pw');
    expect(calls[0].body).toEqual({ login: 'demo-unit', password: 'pw' });
    expect(calls[0].headers.get('X-Wenming-Session')).toBe('cookie');
    expect(getAccessToken()).toBe('acc');
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);
    await logout();
    expect(calls[1].headers.get('Authorization')).toBe('Bearer acc');
    expect(signedInDuringLogout).toBe(true);
    expect(getAccessToken()).toBeNull();
  });

  it('throws the localized message of a refused login', async () => {
    stubFetch({ 'POST /v1/auth/login': json(401, rpcError(16, 'INVALID_CREDENTIALS', '用户名或密码错误')) });
    await expect(login('x', 'y')).rejects.toMatchObject({ message: '用户名或密码错误', reason: 'INVALID_CREDENTIALS' });
  });

  it('refreshes a minute before the access token expires', async () => {
    vi.useFakeTimers();
    try {
      const { calls } = stubFetch({
        'POST /v1/auth/login': json(200, { accessToken: 'first', expiresIn: 900 }),
        'POST /v1/auth/refresh': json(200, { accessToken: 'second', expiresIn: 900 }),
      });
      await login('demo-unit', 'pw');
      await vi.advanceTimersByTimeAsync(839_000);
      expect(calls.filter((c) => c.path === '/v1/auth/refresh')).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(calls.filter((c) => c.path === '/v1/auth/refresh')).toHaveLength(1);
      expect(getAccessToken()).toBe('second');
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes RFC 4122 v4 idempotency keys without a secure context', () => {
    const k = idempotencyKey();
    expect(k).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(idempotencyKey()).not.toBe(k);
    expect(withIdempotency(k).headers['Idempotency-Key']).toBe(k);
  });
});

describe('errors', () => {
  it('reads reason, localized message, field and precondition violations', () => {
    const e = toApiError(
      400,
      rpcError(9, 'APPLICATION_INCOMPLETE', '申报材料不完整', [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [{ field: 'unit.credit_code', description: '不是有效的统一社会信用代码' }],
        },
        {
          '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
          violations: [{ type: 'MISSING', subject: 'A1/2026-03', description: '未报送' }],
        },
      ]),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe('申报材料不完整');
    expect(e.reason).toBe('APPLICATION_INCOMPLETE');
    expect(e.fieldViolations).toEqual([{ field: 'unit.credit_code', description: '不是有效的统一社会信用代码' }]);
    expect(e.preconditionViolations[0].subject).toBe('A1/2026-03');
  });

  it('falls back to a Chinese text by status without a body', () => {
    expect(toApiError(503, null, '1')).toMatchObject({ message: '服务暂时不可用，请稍后再试', retryAfterSeconds: 1 });
  });

  it('maps snake_case violation paths onto form fields', () => {
    expect(camelField('campaign.review_window.end_time')).toBe('campaign.reviewWindow.endTime');
    const set: unknown[] = [];
    const form = {
      getFieldsValue: () => ({ creditCode: undefined, displayName: 'x' }),
      setFields: (f: unknown[]) => set.push(...f),
    };
    const err = toApiError(
      400,
      rpcError(3, 'INVALID_ARGUMENT', '请求无效', [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [
            { field: 'unit.credit_code', description: '无效' },
            { field: 'unit.region', description: '未知' },
          ],
        },
      ]),
    );
    const rest = applyFieldErrors(form as never, err, { strip: ['unit'] });
    expect(set).toEqual([{ name: ['creditCode'], errors: ['无效'] }]);
    expect(rest).toEqual([{ field: 'unit.region', description: '未知' }]);
  });
});
