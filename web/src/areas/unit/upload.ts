// Evidence file uploads over XMLHttpRequest, for its upload progress events (fetch has
// none for request bodies). The body is sent raw (PUT, docs/evidence.md "Files"): the name
// percent-encoded in X-File-Name, the browser's type in Content-Type (or none), and one
// Idempotency-Key per file, kept across retries so a retry of an upload that did arrive
// returns the first answer instead of storing the file twice.
import { ApiError, networkError, toApiError } from '../../api/errors';
import { getAccessToken, refresh } from '../../api/session';
import { apiUrl } from '../../api/client';
import type { EvidenceFile } from './api';

export interface UploadOptions {
  applicationId: string;
  file: Blob & { name?: string };
  idempotencyKey: string;
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
}

/** Answers worth sending again: no answer at all, or a fault of the platform. */
export function retryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.reason === 'ABORTED_BY_USER') return false;
  return (
    err.status === 0 ||
    err.status === 502 ||
    err.status === 503 ||
    err.status === 504 ||
    err.reason === 'TRANSACTION_CONFLICT'
  );
}

function sendOnce(o: UploadOptions): Promise<EvidenceFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', apiUrl(`/v1/applications/${encodeURIComponent(o.applicationId)}/files`));
    const tok = getAccessToken();
    if (tok) xhr.setRequestHeader('Authorization', `Bearer ${tok}`);
    xhr.setRequestHeader('Accept-Language', 'zh-CN');
    xhr.setRequestHeader('Idempotency-Key', o.idempotencyKey);
    xhr.setRequestHeader('X-File-Name', encodeURIComponent(o.file.name || 'file'));
    // An empty type declares nothing; the service detects the type from the bytes.
    xhr.setRequestHeader('Content-Type', o.file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) o.onProgress?.(Math.min(99, Math.floor((e.loaded / e.total) * 100)));
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        o.onProgress?.(100);
        resolve((body ?? {}) as EvidenceFile);
      } else {
        reject(toApiError(xhr.status, body, xhr.getResponseHeader('Retry-After')));
      }
    };
    xhr.onerror = () => reject(networkError(new Error('upload failed')));
    xhr.ontimeout = () => reject(networkError(new Error('upload timed out')));
    xhr.onabort = () => reject(new ApiError({ status: 0, message: '已取消上传', reason: 'ABORTED_BY_USER' }));
    if (o.signal) {
      if (o.signal.aborted) {
        reject(new ApiError({ status: 0, message: '已取消上传', reason: 'ABORTED_BY_USER' }));
        return;
      }
      o.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(o.file);
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/**
 * uploadFile sends one file, refreshing the session once after a 401 and sending again
 * (same key) after a fault of the platform, at most `attempts` times in all, waiting a
 * little longer each time (or as long as Retry-After says).
 */
export async function uploadFile(
  o: UploadOptions,
  { attempts = 3, backoffMs = 1000 }: { attempts?: number; backoffMs?: number } = {},
): Promise<EvidenceFile> {
  let refreshed = false;
  for (let i = 1; ; i++) {
    try {
      return await sendOnce(o);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !refreshed) {
        refreshed = true;
        if (await refresh()) {
          i--;
          continue;
        }
      }
      if (i >= attempts || !retryable(err) || o.signal?.aborted) throw err;
      o.onProgress?.(0);
      const wait =
        err instanceof ApiError && err.retryAfterSeconds !== undefined
          ? Math.min(err.retryAfterSeconds * 1000, 30_000)
          : backoffMs * 2 ** (i - 1);
      await sleep(wait, o.signal);
    }
  }
}
