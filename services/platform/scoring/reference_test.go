package scoring

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// refResult is what reference computes.
type refResult struct {
	total, base, bonusRaw, bonus, deductions Points
	categories                               []Points
	vetoed                                   bool
	missing                                  []string
}

// reference computes docs/scoring.md the plain way, sharing no code with the engine: every
// reviewer's value an exact big.Rat, one rounding per leaf after aggregation, and BONUS,
// DEDUCTION and VETO leaves kept out of the base wherever they sit. It trusts its input to
// be valid.
func reference(std *Standard, app *Application) refResult {
	scale := std.GradeScale
	if scale == nil {
		scale = map[string]int64{"A": 100, "B": 66, "C": 33, "D": 0}
	}
	var res refResult
	// walk returns the base points ind adds to its parent.
	var walk func(ind *Indicator) Points
	walk = func(ind *Indicator) Points {
		switch ind.Kind {
		case KindGroup:
			var sum Points
			for _, c := range ind.Children {
				sum += walk(c)
			}
			if ind.Max > 0 && sum > ind.Max {
				sum = ind.Max
			}
			return sum
		case KindVeto:
			res.vetoed = res.vetoed || app.ConfirmedVetoes[ind.Code]
			return 0
		}
		ins := app.Inputs[ind.Code]
		if len(ins) == 0 {
			res.missing = append(res.missing, ind.Code)
		}
		var vals []*big.Rat
		for _, in := range ins {
			vals = append(vals, refValue(ind, in, scale))
		}
		p := refRound(refAggregate(std.Aggregation, vals))
		switch ind.Kind {
		case KindBonus:
			res.bonusRaw += p
			return 0
		case KindDeduction:
			res.deductions += p
			return 0
		}
		return p
	}
	for _, c := range std.Categories {
		p := walk(c)
		switch c.Kind {
		case KindBonus, KindDeduction, KindVeto:
		default:
			res.categories = append(res.categories, p)
			res.base += p
		}
	}
	for _, ne := range app.Negative {
		res.deductions += ne.Deduction
		res.vetoed = res.vetoed || ne.Veto
	}
	res.bonus = min(res.bonusRaw, std.BonusCap)
	res.total = max(0, res.base+res.bonus-res.deductions)
	return res
}

// refValue is one reviewer's exact points on a leaf, straight from the table in §4.
func refValue(ind *Indicator, in Input, scale map[string]int64) *big.Rat {
	rat := func(p Points) *big.Rat { return new(big.Rat).SetInt64(int64(p)) }
	maxi := rat(ind.Max)
	switch ind.Kind {
	case KindPoints, KindBonus:
		return rat(in.Points)
	case KindGrade:
		return new(big.Rat).Mul(maxi, big.NewRat(scale[in.Grade], 100))
	case KindThreshold:
		if in.Value >= ind.Target {
			return maxi
		}
		return new(big.Rat)
	case KindLinear:
		f := new(big.Rat).Quo(rat(in.Value-ind.Floor), rat(ind.Target-ind.Floor))
		switch {
		case f.Sign() < 0:
			f.SetInt64(0)
		case f.Cmp(big.NewRat(1, 1)) > 0:
			f.SetInt64(1)
		}
		return f.Mul(f, maxi)
	case KindChecklist:
		sum := new(big.Rat)
		for _, it := range ind.Items {
			if slices.Contains(in.Ticked, it.Code) {
				sum.Add(sum, rat(it.Points))
			}
		}
		if sum.Cmp(maxi) > 0 {
			return maxi
		}
		return sum
	case KindDeduction:
		d := new(big.Rat).Mul(new(big.Rat).SetInt64(in.Count), rat(ind.PerItem))
		if d.Cmp(maxi) > 0 {
			return maxi
		}
		return d
	}
	panic(fmt.Sprint("no value for ", ind.Kind))
}

func refAggregate(a Aggregation, vals []*big.Rat) *big.Rat {
	if len(vals) == 0 {
		return new(big.Rat)
	}
	vals = slices.Clone(vals)
	slices.SortFunc(vals, (*big.Rat).Cmp)
	mean := func(vs []*big.Rat) *big.Rat {
		sum := new(big.Rat)
		for _, v := range vs {
			sum.Add(sum, v)
		}
		return sum.Quo(sum, big.NewRat(int64(len(vs)), 1))
	}
	switch {
	case a == Median && len(vals)%2 == 1:
		return vals[len(vals)/2]
	case a == Median:
		return mean(vals[len(vals)/2-1 : len(vals)/2+1])
	case a == TrimmedMean && len(vals) >= 3:
		return mean(vals[1 : len(vals)-1])
	}
	return mean(vals)
}

// refRound rounds x half away from zero to a whole hundredth.
func refRound(x *big.Rat) Points {
	abs := new(big.Rat).Abs(x)
	abs.Add(abs, big.NewRat(1, 2))
	q := new(big.Int).Quo(abs.Num(), abs.Denom())
	if x.Sign() < 0 {
		q.Neg(q)
	}
	return Points(q.Int64())
}

// compareReference describes how the engine's result differs from the reference, or is "".
func compareReference(got *Result, want refResult) string {
	if got.Total != want.total || got.Base != want.base || got.BonusRaw != want.bonusRaw || got.Bonus != want.bonus ||
		got.Deductions != want.deductions || !slices.Equal(got.Categories, want.categories) || got.Vetoed != want.vetoed ||
		!slices.Equal(got.Missing, want.missing) || got.Incomplete != (len(want.missing) > 0) {
		return fmt.Sprintf("engine total %s base %s categories %v bonus %s (raw %s) deductions %s vetoed %v missing %v;\n"+
			"reference total %s base %s categories %v bonus %s (raw %s) deductions %s vetoed %v missing %v",
			got.Total, got.Base, got.Categories, got.Bonus, got.BonusRaw, got.Deductions, got.Vetoed, got.Missing,
			want.total, want.base, want.categories, want.bonus, want.bonusRaw, want.deductions, want.vetoed, want.missing)
	}
	return ""
}

// TestFracStringMatchesBigRat checks the engine's int64 formatting of exact values against
// big.Rat's, up to the bounds: the shortest of 3..6 places that holds the value exactly,
// else six places rounded half away from zero and "…".
func TestFracStringMatchesBigRat(t *testing.T) {
	want := func(num, den int64) string {
		pts := big.NewRat(num, den*100)
		if new(big.Rat).Mul(pts, big.NewRat(100, 1)).IsInt() {
			return pts.FloatString(2)
		}
		for prec := 3; prec <= 6; prec++ {
			s := pts.FloatString(prec)
			if back, _ := new(big.Rat).SetString(s); back.Cmp(pts) == 0 {
				return s
			}
		}
		return pts.FloatString(6) + "…"
	}
	r := rand.New(rand.NewPCG(7, 7))
	cases := [][2]int64{{2887500, 3 * 100}, {57750, 100}, {1, 3}, {2, 3}, {-2, 3}, {-5, 8}, {999999, 1000000},
		{int64(MaxPoints-1) * int64(MaxValue-1) * MaxReviewers, int64(MaxValue) * MaxReviewers}}
	for range 20000 {
		den := 1 + r.Int64N(int64(MaxValue)*MaxReviewers)
		if r.IntN(2) == 0 {
			den = 1 + r.Int64N(1000)
		}
		cases = append(cases, [2]int64{r.Int64N(int64(MaxPoints) * den), den})
	}
	for _, c := range cases {
		if got, w := fracString(c[0], c[1]), want(c[0], c[1]); got != w {
			t.Fatalf("fracString(%d, %d) = %s, want %s", c[0], c[1], got, w)
		}
	}
}
