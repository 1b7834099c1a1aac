// Package scoring is Wenming's scoring engine (docs/scoring.md): it turns reviewers' inputs on
// a standard's indicators into an application's result, with an explanation of every number,
// and orders results into a ranking. It is pure: no I/O, no database or API types, so the
// review service, the exports and the tests all compute the same thing.
//
// Points are fixed-point hundredths (Points(8750) is 87.50). A reviewer's value for one
// leaf may fall between hundredths (a GRADE of 33 % on 1.75 points is 0.5775); such values
// stay exact rationals through aggregation, and each leaf's aggregate is rounded once, half
// away from zero, to a hundredth. Everything after that is integer arithmetic, and the
// bounds in bounds.go keep all of it inside int64: a result is exact or an error.
package scoring

import (
	"errors"
	"fmt"
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

// ParsePoints reads a plain decimal with at most two places: an optional minus sign, 1 to 15
// digits, and optionally a point and one or two digits ("87.5", "87.50", "-3"). Nothing else
// is a number here, however a general parser would read it ("0x1F", "+7", "1e2", "1_0",
// " 5"): what a person types into a score or a measured value is stored as the number it
// shows, and fifteen digits keep every value, in hundredths, inside int64.
func ParsePoints(s string) (Points, error) {
	digits := strings.TrimPrefix(s, "-")
	whole, frac, dotted := strings.Cut(digits, ".")
	if !allDigits(whole, 15) || (dotted && !allDigits(frac, 2)) {
		if dotted && allDigits(whole, 15) && allDigits(frac, len(frac)) && len(frac) > 2 {
			return 0, fmt.Errorf("scoring: %q has more than two decimal places", s)
		}
		return 0, fmt.Errorf("scoring: %q is not a decimal number", s)
	}
	var p int64
	for _, c := range whole {
		p = p*10 + int64(c-'0')
	}
	p *= 100
	for i, c := range frac {
		p += int64(c-'0') * []int64{10, 1}[i]
	}
	if len(digits) < len(s) {
		p = -p
	}
	return Points(p), nil
}

// allDigits reports whether s is 1 to n ASCII digits.
func allDigits(s string, n int) bool {
	if s == "" || len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Kind is what a leaf indicator asks of a reviewer and how it scores.
type Kind int

const (
	KindGroup     Kind = iota // an inner node: the sum of its children, capped at its max
	KindPoints                // 0..max in steps
	KindGrade                 // a grade of the standard's scale: max × grade %
	KindThreshold             // a measured value: max if value ≥ target, else 0
	KindLinear                // a measured value: max × clamp((v − floor)/(target − floor), 0, 1); a target below the floor means lower is better
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

// CountsInBase reports whether a leaf of kind k adds to the base score. BONUS, DEDUCTION
// and VETO leaves never do, wherever they sit in the tree; a group's points always do.
func (k Kind) CountsInBase() bool { return k >= KindPoints && k <= KindChecklist }

// isCategory reports whether a top-level node of kind k is a category: one whose points
// add to the base and that ranking compares (a group, or a base-counting leaf).
func (k Kind) isCategory() bool { return k == KindGroup || k.CountsInBase() }

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
	// Categories are the top-level indicators, in the standard's order. Those whose points
	// count toward the base (groups and POINTS, GRADE, THRESHOLD, LINEAR, CHECKLIST leaves)
	// are a Result's categories; a top-level BONUS, DEDUCTION or VETO leaf is not.
	Categories  []*Indicator
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
	Floor   Points // KindLinear: the measured value that earns 0; above Target when lower is better
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
	// Zeroed names the leaves that score 0 whatever reviewers entered, with the reason:
	// evidence returned past the campaign's resubmissions, or vetoed by a spot check. Their
	// inputs are still shown, and a zeroed leaf needs none.
	Zeroed map[string]string
}

// Result is an application's score.
type Result struct {
	Total Points // base + min(bonus, cap) − deductions, at least 0
	Base  Points // the sum of the categories
	// Categories are the points (capped) of each top-level node that counts toward the
	// base, in standard order: what ranking compares after total and base.
	Categories []Points
	Bonus      Points // bonus counted: min(raw bonus, the standard's cap)
	BonusRaw   Points
	Deductions Points // from DEDUCTION leaves and negative-list entries, as a positive number
	Vetoed     bool
	// Vetoes lists each veto proposed or recorded, and whether it took effect.
	Vetoes []Veto
	// Incomplete is set when some leaf had no reviewer input at all: it scored 0, so the
	// result must not be finalized. Missing lists those leaves' codes in standard order.
	// VETO leaves are not counted: no proposal simply means no veto.
	Incomplete  bool
	Missing     []string
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
	// Some problems have no single indicator or reviewer (too many negative-list entries).
	var where []string
	if e.Code != "" {
		where = append(where, "indicator "+e.Code)
	}
	if e.Reviewer != "" {
		where = append(where, "reviewer "+e.Reviewer)
	}
	if len(where) == 0 {
		return "scoring: " + e.Problem
	}
	return "scoring: " + strings.Join(where, ", ") + ": " + e.Problem
}

func (e *InputError) Unwrap() error { return ErrInvalidInput }

// Evaluate scores app against std. A leaf without inputs scores 0 and makes the result
// Incomplete. A standard that breaks the engine's bounds (see Validate) is a
// *StandardError wrapping ErrInvalidStandard. An input that the indicator does not allow
// (points above max or off-step, an unknown grade or checklist item, a count or value
// outside its bounds, more than MaxReviewers inputs) is an *InputError wrapping
// ErrInvalidInput, as is a negative-list deduction outside 0..MaxPoints.
func Evaluate(std *Standard, app *Application) (*Result, error) {
	if err := std.Validate(); err != nil {
		return nil, err
	}
	if len(app.Negative) > MaxNegativeEntries {
		return nil, &InputError{Reviewer: "negative list", Problem: fmt.Sprintf("more than %d entries", MaxNegativeEntries)}
	}
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
		// A top-level BONUS or DEDUCTION leaf already went to e.bonus or e.deductions;
		// adding it here too would count it twice.
		if c.Kind.isCategory() {
			res.Categories = append(res.Categories, n.Points)
			res.Base += n.Points
		}
	}
	res.BonusRaw = e.bonus
	res.Bonus = min(e.bonus, std.BonusCap)
	var negative Points
	for _, ne := range app.Negative {
		n, err := e.negative(ne)
		if err != nil {
			return nil, err
		}
		root.Children = append(root.Children, n)
		negative += ne.Deduction
	}
	res.Deductions = e.deductions + negative
	res.Total = max(0, res.Base+res.Bonus-res.Deductions)
	res.Vetoes = e.vetoes
	for _, v := range e.vetoes {
		res.Vetoed = res.Vetoed || v.Confirmed
	}
	res.Missing = e.missing
	res.Incomplete = len(e.missing) > 0
	root.Points = res.Total
	root.Note = fmt.Sprintf("base %s + bonus %s (raw %s, cap %s) − deductions %s (indicators %s, negative list %s)",
		res.Base, res.Bonus, res.BonusRaw, std.BonusCap, res.Deductions, e.deductions, negative)
	if res.Incomplete {
		root.Note += fmt.Sprintf("; incomplete: no input on %s", strings.Join(e.missing, ", "))
	}
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
	missing    []string
}

// negative explains one negative-list entry, so that an office sees each deduction and
// veto by its code and reason rather than only their sum.
func (e *evaluator) negative(ne NegativeEntry) (*Node, error) {
	if ne.Deduction < 0 || ne.Deduction > MaxPoints {
		return nil, &InputError{Code: ne.Code, Reviewer: "negative list", Problem: fmt.Sprintf("deduction %s outside 0..%s", ne.Deduction, MaxPoints)}
	}
	n := &Node{Code: ne.Code, Title: ne.Reason, Kind: KindDeduction, Raw: ne.Deduction, Points: -ne.Deduction, NegativeList: true,
		Note: fmt.Sprintf("negative-list entry: deducts %s", ne.Deduction)}
	if ne.Veto {
		e.vetoes = append(e.vetoes, Veto{Code: ne.Code, Reasons: []string{ne.Reason}, Confirmed: true})
		n.Note += "; vetoes the application"
		if ne.Deduction == 0 {
			n.Kind = KindVeto
		}
	}
	return n, nil
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
	if len(inputs) > MaxReviewers {
		return nil, &InputError{Code: ind.Code, Problem: fmt.Sprintf("more than %d reviewers' inputs", MaxReviewers)}
	}
	if ind.Kind == KindVeto {
		return e.veto(ind, n, inputs), nil
	}
	zeroed, isZeroed := e.app.Zeroed[ind.Code]
	if len(inputs) == 0 && !isZeroed {
		// Scoring 0 silently would let a forgotten indicator pass as a poor one.
		n.NoInput = true
		n.Note = "no reviewer input: scored 0, the result is incomplete"
		e.missing = append(e.missing, ind.Code)
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
	agg := Round(num, div*den)
	n.Raw = agg
	if isZeroed {
		agg, n.Zeroed = 0, zeroed
		n.Note = "scored 0: " + zeroed
	}
	n.Points = agg
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

// denominator is what a leaf's reviewer values are fractions of: a grade is max × percent
// / 100, a linear score max × (v − floor) / (target − floor); everything else is whole.
// Validate has made sure a LINEAR target differs from its floor.
func denominator(ind *Indicator) int64 {
	switch ind.Kind {
	case KindGrade:
		return 100
	case KindLinear:
		return int64(max(ind.Target-ind.Floor, ind.Floor-ind.Target))
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
		if in.Value < 0 || in.Value > MaxValue {
			return 0, bad("measured value %s outside 0..%s", in.Value, MaxValue)
		}
		if in.Value >= ind.Target {
			return int64(ind.Max), nil
		}
		return 0, nil
	case KindLinear:
		if in.Value < 0 || in.Value > MaxValue {
			return 0, bad("measured value %s outside 0..%s", in.Value, MaxValue)
		}
		// With the target below the floor (lower is better) both differences are negative;
		// flipping both signs keeps the fraction and lets one clamp serve both directions.
		got, span := in.Value-ind.Floor, ind.Target-ind.Floor
		if span < 0 {
			got, span = -got, -span
		}
		return int64(min(max(got, 0), span)) * int64(ind.Max), nil
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
				sum += ind.Items[i].Points
			}
		}
		return int64(min(sum, ind.Max)), nil
	case KindDeduction:
		if in.Count < 0 || in.Count > MaxOccurrences {
			return 0, bad("occurrences %d outside 0..%d", in.Count, MaxOccurrences)
		}
		return int64(min(Points(in.Count)*ind.PerItem, ind.Max)), nil
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

// Round divides num hundredths by den (den > 0) and rounds half away from zero to a whole
// hundredth: the engine's one rounding, which means and medians of points use too.
func Round(num, den int64) Points {
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
// between hundredths, rounded half away from zero to six places with "…" when six places
// do not hold it. It stays in int64 (big.Rat formatting was most of the engine's time):
// the bounds keep den × 100 ≤ 10¹⁰, so 2 × remainder × 10⁶ stays below 2 × 10¹⁶.
func fracString(num, den int64) string {
	if num%den == 0 {
		return Points(num / den).String()
	}
	sign := ""
	if num < 0 {
		sign, num = "-", -num
	}
	d := den * 100 // the value is num / d points
	// The reduced denominator decides the decimal places: a value terminates after p places
	// exactly when that denominator divides 10^p.
	rest, twos, fives := d/gcd(num, d), 0, 0
	for ; rest%2 == 0; rest /= 2 {
		twos++
	}
	for ; rest%5 == 0; rest /= 5 {
		fives++
	}
	places, exact := max(twos, fives), rest == 1
	if !exact || places > 6 {
		places, exact = 6, false
	}
	scale := int64(1)
	for range places {
		scale *= 10
	}
	whole, frac := num/d, (2*(num%d)*scale+d)/(2*d)
	if frac == scale {
		whole, frac = whole+1, 0
	}
	fs := strconv.FormatInt(frac, 10)
	s := sign + strconv.FormatInt(whole, 10) + "." + strings.Repeat("0", places-len(fs)) + fs
	if !exact {
		s += "…"
	}
	return s
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
	Code    string
	Title   string
	Kind    Kind
	Max     Points
	Method  string          // the aggregation, for leaves
	Inputs  []ReviewerValue // each reviewer's entry and its exact value
	Raw     Points          // before the cap (groups) or the aggregate (leaves)
	Points  Points          // what counts: capped for groups, negative for deductions
	Capped  bool
	InBase  bool   // whether Points count toward the base
	NoInput bool   // a leaf no reviewer entered anything on: it scored 0 and the result is incomplete
	Zeroed  string // why the leaf scored 0 whatever was entered (Application.Zeroed)
	// NegativeList marks a negative-list entry (a child of the root), not an indicator:
	// Code and Title are the entry's code and reason, Points its deduction.
	NegativeList bool
	Note         string
	Children     []*Node
}

// ReviewerValue is one reviewer's entry on a leaf and the exact points it is worth.
type ReviewerValue struct {
	Reviewer string
	Entered  string // what the reviewer entered: "1.50", "B", "87.50", "a,c", "2×0.50"
	Value    string // its exact points, before aggregation and rounding
}

// CheckInput reports whether one reviewer's input fits leaf ind of std, exactly as
// Evaluate judges it: nil, or an *InputError naming the indicator. It lets a score sheet
// refuse an entry when it is saved rather than when the result is computed.
func (std *Standard) CheckInput(ind *Indicator, in Input) error {
	e := evaluator{std: std, scale: std.GradeScale}
	if e.scale == nil {
		e.scale = DefaultGradeScale
	}
	if ind.Kind == KindVeto {
		return nil
	}
	_, err := e.value(ind, in)
	return err
}

// Leaves returns the standard's leaf indicators in standard order.
func (std *Standard) Leaves() []*Indicator {
	var out []*Indicator
	var walk func([]*Indicator)
	walk = func(ns []*Indicator) {
		for _, n := range ns {
			if n.Kind == KindGroup {
				walk(n.Children)
			} else {
				out = append(out, n)
			}
		}
	}
	walk(std.Categories)
	return out
}

// InputValue is one reviewer's exact points for leaf ind of std, num/den hundredths, the
// value Evaluate aggregates (positive for a deduction); statistics on reviewers' agreement
// read it. An input that does not fit is an *InputError, as in CheckInput.
func (std *Standard) InputValue(ind *Indicator, in Input) (num, den int64, err error) {
	e := evaluator{std: std, scale: std.GradeScale}
	if e.scale == nil {
		e.scale = DefaultGradeScale
	}
	num, err = e.value(ind, in)
	return num, denominator(ind), err
}
