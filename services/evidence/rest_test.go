package evidence_test

import (
	"os"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// TestEvidence runs the evidence suites through the real REST gateway on every store.
func TestEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		clock := evidencetest.NewClock()
		e := apptest.Start(t, kind, clock.Configure)
		tr := e.BuildTree(t)
		fx := evidencetest.Setup(t, e, tr, 2026)
		evidencetest.RunAll(t, e, tr, fx, clock)
	})
}
