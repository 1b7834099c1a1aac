// Package blobtest holds what tests of blob stores and of their users share: Run, the
// conformance suite every blob.Store passes (run for each store by the blob package's
// local_test.go and s3_test.go, so that a store behaves the same whichever a deployment picks),
// and StartS3, which runs a real S3 server (versitygw) for tests in any package, including
// tests that start a separate wenming process against it.
package blobtest
