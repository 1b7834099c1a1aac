// Package evidencetest holds the evidence service's REST suites: the path a unit takes
// from applying to a submitted application, the files it uploads, and who may see and
// change what, run through the real gateway on every store by services/evidence's tests
// and by the split-shape test with blobs on an S3 server.
package evidencetest

import (
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// RunAll runs every suite in order on one process: Lifecycle, then the suites that build
// on its application.
func RunAll(t *testing.T, e *apptest.Env, tr *apptest.Tree, fx *Fixture, clock *Clock) {
	var app string
	t.Run("Lifecycle", func(t *testing.T) { app = Lifecycle(t, e, tr, fx, clock) })
	if app == "" {
		t.Fatal("the lifecycle left no application")
	}
	t.Run("Returns", func(t *testing.T) { Returns(t, e, tr, clock, app) })
	t.Run("Files", func(t *testing.T) { Files(t, e, tr, fx, app) })
	t.Run("Matrix", func(t *testing.T) { Matrix(t, e, tr, fx) })
	t.Run("Eligibility", func(t *testing.T) { Eligibility(t, e, tr, fx) })
	t.Run("Limits", func(t *testing.T) { Limits(t, e, tr, fx) })
}
