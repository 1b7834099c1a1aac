// A stand-in for XMLHttpRequest: each send takes the next scripted answer.
import { vi } from 'vitest';

export type Answer =
  | { status: number; body?: unknown; progress?: number[]; headers?: Record<string, string> }
  | 'network-error';

export class FakeXHR {
  static answers: Answer[] = [];
  static sent: FakeXHR[] = [];
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = '';
  responseHeaders: Record<string, string> = {};
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  getResponseHeader(k: string) {
    return this.responseHeaders[k] ?? null;
  }
  abort() {
    this.onabort?.();
  }
  send(body: unknown) {
    this.body = body;
    FakeXHR.sent.push(this);
    const a = FakeXHR.answers.shift() ?? { status: 500 };
    setTimeout(() => {
      if (a === 'network-error') {
        this.onerror?.();
        return;
      }
      for (const p of a.progress ?? []) this.upload.onprogress?.({ lengthComputable: true, loaded: p, total: 100 });
      this.status = a.status;
      this.responseText = a.body === undefined ? '' : JSON.stringify(a.body);
      this.responseHeaders = a.headers ?? {};
      this.onload?.();
    }, 0);
  }
}

export function installFakeXHR(answers: Answer[]) {
  FakeXHR.answers = [...answers];
  FakeXHR.sent = [];
  vi.stubGlobal('XMLHttpRequest', FakeXHR);
  return FakeXHR;
}
