// Package tenancytest holds the tenancy service's end-to-end suites: exported functions
// that drive a running process through the REST gateway (apptest.Env) in the hierarchy
// apptest.BuildTree creates. Several runners call them: the service's own REST test
// (services/tenancy/rest_test.go) on every store, the split shape and the OpenAPI test in
// cmd/wenming/app. Only tests import this package.
package tenancytest

import (
	"testing"

	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
)

// Suite is one end-to-end suite.
type Suite func(t *testing.T, e *apptest.Env, tr *apptest.Tree)

// named is a suite and its subtest's name.
type named struct {
	name string
	fn   Suite
}

// run runs each suite as a subtest, in order.
func run(t *testing.T, e *apptest.Env, tr *apptest.Tree, suites []named) {
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.fn(t, e, tr) })
	}
}

// RunAll runs every tenancy suite on one process, in order: later suites build on what
// earlier ones did (Unlock recovers the account RateLimit locked, Audit expects the
// updates, disables and enables before it).
func RunAll(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	run(t, e, tr, []named{
		{"hierarchy", Hierarchy},
		{"units", Units},
		{"updates", Updates},
		{"pagination", Pagination},
		{"cross-tenant", CrossTenant},
		{"missing-permission", MissingPermission},
		{"service-accounts", ServiceAccounts},
		{"sessions", Sessions},
		{"passwords", Passwords},
		{"account-takeovers", AccountTakeovers},
		{"identifiers", Identifiers},
		{"hardening", Hardening},
		{"secret-not-kept-for-retries", SecretNotKeptForRetries},
		{"jwt-attacks", JWTAttacks},
		{"bad-requests", BadRequests},
		{"titles", Titles},
		{"negative-list", NegativeList},
		{"unit-import", UnitImport},
		{"import-racing-create", ImportRacingCreate},
		{"audit", Audit},
		{"rate-limit", RateLimit},
		{"unlock", Unlock},
		{"release-credit-code", ReleaseCreditCode},
		{"rate-limit-by-address", RateLimitByAddress},
		{"login-outage", LoginOutage},
	})
}

// RunAuditTamperEvidence plays someone with write access to the database, but not the
// master key, against the audit trail, with checkpoints fetched through the REST gateway
// (docs/audit.md). Each suite tampers with its own office; later ones expect the earlier
// breaks.
func RunAuditTamperEvidence(t *testing.T, e *apptest.Env, tr *apptest.Tree) {
	run(t, e, tr, []named{
		{"checkpoint-access", CheckpointAccess},
		{"creation-in-parent-chain", CreationInParentChain},
		{"office-verifies-checkpoint", OfficeVerifiesCheckpoint},
		{"tampered-checkpoint", TamperedCheckpoint},
		{"signing-keys-sealed", SigningKeysSealed},
		{"newest-event-deleted", NewestEventDeleted},
		{"rewritten-and-rehashed", RewrittenAndRehashed},
		{"district-chain-deleted", DistrictChainDeleted},
	})
}
