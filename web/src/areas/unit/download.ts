import { apiUrl, authFetch } from '../../api/client';
import { toApiError } from '../../api/errors';
import { getAccessToken } from '../../api/session';

/**
 * downloadFile fetches a file with the bearer token (a plain link cannot carry it) and
 * hands it to the browser as a download under its stored name.
 */
export async function downloadFile(fileId: string, name: string): Promise<void> {
  const req = new Request(apiUrl(`/v1/files/${encodeURIComponent(fileId)}/content`), {
    headers: { Authorization: `Bearer ${getAccessToken() ?? ''}`, 'Accept-Language': 'zh-CN' },
  });
  const res = await authFetch(req);
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    throw toApiError(res.status, body);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name || 'file';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
