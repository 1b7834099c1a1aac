package scoring

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// golden is the worked example of docs/scoring.md; every figure there is checked here.
func golden(agg Aggregation) *Standard {
	return &Standard{
		Aggregation: agg,
		BonusCap:    200,
		Categories: []*Indicator{
			{Code: "1", Title: "领导班子好", Kind: KindGroup, Max: 1000, Children: []*Indicator{
				{Code: "1.1", Kind: KindPoints, Max: 400},
				{Code: "1.2", Kind: KindGrade, Max: 175},
				{Code: "1.3", Kind: KindThreshold, Max: 300, Target: 8500},
				{Code: "1.4", Kind: KindLinear, Max: 200, Floor: 5000, Target: 9000},
				{Code: "1.5", Kind: KindChecklist, Max: 200, Items: []ChecklistItem{{"a", 100}, {"b", 50}, {"c", 100}}},
			}},
			{Code: "2", Title: "单位风气好", Kind: KindGroup, Max: 500, Children: []*Indicator{
				{Code: "2.1", Kind: KindPoints, Max: 500},
				{Code: "2.2", Kind: KindBonus, Max: 300},
				{Code: "2.3", Kind: KindDeduction, Max: 200, PerItem: 50},
				{Code: "2.4", Kind: KindVeto},
			}},
		},
	}
}

func goldenInputs() map[string][]Input {
	three := func(a, b, c Input) []Input {
		a.Reviewer, b.Reviewer, c.Reviewer = "r1", "r2", "r3"
		return []Input{a, b, c}
	}
	return map[string][]Input{
		"1.1": three(Input{Points: 350}, Input{Points: 400}, Input{Points: 300}),
		"1.2": three(Input{Grade: "B"}, Input{Grade: "C"}, Input{Grade: "B"}),
		"1.3": three(Input{Value: 8750}, Input{Value: 8490}, Input{Value: 8500}),
		"1.4": three(Input{Value: 7000}, Input{Value: 8000}, Input{Value: 9500}),
		"1.5": three(Input{Ticked: []string{"a", "b"}}, Input{Ticked: []string{"a", "c"}}, Input{Ticked: []string{"a", "b", "c"}}),
		"2.1": three(Input{Points: 450}, Input{Points: 500}, Input{Points: 450}),
		"2.2": three(Input{Points: 200}, Input{Points: 300}, Input{Points: 250}),
		"2.3": three(Input{Count: 1}, Input{Count: 2}, Input{Count: 0}),
	}
}

func leaf(n *Node, code string) *Node {
	if n.Code == code {
		return n
	}
	for _, c := range n.Children {
		if f := leaf(c, code); f != nil {
			return f
		}
	}
	return nil
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name                    string
		agg                     Aggregation
		leaves                  map[string]Points
		cat1, cat2              Points
		base, bonus, ded, total Points
		cat1Capped              bool
	}{
		{
			name: "mean", agg: Mean,
			leaves: map[string]Points{"1.1": 350, "1.2": 96, "1.3": 200, "1.4": 150, "1.5": 183, "2.1": 467, "2.2": 250, "2.3": -50},
			cat1:   979, cat2: 467, base: 1446, bonus: 200, ded: 50, total: 1596,
		},
		{
			name: "median", agg: Median,
			leaves: map[string]Points{"1.1": 350, "1.2": 116, "1.3": 300, "1.4": 150, "1.5": 200, "2.1": 450, "2.2": 250, "2.3": -50},
			cat1:   1000, cat1Capped: true, cat2: 450, base: 1450, bonus: 200, ded: 50, total: 1600,
		},
		{
			// With three reviewers the trimmed mean keeps the middle one: the median.
			name: "trimmed mean", agg: TrimmedMean,
			leaves: map[string]Points{"1.1": 350, "1.2": 116, "1.3": 300, "1.4": 150, "1.5": 200, "2.1": 450, "2.2": 250, "2.3": -50},
			cat1:   1000, cat1Capped: true, cat2: 450, base: 1450, bonus: 200, ded: 50, total: 1600,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Evaluate(golden(c.agg), &Application{Inputs: goldenInputs()})
			if err != nil {
				t.Fatal(err)
			}
			for code, want := range c.leaves {
				if got := leaf(r.Explanation, code).Points; got != want {
					t.Errorf("%s = %s, want %s", code, got, want)
				}
			}
			if r.Categories[0] != c.cat1 || r.Categories[1] != c.cat2 || leaf(r.Explanation, "1").Capped != c.cat1Capped {
				t.Errorf("categories %v (capped %v), want [%s %s]", r.Categories, leaf(r.Explanation, "1").Capped, c.cat1, c.cat2)
			}
			if r.Base != c.base || r.Bonus != c.bonus || r.BonusRaw != 250 || r.Deductions != c.ded || r.Total != c.total || r.Vetoed {
				t.Errorf("base %s bonus %s (raw %s) deductions %s total %s vetoed %v", r.Base, r.Bonus, r.BonusRaw, r.Deductions, r.Total, r.Vetoed)
			}
			// 2.4 (VETO) has no input: no proposal is no veto, not a missing score.
			if r.Incomplete || len(r.Missing) != 0 {
				t.Errorf("complete inputs reported incomplete: %v", r.Missing)
			}
		})
	}
}

func TestGoldenExplanationShowsExactValues(t *testing.T) {
	r, err := Evaluate(golden(Mean), &Application{Inputs: goldenInputs()})
	if err != nil {
		t.Fatal(err)
	}
	g := leaf(r.Explanation, "1.2")
	want := []string{"1.155", "0.5775", "1.155"}
	for i, in := range g.Inputs {
		if in.Value != want[i] {
			t.Errorf("1.2 reviewer %s value %s, want %s", in.Reviewer, in.Value, want[i])
		}
	}
	if g.Method != "MEAN" || g.Raw != 96 {
		t.Errorf("1.2 method %s raw %s", g.Method, g.Raw)
	}
	if got := leaf(r.Explanation, "1.5").Inputs[2].Value; got != "2.00" {
		t.Errorf("1.5 r3 ticked 2.50 of items, capped at max 2.00: got %s", got)
	}
	if got := leaf(r.Explanation, "2.1").Inputs[0].Value; got != "4.50" {
		t.Errorf("2.1 r1 = %s", got)
	}
}

func TestTrimmedMeanWithFourReviewers(t *testing.T) {
	std := &Standard{Categories: []*Indicator{{Code: "1", Kind: KindPoints, Max: 400}}}
	in := map[string][]Input{"1": {{Reviewer: "a", Points: 200}, {Reviewer: "b", Points: 400}, {Reviewer: "c", Points: 350}, {Reviewer: "d", Points: 300}}}
	for agg, want := range map[Aggregation]Points{Mean: 313, Median: 325, TrimmedMean: 325} {
		std.Aggregation = agg
		r, err := Evaluate(std, &Application{Inputs: in})
		if err != nil || r.Total != want {
			t.Errorf("%s: %v %v, want %s", agg, r.Total, err, want)
		}
	}
	// Two reviewers: nothing to trim, the mean.
	std.Aggregation = TrimmedMean
	r, _ := Evaluate(std, &Application{Inputs: map[string][]Input{"1": in["1"][:2]}})
	if r.Total != 300 {
		t.Errorf("trimmed mean of two = %s, want 3.00", r.Total)
	}
}

func TestVetoesAndNegativeList(t *testing.T) {
	in := goldenInputs()
	in["2.4"] = []Input{{Reviewer: "r2", Veto: true, Reason: "重大安全责任事故"}}
	r, err := Evaluate(golden(Mean), &Application{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if r.Vetoed || len(r.Vetoes) != 1 || r.Vetoes[0].Confirmed || r.Vetoes[0].Proposers[0] != "r2" {
		t.Errorf("a proposed veto: vetoed %v %+v", r.Vetoed, r.Vetoes)
	}
	r, _ = Evaluate(golden(Mean), &Application{Inputs: in, ConfirmedVetoes: map[string]bool{"2.4": true}})
	if !r.Vetoed || r.Total != 1596 {
		t.Errorf("a confirmed veto: vetoed %v total %s (the score is still shown)", r.Vetoed, r.Total)
	}
	r, _ = Evaluate(golden(Mean), &Application{Inputs: goldenInputs(), Negative: []NegativeEntry{
		{Code: "N1", Reason: "被媒体曝光", Deduction: 100},
		{Code: "N2", Reason: "违纪违法案件", Veto: true},
	}})
	if !r.Vetoed || r.Deductions != 150 || r.Total != 1496 {
		t.Errorf("negative list: vetoed %v deductions %s total %s", r.Vetoed, r.Deductions, r.Total)
	}
}

func TestTotalIsFlooredAtZero(t *testing.T) {
	std := &Standard{Categories: []*Indicator{
		{Code: "1", Kind: KindPoints, Max: 100},
		{Code: "2", Kind: KindDeduction, Max: 500, PerItem: 100},
	}}
	r, err := Evaluate(std, &Application{Inputs: map[string][]Input{
		"1": {{Reviewer: "a", Points: 100}},
		"2": {{Reviewer: "a", Count: MaxOccurrences}}, // capped at max
	}})
	if err != nil || r.Total != 0 || r.Deductions != 500 || r.Base != 100 {
		t.Errorf("total %s base %s deductions %s %v", r.Total, r.Base, r.Deductions, err)
	}
}

func TestInvalidInputs(t *testing.T) {
	for name, in := range map[string]map[string][]Input{
		"points above max": {"1.1": {{Reviewer: "x", Points: 450}}},
		"points off step":  {"1.1": {{Reviewer: "x", Points: 125}}},
		"negative points":  {"1.1": {{Reviewer: "x", Points: -50}}},
		"unknown grade":    {"1.2": {{Reviewer: "x", Grade: "E"}}},
		"unknown item":     {"1.5": {{Reviewer: "x", Ticked: []string{"z"}}}},
		"negative value":   {"1.3": {{Reviewer: "x", Value: -1}}},
		"negative count":   {"2.3": {{Reviewer: "x", Count: -1}}},
		"bonus above max":  {"2.2": {{Reviewer: "x", Points: 350}}},
		"value too large":  {"1.4": {{Reviewer: "x", Value: MaxValue + 1}}},
		"count too large":  {"2.3": {{Reviewer: "x", Count: MaxOccurrences + 1}}},
		"count near int64": {"2.3": {{Reviewer: "x", Count: 1 << 62}}},
	} {
		_, err := Evaluate(golden(Mean), &Application{Inputs: in})
		var ie *InputError
		if !errors.Is(err, ErrInvalidInput) || !errors.As(err, &ie) || ie.Reviewer != "x" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPointsText(t *testing.T) {
	for s, want := range map[string]Points{"87.5": 8750, "87.50": 8750, "0": 0, "-3": -300, "0.05": 5, "-0.5": -50,
		"999999999999999.99": 99999999999999999, "007": 700} {
		if got, err := ParsePoints(s); err != nil || got != want {
			t.Errorf("ParsePoints(%q) = %v, %v", s, got, err)
		}
	}
	// Only plain decimals: what a general number parser also reads would be stored as typed.
	for _, bad := range []string{"1.005", "x", "1e3", "1/2", "", "0x1F", "0b101", "0o17", "1_0", "+7.5", " 5", "5 ", ".5", "5.",
		"--5", "-", "１２", "1234567890123456", "٣"} {
		if _, err := ParsePoints(bad); err == nil {
			t.Errorf("ParsePoints(%q) accepted", bad)
		}
	}
	for p, want := range map[Points]string{8750: "87.50", 5: "0.05", -300: "-3.00", 0: "0.00"} {
		if p.String() != want {
			t.Errorf("%d formats as %s", p, p.String())
		}
	}
}

func TestRankAndRecommend(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	entries := []*Entry{
		{ApplicationID: "e", UnitID: "u5", Total: 9000, Base: 8800, Categories: []Points{4000, 4800}, FinalSubmit: day(2)},
		{ApplicationID: "a", UnitID: "u1", Total: 9000, Base: 8800, Categories: []Points{4000, 4800}, FinalSubmit: day(1)},
		{ApplicationID: "b", UnitID: "u2", Total: 9000, Base: 8900, Categories: []Points{4000, 4900}, FinalSubmit: day(9)},
		{ApplicationID: "c", UnitID: "u3", Total: 9000, Base: 8800, Categories: []Points{4100, 4700}, FinalSubmit: day(9)},
		{ApplicationID: "d", UnitID: "u4", Total: 9500, Base: 9000, Categories: []Points{4500, 4500}, FinalSubmit: day(9), Vetoed: true},
		{ApplicationID: "f", UnitID: "u0", Total: 9000, Base: 8800, Categories: []Points{4000, 4800}, FinalSubmit: day(1)},
		{ApplicationID: "g", UnitID: "u6", Total: 7000, Base: 7000, FinalSubmit: day(1)},
	}
	Rank(entries)
	var got string
	for _, e := range entries {
		got += e.ApplicationID
	}
	// d has the highest total; b the higher base; c the higher first category; then the
	// earlier submission (f and a on day 1, by unit id u0 < u1), then e.
	if got != "dbcfaeg" {
		t.Errorf("ranking %s, want dbcfaeg", got)
	}
	pass := Points(8000)
	if rec, err := Recommend(entries, Quota{Count: 3}, &pass); err != nil || !slices.Equal(rec, []string{"b", "c", "f"}) {
		t.Errorf("count quota: %v %v", rec, err)
	}
	// 50 % of 7 applications is 3 slots; a pass line of 90.00 leaves fewer qualified.
	pass = 9000
	if rec, err := Recommend(entries, Quota{Percent: 50}, &pass); err != nil || !slices.Equal(rec, []string{"b", "c", "f"}) {
		t.Errorf("percent quota with pass line 90: %v %v", rec, err)
	}
	pass = 9001
	if rec, err := Recommend(entries, Quota{Percent: 50}, &pass); err != nil || len(rec) != 0 {
		t.Errorf("nobody reaches 90.01 but the vetoed: %v %v", rec, err)
	}
	if rec, err := Recommend(entries, Quota{Count: 10}, nil); err != nil || len(rec) != 6 {
		t.Errorf("a quota above the field recommends every non-vetoed one: %v %v", rec, err)
	}
	if rec, err := Recommend(entries, Quota{Percent: 100}, nil); err != nil || len(rec) != 6 {
		t.Errorf("100 %% recommends every non-vetoed one: %v %v", rec, err)
	}
	if rec, err := Recommend(entries, Quota{}, nil); err != nil || len(rec) != 0 {
		t.Errorf("a zero quota recommends nobody: %v %v", rec, err)
	}
}

func TestQuotaOutOfRangeIsRefused(t *testing.T) {
	entries := []*Entry{{ApplicationID: "a", UnitID: "u1", Total: 100}}
	for _, q := range []Quota{{Count: -1}, {Count: -1 << 40}, {Percent: -1}, {Percent: 101}, {Count: 2, Percent: 50}} {
		if rec, err := Recommend(entries, q, nil); !errors.Is(err, ErrInvalidQuota) || rec != nil {
			t.Errorf("%+v: recommended %v, error %v", q, rec, err)
		}
	}
}

// FuzzParsePoints: whatever parses formats back to a value that parses to the same points.
func FuzzParsePoints(f *testing.F) {
	for _, s := range []string{"87.5", "0", "-3.00", "1e3", "0.005", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePoints(s)
		if err != nil {
			return
		}
		back, err := ParsePoints(p.String())
		if err != nil || back != p {
			t.Fatalf("%q → %d → %q → %d, %v", s, p, p.String(), back, err)
		}
	})
}

// TestTopLevelLeavesAreNotCategories: a BONUS, DEDUCTION or VETO leaf at the top level
// counts exactly once, outside the base, and is not a category (docs/scoring.md).
func TestTopLevelLeavesAreNotCategories(t *testing.T) {
	std := &Standard{BonusCap: 500, Categories: []*Indicator{
		{Code: "1", Kind: KindGroup, Children: []*Indicator{{Code: "1.1", Kind: KindPoints, Max: 400}}},
		{Code: "B", Kind: KindBonus, Max: 300},
		{Code: "D", Kind: KindDeduction, Max: 100, PerItem: 100},
		{Code: "V", Kind: KindVeto},
		{Code: "2", Kind: KindGrade, Max: 200},
	}}
	r, err := Evaluate(std, &Application{Inputs: map[string][]Input{
		"1.1": {{Reviewer: "a", Points: 400}},
		"B":   {{Reviewer: "a", Points: 300}},
		"D":   {{Reviewer: "a", Count: 1}},
		"2":   {{Reviewer: "a", Grade: "B"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Base 4.00 + 1.32; bonus 3.00 (under the cap 5.00); deduction 1.00.
	if r.Total != 732 || r.Base != 532 || r.Bonus != 300 || r.Deductions != 100 || !slices.Equal(r.Categories, []Points{400, 132}) {
		t.Errorf("total %s base %s bonus %s deductions %s categories %v; want 7.32 5.32 3.00 1.00 [4.00 1.32]",
			r.Total, r.Base, r.Bonus, r.Deductions, r.Categories)
	}
	for _, code := range []string{"B", "D", "V"} {
		if n := leaf(r.Explanation, code); n == nil || n.InBase {
			t.Errorf("%s is explained as %+v", code, n)
		}
	}
}

// TestLinearLowerIsBetter: a LINEAR target below its floor (0 complaints earn max, 10 or
// more earn nothing) follows the same formula, max × clamp((v − floor)/(target − floor), 0, 1).
func TestLinearLowerIsBetter(t *testing.T) {
	for _, c := range []struct {
		floor, target, value Points
		want                 Points
		exact                string
	}{
		{1000, 0, 0, 400, "4.00"},
		{1000, 0, 250, 300, "3.00"},    // 4 × 7.5 / 10
		{1000, 0, 333, 267, "2.668"},   // 4 × 6.67 / 10, rounded once
		{1000, 0, 1000, 0, "0.00"},     // at the floor
		{1000, 0, 1200, 0, "0.00"},     // beyond the floor: clamped at 0
		{500, 1500, 250, 0, "0.00"},    // higher is better, below the floor
		{500, 1500, 1000, 200, "2.00"}, // halfway
		{500, 1500, 1333, 333, "3.332"},
		{500, 1500, 2000, 400, "4.00"}, // beyond the target: clamped at max
		{1500, 500, 1000, 200, "2.00"}, // the same range, lower is better
		{1500, 500, 1333, 67, "0.668"},
	} {
		std := &Standard{Categories: []*Indicator{{Code: "1", Kind: KindLinear, Max: 400, Floor: c.floor, Target: c.target}}}
		r, err := Evaluate(std, &Application{Inputs: map[string][]Input{"1": {{Reviewer: "a", Value: c.value}}}})
		if err != nil {
			t.Errorf("floor %s target %s value %s: %v", c.floor, c.target, c.value, err)
			continue
		}
		if got := r.Explanation.Children[0].Inputs[0].Value; r.Total != c.want || got != c.exact {
			t.Errorf("floor %s target %s value %s: %s (exact %s), want %s (exact %s)", c.floor, c.target, c.value, r.Total, got, c.want, c.exact)
		}
	}
	same := &Standard{Categories: []*Indicator{{Code: "1", Kind: KindLinear, Max: 400, Floor: 500, Target: 500}}}
	if _, err := Evaluate(same, &Application{}); !errors.Is(err, ErrInvalidStandard) {
		t.Errorf("a target equal to its floor: %v", err)
	}
}

// TestIncompleteResult: a leaf nobody entered anything on scores 0, and the result says so.
func TestIncompleteResult(t *testing.T) {
	in := goldenInputs()
	delete(in, "1.3")
	delete(in, "2.2")
	r, err := Evaluate(golden(Mean), &Application{Inputs: in})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Incomplete || !slices.Equal(r.Missing, []string{"1.3", "2.2"}) || r.Total != 1596-200-200 {
		t.Errorf("incomplete %v missing %v total %s", r.Incomplete, r.Missing, r.Total)
	}
	if n := leaf(r.Explanation, "1.3"); !n.NoInput || n.Points != 0 || !strings.Contains(n.Note, "incomplete") {
		t.Errorf("1.3 explained as %+v", n)
	}
	if !strings.Contains(r.Explanation.Note, "incomplete: no input on 1.3, 2.2") {
		t.Errorf("root note %q", r.Explanation.Note)
	}
}

// TestNegativeListIsExplained: each negative-list entry appears in the explanation with
// its code, reason and points, not only in the sum.
func TestNegativeListIsExplained(t *testing.T) {
	r, err := Evaluate(golden(Mean), &Application{Inputs: goldenInputs(), Negative: []NegativeEntry{
		{Code: "N1", Reason: "被媒体曝光", Deduction: 100},
		{Code: "N2", Reason: "违纪违法案件", Veto: true},
		{Code: "N3", Reason: "信访", Deduction: 25, Veto: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		code, reason string
		kind         Kind
		points       Points
		note         string
	}{
		{"N1", "被媒体曝光", KindDeduction, -100, "negative-list entry: deducts 1.00"},
		{"N2", "违纪违法案件", KindVeto, 0, "negative-list entry: deducts 0.00; vetoes the application"},
		{"N3", "信访", KindDeduction, -25, "negative-list entry: deducts 0.25; vetoes the application"},
	}
	kids := r.Explanation.Children
	if len(kids) != 2+len(want) {
		t.Fatalf("%d root children", len(kids))
	}
	for i, w := range want {
		n := kids[2+i]
		if n.Code != w.code || n.Title != w.reason || n.Kind != w.kind || n.Points != w.points || n.Note != w.note || !n.NegativeList || n.InBase {
			t.Errorf("entry %s explained as %+v", w.code, n)
		}
	}
	if r.Deductions != 175 || r.Total != 1471 || !r.Vetoed ||
		!strings.Contains(r.Explanation.Note, "deductions 1.75 (indicators 0.50, negative list 1.25)") {
		t.Errorf("deductions %s total %s vetoed %v note %q", r.Deductions, r.Total, r.Vetoed, r.Explanation.Note)
	}
}
