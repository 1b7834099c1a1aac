// Date pickers show and take wall-clock times in the browser's zone; deadlines belong to
// the office's zone (Asia/Shanghai unless the office says otherwise). These convert between
// an instant and the office's wall clock, so a deadline picked as 18:00 means 18:00 at the
// office whatever zone the browser is in.
import type { Dayjs } from 'dayjs';
import { DEFAULT_TIME_ZONE, dayjs } from '../../lib/format';

const WALL = 'YYYY-MM-DD HH:mm:ss';

/** The instant (RFC 3339, UTC) of a picked wall-clock time in the office's zone. */
export function fromWall(d: Dayjs, tz?: string): string {
  return dayjs.tz(d.format(WALL), tz || DEFAULT_TIME_ZONE).toISOString();
}

/** An instant as a picker value showing the office's wall-clock time. */
export function toWall(iso: string | undefined, tz?: string): Dayjs | null {
  if (!iso) return null;
  const d = dayjs(iso);
  return d.isValid() ? dayjs(d.tz(tz || DEFAULT_TIME_ZONE).format(WALL)) : null;
}
