package standards

import (
	"runtime"
	"strings"
	"testing"
)

// A YAML file of many tiny nodes is refused before the YAML library builds them: within the
// gateway's 1 MiB body it would otherwise cost hundreds of megabytes per request.
func TestYAMLNodeBombIsRefusedCheaply(t *testing.T) {
	for name, doc := range map[string]string{
		"flow mappings": "code: X\nindicators: [" + strings.Repeat("{},", 340_000) + "]\n",
		"block items":   "code: X\nindicators:\n" + strings.Repeat("- {}\n", 200_000),
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, problems := UnmarshalYAML([]byte(doc))
		runtime.ReadMemStats(&after)
		if len(problems) == 0 || !strings.Contains(problems[0], "structural elements") {
			t.Errorf("%s: %v", name, problems)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
			t.Errorf("%s: refusing it allocated %d MiB", name, n>>20)
		}
	}
}
