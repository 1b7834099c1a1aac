// Formatting of what the API sends: points as decimal strings, reporting periods, times
// in the office's time zone, file sizes. Every input may be absent (the gateway omits
// zero values), so every function has a sensible answer for undefined.
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('zh-cn');

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/**
 * formatPoints shows a decimal string ("95.5", "87.50", absent = 0) with exactly two
 * decimals. It works on the digits, not on floating point, so "0.005" style inputs never
 * round differently from the server.
 */
export function formatPoints(v: string | number | undefined | null): string {
  if (v === undefined || v === null || v === '') return '0.00';
  const s = String(v).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m) return s;
  const sign = m[1] === '-' ? '-' : '';
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '');
  const frac = m[3] ?? '';
  if (frac.length <= 2) return `${sign}${int}.${frac.padEnd(2, '0')}`;
  // More than two places: round half up on the third digit.
  const cents = BigInt(int + frac.slice(0, 2)) + (Number(frac[2]) >= 5 ? 1n : 0n);
  const c = cents.toString().padStart(3, '0');
  const out = `${c.slice(0, -2)}.${c.slice(-2)}`;
  return out === '0.00' ? out : sign + out;
}

/** Whether s is a decimal the API accepts for points and measured values. */
export function isDecimal2(s: string): boolean {
  return /^\d+(\.\d{1,2})?$/.test(s.trim());
}

const quarterNames = ['第一季度', '第二季度', '第三季度', '第四季度'];

/**
 * formatPeriod names a reporting period as the API spells it (docs/evidence.md): "2026"
 * (annual), "2026-Q1" … "2026-Q4", "2026-01" … "2026-12". Anything else is shown as is.
 */
export function formatPeriod(p: string | undefined): string {
  if (!p) return '';
  let m = /^(\d{4})$/.exec(p);
  if (m) return `${m[1]}年度`;
  m = /^(\d{4})-Q([1-4])$/.exec(p);
  if (m) return `${m[1]}年${quarterNames[Number(m[2]) - 1]}`;
  m = /^(\d{4})-(\d{2})$/.exec(p);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}年${Number(m[2])}月`;
  return p;
}

/** Sort key of a period: annual after its months and quarters of the same year. */
export function periodOrder(p: string | undefined): string {
  if (!p) return '';
  if (/^\d{4}$/.test(p)) return `${p}-Z`;
  const q = /^(\d{4})-Q([1-4])$/.exec(p);
  if (q) return `${q[1]}-${String(Number(q[2]) * 3).padStart(2, '0')}~`;
  return p;
}

/** formatDateTime shows an RFC 3339 time in the zone, "2026-04-20 23:59". */
export function formatDateTime(t: string | undefined, tz: string = DEFAULT_TIME_ZONE): string {
  if (!t) return '';
  const d = dayjs(t);
  return d.isValid() ? d.tz(tz || DEFAULT_TIME_ZONE).format('YYYY-MM-DD HH:mm') : '';
}

/** formatDate shows the day of an RFC 3339 time in the zone. */
export function formatDate(t: string | undefined, tz: string = DEFAULT_TIME_ZONE): string {
  if (!t) return '';
  const d = dayjs(t);
  return d.isValid() ? d.tz(tz || DEFAULT_TIME_ZONE).format('YYYY-MM-DD') : '';
}

/**
 * formatDue shows a due time. A window that ends at local midnight ends with the day
 * before (docs/evidence.md: on time until 23:59:59 of the due day), so it reads as that
 * day's 24:00, as official notices write it, rather than as the next day's 00:00.
 */
export function formatDue(t: string | undefined, tz: string = DEFAULT_TIME_ZONE): string {
  if (!t) return '';
  const d = dayjs(t);
  if (!d.isValid()) return '';
  const local = d.tz(tz || DEFAULT_TIME_ZONE);
  if (local.hour() === 0 && local.minute() === 0 && local.second() === 0) {
    return `${local.subtract(1, 'day').format('YYYY-MM-DD')} 24:00`;
  }
  return local.format('YYYY-MM-DD HH:mm');
}

export type DeadlineStatus = 'none' | 'overdue' | 'soon' | 'open';

/**
 * deadline describes a due time for a person: the local time in the office's zone and how
 * far away it is ("还剩 3 天", "已截止"). soon is within 3 days.
 */
export function deadline(
  due: string | undefined,
  now: Date = new Date(),
  tz: string = DEFAULT_TIME_ZONE,
): { text: string; remaining: string; status: DeadlineStatus } {
  if (!due || !dayjs(due).isValid()) return { text: '', remaining: '', status: 'none' };
  const d = dayjs(due);
  const text = formatDue(due, tz);
  const ms = d.valueOf() - now.getTime();
  if (ms < 0) return { text, remaining: '已截止', status: 'overdue' };
  const hours = Math.floor(ms / 3_600_000);
  const remaining =
    hours < 24 ? (hours < 1 ? '不足 1 小时' : `还剩 ${hours} 小时`) : `还剩 ${Math.floor(hours / 24)} 天`;
  return { text, remaining, status: ms <= 3 * 86_400_000 ? 'soon' : 'open' };
}

/** formatFileSize shows bytes (int64 arrives as a string) as "1.5 MB". */
export function formatFileSize(v: number | string | undefined): string {
  const n = Number(v ?? 0);
  if (!Number.isFinite(n) || n < 0) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let x = n / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2).replace(/\.?0+$/, '')} ${units[i]}`;
}

/** The number of characters as the API counts them (code points, not UTF-16 units). */
export function charCount(s: string | undefined): number {
  return s ? Array.from(s).length : 0;
}

export { dayjs };
