// Files the API streams (evidence content, XLSX/CSV exports) are fetched with the bearer
// token and handed to the page as Blobs: the token lives only in memory, so a plain link
// (which would need a cookie) cannot fetch them.
import { apiUrl, authFetch } from '../api/client';
import { toApiError } from '../api/errors';
import { getAccessToken } from '../api/session';

export interface FetchedFile {
  blob: Blob;
  name: string;
  contentType: string;
}

// fileNameFrom reads a Content-Disposition's file name, preferring the RFC 5987
// filename*=UTF-8''… form the gateway sends for Chinese names.
export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

export async function fetchFile(
  path: string,
  query: Record<string, string | number | undefined> = {},
  fallbackName = 'download',
): Promise<FetchedFile> {
  const url = new URL(apiUrl(path));
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  const headers = new Headers({ 'Accept-Language': 'zh-CN' });
  const tok = getAccessToken();
  if (tok) headers.set('Authorization', `Bearer ${tok}`);
  const res = await authFetch(new Request(url.toString(), { headers }));
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    throw toApiError(res.status, body, res.headers.get('Retry-After'));
  }
  const blob = await res.blob();
  return {
    blob,
    name: fileNameFrom(res.headers.get('Content-Disposition'), fallbackName),
    contentType: res.headers.get('Content-Type') ?? blob.type,
  };
}

// saveBlob offers a Blob to the browser as a download under name.
export function saveBlob(blob: Blob, name: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export async function downloadFile(
  path: string,
  query: Record<string, string | number | undefined> = {},
  fallbackName = 'download',
): Promise<string> {
  const f = await fetchFile(path, query, fallbackName);
  saveBlob(f.blob, f.name);
  return f.name;
}

/** saveStoredFile downloads an evidence file under the name it was uploaded with. */
export async function saveStoredFile(fileId: string, name: string): Promise<void> {
  const f = await fetchFile(`/v1/files/${encodeURIComponent(fileId)}/content`, {}, name || 'file');
  saveBlob(f.blob, name || f.name);
}
