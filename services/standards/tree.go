package standards

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/scoring"
)

// problems collects what is wrong with a standard; each names its field and indicator.
type problems struct {
	errors, warnings []*standardsv1.Problem
}

func (p *problems) add(field, code, en string) {
	p.errors = append(p.errors, &standardsv1.Problem{Field: field, IndicatorCode: code, Message: en})
}

func (p *problems) warn(field, code, en string) {
	p.warnings = append(p.warnings, &standardsv1.Problem{Field: field, IndicatorCode: code, Message: en})
}

// points parses a decimal field of at most limit (scoring.MaxPoints or scoring.MaxValue,
// the engine's bounds); empty is def. A bad value is recorded as a problem.
func (p *problems) points(field, code, s string, def, limit scoring.Points) scoring.Points {
	if s == "" {
		return def
	}
	v, err := scoring.ParsePoints(s)
	if err != nil {
		p.add(field, code, fmt.Sprintf("%q is not a number with at most two decimal places", s))
		return def
	}
	if v < 0 {
		p.add(field, code, "must not be negative")
		return def
	}
	if v > limit {
		p.add(field, code, "must be at most "+limit.String())
		return def
	}
	return v
}

var kinds = map[standardsv1.IndicatorKind]scoring.Kind{
	standardsv1.IndicatorKind_INDICATOR_KIND_GROUP:     scoring.KindGroup,
	standardsv1.IndicatorKind_INDICATOR_KIND_POINTS:    scoring.KindPoints,
	standardsv1.IndicatorKind_INDICATOR_KIND_GRADE:     scoring.KindGrade,
	standardsv1.IndicatorKind_INDICATOR_KIND_THRESHOLD: scoring.KindThreshold,
	standardsv1.IndicatorKind_INDICATOR_KIND_LINEAR:    scoring.KindLinear,
	standardsv1.IndicatorKind_INDICATOR_KIND_CHECKLIST: scoring.KindChecklist,
	standardsv1.IndicatorKind_INDICATOR_KIND_BONUS:     scoring.KindBonus,
	standardsv1.IndicatorKind_INDICATOR_KIND_DEDUCTION: scoring.KindDeduction,
	standardsv1.IndicatorKind_INDICATOR_KIND_VETO:      scoring.KindVeto,
}

var aggregations = map[standardsv1.Aggregation]scoring.Aggregation{
	standardsv1.Aggregation_AGGREGATION_UNSPECIFIED:  scoring.Mean,
	standardsv1.Aggregation_AGGREGATION_MEAN:         scoring.Mean,
	standardsv1.Aggregation_AGGREGATION_MEDIAN:       scoring.Median,
	standardsv1.Aggregation_AGGREGATION_TRIMMED_MEAN: scoring.TrimmedMean,
}

// Check validates a standard and builds the scoring engine's view of it. It returns every
// problem (which stop publishing) and warning (which do not); the engine standard is nil
// when there are problems.
func Check(s *standardsv1.Standard) (*scoring.Standard, []*standardsv1.Problem, []*standardsv1.Problem) {
	var p problems
	if strings.TrimSpace(s.GetDisplayName()) == "" {
		p.add("display_name", "", "is required")
	}
	if strings.TrimSpace(s.GetCode()) == "" {
		p.add("code", "", "is required")
	}
	std := &scoring.Standard{
		Aggregation: aggregations[s.GetAggregation()],
		BonusCap:    p.points("bonus_cap", "", s.GetBonusCap(), 0, scoring.MaxPoints),
	}
	if len(s.GetGradeScale()) > 0 {
		std.GradeScale = map[string]int64{}
		for _, g := range s.GetGradeScale() {
			if _, dup := std.GradeScale[g.GetGrade()]; dup {
				p.add("grade_scale", "", "grade "+g.GetGrade()+" appears twice")
			}
			if g.GetPercent() < 0 || g.GetPercent() > 100 {
				p.add("grade_scale", "", "grade "+g.GetGrade()+" must be 0..100 %")
			}
			std.GradeScale[g.GetGrade()] = int64(g.GetPercent())
		}
	}
	// The engine's bounds are checked here too, so that Check never accepts a standard the
	// engine would refuse; MaxIndicators equals the proto's max_items (a test keeps them equal).
	if n := len(s.GetIndicators()); n > scoring.MaxIndicators {
		p.add("indicators", "", fmt.Sprintf("%d indicators, more than the %d a standard may have", n, scoring.MaxIndicators))
	}

	byCode := map[string]*scoring.Indicator{}
	parents := map[string]string{}
	first := map[string]int{}
	for i, in := range s.GetIndicators() {
		field := fmt.Sprintf("indicators[%d]", i)
		code := in.GetCode()
		if code == "" {
			p.add(field+".code", "", "is required")
			continue
		}
		if _, dup := byCode[code]; dup {
			p.add(field+".code", code, "the code "+code+" appears twice")
			continue
		}
		if strings.TrimSpace(in.GetTitle()) == "" {
			p.add(field+".title", code, "is required")
		}
		kind, ok := kinds[in.GetKind()]
		if !ok {
			p.add(field+".kind", code, "is required")
		}
		ind := &scoring.Indicator{Code: code, Title: in.GetTitle(), Kind: kind}
		ind.Max = p.points(field+".max_points", code, in.GetMaxPoints(), 0, scoring.MaxPoints)
		switch kind {
		case scoring.KindGroup:
		case scoring.KindVeto:
			if ind.Max != 0 {
				p.add(field+".max_points", code, "a VETO indicator has no points")
			}
		default:
			if ind.Max == 0 {
				p.add(field+".max_points", code, "is required and above 0 for a "+kind.String()+" indicator")
			}
		}
		switch kind {
		case scoring.KindPoints, scoring.KindBonus:
			ind.Step = p.points(field+".step", code, in.GetStep(), 50, scoring.MaxPoints)
			if ind.Step == 0 || ind.Max > 0 && ind.Step > ind.Max {
				p.add(field+".step", code, "must be above 0 and at most max_points")
			}
		case scoring.KindThreshold:
			if in.GetTarget() == "" {
				p.add(field+".target", code, "a THRESHOLD indicator needs its target")
			}
			ind.Target = p.points(field+".target", code, in.GetTarget(), 0, scoring.MaxValue)
		case scoring.KindLinear:
			if in.GetTarget() == "" || in.GetFloor() == "" {
				p.add(field+".target", code, "a LINEAR indicator needs its floor and target")
			}
			ind.Target = p.points(field+".target", code, in.GetTarget(), 0, scoring.MaxValue)
			ind.Floor = p.points(field+".floor", code, in.GetFloor(), 0, scoring.MaxValue)
			// A target below the floor is lower-is-better (complaints, incidents); only
			// equal ones leave nothing to interpolate between.
			if in.GetTarget() != "" && in.GetFloor() != "" && ind.Floor == ind.Target {
				p.add(field+".floor", code, fmt.Sprintf("the floor %s must differ from the target", ind.Floor))
			}
		case scoring.KindChecklist:
			if len(in.GetItems()) == 0 {
				p.add(field+".items", code, "a CHECKLIST indicator needs its items")
			}
			if len(in.GetItems()) > scoring.MaxItems {
				p.add(field+".items", code, fmt.Sprintf("more than %d items", scoring.MaxItems))
			}
			seen := map[string]bool{}
			for j, it := range in.GetItems() {
				if it.GetCode() == "" || seen[it.GetCode()] {
					p.add(fmt.Sprintf("%s.items[%d].code", field, j), code, "each item needs its own code")
				}
				seen[it.GetCode()] = true
				ind.Items = append(ind.Items, scoring.ChecklistItem{
					Code: it.GetCode(), Points: p.points(fmt.Sprintf("%s.items[%d].points", field, j), code, it.GetPoints(), 0, scoring.MaxPoints),
				})
			}
		case scoring.KindDeduction:
			ind.PerItem = p.points(field+".per_item", code, in.GetPerItem(), 0, scoring.MaxPoints)
			if ind.PerItem == 0 {
				p.add(field+".per_item", code, "a DEDUCTION indicator needs its points per occurrence")
			}
		}
		byCode[code] = ind
		parents[code] = in.GetParentCode()
		first[code] = i
	}

	// Link the tree in the order given; a parent must be a GROUP given anywhere in the list.
	for i, in := range s.GetIndicators() {
		ind, ok := byCode[in.GetCode()]
		if j, seen := first[in.GetCode()]; !ok || !seen || j != i {
			continue
		}
		parentCode := in.GetParentCode()
		if parentCode == "" {
			std.Categories = append(std.Categories, ind)
			continue
		}
		parent, ok := byCode[parentCode]
		switch {
		case !ok:
			p.add(fmt.Sprintf("indicators[%d].parent_code", i), ind.Code, "no indicator has the code "+parentCode)
		case parent.Kind != scoring.KindGroup:
			p.add(fmt.Sprintf("indicators[%d].parent_code", i), ind.Code, parentCode+" is not a GROUP and cannot have children")
		case cyclic(parents, ind.Code):
			p.add(fmt.Sprintf("indicators[%d].parent_code", i), ind.Code, "the parents form a cycle")
		default:
			parent.Children = append(parent.Children, ind)
		}
	}
	if len(s.GetIndicators()) > 0 && len(std.Categories) == 0 {
		p.add("indicators", "", "at least one indicator must be top-level (no parent_code)")
	}

	// The base is what the categories can give: top-level groups and base-counting leaves.
	// A top-level BONUS, DEDUCTION or VETO leaf is not a category and adds nothing, as in
	// the engine.
	var base scoring.Points
	for _, c := range std.Categories {
		switch {
		case c.Kind == scoring.KindGroup:
			base += groupMax(c, &p)
		case c.Kind.CountsInBase():
			base += c.Max
		}
	}
	if base > scoring.MaxPoints {
		p.add("indicators", "", fmt.Sprintf("the top-level categories can give %s points, more than the %s a standard may have", base, scoring.MaxPoints))
	}
	if s.GetBasePoints() != "" {
		if want := p.points("base_points", "", s.GetBasePoints(), 0, scoring.MaxPoints); want != base {
			p.add("base_points", "", fmt.Sprintf("the top-level categories add up to %s, not %s", base, want))
		}
	}
	// Whatever passes the checks above must pass the engine's own: a standard that
	// publishes and then cannot be scored would only fail at ranking time.
	if len(p.errors) == 0 {
		if err := std.Validate(); err != nil {
			var se *scoring.StandardError
			code := ""
			if errors.As(err, &se) {
				code = se.Code
			}
			p.add("indicators", code, err.Error())
		}
	}
	if len(p.errors) > 0 {
		return nil, p.errors, p.warnings
	}
	return std, nil, p.warnings
}

// groupMax is the most base points a group can give, warning where its children's points do
// not match its cap.
func groupMax(g *scoring.Indicator, p *problems) scoring.Points {
	var sum scoring.Points
	for _, c := range g.Children {
		switch {
		case c.Kind == scoring.KindGroup:
			sum += groupMax(c, p)
		case c.Kind.CountsInBase():
			sum += c.Max
		}
	}
	switch {
	case g.Max == 0:
		return sum
	case sum > g.Max:
		p.warn("max_points", g.Code, fmt.Sprintf("the children's points add up to %s, above this group's cap %s: the cap applies", sum, g.Max))
	case sum < g.Max:
		p.warn("max_points", g.Code, fmt.Sprintf("the children's points add up to %s, so this group can never reach its %s", sum, g.Max))
		return sum
	}
	return g.Max
}

func cyclic(parents map[string]string, code string) bool {
	seen := map[string]bool{}
	for c := code; c != ""; c = parents[c] {
		if seen[c] {
			return true
		}
		seen[c] = true
	}
	return false
}

// content is the part of a standard its content hash covers: everything an office
// publishes, nothing the server assigns.
func content(s *standardsv1.Standard) *standardsv1.Standard {
	return &standardsv1.Standard{
		Code: s.GetCode(), DisplayName: s.GetDisplayName(), BasePoints: s.GetBasePoints(), BonusCap: s.GetBonusCap(),
		GradeScale: s.GetGradeScale(), Aggregation: s.GetAggregation(), Indicators: s.GetIndicators(),
	}
}

// contentHash is the SHA-256 of the standard's content in deterministic protobuf encoding.
func contentHash(s *standardsv1.Standard) string {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(content(s))
	if err != nil {
		panic(err) // a message built in this process always marshals
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// encodeIndicators and decodeIndicators store the indicator list in one column.
func encodeIndicators(list []*standardsv1.Indicator) ([]byte, error) {
	for i, in := range list {
		in.Position = int32(i)
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(&standardsv1.Standard{Indicators: list})
}

func decodeIndicators(b []byte) ([]*standardsv1.Indicator, error) {
	var s standardsv1.Standard
	if err := proto.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	return s.GetIndicators(), nil
}
