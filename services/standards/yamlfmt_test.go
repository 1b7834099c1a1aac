package standards

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wenming-platform/wenming/services/platform/scoring"
	"github.com/wenming-platform/wenming/services/standards/examples"
)

func TestExampleStandardIsValidAndCanonical(t *testing.T) {
	s, errs := UnmarshalYAML(examples.Municipal)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	std, problems, warnings := Check(s)
	if len(problems) > 0 || len(warnings) > 0 {
		t.Fatalf("problems %v warnings %v", problems, warnings)
	}
	var base scoring.Points
	for _, c := range std.Categories {
		if c.Max > 0 {
			base += c.Max
		}
	}
	if base != 10000 || std.BonusCap != 500 || len(std.Categories) != 10 {
		t.Errorf("base %s bonus cap %s categories %d", base, std.BonusCap, len(std.Categories))
	}
	out, err := MarshalYAML(s)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, examples.Municipal) {
		t.Errorf("export of the example differs from the file:\n%s", out)
	}
}

func TestYAMLErrorsNameTheProblem(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown key":  "code: x\nname: y\nindicators:\n  - code: \"1\"\n    title: t\n    kind: GROUP\n    colour: red\n",
		"unknown kind": "code: x\nname: y\nindicators:\n  - code: \"1\"\n    title: t\n    kind: SOMETIMES\n",
		"not yaml":     "code: [x\n",
	} {
		_, errs := UnmarshalYAML([]byte(doc))
		if len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
		if name == "unknown key" && !strings.Contains(errs[0], "line 7") {
			t.Errorf("%s: %v does not give the line", name, errs)
		}
	}
}

// FuzzUnmarshalYAML feeds the importer arbitrary text: it never panics, and whatever it
// accepts exports to YAML that imports back to the same standard.
func FuzzUnmarshalYAML(f *testing.F) {
	f.Add(examples.Municipal)
	f.Add([]byte("code: x\nname: y\nindicators:\n  - code: \"1\"\n    title: t\n    kind: POINTS\n    max_points: \"1.5\"\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, errs := UnmarshalYAML(data)
		if len(errs) > 0 {
			return
		}
		Check(s) // must not panic on anything the parser accepts
		out, err := MarshalYAML(s)
		if err != nil {
			t.Fatal(err)
		}
		back, errs := UnmarshalYAML(out)
		if len(errs) > 0 {
			t.Fatalf("the export does not import: %v\n%s", errs, out)
		}
		again, err := MarshalYAML(back)
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("export is not stable:\n%s\n---\n%s", out, again)
		}
	})
}
