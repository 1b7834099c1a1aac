// Package auth issues and verifies access tokens (EdDSA JWTs), keeps the signing keys,
// hashes passwords (argon2id) and tracks revoked tokens.
//
// Verification is on every request's path, so verified tokens are cached in process for
// their remaining lifetime (keyed by the token's hash) and revocations are mirrored into
// an in-process set kept fresh from the database: a Redis round trip would cost about as
// much as the verification it would save.
package auth
