import { describe, expect, it } from 'vitest';
import { changedMask, fromValues, toValues } from './campaignForm';

const campaign = {
  id: 'c1',
  displayName: '2026 年度测评',
  year: 2026,
  targetLevel: 'TITLE_LEVEL_DISTRICT' as const,
  applicationWindow: { startTime: '2026-12-02T05:46:35Z', endTime: '2027-01-01T05:46:35Z' },
  quota: { percent: 30 },
  passLine: '80.00',
  reviewersPerApplication: 3,
  eligibility: { lookbackMonths: 24, noTitleRequired: true },
};

describe('campaign form values', () => {
  it('round-trips a campaign', () => {
    const v = toValues(campaign);
    expect(v.quotaMode).toBe('percent');
    expect(v.quotaValue).toBe(30);
    const c = fromValues(v);
    expect(c.quota).toEqual({ percent: 30 });
    expect(c.applicationWindow).toEqual({ startTime: '2026-12-02T05:46:35.000Z', endTime: '2027-01-01T05:46:35.000Z' });
    expect(c.eligibility).toEqual({ noTitleRequired: true, lookbackMonths: 24 });
    expect(c.passLine).toBe('80.00');
  });

  it('sends a count quota, or none', () => {
    expect(fromValues({ ...toValues(campaign), quotaMode: 'count', quotaValue: 0 }).quota).toEqual({ count: 0 });
    expect(fromValues({ ...toValues(campaign), quotaMode: 'none' }).quota).toEqual({});
  });

  it('masks only the fields that changed', () => {
    const before = toValues(campaign);
    expect(changedMask(before, { ...before })).toEqual([]);
    expect(changedMask(before, { ...before, passLine: '85.00', quotaValue: 40 })).toEqual(['quota', 'passLine']);
    expect(changedMask(before, { ...before, noTitleRequired: false })).toEqual(['eligibility']);
    expect(changedMask(before, { ...before, passLine: '' })).toEqual(['passLine']);
  });
});
