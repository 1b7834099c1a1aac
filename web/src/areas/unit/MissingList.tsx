import { Alert, Typography } from 'antd';
import { ItemList } from '../../lib/ItemList';
import { Link } from 'react-router';
import { ApiError } from '../../api/errors';
import { formatPeriod } from '../../lib/format';

export interface MissingItem {
  code: string;
  period: string;
  what: string[];
}

/**
 * missingItems reads what a refused submission lists: PreconditionFailure violations whose
 * subject is "code/period" (docs/evidence.md), grouped by item in the server's order, and
 * field violations as items of their own.
 */
export function missingItems(err: ApiError): MissingItem[] {
  const byKey = new Map<string, MissingItem>();
  for (const v of err.preconditionViolations) {
    const i = v.subject.lastIndexOf('/');
    const code = i >= 0 ? v.subject.slice(0, i) : v.subject;
    const period = i >= 0 ? v.subject.slice(i + 1) : '';
    const k = `${code}/${period}`;
    const item = byKey.get(k) ?? { code, period, what: [] };
    if (v.description) item.what.push(v.description);
    byKey.set(k, item);
  }
  for (const v of err.fieldViolations) {
    byKey.set(`field:${v.field}`, { code: v.field, period: '', what: [v.description] });
  }
  return [...byKey.values()];
}

/** MissingList shows a refused submission: the server's message and every item it lists. */
export function MissingList({
  error,
  applicationId,
  titles = {},
  hint,
}: {
  error: ApiError;
  applicationId: string;
  titles?: Record<string, string>;
  hint?: string;
}) {
  const items = missingItems(error);
  return (
    <Alert
      type="error"
      showIcon
      title={error.message}
      description={
        items.length > 0 ? (
          <>
            {hint && (
              <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
                {hint}
              </Typography.Paragraph>
            )}
            <ItemList
              aria-label="尚缺材料"
              items={items}
              rowKey={(it) => `${it.code}/${it.period}`}
              render={(it) => (
                <div>
                  {it.period ? (
                    <Link
                      to={`/unit/applications/${encodeURIComponent(applicationId)}/evidence/${encodeURIComponent(it.code)}/${encodeURIComponent(it.period)}`}
                    >
                      {it.code} {titles[it.code] ?? ''} · {formatPeriod(it.period)}
                    </Link>
                  ) : (
                    <Typography.Text strong>{titles[it.code] ?? it.code}</Typography.Text>
                  )}
                  <div>
                    <Typography.Text type="secondary">{it.what.join('；')}</Typography.Text>
                  </div>
                </div>
              )}
            />
          </>
        ) : (
          hint
        )
      }
    />
  );
}
