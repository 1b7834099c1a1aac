package standards_test

import (
	"os"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/standards/standardstest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// TestStandards runs the standards suites through the REST gateway on every store.
func TestStandards(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		standardstest.RunAll(t, e, e.BuildTree(t))
	})
}

// TestStandardImportDefences runs the standards import's defences through the REST
// gateway on every store.
func TestStandardImportDefences(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		standardstest.RunImportDefences(t, e, e.BuildTree(t))
	})
}
