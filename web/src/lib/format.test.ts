import { describe, expect, it } from 'vitest';
import {
  charCount,
  deadline,
  formatDate,
  formatDateTime,
  formatDue,
  formatFileSize,
  formatPeriod,
  formatPoints,
  isDecimal2,
  periodOrder,
} from './format';
import { applicationStateLabel, campaignStateLabel, evidenceStateLabel, indicatorKindLabel } from './labels';

describe('formatPoints', () => {
  it('shows two decimals', () => {
    expect(formatPoints('95.5')).toBe('95.50');
    expect(formatPoints('87.50')).toBe('87.50');
    expect(formatPoints('100')).toBe('100.00');
    expect(formatPoints('0.05')).toBe('0.05');
  });
  it('treats absent values as zero (the gateway omits zeros)', () => {
    expect(formatPoints(undefined)).toBe('0.00');
    expect(formatPoints('')).toBe('0.00');
  });
  it('rounds a third decimal half up without floating point', () => {
    expect(formatPoints('1.005')).toBe('1.01');
    expect(formatPoints('2.675')).toBe('2.68');
    expect(formatPoints('-3.004')).toBe('-3.00');
    expect(formatPoints('0.004')).toBe('0.00');
  });
  it('keeps negatives and strips leading zeros', () => {
    expect(formatPoints('-2')).toBe('-2.00');
    expect(formatPoints('007.1')).toBe('7.10');
  });
  it('validates API decimals', () => {
    expect(isDecimal2('87.50')).toBe(true);
    expect(isDecimal2('1e2')).toBe(false);
    expect(isDecimal2('+7')).toBe(false);
    expect(isDecimal2('1.234')).toBe(false);
  });
});

describe('formatPeriod', () => {
  it('names months, quarters and years as the API spells them', () => {
    expect(formatPeriod('2026-03')).toBe('2026年3月');
    expect(formatPeriod('2026-12')).toBe('2026年12月');
    expect(formatPeriod('2026-Q1')).toBe('2026年第一季度');
    expect(formatPeriod('2026-Q4')).toBe('2026年第四季度');
    expect(formatPeriod('2026')).toBe('2026年度');
  });
  it('shows an unknown form as it is', () => {
    expect(formatPeriod('2026-13')).toBe('2026-13');
    expect(formatPeriod('H1')).toBe('H1');
    expect(formatPeriod(undefined)).toBe('');
  });
  it('orders months and quarters before the year', () => {
    const ps = ['2026', '2026-Q2', '2026-03', '2026-Q1', '2026-01'];
    expect([...ps].sort((a, b) => periodOrder(a).localeCompare(periodOrder(b)))).toEqual([
      '2026-01',
      '2026-03',
      '2026-Q1',
      '2026-Q2',
      '2026',
    ]);
  });
});

describe('times in the office time zone', () => {
  it('shows UTC instants in Asia/Shanghai', () => {
    // 2026-04-20 23:59:59 +08:00, the docs' example of a due time.
    expect(formatDateTime('2026-04-20T15:59:59Z')).toBe('2026-04-20 23:59');
    expect(formatDate('2026-04-20T16:00:00Z')).toBe('2026-04-21');
    expect(formatDateTime('2026-04-20T15:59:59Z', 'UTC')).toBe('2026-04-20 15:59');
    expect(formatDateTime(undefined)).toBe('');
  });
  it("shows a window ending at local midnight as the due day's 24:00", () => {
    expect(formatDue('2026-04-20T16:00:00Z')).toBe('2026-04-20 24:00');
    expect(formatDue('2026-04-20T15:59:59Z')).toBe('2026-04-20 23:59');
    expect(formatDue('2027-01-31T05:54:25Z')).toBe('2027-01-31 13:54');
  });
  it('describes how far a deadline is', () => {
    const now = new Date('2026-04-18T00:00:00Z');
    expect(deadline('2026-04-20T15:59:59Z', now)).toEqual({
      text: '2026-04-20 23:59',
      remaining: '还剩 2 天',
      status: 'soon',
    });
    expect(deadline('2026-05-20T15:59:59Z', now).status).toBe('open');
    expect(deadline('2026-04-17T15:59:59Z', now)).toMatchObject({ remaining: '已截止', status: 'overdue' });
    expect(deadline('2026-04-18T05:30:00Z', now).remaining).toBe('还剩 5 小时');
    expect(deadline(undefined, now).status).toBe('none');
  });
});

describe('formatFileSize', () => {
  it('uses binary units and accepts int64 strings', () => {
    expect(formatFileSize(512)).toBe('512 B');
    expect(formatFileSize('1536')).toBe('1.5 KB');
    expect(formatFileSize(50 * 1024 * 1024)).toBe('50.0 MB');
    expect(formatFileSize(2 * 1024 ** 3)).toBe('2 GB');
    expect(formatFileSize(undefined)).toBe('0 B');
  });
});

describe('charCount', () => {
  it('counts characters as the server does (code points)', () => {
    expect(charCount('文明单位')).toBe(4);
    expect(charCount('𠮷a')).toBe(2);
    expect(charCount(undefined)).toBe(0);
  });
});

describe('labels', () => {
  it('names enums in Chinese and shows unknown values plainly', () => {
    expect(applicationStateLabel('APPLICATION_STATE_RETURNED')).toBe('已退回');
    expect(campaignStateLabel('CAMPAIGN_STATE_PUBLICITY')).toBe('公示中');
    expect(indicatorKindLabel('INDICATOR_KIND_VETO')).toBe('一票否决');
    expect(evidenceStateLabel(undefined)).toBe('—');
    expect(applicationStateLabel('APPLICATION_STATE_FUTURE')).toBe('FUTURE');
  });
});
