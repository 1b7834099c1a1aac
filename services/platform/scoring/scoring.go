// Package scoring is Wenming's scoring engine (DESIGN.md §4): it turns reviewers' inputs on
// a standard's indicators into an application's result, with an explanation of every number,
// and orders results into a ranking. It is pure: no I/O, no database or API types, so the
// review service, the exports and the tests all compute the same thing.
//
// Points are fixed-point hundredths (Points(8750) is 87.50). A reviewer's value for one
// leaf may fall between hundredths (a GRADE of 33 % on 1.75 points is 0.5775); such values
// stay exact rationals through aggregation, and each leaf's aggregate is rounded once, half
// away from zero, to a hundredth. Everything after that is integer arithmetic.
package scoring

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// Points are hundredths of a point.
type Points int64

// String formats p with two decimals, as the API shows points: "87.50", "-3.00".
func (p Points) String() string {
	var b []byte
	if p < 0 {
		b, p = append(b, '-'), -p
	}
	b = strconv.AppendInt(b, int64(p/100), 10)
	return string(append(b, '.', byte('0'+p%100/10), byte('0'+p%10)))
}

// ParsePoints reads a decimal with at most two places ("87.5", "87.50", "-3").
func ParsePoints(s string) (Points, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "eE/") {
		return 0, fmt.Errorf("scoring: %q is not a decimal number", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("scoring: %q has more than two decimal places", s)
	}
	return Points(r.Num().Int64()), nil
}

// Kind is what a leaf indicator asks of a reviewer and how it scores.
type Kind int

const (
	KindGroup     Kind = iota // an inner node: the sum of its children, capped at its max
	KindPoints                // 0..max in steps
	KindGrade                 // a grade of the standard's scale: max × grade %
	KindThreshold             // a measured value: max if value ≥ target, else 0
	KindLinear                // a measured value: max × clamp((v − floor)/(target − floor), 0, 1)
	KindChecklist             // ticked sub-items: the sum of their points, at most max
	KindBonus                 // 0..max, added outside the base; all bonus capped by the standard
	KindDeduction             // occurrences n: −min(n × per item, max)
	KindVeto                  // proposed by reviewers, effective once an office admin confirms
)

var kindNames = [...]string{"GROUP", "POINTS", "GRADE", "THRESHOLD", "LINEAR", "CHECKLIST", "BONUS", "DEDUCTION", "VETO"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// countsInBase reports whether a leaf of kind k adds to the base score.
func (k Kind) countsInBase() bool { return k >= KindPoints && k <= KindChecklist }

// Aggregation combines several reviewers' values for one indicator.
type Aggregation int

const (
	Mean        Aggregation = iota
	Median                  // the middle value; the mean of the two middle ones for an even count
	TrimmedMean             // drop one highest and one lowest with three or more reviewers, then the mean
)

func (a Aggregation) String() string {
	return [...]string{"MEAN", "MEDIAN", "TRIMMED_MEAN"}[a]
}

// DefaultGradeScale is the grade scale a standard uses unless it sets its own.
var DefaultGradeScale = map[string]int64{"A": 100, "B": 66, "C": 33, "D": 0}

// Standard is what the engine needs of a scoring standard.
type Standard struct {
	Categories  []*Indicator     // the top-level indicators, in the standard's order
	GradeScale  map[string]int64 // grade → percent of max; nil means DefaultGradeScale
	Aggregation Aggregation
	BonusCap    Points
}

// Indicator is one node of a standard's tree.
type Indicator struct {
	Code     string
	Title    string
	Kind     Kind
	Max      Points
	Children []*Indicator // for KindGroup

	Step    Points // KindPoints, KindBonus: allowed increments; 0 means 0.50
	Target  Points // KindThreshold, KindLinear: the measured value that earns max (hundredths)
	Floor   Points // KindLinear: the measured value that earns 0
	PerItem Points // KindDeduction: points per occurrence
	Items   []ChecklistItem
}

// ChecklistItem is one sub-item of a CHECKLIST indicator.
type ChecklistItem struct {
	Code   string
	Points Points
}

// Input is one reviewer's entry on one leaf indicator; which field counts depends on the
// indicator's kind.
type Input struct {
	Reviewer string
	Points   Points   // KindPoints, KindBonus
	Grade    string   // KindGrade
	Value    Points   // KindThreshold, KindLinear: the measured value, in hundredths (87.5 % is 8750)
	Ticked   []string // KindChecklist: codes of the ticked items
	Count    int64    // KindDeduction: occurrences
	Veto     bool     // KindVeto: the reviewer proposes a veto
	Reason   string   // KindVeto
}

// NegativeEntry is a negative-list event an office recorded against the unit (负面清单): it
// deducts points, or vetoes the application outright.
type NegativeEntry struct {
	Code      string
	Reason    string
	Deduction Points
	Veto      bool
}

// Application is everything one application's result depends on.
type Application struct {
	Inputs          map[string][]Input // leaf code → each reviewer's input
	ConfirmedVetoes map[string]bool    // VETO leaf codes an office admin has confirmed
	Negative        []NegativeEntry
}

// Result is an application's score.
type Result struct {
	Total      Points   // base + min(bonus, cap) − deductions, at least 0
	Base       Points   // the sum of the categories
	Categories []Points // each top-level category's points (capped), in standard order
	Bonus      Points   // bonus counted: min(raw bonus, the standard's cap)
	BonusRaw   Points
	Deductions Points // from DEDUCTION leaves and negative-list entries, as a positive number
	Vetoed     bool
	// Vetoes lists each veto proposed or recorded, and whether it took effect.
	Vetoes      []Veto
	Explanation *Node
}

// Veto is one proposed or recorded veto.
type Veto struct {
	Code      string // the VETO indicator, or the negative-list entry's code
	Reasons   []string
	Proposers []string
	Confirmed bool
}

// ErrInvalidInput wraps every problem with reviewers' inputs.
var ErrInvalidInput = errors.New("scoring: invalid input")

// InputError names the indicator and reviewer of an invalid input.
type InputError struct {
	Code, Reviewer, Problem string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("scoring: indicator %s, reviewer %s: %s", e.Code, e.Reviewer, e.Problem)
}

func (e *InputError) Unwrap() error { return ErrInvalidInput }

// Evaluate scores app against std. Leaves without inputs score 0. An input that the
// indicator does not allow (points above max or off-step, an unknown grade or checklist
// item, a negative count or value) is an *InputError wrapping ErrInvalidInput.
func Evaluate(std *Standard, app *Application) (*Result, error) {
	e := evaluator{std: std, app: app, scale: std.GradeScale}
	if e.scale == nil {
		e.scale = DefaultGradeScale
	}
	root := &Node{Code: "", Title: "total", Kind: KindGroup}
	res := &Result{}
	for _, c := range std.Categories {
		n, err := e.node(c)
		if err != nil {
			return nil, err
		}
		root.Children = append(root.Children, n)
		res.Categories = append(res.Categories, n.Points)
		res.Base += n.Points
	}
	res.BonusRaw = e.bonus
	res.Bonus = min(e.bonus, std.BonusCap)
	res.Deductions = e.deductions
	for _, ne := range app.Negative {
		if ne.Deduction < 0 {
			return nil, &InputError{Code: ne.Code, Reviewer: "negative list", Problem: "a deduction is a positive number of points"}
		}
		res.Deductions += ne.Deduction
		if ne.Veto {
			e.vetoes = append(e.vetoes, Veto{Code: ne.Code, Reasons: []string{ne.Reason}, Confirmed: true})
		}
	}
	res.Total = max(0, res.Base+res.Bonus-res.Deductions)
	res.Vetoes = e.vetoes
	for _, v := range e.vetoes {
		res.Vetoed = res.Vetoed || v.Confirmed
	}
	root.Points = res.Total
	root.Note = fmt.Sprintf("base %s + bonus %s (raw %s, cap %s) − deductions %s", res.Base, res.Bonus, res.BonusRaw, std.BonusCap, res.Deductions)
	res.Explanation = root
	return res, nil
}

type evaluator struct {
	std        *Standard
	app        *Application
	scale      map[string]int64
	bonus      Points
	deductions Points
	vetoes     []Veto
}

// node scores one indicator: a group sums the base-counting points of its children and caps
// them at its max; a leaf aggregates its reviewers' values.
func (e *evaluator) node(ind *Indicator) (*Node, error) {
	n := &Node{Code: ind.Code, Title: ind.Title, Kind: ind.Kind, Max: ind.Max}
	if ind.Kind == KindGroup {
		var sum Points
		for _, c := range ind.Children {
			cn, err := e.node(c)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, cn)
			if cn.InBase {
				sum += cn.Points
			}
		}
		n.Raw, n.Points, n.InBase = sum, sum, true
		if ind.Max > 0 && sum > ind.Max {
			n.Points, n.Capped = ind.Max, true
		}
		return n, nil
	}
	inputs := e.app.Inputs[ind.Code]
	if ind.Kind == KindVeto {
		return e.veto(ind, n, inputs), nil
	}
	if ind.Max < 0 || ind.Max > maxPoints {
		return nil, &InputError{Code: ind.Code, Reviewer: "standard", Problem: "max points outside 0..1000000"}
	}
	// Every reviewer's value for one leaf is a fraction over the same denominator, so the
	// aggregate stays exact in integers: num / den hundredths.
	den := denominator(ind)
	nums := make([]int64, 0, len(inputs))
	for _, in := range inputs {
		v, err := e.value(ind, in)
		if err != nil {
			return nil, err
		}
		nums = append(nums, v)
		n.Inputs = append(n.Inputs, ReviewerValue{Reviewer: in.Reviewer, Entered: entered(ind, in), Value: fracString(v, den)})
	}
	n.Method = e.std.Aggregation.String()
	num, div := aggregate(e.std.Aggregation, nums)
	agg := round(num, div*den)
	n.Raw, n.Points = agg, agg
	switch ind.Kind {
	case KindBonus:
		e.bonus += agg
	case KindDeduction:
		e.deductions += agg
		n.Points = -agg
	default:
		n.InBase = true
	}
	return n, nil
}

func (e *evaluator) veto(ind *Indicator, n *Node, inputs []Input) *Node {
	v := Veto{Code: ind.Code, Confirmed: e.app.ConfirmedVetoes[ind.Code]}
	for _, in := range inputs {
		if in.Veto {
			v.Proposers = append(v.Proposers, in.Reviewer)
			v.Reasons = append(v.Reasons, in.Reason)
		}
	}
	if len(v.Proposers) > 0 || v.Confirmed {
		e.vetoes = append(e.vetoes, v)
		n.Note = fmt.Sprintf("veto proposed by %d reviewer(s); confirmed: %v", len(v.Proposers), v.Confirmed)
	}
	return n
}

// maxPoints bounds an indicator's max (10 000.00 points) so that exact arithmetic on
// hundredths never overflows int64.
const maxPoints = 1_000_000

// denominator is what a leaf's reviewer values are fractions of: a grade is max × percent
// / 100, a linear score max × (v − floor) / (target − floor); everything else is whole.
func denominator(ind *Indicator) int64 {
	switch ind.Kind {
	case KindGrade:
		return 100
	case KindLinear:
		if ind.Target > ind.Floor {
			return int64(ind.Target - ind.Floor)
		}
	}
	return 1
}

// value is one reviewer's exact points for a leaf, as the numerator over denominator(ind)
// (positive for deductions).
func (e *evaluator) value(ind *Indicator, in Input) (int64, error) {
	bad := func(format string, args ...any) error {
		return &InputError{Code: ind.Code, Reviewer: in.Reviewer, Problem: fmt.Sprintf(format, args...)}
	}
	switch ind.Kind {
	case KindPoints, KindBonus:
		step := ind.Step
		if step <= 0 {
			step = 50
		}
		if in.Points < 0 || in.Points > ind.Max {
			return 0, bad("points %s outside 0..%s", in.Points, ind.Max)
		}
		if in.Points%step != 0 && in.Points != ind.Max {
			return 0, bad("points %s are not a multiple of the step %s", in.Points, step)
		}
		return int64(in.Points), nil
	case KindGrade:
		pct, ok := e.scale[in.Grade]
		if !ok || pct < 0 || pct > 100 {
			return 0, bad("grade %q is not on the scale", in.Grade)
		}
		return int64(ind.Max) * pct, nil
	case KindThreshold:
		if in.Value < 0 {
			return 0, bad("measured value %s is negative", in.Value)
		}
		if in.Value >= ind.Target {
			return int64(ind.Max), nil
		}
		return 0, nil
	case KindLinear:
		if in.Value < 0 {
			return 0, bad("measured value %s is negative", in.Value)
		}
		span := int64(ind.Target - ind.Floor)
		if span <= 0 || span > maxPoints*100 {
			return 0, bad("the indicator's target %s must be above its floor %s", ind.Target, ind.Floor)
		}
		switch {
		case in.Value <= ind.Floor:
			return 0, nil
		case in.Value >= ind.Target:
			return int64(ind.Max) * span, nil
		}
		return int64(in.Value-ind.Floor) * int64(ind.Max), nil
	case KindChecklist:
		var sum Points
		seen := map[string]bool{}
		for _, code := range in.Ticked {
			i := slices.IndexFunc(ind.Items, func(it ChecklistItem) bool { return it.Code == code })
			if i < 0 {
				return 0, bad("checklist item %q does not exist", code)
			}
			if !seen[code] {
				seen[code] = true
				sum += max(ind.Items[i].Points, 0)
			}
		}
		return int64(min(sum, ind.Max)), nil
	case KindDeduction:
		if in.Count < 0 {
			return 0, bad("occurrences %d are negative", in.Count)
		}
		// min(n × per item, max), without letting a huge n overflow.
		d := ind.Max
		if ind.PerItem <= 0 {
			d = 0
		} else if in.Count <= int64(ind.Max/ind.PerItem) {
			d = Points(in.Count) * ind.PerItem
		}
		return int64(d), nil
	}
	return 0, bad("kind %s takes no input", ind.Kind)
}

// aggregate combines reviewers' numerators; the result is num / div (times the leaf's
// denominator). No values is 0.
func aggregate(a Aggregation, vs []int64) (num, div int64) {
	if len(vs) == 0 {
		return 0, 1
	}
	sorted := slices.Clone(vs)
	slices.Sort(sorted)
	switch a {
	case Median:
		mid := len(sorted) / 2
		if len(sorted)%2 == 1 {
			return sorted[mid], 1
		}
		return sorted[mid-1] + sorted[mid], 2
	case TrimmedMean:
		if len(sorted) >= 3 {
			sorted = sorted[1 : len(sorted)-1]
		}
	}
	var sum int64
	for _, v := range sorted {
		sum += v
	}
	return sum, int64(len(sorted))
}

// round divides num by den (den > 0) and rounds half away from zero to a whole hundredth.
func round(num, den int64) Points {
	neg := num < 0
	if neg {
		num = -num
	}
	q, r := num/den, num%den
	if 2*r >= den {
		q++
	}
	if neg {
		return Points(-q)
	}
	return Points(q)
}

// fracString shows num/den hundredths as points: "1.75", or "0.5775" when the value falls
// between hundredths, with "…" when even six places do not hold it.
func fracString(num, den int64) string {
	if num%den == 0 {
		return Points(num / den).String()
	}
	pts := big.NewRat(num, den*100)
	for prec := 3; prec <= 6; prec++ {
		s := pts.FloatString(prec)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(pts) == 0 {
			return s
		}
	}
	return pts.FloatString(6) + "…"
}

func entered(ind *Indicator, in Input) string {
	switch ind.Kind {
	case KindPoints, KindBonus:
		return in.Points.String()
	case KindGrade:
		return in.Grade
	case KindThreshold, KindLinear:
		return in.Value.String()
	case KindChecklist:
		return strings.Join(in.Ticked, ",")
	case KindDeduction:
		return fmt.Sprintf("%d×%s", in.Count, ind.PerItem)
	}
	return ""
}

// Node explains one indicator's points.
type Node struct {
	Code     string
	Title    string
	Kind     Kind
	Max      Points
	Method   string          // the aggregation, for leaves
	Inputs   []ReviewerValue // each reviewer's entry and its exact value
	Raw      Points          // before the cap (groups) or the aggregate (leaves)
	Points   Points          // what counts: capped for groups, negative for deductions
	Capped   bool
	InBase   bool // whether Points count toward the base
	Note     string
	Children []*Node
}

// ReviewerValue is one reviewer's entry on a leaf and the exact points it is worth.
type ReviewerValue struct {
	Reviewer string
	Entered  string // what the reviewer entered: "1.50", "B", "87.50", "a,c", "2×0.50"
	Value    string // its exact points, before aggregation and rounding
}
