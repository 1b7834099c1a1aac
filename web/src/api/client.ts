// The typed API client. Every request carries the in-memory access token and asks for
// Chinese messages; a 401 triggers one refresh (shared by all requests that met it) and
// one retry, then the session ends and the app shows the login page.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import { ApiError, networkError, toApiError } from './errors';
import { expire, getAccessToken, refresh } from './session';

const headers: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', 'zh-CN');
    const tok = getAccessToken();
    if (tok && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${tok}`);
    }
    return request;
  },
};

const authRoutes = new Set(['/v1/auth/login', '/v1/auth/refresh', '/v1/auth/logout']);

function isAuthRoute(url: string): boolean {
  return authRoutes.has(new URL(url, baseUrl()).pathname);
}

/**
 * authFetch sends a request, and after a 401 refreshes the session once and sends a copy
 * of the request with the new token. Network failures become ApiErrors.
 */
export async function authFetch(request: Request): Promise<Response> {
  const copy = request.clone();
  let res: Response;
  try {
    res = await globalThis.fetch(request);
  } catch (e) {
    throw networkError(e);
  }
  if (res.status !== 401 || isAuthRoute(request.url) || !request.headers.has('Authorization')) {
    return res;
  }
  if (!(await refresh())) {
    expire();
    return res;
  }
  copy.headers.set('Authorization', `Bearer ${getAccessToken()}`);
  try {
    res = await globalThis.fetch(copy);
  } catch (e) {
    throw networkError(e);
  }
  if (res.status === 401) expire();
  return res;
}

function baseUrl(): string {
  const origin = globalThis.location?.origin;
  return origin && origin !== 'null' ? origin : 'http://localhost';
}

export const api = createClient<paths>({
  baseUrl: baseUrl(),
  // A function, not globalThis.fetch itself: openapi-fetch keeps the function it is given,
  // and tests stub globalThis.fetch after this module loaded.
  fetch: (r) => authFetch(r),
});
api.use(headers);

/** unwrap returns an answer's data, or throws its error as an ApiError. */
export function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error !== undefined || !r.response.ok) {
    throw toApiError(r.response.status, r.error, r.response.headers.get('Retry-After'));
  }
  return (r.data ?? {}) as T;
}

/**
 * idempotencyKey makes a key for one create. crypto.randomUUID needs a secure context,
 * which a console on plain http inside a closed network is not; getRandomValues is not
 * restricted that way.
 */
export function idempotencyKey(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Request options that send an Idempotency-Key (for creates and submissions). */
export function withIdempotency(key: string): { headers: Record<string, string> } {
  return { headers: { 'Idempotency-Key': key } };
}

/** apiUrl is the absolute URL of an API path, for links and XHR uploads. */
export function apiUrl(path: string): string {
  return new URL(path, baseUrl()).toString();
}

export { ApiError };
