package reviewtest

import (
	"math/rand/v2"

	reviewv1 "github.com/wenming-platform/wenming/api/gen/wenming/review/v1"
	"github.com/wenming-platform/wenming/services/platform/scoring"
)

// RandomMarks are valid entries on every leaf of the suites' standard (Indicators), drawn
// from r: what a reviewer may save at any moment.
func RandomMarks(r *rand.Rand) []*reviewv1.Score {
	return []*reviewv1.Score{
		{IndicatorCode: "1.1", Points: scoring.Points(r.IntN(61) * 50).String()},
		{IndicatorCode: "1.2", Grade: []string{"A", "B", "C", "D"}[r.IntN(4)]},
		{IndicatorCode: "2.1", Value: scoring.Points(r.IntN(10001)).String()},
		{IndicatorCode: "3", Points: scoring.Points(r.IntN(11) * 50).String()},
		{IndicatorCode: "4", Occurrences: int64(r.IntN(7))},
	}
}
