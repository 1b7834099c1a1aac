// Package audit appends AuditEvents (留痕) inside the transaction of the change they record,
// chains them per office with HMAC-SHA256 under a key derived from the platform master key
// (never stored in the database), verifies the chains, and signs checkpoints of a chain's
// head that offices keep outside Wenming.
//
// The chain detects an event that was altered or deleted from the middle, and a rewrite
// that re-hashes the rest of the chain, by anyone without the master key. Verify also
// reports a chain that is missing altogether or does not begin at sequence 1, for every
// office that exists or whose creation is recorded in its parent's chain. Deleting the
// newest events of a chain leaves a shorter chain that is still consistent: only a signed
// checkpoint kept from before the deletion reveals it (CheckCheckpoint). docs/audit.md
// describes the design and what it does not protect against.
//
// Nothing here reads global state: a Chain holds its keys and is handed to the services
// that record.
package audit
