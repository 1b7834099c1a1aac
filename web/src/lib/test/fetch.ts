// A stub of globalThis.fetch for tests: routes by method and path, records calls.
import { vi } from 'vitest';

export interface Call {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (call: Call) => { status?: number; body?: unknown; headers?: Record<string, string> } | undefined;

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return { status, body, headers };
}

/** stubFetch installs routes "METHOD /path" (path without query; * matches a segment). */
export function stubFetch(routes: Record<string, Handler | ReturnType<typeof json>>) {
  const calls: Call[] = [];
  const compiled = Object.entries(routes).map(([k, h]) => {
    const [method, path] = k.split(' ');
    const re = new RegExp('^' + path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+') + '$');
    return { method, re, h };
  });
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(req.url, 'http://localhost:5173');
    const text = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    const call = { method: req.method, path: url.pathname, headers: req.headers, body };
    calls.push(call);
    const route = compiled.find((r) => r.method === req.method && r.re.test(url.pathname));
    const out = route ? (typeof route.h === 'function' ? route.h(call) : route.h) : undefined;
    if (!out) {
      return new Response(JSON.stringify({ code: 5, message: 'not found' }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const status = out.status ?? 200;
    return new Response(out.body === undefined || status === 204 ? null : JSON.stringify(out.body), {
      status,
      headers: { 'Content-Type': 'application/json', ...(out.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fn);
  return { calls, fn };
}

/** An error body as the gateway sends it (docs/errors.md). */
export function rpcError(code: number, reason: string, message: string, extra: Record<string, unknown>[] = []) {
  return {
    code,
    message,
    details: [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'wenming' },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'zh-CN', message },
      ...extra,
    ],
  };
}
