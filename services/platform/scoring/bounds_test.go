package scoring

import (
	"errors"
	"fmt"
	"testing"
)

// largest is the largest standard the bounds allow, with the largest inputs: MaxIndicators
// nodes, every max at MaxPoints (or just below, so values fall between hundredths), LINEAR
// spans of MaxValue, a full checklist, and MaxReviewers reviewers on every leaf. Its exact
// intermediates reach 10¹⁸, close to int64's limit.
func largest() (*Standard, *Application) {
	const leaves = MaxIndicators - 4 // the group, the checklist, the bonus and the deduction
	group := &Indicator{Code: "1", Kind: KindGroup, Max: MaxPoints}
	list := &Indicator{Code: "1.c", Kind: KindChecklist, Max: MaxPoints}
	for i := range MaxItems {
		list.Items = append(list.Items, ChecklistItem{Code: fmt.Sprint("i", i), Points: MaxPoints})
	}
	std := &Standard{BonusCap: MaxPoints, Categories: []*Indicator{
		group,
		{Code: "B", Kind: KindBonus, Max: MaxPoints},
		{Code: "D", Kind: KindDeduction, Max: MaxPoints, PerItem: MaxPoints},
	}}
	// The LINEAR leaves share two input lists (one per direction): Evaluate only reads them.
	up, down := make([]Input, MaxReviewers), make([]Input, MaxReviewers)
	for r := range MaxReviewers {
		up[r] = Input{Reviewer: fmt.Sprint("r", r), Value: MaxValue - 1}
		down[r] = Input{Reviewer: fmt.Sprint("r", r), Value: 1}
	}
	app := &Application{Inputs: map[string][]Input{}}
	for i := range leaves {
		// Alternate the direction; both measure (MaxValue − 1) of a MaxValue span.
		l := &Indicator{Code: fmt.Sprint("1.", i), Kind: KindLinear, Max: MaxPoints - 1, Floor: 0, Target: MaxValue}
		app.Inputs[l.Code] = up
		if i%2 == 1 {
			l.Floor, l.Target = MaxValue, 0
			app.Inputs[l.Code] = down
		}
		group.Children = append(group.Children, l)
	}
	group.Children = append(group.Children, list)
	for r := range MaxReviewers {
		reviewer := fmt.Sprint("r", r)
		var all []string
		for _, it := range list.Items {
			all = append(all, it.Code)
		}
		app.Inputs["1.c"] = append(app.Inputs["1.c"], Input{Reviewer: reviewer, Ticked: all})
		app.Inputs["B"] = append(app.Inputs["B"], Input{Reviewer: reviewer, Points: MaxPoints})
		// One reviewer counts the most occurrences, the others none: a mean of 1 % of max.
		count := int64(0)
		if r == 0 {
			count = MaxOccurrences
		}
		app.Inputs["D"] = append(app.Inputs["D"], Input{Reviewer: reviewer, Count: count})
	}
	return std, app
}

func TestLargestStandardComputesExactly(t *testing.T) {
	std, app := largest()
	r, err := Evaluate(std, app)
	if err != nil {
		t.Fatal(err)
	}
	// Each LINEAR leaf is (10⁸ − 1)² / 10⁸ = 99 999 998.00000001 hundredths, 99999998;
	// 1 996 of them and the checklist are capped at the group's 10⁸. Bonus 10⁸; the
	// deduction's mean is 10⁸ / 100 = 10⁶.
	if n := leaf(r.Explanation, "1.0"); n.Points != MaxPoints-2 || n.Inputs[0].Value != "999999.980000…" {
		t.Errorf("a LINEAR leaf: %s, exact %s", n.Points, n.Inputs[0].Value)
	}
	if g := leaf(r.Explanation, "1"); g.Raw != (MaxIndicators-4)*(MaxPoints-2)+MaxPoints || !g.Capped {
		t.Errorf("group raw %s capped %v", g.Raw, g.Capped)
	}
	if r.Total != 2*MaxPoints-MaxPoints/100 || r.Base != MaxPoints || r.Bonus != MaxPoints || r.Deductions != MaxPoints/100 {
		t.Errorf("total %s base %s bonus %s deductions %s", r.Total, r.Base, r.Bonus, r.Deductions)
	}
	if diff := compareReference(r, reference(std, app)); diff != "" {
		t.Error(diff)
	}

	// The most negative-list entries, each as large as allowed: the sum stays exact.
	app.Negative = make([]NegativeEntry, MaxNegativeEntries)
	for i := range app.Negative {
		app.Negative[i] = NegativeEntry{Code: fmt.Sprint("N", i), Deduction: MaxPoints}
	}
	r, err = Evaluate(std, app)
	if err != nil || r.Deductions != MaxNegativeEntries*MaxPoints+MaxPoints/100 || r.Total != 0 {
		t.Errorf("deductions %s total %s %v", r.Deductions, r.Total, err)
	}
}

func TestBeyondTheBoundsIsRefused(t *testing.T) {
	for name, c := range map[string]struct {
		change func(*Standard, *Application)
		want   error
	}{
		"one indicator too many": {func(s *Standard, _ *Application) {
			s.Categories = append(s.Categories, &Indicator{Code: "V", Kind: KindVeto})
		}, ErrInvalidStandard},
		"max above the bound":       {func(s *Standard, _ *Application) { s.Categories[1].Max = MaxPoints + 1 }, ErrInvalidStandard},
		"group max above the bound": {func(s *Standard, _ *Application) { s.Categories[0].Max = MaxPoints + 1 }, ErrInvalidStandard},
		"bonus cap above the bound": {func(s *Standard, _ *Application) { s.BonusCap = MaxPoints + 1 }, ErrInvalidStandard},
		"per item above the bound":  {func(s *Standard, _ *Application) { s.Categories[2].PerItem = MaxPoints + 1 }, ErrInvalidStandard},
		"item above the bound": {func(s *Standard, _ *Application) {
			s.Categories[0].Children[MaxIndicators-4].Items[0].Points = MaxPoints + 1
		}, ErrInvalidStandard},
		"one item too many": {func(s *Standard, _ *Application) {
			c := s.Categories[0].Children[MaxIndicators-4]
			c.Items = append(c.Items, ChecklistItem{Code: "extra", Points: 1})
		}, ErrInvalidStandard},
		"floor above the bound":  {func(s *Standard, _ *Application) { s.Categories[0].Children[1].Floor = MaxValue + 1 }, ErrInvalidStandard},
		"target above the bound": {func(s *Standard, _ *Application) { s.Categories[0].Children[0].Target = MaxValue + 1 }, ErrInvalidStandard},
		"base above the bound": {func(s *Standard, _ *Application) {
			// Two categories of MaxPoints each: no group caps them.
			s.Categories[0].Max = 0
			s.Categories[0].Children = s.Categories[0].Children[:2]
		}, ErrInvalidStandard},
		"one reviewer too many": {func(_ *Standard, a *Application) {
			a.Inputs["B"] = append(a.Inputs["B"], Input{Reviewer: "extra"})
		}, ErrInvalidInput},
		"value above the bound": {func(_ *Standard, a *Application) {
			a.Inputs["1.0"] = append([]Input{{Reviewer: "r", Value: MaxValue + 1}}, a.Inputs["1.0"][1:]...)
		}, ErrInvalidInput},
		"count above the bound": {func(_ *Standard, a *Application) { a.Inputs["D"][0].Count = MaxOccurrences + 1 }, ErrInvalidInput},
		"negative-list deduction above the bound": {func(_ *Standard, a *Application) {
			a.Negative = []NegativeEntry{{Code: "N", Deduction: MaxPoints + 1}}
		}, ErrInvalidInput},
		"one negative-list entry too many": {func(_ *Standard, a *Application) {
			a.Negative = make([]NegativeEntry, MaxNegativeEntries+1)
		}, ErrInvalidInput},
	} {
		std, app := largest()
		c.change(std, app)
		if r, err := Evaluate(std, app); !errors.Is(err, c.want) || r != nil {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
}

// TestTwoLargeItemsCannotOverflow is the case that once gave a negative base: two
// checklist items near int64's limit are refused, not summed.
func TestTwoLargeItemsCannotOverflow(t *testing.T) {
	std := &Standard{Categories: []*Indicator{{Code: "1", Kind: KindChecklist, Max: MaxPoints,
		Items: []ChecklistItem{{"a", 1 << 62}, {"b", 1 << 62}}}}}
	_, err := Evaluate(std, &Application{Inputs: map[string][]Input{"1": {{Reviewer: "r", Ticked: []string{"a", "b"}}}}})
	if !errors.Is(err, ErrInvalidStandard) {
		t.Errorf("%v", err)
	}
}

func TestCyclicTreeIsRefused(t *testing.T) {
	g := &Indicator{Code: "1", Kind: KindGroup}
	g.Children = []*Indicator{g}
	if _, err := Evaluate(&Standard{Categories: []*Indicator{g}}, &Application{}); !errors.Is(err, ErrInvalidStandard) {
		t.Errorf("%v", err)
	}
}
