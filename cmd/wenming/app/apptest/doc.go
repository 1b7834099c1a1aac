// Package apptest runs whole Wenming processes for tests and talks to them over REST.
//
// It is the harness of the end-to-end suites: Start (or Each, once per store) starts an
// all-in-one process on a fresh database, Env.Do sends a request with an explicit
// testing.TB, and Decode reads an answer into the generated message it is documented as,
// failing the test when the answer does not fit. BuildTree creates the hierarchy of
// offices, units and users most suites work in.
//
// The suites themselves live beside the services they test (services/tenancy/tenancytest,
// services/standards/standardstest) as exported functions, so that several runners call
// them: each service's REST test on every store, the split shape in cmd/wenming/app, and
// the OpenAPI test, which records the exchanges (Env.Record) and checks them against the
// published document.
//
// Only tests import this package.
package apptest
