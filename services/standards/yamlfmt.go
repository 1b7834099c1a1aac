package standards

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	standardsv1 "github.com/wenming-platform/wenming/api/gen/wenming/standards/v1"
	"github.com/wenming-platform/wenming/services/platform/scoring"
)

// The YAML form of a standard is its canonical text, for version control and review: the
// indicators nested as a tree, enum names without their prefixes, points with two decimals.
// Export writes exactly this form, so exporting an imported canonical file gives it back
// byte for byte. docs/standard-formats.md describes it.

type yamlStandard struct {
	Code        string          `yaml:"code"`
	Name        string          `yaml:"name"`
	BasePoints  string          `yaml:"base_points,omitempty"`
	BonusCap    string          `yaml:"bonus_cap,omitempty"`
	Aggregation string          `yaml:"aggregation,omitempty"`
	GradeScale  []yamlGrade     `yaml:"grade_scale,omitempty"`
	Indicators  []yamlIndicator `yaml:"indicators"`
}

type yamlGrade struct {
	Grade   string `yaml:"grade"`
	Percent int32  `yaml:"percent"`
}

type yamlIndicator struct {
	Code      string          `yaml:"code"`
	Title     string          `yaml:"title"`
	Kind      string          `yaml:"kind"`
	MaxPoints string          `yaml:"max_points,omitempty"`
	Method    string          `yaml:"method,omitempty"`
	Step      string          `yaml:"step,omitempty"`
	Target    string          `yaml:"target,omitempty"`
	Floor     string          `yaml:"floor,omitempty"`
	PerItem   string          `yaml:"per_item,omitempty"`
	Guidance  string          `yaml:"guidance,omitempty"`
	Items     []yamlItem      `yaml:"items,omitempty"`
	Evidence  *yamlEvidence   `yaml:"evidence,omitempty"`
	Children  []yamlIndicator `yaml:"children,omitempty"`
}

type yamlItem struct {
	Code   string `yaml:"code"`
	Title  string `yaml:"title,omitempty"`
	Points string `yaml:"points"`
}

type yamlEvidence struct {
	FileTypes         []string `yaml:"file_types,omitempty,flow"`
	MinFiles          int32    `yaml:"min_files,omitempty"`
	MinPhotos         int32    `yaml:"min_photos,omitempty"`
	NarrativeMaxChars int32    `yaml:"narrative_max_chars,omitempty"`
	Cadence           string   `yaml:"cadence,omitempty"`
	DueDay            int32    `yaml:"due_day,omitempty"`
}

// enumName and enumValue convert between proto enum values and their short YAML names.
func enumName(full, prefix string) string {
	if strings.HasSuffix(full, "_UNSPECIFIED") {
		return ""
	}
	return strings.TrimPrefix(full, prefix)
}

func enumValue[T ~int32](names map[string]int32, prefix, short, field string, errs *[]string) T {
	if short == "" {
		return 0
	}
	v, ok := names[prefix+strings.ToUpper(short)]
	if !ok {
		*errs = append(*errs, fmt.Sprintf("%s: unknown value %q", field, short))
	}
	return T(v)
}

// canonicalPoints writes a decimal with two places; text that is not a number is kept as it
// is, for validation to report.
func canonicalPoints(s string) string {
	if s == "" {
		return ""
	}
	p, err := scoring.ParsePoints(s)
	if err != nil {
		return s
	}
	return p.String()
}

// MarshalYAML writes a standard in its canonical YAML form.
func MarshalYAML(s *standardsv1.Standard) ([]byte, error) {
	y := yamlStandard{
		Code: s.GetCode(), Name: s.GetDisplayName(),
		BasePoints: canonicalPoints(s.GetBasePoints()), BonusCap: canonicalPoints(s.GetBonusCap()),
		Aggregation: enumName(s.GetAggregation().String(), "AGGREGATION_"),
	}
	for _, g := range s.GetGradeScale() {
		y.GradeScale = append(y.GradeScale, yamlGrade{Grade: g.GetGrade(), Percent: g.GetPercent()})
	}
	children := map[string][]*standardsv1.Indicator{}
	for _, in := range s.GetIndicators() {
		children[in.GetParentCode()] = append(children[in.GetParentCode()], in)
	}
	// Each indicator is written once, under the first parent that reaches it; a broken
	// draft's cycles or orphans are written at the top level rather than lost or repeated.
	done := map[*standardsv1.Indicator]bool{}
	var tree func(parent string) []yamlIndicator
	node := func(in *standardsv1.Indicator) yamlIndicator {
		done[in] = true
		yi := yamlIndicator{
			Code: in.GetCode(), Title: in.GetTitle(), Kind: enumName(in.GetKind().String(), "INDICATOR_KIND_"),
			MaxPoints: canonicalPoints(in.GetMaxPoints()), Method: enumName(in.GetMethod().String(), "ASSESSMENT_METHOD_"),
			Step: canonicalPoints(in.GetStep()), Target: canonicalPoints(in.GetTarget()), Floor: canonicalPoints(in.GetFloor()),
			PerItem: canonicalPoints(in.GetPerItem()), Guidance: in.GetGuidance(),
		}
		for _, it := range in.GetItems() {
			yi.Items = append(yi.Items, yamlItem{Code: it.GetCode(), Title: it.GetTitle(), Points: canonicalPoints(it.GetPoints())})
		}
		if e := in.GetEvidenceSpec(); e != nil {
			yi.Evidence = &yamlEvidence{
				FileTypes: e.GetFileTypes(), MinFiles: e.GetMinFiles(), MinPhotos: e.GetMinPhotos(),
				NarrativeMaxChars: e.GetNarrativeMaxChars(), Cadence: enumName(e.GetCadence().String(), "CADENCE_"), DueDay: e.GetDueDay(),
			}
		}
		if in.GetCode() != "" {
			yi.Children = tree(in.GetCode())
		}
		return yi
	}
	tree = func(parent string) []yamlIndicator {
		var out []yamlIndicator
		for _, in := range children[parent] {
			if !done[in] {
				out = append(out, node(in))
			}
		}
		return out
	}
	y.Indicators = tree("")
	for _, in := range s.GetIndicators() {
		if !done[in] {
			y.Indicators = append(y.Indicators, node(in))
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&y); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalYAML reads a standard from YAML. Unknown keys and enum values are errors, all of
// them reported at once with their line.
func UnmarshalYAML(data []byte) (*standardsv1.Standard, []string) {
	// The YAML library builds a node for every scalar and collection before anything can
	// be checked, several hundred bytes each: a 1 MiB file of "{}," items costs hundreds of
	// megabytes. Every node needs a structural character, so counting them first, in
	// constant memory, bounds the decode. The largest standard the API allows (2 000
	// indicators) needs well under a tenth of this.
	if n := structural(data); n > maxYAMLStructure {
		return nil, []string{fmt.Sprintf("the file has %d structural elements, more than the %d a standard may have", n, maxYAMLStructure)}
	}
	var y yamlStandard
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&y); err != nil {
		return nil, []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var errs []string
	s := &standardsv1.Standard{
		Code: y.Code, DisplayName: y.Name, BasePoints: y.BasePoints, BonusCap: y.BonusCap,
		Aggregation: enumValue[standardsv1.Aggregation](standardsv1.Aggregation_value, "AGGREGATION_", y.Aggregation, "aggregation", &errs),
	}
	for _, g := range y.GradeScale {
		s.GradeScale = append(s.GradeScale, &standardsv1.Grade{Grade: g.Grade, Percent: g.Percent})
	}
	var walk func(parent string, list []yamlIndicator)
	walk = func(parent string, list []yamlIndicator) {
		for _, yi := range list {
			field := "indicator " + yi.Code
			in := &standardsv1.Indicator{
				ParentCode: parent, Code: yi.Code, Title: yi.Title, Guidance: yi.Guidance,
				Kind:      enumValue[standardsv1.IndicatorKind](standardsv1.IndicatorKind_value, "INDICATOR_KIND_", yi.Kind, field+" kind", &errs),
				Method:    enumValue[standardsv1.AssessmentMethod](standardsv1.AssessmentMethod_value, "ASSESSMENT_METHOD_", yi.Method, field+" method", &errs),
				MaxPoints: yi.MaxPoints, Step: yi.Step, Target: yi.Target, Floor: yi.Floor, PerItem: yi.PerItem,
			}
			for _, it := range yi.Items {
				in.Items = append(in.Items, &standardsv1.ChecklistItem{Code: it.Code, Title: it.Title, Points: it.Points})
			}
			if e := yi.Evidence; e != nil {
				in.EvidenceSpec = &standardsv1.EvidenceSpec{
					FileTypes: e.FileTypes, MinFiles: e.MinFiles, MinPhotos: e.MinPhotos, NarrativeMaxChars: e.NarrativeMaxChars,
					Cadence: enumValue[standardsv1.Cadence](standardsv1.Cadence_value, "CADENCE_", e.Cadence, field+" evidence cadence", &errs),
					DueDay:  e.DueDay,
				}
			}
			s.Indicators = append(s.Indicators, in)
			walk(yi.Code, yi.Children)
		}
	}
	walk("", y.Indicators)
	return s, errs
}

// readYAML reads a standard's YAML form for import. A field is placed by its path, the
// indicators numbered in the order the file writes them, depth first.
func readYAML(data []byte) *standardFile {
	std, problems := UnmarshalYAML(data)
	f := &standardFile{std: std, at: func(field string) string { return field }}
	for _, p := range problems {
		f.problems = append(f.problems, problem(p))
	}
	return f
}

// maxYAMLStructure bounds the structural characters of an imported YAML file.
const maxYAMLStructure = 200_000

// structural counts the characters that can open or separate YAML nodes.
func structural(data []byte) int {
	n := 0
	for _, b := range data {
		switch b {
		case ':', '-', ',', '{', '[', '\n', '?', '&', '*', '!', '|', '>':
			n++
		}
	}
	return n
}
