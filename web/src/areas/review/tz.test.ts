import { describe, expect, it } from 'vitest';
import { dayjs } from '../../lib/format';
import { fromWall, toWall } from './tz';

describe('office wall-clock times', () => {
  it('reads a picked time in the office’s zone', () => {
    expect(fromWall(dayjs('2026-12-25 18:00:00'), 'Asia/Shanghai')).toBe('2026-12-25T10:00:00.000Z');
    expect(fromWall(dayjs('2026-12-25 18:00:00'), 'Europe/London')).toBe('2026-12-25T18:00:00.000Z');
    expect(fromWall(dayjs('2026-12-25 18:00:00'))).toBe('2026-12-25T10:00:00.000Z');
  });
  it('shows an instant on the office’s wall clock and round-trips', () => {
    const w = toWall('2026-12-25T10:00:00Z', 'Asia/Shanghai')!;
    expect(w.format('YYYY-MM-DD HH:mm')).toBe('2026-12-25 18:00');
    expect(fromWall(w, 'Asia/Shanghai')).toBe('2026-12-25T10:00:00.000Z');
    expect(toWall(undefined)).toBeNull();
  });
});
