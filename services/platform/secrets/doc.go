// Package secrets holds the platform master key, the one secret Wenming keeps outside its
// database, and derives from it (HKDF-SHA256, one label per purpose) the keys that protect
// what the database holds: the audit chain's HMAC key, the Ed25519 key that signs audit
// checkpoints, and the AES-256-GCM key that encrypts token signing keys at rest.
//
// Every process of a deployment must use the same master key: it comes from
// WENMING_MASTER_KEY, from --master-key-file, or from <data-dir>/master.key, generated on
// the first start. Bind records a fingerprint of the key in the database so that a process
// started with another key refuses to run instead of writing chains no one can verify.
// See docs/audit.md for what the key protects and how to back it up.
package secrets
