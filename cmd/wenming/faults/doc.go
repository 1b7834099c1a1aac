// Package faults is the fault suite and the soak (docs/faults.md): Wenming in the split
// shape, two replicas of every service, under a mixed load of submissions, uploads, score
// writes and reads, while PostgreSQL, Redis, the blob store and the processes themselves
// are broken and healed; after each scenario the client's ledger of acknowledged writes
// and `wenming check` prove that nothing was lost, doubled or corrupted.
//
// Everything is in test files behind build tags, run by:
//
//	go test -tags faults -count=1 -timeout 30m ./cmd/wenming/faults
//	WENMING_SOAK=30m go test -tags soak -count=1 -timeout 45m -run TestSoak ./cmd/wenming/faults
package faults
