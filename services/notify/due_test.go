package notify

import (
	"testing"
	"time"
)

// TestDue pins when a deadline's reminders fall: 09:00 in the office's zone on their day,
// the latest before-reminder passed winning, an overdue one for a day only.
func TestDue(t *testing.T) {
	sh := time.FixedZone("Asia/Shanghai", 8*3600)
	deadline := time.Date(2026, 5, 20, 18, 0, 0, 0, sh)
	before, after := []int{7, 1}, []int{1, 3}
	for _, c := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 5, 13, 8, 59, 0, 0, sh), 0},   // a minute before the week's reminder
		{time.Date(2026, 5, 13, 9, 0, 0, 0, sh), -7},   // the week's
		{time.Date(2026, 5, 19, 8, 0, 0, 0, sh), -7},   // still the week's (already sent: its key)
		{time.Date(2026, 5, 19, 9, 0, 0, 0, sh), -1},   // the day before's
		{time.Date(2026, 5, 20, 17, 59, 0, 0, sh), -1}, // up to the deadline
		{time.Date(2026, 5, 20, 18, 0, 0, 0, sh), 0},   // the deadline itself: nothing due
		{time.Date(2026, 5, 21, 9, 0, 0, 0, sh), 1},    // the day after
		{time.Date(2026, 5, 22, 8, 59, 0, 0, sh), 1},   // for a day
		{time.Date(2026, 5, 22, 9, 0, 0, 0, sh), 0},    // then nothing until the third day
		{time.Date(2026, 5, 23, 9, 30, 0, 0, sh), 3},   // three days after
		{time.Date(2026, 5, 25, 9, 0, 0, 0, sh), 0},    // stale: never sent late
		// The same instant in UTC: the days are the office's, not the server's.
		{time.Date(2026, 5, 13, 1, 0, 0, 0, time.UTC), -7},
	} {
		if got := due(deadline, c.now, sh, before, after); got != c.want {
			t.Errorf("due at %v = %d, want %d", c.now, got, c.want)
		}
	}
}
