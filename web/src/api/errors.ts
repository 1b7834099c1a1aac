// Errors of the API are google.rpc.Status in JSON (docs/errors.md). The console decides
// from the ErrorInfo reason, shows the LocalizedMessage (zh-CN, asked for by every
// request), and puts BadRequest field violations next to the fields they name.
import type { FormInstance } from 'antd';

export interface FieldViolation {
  field: string;
  description: string;
}

export interface PreconditionViolation {
  type: string;
  subject: string;
  description: string;
}

interface Detail {
  '@type'?: string;
  reason?: string;
  metadata?: Record<string, string>;
  locale?: string;
  message?: string;
  fieldViolations?: { field?: string; description?: string }[];
  violations?: { type?: string; subject?: string; description?: string }[];
  retryDelay?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  readonly reason: string;
  readonly metadata: Record<string, string>;
  readonly fieldViolations: FieldViolation[];
  readonly preconditionViolations: PreconditionViolation[];
  readonly retryAfterSeconds?: number;

  constructor(init: {
    status: number;
    code?: number;
    message: string;
    reason?: string;
    metadata?: Record<string, string>;
    fieldViolations?: FieldViolation[];
    preconditionViolations?: PreconditionViolation[];
    retryAfterSeconds?: number;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.metadata = init.metadata ?? {};
    this.fieldViolations = init.fieldViolations ?? [];
    this.preconditionViolations = init.preconditionViolations ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The etag the caller sent is stale: reload before writing again. */
  get isConflict(): boolean {
    return this.reason === 'ETAG_MISMATCH' || this.status === 412;
  }
}

const statusText: Record<number, string> = {
  400: '请求无效',
  401: '登录已失效，请重新登录',
  403: '没有权限执行此操作',
  404: '未找到，或无权查看',
  409: '数据已被他人修改，请刷新后重试',
  413: '文件过大',
  415: '文件类型不被接受',
  429: '操作过于频繁，请稍后再试',
  500: '服务器内部错误',
  502: '服务暂时不可用，请稍后再试',
  503: '服务暂时不可用，请稍后再试',
  504: '请求超时，请稍后再试',
};

/** toApiError reads an error body (already parsed JSON, or text) into an ApiError. */
export function toApiError(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const fallback = statusText[status] ?? `请求失败（${status}）`;
  if (!body || typeof body !== 'object') {
    return new ApiError({ status, message: fallback, retryAfterSeconds: parseRetry(retryAfter) });
  }
  const b = body as { code?: number; message?: string; details?: Detail[] };
  let reason = '';
  let metadata: Record<string, string> = {};
  let localized = '';
  const fields: FieldViolation[] = [];
  const pre: PreconditionViolation[] = [];
  let retry = parseRetry(retryAfter);
  for (const d of Array.isArray(b.details) ? b.details : []) {
    const t = d['@type'] ?? '';
    if (t.endsWith('google.rpc.ErrorInfo')) {
      reason = d.reason ?? '';
      metadata = d.metadata ?? {};
    } else if (t.endsWith('google.rpc.LocalizedMessage')) {
      localized = d.message ?? '';
    } else if (t.endsWith('google.rpc.BadRequest')) {
      for (const v of d.fieldViolations ?? []) {
        fields.push({ field: v.field ?? '', description: v.description ?? '' });
      }
    } else if (t.endsWith('google.rpc.PreconditionFailure')) {
      for (const v of d.violations ?? []) {
        pre.push({ type: v.type ?? '', subject: v.subject ?? '', description: v.description ?? '' });
      }
    } else if (t.endsWith('google.rpc.RetryInfo') && retry === undefined) {
      retry = parseRetry(d.retryDelay?.replace(/s$/, ''));
    }
  }
  return new ApiError({
    status,
    code: b.code,
    message: localized || b.message || fallback,
    reason,
    metadata,
    fieldViolations: fields,
    preconditionViolations: pre,
    retryAfterSeconds: retry,
  });
}

function parseRetry(v?: string | null): number | undefined {
  if (!v) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** A network failure (no answer at all) as an ApiError, so callers handle one type. */
export function networkError(cause: unknown): ApiError {
  const e = new ApiError({ status: 0, message: '网络连接失败，请检查网络后重试', reason: 'NETWORK' });
  (e as { cause?: unknown }).cause = cause;
  return e;
}

/** errorMessage is what to show a person for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return '操作失败，请重试';
}

/** snake_case path elements to the lowerCamelCase names the forms use. */
export function camelField(path: string): string {
  return path
    .split('.')
    .map((p) => p.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    .join('.');
}

/**
 * applyFieldErrors puts the error's field violations on the form's fields. A violation's
 * field is a request path such as "draft.narrative" or "unit.credit_code"; strip drops a
 * leading resource name, and map renames what is left. It returns the violations that
 * matched no field of the form, for the caller to show elsewhere.
 */
export function applyFieldErrors(
  form: FormInstance,
  err: unknown,
  opts: { strip?: string[]; map?: Record<string, string | (string | number)[]> } = {},
): FieldViolation[] {
  if (!(err instanceof ApiError)) return [];
  const known = new Set([
    ...Object.keys((form.getFieldsValue() ?? {}) as Record<string, unknown>),
    ...Object.keys((form.getFieldsValue(true) ?? {}) as Record<string, unknown>),
  ]);
  const unmatched: FieldViolation[] = [];
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const v of err.fieldViolations) {
    let f = camelField(v.field);
    for (const prefix of opts.strip ?? []) {
      if (f.startsWith(prefix + '.')) f = f.slice(prefix.length + 1);
    }
    // "fileIds[1]" is the second file of the fileIds field: a form field holds the list.
    const bare = f.replace(/\[\d+\]/g, '');
    const mapped = opts.map?.[f] ?? opts.map?.[v.field] ?? opts.map?.[bare];
    const name: (string | number)[] = mapped
      ? Array.isArray(mapped)
        ? mapped
        : mapped.split('.')
      : f.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p.replace(/\[(\d+)\]$/, '')));
    if (!mapped && !known.has(String(name[0]))) {
      unmatched.push(v);
      continue;
    }
    const key = name.join('.');
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(v.description);
    byField.set(key, entry);
  }
  form.setFields([...byField.values()].map((e) => ({ name: e.name, errors: e.errors })));
  return unmatched;
}
