package standards

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"google.golang.org/protobuf/proto"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/scoring"
)

const (
	kindGroup     = standardsv1.IndicatorKind_INDICATOR_KIND_GROUP
	kindPoints    = standardsv1.IndicatorKind_INDICATOR_KIND_POINTS
	kindLinear    = standardsv1.IndicatorKind_INDICATOR_KIND_LINEAR
	kindChecklist = standardsv1.IndicatorKind_INDICATOR_KIND_CHECKLIST
	kindBonus     = standardsv1.IndicatorKind_INDICATOR_KIND_BONUS
	kindDeduction = standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION
	kindVeto      = standardsv1.IndicatorKind_INDICATOR_KIND_VETO
)

func testStandard(bonusCap, basePoints string, inds ...*standardsv1.Indicator) *standardsv1.Standard {
	for _, in := range inds {
		if in.Title == "" {
			in.Title = "t " + in.Code
		}
	}
	return &standardsv1.Standard{Code: "S", DisplayName: "s", BonusCap: bonusCap, BasePoints: basePoints, Indicators: inds}
}

// hasProblem reports whether problems name field (a suffix) on indicator code.
func hasProblem(problems []*standardsv1.Problem, field, code string) bool {
	return slices.ContainsFunc(problems, func(p *standardsv1.Problem) bool {
		return strings.HasSuffix(p.GetField(), field) && p.GetIndicatorCode() == code
	})
}

// TestCheckAndEngineAgreeOnTopLevelLeaves: a BONUS and a DEDUCTION at the top level add
// nothing to the base in Check's base_points and in the engine, and count once outside it.
func TestCheckAndEngineAgreeOnTopLevelLeaves(t *testing.T) {
	s := testStandard("5.00", "4.00",
		&standardsv1.Indicator{Code: "1", Kind: kindGroup},
		&standardsv1.Indicator{ParentCode: "1", Code: "1.1", Kind: kindPoints, MaxPoints: "4.00"},
		&standardsv1.Indicator{Code: "B", Kind: kindBonus, MaxPoints: "3.00"},
		&standardsv1.Indicator{Code: "D", Kind: kindDeduction, MaxPoints: "1.00", PerItem: "1.00"},
		&standardsv1.Indicator{Code: "V", Kind: kindVeto},
	)
	std, problems, _ := Check(s)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	r, err := scoring.Evaluate(std, &scoring.Application{Inputs: map[string][]scoring.Input{
		"1.1": {{Reviewer: "a", Points: 400}},
		"B":   {{Reviewer: "a", Points: 300}},
		"D":   {{Reviewer: "a", Count: 1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 600 || r.Base != 400 || !slices.Equal(r.Categories, []scoring.Points{400}) {
		t.Errorf("total %s base %s categories %v, want 6.00 4.00 [4.00]", r.Total, r.Base, r.Categories)
	}
	s.BasePoints = "7.00" // as if the top-level bonus were a category
	if _, problems, _ := Check(s); !hasProblem(problems, "base_points", "") {
		t.Errorf("base_points 7.00 accepted: %v", problems)
	}
}

// TestCheckAcceptsLinearInBothDirections: a LINEAR target below its floor (lower is
// better) is accepted and scored by the §4 formula; a target equal to its floor is not.
func TestCheckAcceptsLinearInBothDirections(t *testing.T) {
	for _, c := range []struct {
		floor, target string
		value         scoring.Points
		want          scoring.Points
	}{
		{"10.00", "0.00", 250, 300},  // 4 × (2.5 − 10)/(0 − 10) = 3.00
		{"10.00", "0.00", 1200, 0},   // worse than the floor
		{"0.00", "10.00", 250, 100},  // 4 × 2.5/10 = 1.00
		{"0.00", "10.00", 1200, 400}, // better than the target
	} {
		s := testStandard("", "", &standardsv1.Indicator{Code: "1", Kind: kindLinear, MaxPoints: "4.00", Floor: c.floor, Target: c.target})
		std, problems, _ := Check(s)
		if len(problems) > 0 {
			t.Errorf("floor %s target %s: %v", c.floor, c.target, problems)
			continue
		}
		r, err := scoring.Evaluate(std, &scoring.Application{Inputs: map[string][]scoring.Input{"1": {{Reviewer: "a", Value: c.value}}}})
		if err != nil || r.Total != c.want {
			t.Errorf("floor %s target %s value %s: %v %v, want %s", c.floor, c.target, c.value, r, err, c.want)
		}
	}
	s := testStandard("", "", &standardsv1.Indicator{Code: "1", Kind: kindLinear, MaxPoints: "4.00", Floor: "5.00", Target: "5.00"})
	if _, problems, _ := Check(s); !hasProblem(problems, ".floor", "1") {
		t.Errorf("a target equal to its floor: %v", problems)
	}
}

// TestCheckBounds: every points field and measured value is accepted at the engine's bound
// and refused one hundredth above it, with a problem naming the field and the indicator.
func TestCheckBounds(t *testing.T) {
	const atMax, aboveMax = "1000000.00", "1000000.01"
	cases := []struct {
		name, field, code string
		build             func(v string) *standardsv1.Standard
	}{
		{"max_points", ".max_points", "1", func(v string) *standardsv1.Standard {
			return testStandard("", "", &standardsv1.Indicator{Code: "1", Kind: kindPoints, MaxPoints: v})
		}},
		{"step", ".step", "B", func(v string) *standardsv1.Standard {
			return testStandard("", "", &standardsv1.Indicator{Code: "B", Kind: kindBonus, MaxPoints: atMax, Step: v})
		}},
		{"per_item", ".per_item", "D", func(v string) *standardsv1.Standard {
			return testStandard("", "", &standardsv1.Indicator{Code: "D", Kind: kindDeduction, MaxPoints: "1.00", PerItem: v})
		}},
		{"item points", ".items[1].points", "C", func(v string) *standardsv1.Standard {
			return testStandard("", "", &standardsv1.Indicator{Code: "C", Kind: kindChecklist, MaxPoints: atMax, Items: []*standardsv1.ChecklistItem{
				{Code: "a", Points: atMax}, {Code: "b", Points: v}}})
		}},
		{"target", ".target", "L", func(v string) *standardsv1.Standard {
			return testStandard("", "", &standardsv1.Indicator{Code: "L", Kind: kindLinear, MaxPoints: "1.00", Floor: "0", Target: v})
		}},
		{"floor", ".floor", "L", func(v string) *standardsv1.Standard {
			return testStandard("", "", &standardsv1.Indicator{Code: "L", Kind: kindLinear, MaxPoints: "1.00", Floor: v, Target: "0"})
		}},
		{"bonus_cap", "bonus_cap", "", func(v string) *standardsv1.Standard {
			return testStandard(v, "", &standardsv1.Indicator{Code: "1", Kind: kindPoints, MaxPoints: "1.00"})
		}},
		{"base_points", "base_points", "", func(v string) *standardsv1.Standard {
			return testStandard("", v, &standardsv1.Indicator{Code: "1", Kind: kindPoints, MaxPoints: v})
		}},
	}
	for _, c := range cases {
		if _, problems, _ := Check(c.build(atMax)); len(problems) > 0 {
			t.Errorf("%s at the bound: %v", c.name, problems)
		}
		if std, problems, _ := Check(c.build(aboveMax)); std != nil || !hasProblem(problems, c.field, c.code) {
			t.Errorf("%s above the bound: %v", c.name, problems)
		}
	}

	// Two checklist items near int64's limit once summed to a negative base.
	s := testStandard("", "", &standardsv1.Indicator{Code: "C", Kind: kindChecklist, MaxPoints: "1.00", Items: []*standardsv1.ChecklistItem{
		{Code: "a", Points: "46116860184273879.03"}, {Code: "b", Points: "46116860184273879.03"}}})
	if _, problems, _ := Check(s); !hasProblem(problems, ".items[0].points", "C") || !hasProblem(problems, ".items[1].points", "C") {
		t.Errorf("huge items: %v", problems)
	}

	// The base: categories that can give more than the bound together, none capping them.
	s = testStandard("", "",
		&standardsv1.Indicator{Code: "1", Kind: kindPoints, MaxPoints: atMax},
		&standardsv1.Indicator{Code: "2", Kind: kindPoints, MaxPoints: "0.50"})
	if _, problems, _ := Check(s); !hasProblem(problems, "indicators", "") {
		t.Errorf("base above the bound: %v", problems)
	}
	// Capped by a group, the same leaves are fine.
	s.Indicators = append([]*standardsv1.Indicator{{Code: "G", Title: "g", Kind: kindGroup, MaxPoints: atMax}}, s.Indicators...)
	s.Indicators[1].ParentCode, s.Indicators[2].ParentCode = "G", "G"
	if _, problems, warnings := Check(s); len(problems) > 0 || len(warnings) != 1 {
		t.Errorf("base capped by a group: %v %v", problems, warnings)
	}
}

// TestCheckIndicatorAndItemCounts: the largest standard Check accepts (MaxIndicators
// indicators, MaxItems items, every max at the bound) computes exactly; one more indicator
// or item is refused.
func TestCheckIndicatorAndItemCounts(t *testing.T) {
	build := func(indicators, items int) *standardsv1.Standard {
		s := testStandard("1000000.00", "1000000.00", &standardsv1.Indicator{Code: "G", Kind: kindGroup, MaxPoints: "1000000.00"})
		list := &standardsv1.Indicator{ParentCode: "G", Code: "C", Title: "c", Kind: kindChecklist, MaxPoints: "1000000.00"}
		for i := range items {
			list.Items = append(list.Items, &standardsv1.ChecklistItem{Code: fmt.Sprint("i", i), Points: "1000000.00"})
		}
		s.Indicators = append(s.Indicators, list)
		for i := len(s.Indicators); i < indicators; i++ {
			s.Indicators = append(s.Indicators, &standardsv1.Indicator{
				ParentCode: "G", Code: fmt.Sprint("L", i), Title: "l", Kind: kindLinear, MaxPoints: "999999.99", Floor: "1000000.00", Target: "0",
			})
		}
		return s
	}
	std, problems, _ := Check(build(scoring.MaxIndicators, scoring.MaxItems))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	app := &scoring.Application{Inputs: map[string][]scoring.Input{"C": {{Reviewer: "a", Ticked: []string{"i0", "i1"}}}}}
	for i := 2; i < scoring.MaxIndicators; i++ {
		app.Inputs[fmt.Sprint("L", i)] = []scoring.Input{{Reviewer: "a", Value: 1}, {Reviewer: "b", Value: 2}}
	}
	r, err := scoring.Evaluate(std, app)
	// Each LINEAR leaf: 999 999.99 × (999 999.99 + 999 999.98) / 2 / 1 000 000 = 999999.975…,
	// 99999997.5… hundredths rounded to 99999998; the group caps at 1 000 000.00.
	if err != nil || r.Total != scoring.MaxPoints || r.Explanation.Children[0].Children[1].Points != 99999998 {
		t.Fatalf("%v %v", r, err)
	}
	if _, problems, _ := Check(build(scoring.MaxIndicators+1, scoring.MaxItems)); !hasProblem(problems, "indicators", "") {
		t.Errorf("one indicator too many: %v", problems)
	}
	if _, problems, _ := Check(build(scoring.MaxIndicators, scoring.MaxItems+1)); !hasProblem(problems, ".items", "C") {
		t.Errorf("one item too many: %v", problems)
	}
}

// The engine's indicator bound and the API's are one number.
func TestIndicatorCapMatchesTheProto(t *testing.T) {
	fd := (&standardsv1.Standard{}).ProtoReflect().Descriptor().Fields().ByName("indicators")
	rules, _ := proto.GetExtension(fd.Options(), validate.E_Field).(*validate.FieldRules)
	if got := rules.GetRepeated().GetMaxItems(); got != scoring.MaxIndicators {
		t.Errorf("Standard.indicators max_items = %d, scoring.MaxIndicators = %d", got, scoring.MaxIndicators)
	}
}
