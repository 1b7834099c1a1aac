import type { components } from '../../api/schema';

export type Quota = components['schemas']['v1Quota'];

export interface RankedRow {
  applicationId?: string;
  total?: string;
  vetoed?: boolean;
}

function hundredths(s: string | undefined): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec((s ?? '').trim());
  if (!m) return 0;
  const v = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -v : v;
}

// quotaSlots is how many applications a quota recommends: a count, or a percentage
// (rounded down) of every application the campaign ranks, with a result or not
// (services/review/rank.go counts results plus applications still open).
export function quotaSlots(quota: Quota | undefined, base: number): number {
  if (!quota) return 0;
  if (quota.count !== undefined && quota.count !== null) return Math.max(0, quota.count);
  if (quota.percent) return Math.floor((quota.percent * base) / 100);
  return 0;
}

// recommendPreview mirrors what moving the campaign to RANKED will decide (docs/scoring.md):
// in ranking order, the best non-vetoed results at or above the pass line, up to the
// quota's slots. Rows must be the whole campaign's ranking, unfiltered, in ranking order.
export function recommendPreview(rows: RankedRow[], slots: number, passLine?: string): Set<string> {
  const out = new Set<string>();
  const pass = passLine ? hundredths(passLine) : null;
  for (const r of rows) {
    if (out.size >= slots) break;
    if (r.vetoed) continue;
    if (pass !== null && hundredths(r.total) < pass) continue;
    out.add(r.applicationId ?? '');
  }
  return out;
}

export function describeQuota(quota: Quota | undefined): string {
  if (!quota) return '未设名额';
  if (quota.count !== undefined && quota.count !== null) return `${quota.count} 个`;
  if (quota.percent) return `${quota.percent}%`;
  return '未设名额';
}
