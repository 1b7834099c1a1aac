package scoring

import (
	"errors"
	"fmt"
)

// The engine's bounds. They are generous for any real standard and small enough that no
// sum or exact intermediate of a valid standard and valid inputs can overflow int64, so a
// result is either exact or an error, never a wrapped-around number:
//
//   - one reviewer's value on a leaf is a fraction num / den hundredths with
//     |num| ≤ MaxPoints × MaxValue = 10¹⁶ (LINEAR: (v − floor) × max with |v − floor|
//     clamped to |target − floor| ≤ MaxValue; GRADE: max × percent ≤ 10¹⁰; CHECKLIST before
//     its cap: MaxItems × MaxPoints = 5 × 10⁹; DEDUCTION: MaxOccurrences × per item = 10¹⁴)
//     and den ≤ MaxValue;
//   - aggregating at most MaxReviewers values sums to at most 100 × 10¹⁶ = 10¹⁸, below
//     int64's 9.2 × 10¹⁸, and divides by at most MaxReviewers × den = 10¹⁰;
//   - each leaf's rounded points are at most MaxPoints, so any sum of leaves is at most
//     MaxIndicators × MaxPoints = 2 × 10¹¹, and the negative list adds at most
//     MaxNegativeEntries × MaxPoints = 10¹².
//
// standards.Check refuses a standard outside these bounds with a problem naming the field;
// Evaluate refuses one that bypassed Check with an error.
const (
	// MaxPoints bounds every points value: an indicator's max, step and per item, a
	// checklist item, the bonus cap, a negative-list deduction, and the most base points a
	// standard's categories can give together. 1 000 000.00 points.
	MaxPoints Points = 100_000_000
	// MaxValue bounds a measured value, a target and a floor (1 000 000.00).
	MaxValue Points = 100_000_000
	// MaxIndicators bounds the nodes of a standard's tree, the API's cap on indicators.
	MaxIndicators = 2000
	// MaxItems bounds a CHECKLIST indicator's items, the API's cap.
	MaxItems = 50
	// MaxReviewers bounds the inputs on one indicator (a campaign has at most 20 reviewers
	// per application).
	MaxReviewers = 100
	// MaxOccurrences bounds one reviewer's count on a DEDUCTION indicator.
	MaxOccurrences = 1_000_000
	// MaxNegativeEntries bounds the negative-list entries of one application.
	MaxNegativeEntries = 10_000
)

// ErrInvalidStandard wraps every way a standard breaks the engine's rules.
var ErrInvalidStandard = errors.New("scoring: invalid standard")

// StandardError names the indicator (empty for the standard itself) and what is wrong.
type StandardError struct {
	Code, Problem string
}

func (e *StandardError) Error() string {
	if e.Code == "" {
		return "scoring: standard: " + e.Problem
	}
	return fmt.Sprintf("scoring: standard, indicator %s: %s", e.Code, e.Problem)
}

func (e *StandardError) Unwrap() error { return ErrInvalidStandard }

// Validate reports the first way s breaks the engine's rules (a bound above, an unknown
// kind, a LINEAR target equal to its floor, a grade outside 0..100 %) as a *StandardError
// wrapping ErrInvalidStandard. Evaluate calls it, so a standard that bypassed
// standards.Check gives an error, never a wrong number.
func (s *Standard) Validate() error {
	if s.BonusCap < 0 || s.BonusCap > MaxPoints {
		return &StandardError{Problem: fmt.Sprintf("bonus cap %s outside 0..%s", s.BonusCap, MaxPoints)}
	}
	if s.Aggregation < Mean || s.Aggregation > TrimmedMean {
		return &StandardError{Problem: fmt.Sprintf("unknown aggregation %d", int(s.Aggregation))}
	}
	for g, pct := range s.GradeScale {
		if pct < 0 || pct > 100 {
			return &StandardError{Problem: fmt.Sprintf("grade %s is %d %%, outside 0..100", g, pct)}
		}
	}
	nodes := 0
	var base Points
	for _, c := range s.Categories {
		m, err := validate(c, &nodes)
		if err != nil {
			return err
		}
		base += m
	}
	if base > MaxPoints {
		return &StandardError{Problem: fmt.Sprintf("the categories can give %s base points, above %s", base, MaxPoints)}
	}
	return nil
}

// validate checks one node and its subtree and returns the most base points it can give.
// Counting nodes also stops a cyclic tree, which would otherwise recurse forever.
func validate(ind *Indicator, nodes *int) (Points, error) {
	if *nodes++; *nodes > MaxIndicators {
		return 0, &StandardError{Problem: fmt.Sprintf("more than %d indicators", MaxIndicators)}
	}
	if ind == nil {
		return 0, &StandardError{Problem: "an indicator is missing"}
	}
	if ind.Kind < KindGroup || ind.Kind > KindVeto {
		return 0, &StandardError{Code: ind.Code, Problem: fmt.Sprintf("unknown kind %d", int(ind.Kind))}
	}
	if err := inRange(ind, "max", ind.Max, MaxPoints); err != nil {
		return 0, err
	}
	var err error
	switch ind.Kind {
	case KindGroup:
		var sum Points
		for _, c := range ind.Children {
			m, err := validate(c, nodes)
			if err != nil {
				return 0, err
			}
			sum += m
		}
		if ind.Max > 0 {
			sum = min(sum, ind.Max)
		}
		return sum, nil
	case KindPoints, KindBonus:
		err = inRange(ind, "step", ind.Step, MaxPoints)
	case KindThreshold:
		err = inRange(ind, "target", ind.Target, MaxValue)
	case KindLinear:
		if err = inRange(ind, "target", ind.Target, MaxValue); err == nil {
			err = inRange(ind, "floor", ind.Floor, MaxValue)
		}
		if err == nil && ind.Target == ind.Floor {
			err = &StandardError{Code: ind.Code, Problem: fmt.Sprintf("target and floor are both %s", ind.Target)}
		}
	case KindChecklist:
		if len(ind.Items) > MaxItems {
			return 0, &StandardError{Code: ind.Code, Problem: fmt.Sprintf("more than %d checklist items", MaxItems)}
		}
		for _, it := range ind.Items {
			if it.Points < 0 || it.Points > MaxPoints {
				return 0, inRange(ind, "item "+it.Code, it.Points, MaxPoints)
			}
		}
	case KindDeduction:
		err = inRange(ind, "per item", ind.PerItem, MaxPoints)
	}
	if err != nil || !ind.Kind.CountsInBase() {
		return 0, err
	}
	return ind.Max, nil
}

// inRange is nil when 0 ≤ p ≤ limit, else a *StandardError naming ind and the field.
func inRange(ind *Indicator, field string, p, limit Points) error {
	if p >= 0 && p <= limit {
		return nil
	}
	return &StandardError{Code: ind.Code, Problem: fmt.Sprintf("%s %s outside 0..%s", field, p, limit)}
}
