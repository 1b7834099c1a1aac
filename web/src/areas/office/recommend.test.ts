import { describe, expect, it } from 'vitest';
import { describeQuota, quotaSlots, recommendPreview } from './recommend';

// The ranking example of docs/scoring.md: d (vetoed) b c f a e g.
const rows = [
  { applicationId: 'd', total: '95.00', vetoed: true },
  { applicationId: 'b', total: '90.00' },
  { applicationId: 'c', total: '90.00' },
  { applicationId: 'f', total: '90.00' },
  { applicationId: 'a', total: '90.00' },
  { applicationId: 'e', total: '90.00' },
  { applicationId: 'g', total: '70.00' },
];

describe('quotaSlots', () => {
  it('is a count, or a percentage rounded down of every ranked application', () => {
    expect(quotaSlots({ count: 3 }, 7)).toBe(3);
    expect(quotaSlots({ percent: 50 }, 7)).toBe(3);
    expect(quotaSlots({ percent: 30 }, 10)).toBe(3);
    expect(quotaSlots({ percent: 100 }, 7)).toBe(7);
    expect(quotaSlots({ count: 0 }, 7)).toBe(0);
    expect(quotaSlots({}, 7)).toBe(0);
    expect(quotaSlots(undefined, 7)).toBe(0);
  });
});

describe('recommendPreview', () => {
  it('picks the best non-vetoed results at or above the pass line, up to the quota', () => {
    expect([...recommendPreview(rows, 3, '80.00')]).toEqual(['b', 'c', 'f']);
    expect([...recommendPreview(rows, 3, '90.00')]).toEqual(['b', 'c', 'f']);
    expect([...recommendPreview(rows, 3)]).toEqual(['b', 'c', 'f']);
  });
  it('recommends nobody when only a vetoed result reaches the pass line', () => {
    expect(recommendPreview(rows, 3, '90.01').size).toBe(0);
  });
  it('recommends every non-vetoed result with 100 % and nobody with no quota', () => {
    expect([...recommendPreview(rows, quotaSlots({ percent: 100 }, 7))]).toEqual(['b', 'c', 'f', 'a', 'e', 'g']);
    expect(recommendPreview(rows, quotaSlots({}, 7)).size).toBe(0);
  });
  it('does not let results below the pass line fill the quota', () => {
    expect([...recommendPreview(rows, 10, '85.00')]).toEqual(['b', 'c', 'f', 'a', 'e']);
  });
});

describe('describeQuota', () => {
  it('names a count or a percentage', () => {
    expect(describeQuota({ count: 5 })).toBe('5 个');
    expect(describeQuota({ percent: 30 })).toBe('30%');
    expect(describeQuota({})).toBe('未设名额');
  });
});
