package scoring

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Entry is one application's place in a ranking.
type Entry struct {
	ApplicationID string
	UnitID        string
	Total, Base   Points
	Categories    []Points  // top-level categories in standard order
	FinalSubmit   time.Time // when the unit made its final submission
	Vetoed        bool
}

// Compare orders two entries as docs/scoring.md ranks them: total descending, then base
// descending, then each top-level category in standard order descending, then the earlier
// final submission, then unit id. It returns a negative number when a ranks before b. For
// entries with distinct unit ids it is a strict total order, so a ranking never depends on
// the order the data arrived in.
func Compare(a, b *Entry) int {
	if c := cmp.Compare(b.Total, a.Total); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Base, a.Base); c != 0 {
		return c
	}
	for i := range max(len(a.Categories), len(b.Categories)) {
		if c := cmp.Compare(at(b.Categories, i), at(a.Categories, i)); c != 0 {
			return c
		}
	}
	if c := a.FinalSubmit.Compare(b.FinalSubmit); c != 0 {
		return c
	}
	return cmp.Compare(a.UnitID, b.UnitID)
}

func at(ps []Points, i int) Points {
	if i < len(ps) {
		return ps[i]
	}
	return 0
}

// Rank sorts entries in ranking order, in place.
func Rank(entries []*Entry) { slices.SortFunc(entries, Compare) }

// Quota is how many applications an office may recommend: a count, or a percentage of all
// ranked applications (rounded down). At most one of the two is set; neither allows none.
type Quota struct {
	Count   int
	Percent int
}

// ErrInvalidQuota is returned for a negative count, a percentage outside 0..100, or both
// a count and a percentage.
var ErrInvalidQuota = errors.New("scoring: invalid quota")

// Slots is the number of recommendations the quota allows among n applications. It
// refuses a quota out of range with ErrInvalidQuota rather than guess: a negative count
// once recommended everyone.
func (q Quota) Slots(n int) (int, error) {
	switch {
	case q.Count < 0:
		return 0, fmt.Errorf("%w: count %d is negative", ErrInvalidQuota, q.Count)
	case q.Percent < 0 || q.Percent > 100:
		return 0, fmt.Errorf("%w: percent %d outside 0..100", ErrInvalidQuota, q.Percent)
	case q.Count > 0 && q.Percent > 0:
		return 0, fmt.Errorf("%w: both a count and a percent", ErrInvalidQuota)
	case q.Percent > 0:
		return n * q.Percent / 100, nil
	}
	return min(q.Count, n), nil
}

// Recommend returns the ids of the applications to recommend from a ranked list: the best
// non-vetoed ones whose total reaches the pass line (when there is one), up to the quota.
// An invalid quota is ErrInvalidQuota.
func Recommend(ranked []*Entry, q Quota, passLine *Points) ([]string, error) {
	slots, err := q.Slots(len(ranked))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ranked {
		if len(out) == slots {
			break
		}
		if e.Vetoed || passLine != nil && e.Total < *passLine {
			continue
		}
		out = append(out, e.ApplicationID)
	}
	return out, nil
}
