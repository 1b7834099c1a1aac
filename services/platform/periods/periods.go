// Package periods is the calendar of reporting periods (docs/evidence.md, Windows): an
// indicator's years, quarters or months of a campaign's year, their forms ("2026",
// "2026-Q1", "2026-03"), and when each one's evidence is due. The evidence service
// accepts evidence by it; the notify service reminds units by it.
package periods

import (
	"fmt"
	"strconv"
	"time"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
)

// Period is one reporting period of an indicator: a year, a quarter or a month of the
// campaign's year, by the indicator's cadence.
type Period struct {
	Cadence standardsv1.Cadence
	Year    int
	// Index is the quarter (1–4) or the month (1–12); 0 for a year.
	Index int
}

// CadenceOf is an indicator's cadence; an unspecified one reports once a year.
func CadenceOf(spec *standardsv1.EvidenceSpec) standardsv1.Cadence {
	if c := spec.GetCadence(); c != standardsv1.Cadence_CADENCE_UNSPECIFIED {
		return c
	}
	return standardsv1.Cadence_CADENCE_ANNUAL
}

// Parse reads a period of the given cadence in the given year: "2026" (annual),
// "2026-Q1" (quarterly), "2026-03" (monthly). Anything else, another cadence's form or
// another year, is an error that says which form is expected.
func Parse(s string, cadence standardsv1.Cadence, year int) (Period, error) {
	p := Period{Cadence: cadence, Year: year}
	want := p.Form()
	bad := fmt.Errorf("not a period of this indicator: expected %s", want)
	if len(s) < 4 || s[:4] != strconv.Itoa(year) {
		return Period{}, bad
	}
	rest := s[4:]
	switch cadence {
	case standardsv1.Cadence_CADENCE_ANNUAL:
		if rest != "" {
			return Period{}, bad
		}
	case standardsv1.Cadence_CADENCE_QUARTERLY:
		if len(rest) != 3 || rest[:2] != "-Q" || rest[2] < '1' || rest[2] > '4' {
			return Period{}, bad
		}
		p.Index = int(rest[2] - '0')
	case standardsv1.Cadence_CADENCE_MONTHLY:
		if len(rest) != 3 || rest[0] != '-' || rest[1] < '0' || rest[1] > '1' || rest[2] < '0' || rest[2] > '9' {
			return Period{}, bad
		}
		p.Index = int(rest[1]-'0')*10 + int(rest[2]-'0')
		if p.Index < 1 || p.Index > 12 {
			return Period{}, bad
		}
	default:
		return Period{}, bad
	}
	return p, nil
}

// Form says what a period of p's cadence and year looks like, for error messages.
func (p Period) Form() string {
	y := strconv.Itoa(p.Year)
	switch p.Cadence {
	case standardsv1.Cadence_CADENCE_QUARTERLY:
		return y + "-Q1 … " + y + "-Q4"
	case standardsv1.Cadence_CADENCE_MONTHLY:
		return y + "-01 … " + y + "-12"
	}
	return y
}

// String is the period's name, as Parse reads it.
func (p Period) String() string {
	y := strconv.Itoa(p.Year)
	switch p.Cadence {
	case standardsv1.Cadence_CADENCE_QUARTERLY:
		return y + "-Q" + strconv.Itoa(p.Index)
	case standardsv1.Cadence_CADENCE_MONTHLY:
		return fmt.Sprintf("%s-%02d", y, p.Index)
	}
	return y
}

// All are every period of a cadence in a year, in order.
func All(cadence standardsv1.Cadence, year int) []Period {
	n := 1
	switch cadence {
	case standardsv1.Cadence_CADENCE_QUARTERLY:
		n = 4
	case standardsv1.Cadence_CADENCE_MONTHLY:
		n = 12
	}
	out := make([]Period, n)
	for i := range out {
		out[i] = Period{Cadence: cadence, Year: year, Index: i + 1}
		if n == 1 {
			out[i].Index = 0
		}
	}
	return out
}

// Start is the first instant of the period in loc.
func (p Period) Start(loc *time.Location) time.Time {
	switch p.Cadence {
	case standardsv1.Cadence_CADENCE_QUARTERLY:
		return time.Date(p.Year, time.Month(3*p.Index-2), 1, 0, 0, 0, 0, loc)
	case standardsv1.Cadence_CADENCE_MONTHLY:
		return time.Date(p.Year, time.Month(p.Index), 1, 0, 0, 0, 0, loc)
	}
	return time.Date(p.Year, time.January, 1, 0, 0, 0, 0, loc)
}

// End is the first instant after the period in loc.
func (p Period) End(loc *time.Location) time.Time {
	switch p.Cadence {
	case standardsv1.Cadence_CADENCE_QUARTERLY:
		return p.Start(loc).AddDate(0, 3, 0)
	case standardsv1.Cadence_CADENCE_MONTHLY:
		return p.Start(loc).AddDate(0, 1, 0)
	}
	return p.Start(loc).AddDate(1, 0, 0)
}

// Due is the first instant the period's evidence is late, in loc: the day after the
// due day (1–28; 0 is the month's last day) of the month after a month or a quarter,
// and the campaign's submission deadline for a year (the year's end when the campaign
// has none). The whole due day counts: evidence at 23:59:59 on it is on time.
func (p Period) Due(loc *time.Location, dueDay int, deadline *time.Time) time.Time {
	if p.Cadence == standardsv1.Cadence_CADENCE_ANNUAL {
		if deadline != nil {
			return *deadline
		}
		return p.End(loc)
	}
	next := p.End(loc) // the first day of the month after the period
	if dueDay <= 0 {
		return next.AddDate(0, 1, 0)
	}
	return next.AddDate(0, 0, dueDay)
}
