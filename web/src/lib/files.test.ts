import { afterEach, describe, expect, it, vi } from 'vitest';
import { setTokenForTest } from '../api/session';
import { downloadFile, fetchFile, fileNameFrom, saveStoredFile } from './files';

afterEach(() => setTokenForTest(null));

describe('fileNameFrom', () => {
  it('prefers the UTF-8 name of a Content-Disposition', () => {
    expect(fileNameFrom(`attachment; filename="ranking.xlsx"; filename*=UTF-8''%E6%8E%92%E5%90%8D.xlsx`, 'x')).toBe('排名.xlsx');
    expect(fileNameFrom('attachment; filename="a.csv"', 'x')).toBe('a.csv');
    expect(fileNameFrom(null, 'x')).toBe('x');
  });
});

describe('fetchFile', () => {
  it('fetches with the bearer token, never relying on a cookie', async () => {
    setTokenForTest('tok');
    const fetch = vi.fn(async (r: Request) => {
      expect(r.headers.get('Authorization')).toBe('Bearer tok');
      expect(new URL(r.url).search).toBe('?year=2026&format=EXPORT_FORMAT_CSV');
      return new Response('a,b', { status: 200, headers: { 'Content-Type': 'text/csv', 'Content-Disposition': "attachment; filename*=UTF-8''%E6%B1%87%E6%80%BB.csv" } });
    });
    vi.stubGlobal('fetch', fetch);
    const f = await fetchFile('/v1/offices/o1/summary:export', { year: 2026, format: 'EXPORT_FORMAT_CSV', targetLevel: undefined });
    expect(f.name).toBe('汇总.csv');
    expect(await f.blob.text()).toBe('a,b');
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('turns an error body into the localized message', async () => {
    setTokenForTest('tok');
    vi.stubGlobal('fetch', async () =>
      new Response(JSON.stringify({ code: 7, message: 'denied', details: [{ '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'zh-CN', message: '无权导出' }] }), {
        status: 403,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    await expect(fetchFile('/v1/campaigns/c1/ranking:export')).rejects.toThrow('无权导出');
  });

  // saving captures what the page offers the browser as a download.
  async function saving(run: () => Promise<unknown>): Promise<string[]> {
    const saved = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
    URL.createObjectURL = vi.fn((b: Blob) => (b.size === 1 ? 'blob:1' : ''));
    URL.revokeObjectURL = vi.fn();
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(`${this.download} ${this.href}`);
    });
    try {
      await run();
      return clicked;
    } finally {
      URL.createObjectURL = saved.create;
      URL.revokeObjectURL = saved.revoke;
    }
  }

  it('saves the blob under its name', async () => {
    setTokenForTest('tok');
    vi.stubGlobal('fetch', async () => new Response('x', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="r.xlsx"' } }));
    const clicked = await saving(async () => expect(await downloadFile('/v1/campaigns/c1/ranking:export')).toBe('r.xlsx'));
    expect(clicked).toEqual(['r.xlsx blob:1']);
  });

  it('saves an evidence file under the name it was uploaded with', async () => {
    setTokenForTest('tok');
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (r: Request) => {
      urls.push(`${new URL(r.url).pathname} ${r.headers.get('Authorization')}`);
      return new Response('x', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="blob"' } });
    });
    const clicked = await saving(() => saveStoredFile('f/1', '志愿服务台账.pdf'));
    expect(urls).toEqual(['/v1/files/f%2F1/content Bearer tok']);
    expect(clicked).toEqual(['志愿服务台账.pdf blob:1']);
  });
});
