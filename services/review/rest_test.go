package review_test

import (
	"os"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/evidence/evidencetest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/review/reviewtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// TestReview runs the review suites through the real REST gateway on every store.
func TestReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, kind storetest.Kind) {
		clock := evidencetest.NewClock()
		e := apptest.Start(t, kind, clock.Configure)
		tr := e.BuildTree(t)
		fx := reviewtest.Setup(t, e, tr, clock, reviewtest.Year)
		reviewtest.Cycle(t, e, tr, fx, clock)
		reviewtest.Exports(t, e, tr, fx)
		reviewtest.Stats(t, e, tr, fx)
		reviewtest.Summary(t, e, tr, fx)
		reviewtest.Matrix(t, e, tr, fx)
		reviewtest.Publicity(t, e, tr, fx, clock)
		reviewtest.Reinspection(t, e, tr, fx)
	})
}
