package periods

import (
	"testing"
	"time"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
)

const (
	annual    = standardsv1.Cadence_CADENCE_ANNUAL
	quarterly = standardsv1.Cadence_CADENCE_QUARTERLY
	monthly   = standardsv1.Cadence_CADENCE_MONTHLY
)

func TestParse(t *testing.T) {
	good := []struct {
		in      string
		cadence standardsv1.Cadence
		index   int
	}{
		{"2026", annual, 0}, {"2026-Q1", quarterly, 1}, {"2026-Q4", quarterly, 4},
		{"2026-01", monthly, 1}, {"2026-12", monthly, 12}, {"2026-09", monthly, 9},
	}
	for _, c := range good {
		p, err := Parse(c.in, c.cadence, 2026)
		if err != nil || p.Index != c.index || p.String() != c.in {
			t.Errorf("Parse(%q) = %+v, %v", c.in, p, err)
		}
	}
	bad := []struct {
		in      string
		cadence standardsv1.Cadence
	}{
		{"2025", annual}, {"2026-Q1", annual}, {"2026-03", quarterly}, {"2026-Q0", quarterly}, {"2026-Q5", quarterly},
		{"2026-13", monthly}, {"2026-00", monthly}, {"2026-3", monthly}, {"2026-Q1", monthly}, {"2027-01", monthly},
		{"", annual}, {"２０２６", annual}, {"2026 ", annual}, {"2026-1a", monthly}, {"2026", standardsv1.Cadence(9)},
	}
	for _, c := range bad {
		if p, err := Parse(c.in, c.cadence, 2026); err == nil {
			t.Errorf("Parse(%q, %v) = %+v, want an error", c.in, c.cadence, p)
		}
	}
}

// TestWindowEdges: the whole due day counts in the office's time zone, and not a second
// more; the period opens at its first midnight.
func TestWindowEdges(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	inside := func(p Period, due int, deadline *time.Time, now time.Time) bool {
		return !now.Before(p.Start(sh)) && now.Before(p.Due(sh, due, deadline))
	}
	march := Period{Cadence: monthly, Year: 2026, Index: 3}
	for _, c := range []struct {
		now  string
		want bool
	}{
		{"2026-02-28 23:59:59", false}, {"2026-03-01 00:00:00", true},
		{"2026-04-20 23:59:59", true}, {"2026-04-21 00:00:00", false},
	} {
		if got := inside(march, 20, nil, at(c.now)); got != c.want {
			t.Errorf("2026-03 due on the 20th, at %s: inside = %v, want %v", c.now, got, c.want)
		}
	}
	// The same instant in UTC is 16:00 the day before: the office's zone decides.
	if !inside(march, 20, nil, time.Date(2026, 4, 20, 15, 59, 59, 0, time.UTC)) || inside(march, 20, nil, time.Date(2026, 4, 20, 16, 0, 0, 0, time.UTC)) {
		t.Error("the window is not counted in Asia/Shanghai")
	}
	q4 := Period{Cadence: quarterly, Year: 2026, Index: 4}
	if got, want := q4.Due(sh, 10, nil), at("2027-01-11 00:00:00"); !got.Equal(want) {
		t.Errorf("2026-Q4 due day 10 ends at %v, want %v", got, want)
	}
	// Due day 0 is the last day of the following month, leap years included.
	jan := Period{Cadence: monthly, Year: 2028, Index: 1}
	if got, want := jan.Due(sh, 0, nil), at("2028-03-01 00:00:00"); !got.Equal(want) {
		t.Errorf("2028-01 due at month end ends at %v, want %v", got, want)
	}
	deadline := at("2026-11-30 18:00:00")
	year := Period{Cadence: annual, Year: 2026}
	if !inside(year, 20, &deadline, at("2026-11-30 17:59:59")) || inside(year, 20, &deadline, deadline) {
		t.Error("an annual period is due at the campaign's submission deadline")
	}
}

func TestAll(t *testing.T) {
	for _, c := range []struct {
		cadence standardsv1.Cadence
		n       int
		last    string
	}{{annual, 1, "2026"}, {quarterly, 4, "2026-Q4"}, {monthly, 12, "2026-12"}} {
		ps := All(c.cadence, 2026)
		if len(ps) != c.n || ps[len(ps)-1].String() != c.last {
			t.Errorf("All(%v) = %v", c.cadence, ps)
		}
		for _, p := range ps {
			if q, err := Parse(p.String(), c.cadence, 2026); err != nil || q != p {
				t.Errorf("%v does not round-trip: %v, %v", p, q, err)
			}
		}
	}
}

// FuzzParse: whatever the input, a period that parses is of the asked cadence and
// year, prints back as the input, and has a window that opens before it closes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026", "2026-Q3", "2026-07", "2026-13", "2026-Q", "20261", "", "2026-\x00\x01"} {
		f.Add(s, 3)
		f.Add(s, 2)
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, s string, c int) {
		cadence := standardsv1.Cadence(c)
		p, err := Parse(s, cadence, 2026)
		if err != nil {
			return
		}
		if p.String() != s || p.Cadence != cadence || p.Year != 2026 {
			t.Fatalf("Parse(%q, %v) = %+v, which prints as %q", s, cadence, p, p.String())
		}
		if !p.Start(time.UTC).Before(p.End(time.UTC)) || p.Due(time.UTC, 20, nil).Before(p.End(time.UTC)) {
			t.Fatalf("%v: window out of order", p)
		}
	})
}
