package tenancy_test

import (
	"os"
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
	"github.com/wenming-platform/wenming/services/tenancy/tenancytest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.DropTemplate()
	os.Exit(code)
}

// TestTenancy runs the tenancy suites through the real REST gateway on every store.
func TestTenancy(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		tenancytest.RunAll(t, e, e.BuildTree(t))
	})
}

// TestAuditTamperEvidence plays someone with write access to the database, but not the
// master key, against the audit trail, with checkpoints fetched through the REST gateway,
// on every store (docs/audit.md).
func TestAuditTamperEvidence(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		tenancytest.RunAuditTamperEvidence(t, e, e.BuildTree(t))
	})
}

// TestReviewFindings runs the checks of the second review's findings through the REST
// gateway on every store, each store on a process of its own.
func TestReviewFindings(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		tenancytest.RunReviewFindings(t, e, e.BuildTree(t))
	})
}
