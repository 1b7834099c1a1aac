// Package standardstest holds the standards service's end-to-end suites: exported
// functions that drive a running process through the REST gateway (apptest.Env) in the
// hierarchy apptest.BuildTree creates. Several runners call them: the service's own REST
// test (services/standards/rest_test.go) on every store, the split shape and the OpenAPI
// test in cmd/wenming/app. Only tests import this package.
package standardstest

import (
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// RunAll runs every standards suite on one process, in order: the campaigns use the
// standard the lifecycle published, and the cross-tenant suite both.
func RunAll(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	var std, camp string
	t.Run("standards", func(t *testing.T) { std = Lifecycle(t, e, tr) })
	t.Run("campaigns", func(t *testing.T) { camp = Campaigns(t, e, tr, std) })
	t.Run("cross-tenant", func(t *testing.T) { CrossTenant(t, e, tr, std, camp) })
	t.Run("idempotency", func(t *testing.T) { Idempotency(t, e, tr) })
	t.Run("import-export", func(t *testing.T) { ImportExport(t, e, tr) })
}

// RunImportDefences runs the standards import's defences: the caller's right to the
// office is checked before a byte of the file is read, and what the file describes is
// validated exactly as the API's own requests are, before anything is stored.
func RunImportDefences(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	t.Run("authorised before parsing", func(t *testing.T) { ImportAuthorisedFirst(t, e, tr) })
	t.Run("validated like the API", func(t *testing.T) { ImportValidated(t, e, tr) })
}
