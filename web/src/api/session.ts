// The console's session (docs/console.md "Sessions"): the access token lives in this
// module's memory only; the refresh token is an HttpOnly cookie the gateway sets when a
// request carries X-Wenming-Session: cookie, so no script can read it. A page load asks
// for a new access token with the cookie (silent refresh); a timer asks again shortly
// before the token expires, and a 401 asks once before giving up.
import type { components } from './schema';
import { networkError, toApiError } from './errors';

type TokenResponse = components['schemas']['v1TokenResponse'];

const SESSION_HEADER = { 'X-Wenming-Session': 'cookie' } as const;
/** Refresh this long before the token expires, so a request never races expiry. */
const REFRESH_MARGIN_MS = 60_000;
/**
 * How long a refresh may take before the tab gives up on it: it holds the tabs' lock, and
 * one that hung would hold every other tab. Longer than the server's own 30 s deadline, so
 * an answer the server still sends (with the rotated cookie) is not thrown away.
 */
const REFRESH_TIMEOUT_MS = 60_000;
/** Signing out waits this long at most for the server before it forgets the token anyway. */
const LOGOUT_TIMEOUT_MS = 10_000;

let accessToken: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inflight: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function isSignedIn(): boolean {
  return accessToken !== null;
}

/** onSessionChange calls fn whenever the caller signs in or out (incl. expiry). */
export function onSessionChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setToken(tok: TokenResponse | null) {
  clearTimeout(refreshTimer);
  refreshTimer = undefined;
  const was = accessToken;
  accessToken = tok?.accessToken || null;
  if (accessToken && tok?.expiresIn) {
    const ms = Math.max(5_000, tok.expiresIn * 1000 - REFRESH_MARGIN_MS);
    refreshTimer = setTimeout(() => void refresh(), ms);
  }
  if (was !== accessToken) listeners.forEach((fn) => fn());
}

async function authPost(path: string, body: unknown, bearer?: string | null, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Accept-Language': 'zh-CN',
    ...SESSION_HEADER,
  };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  try {
    return await globalThis.fetch(path, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    throw networkError(e);
  }
}

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/** login signs in with a login and password; it throws an ApiError on refusal. */
export async function login(loginName: string, password: string): Promise<void> {
  // Under the tabs' lock: another tab's refresh answering after this login would put its
  // session's cookie back over the new one.
  const res = await oneTabAtATime(() => authPost('/v1/auth/login', { login: loginName, password }));
  const body = await readJson(res);
  if (!res.ok) throw toApiError(res.status, body, res.headers.get('Retry-After'));
  setToken(body as TokenResponse);
}

/**
 * oneTabAtATime runs fn while no other tab of this browser is refreshing. The tabs share
 * the refresh cookie: two refreshing at once (a browser restoring its tabs, a reload in
 * two windows) would present the same token twice, which the server takes for theft and
 * answers by ending the session everywhere. Under the lock each tab sends the cookie as
 * the previous one left it. Web Locks exist in secure contexts (TLS, or localhost); on
 * plain HTTP elsewhere the tabs go unguarded.
 */
async function oneTabAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return fn();
  let ran = false;
  try {
    return (await locks.request('wenming-refresh', () => {
      ran = true;
      return fn();
    })) as T;
  } catch (e) {
    // The lock itself refused (an opaque origin, a document being unloaded): go unguarded.
    if (ran) throw e;
    return fn();
  }
}

/**
 * refresh asks for a new access token with the refresh cookie. Concurrent callers share
 * one request: the gateway rotates the refresh token, and presenting a rotated one again
 * would revoke the whole family. It resolves to whether the caller is signed in.
 */
export function refresh(): Promise<boolean> {
  if (!inflight) {
    inflight = oneTabAtATime(async () => {
      try {
        const res = await authPost('/v1/auth/refresh', {}, null, AbortSignal.timeout(REFRESH_TIMEOUT_MS));
        const body = await readJson(res);
        if (res.ok) {
          setToken(body as TokenResponse);
          return true;
        }
        // 401 means no (valid) cookie: signed out. Anything else (a restart, a network
        // failure) keeps the token we have, which may still be good.
        if (res.status === 401 || res.status === 400) setToken(null);
        return accessToken !== null;
      } catch {
        return accessToken !== null;
      }
    }).finally(() => {
      inflight = null;
    });
  }
  return inflight;
}

/** restoreSession is the silent refresh on page load. */
export function restoreSession(): Promise<boolean> {
  return refresh();
}

/**
 * logout ends the session on the server (best effort), then forgets the token. In that
 * order: the page leaves for the login form as soon as the token is gone, and a reload
 * before the server had cleared the cookie would have restored the session.
 */
export async function logout(): Promise<void> {
  try {
    await oneTabAtATime(() => authPost('/v1/auth/logout', {}, accessToken, AbortSignal.timeout(LOGOUT_TIMEOUT_MS)));
  } catch {
    // Signed out locally either way; the cookie expires with its family.
  }
  setToken(null);
}

/** expire forgets the token after the server refused it and a refresh failed. */
export function expire(): void {
  setToken(null);
}

/** For tests: start from a known token without a login round trip. */
export function setTokenForTest(token: string | null): void {
  setToken(token ? { accessToken: token } : null);
}
