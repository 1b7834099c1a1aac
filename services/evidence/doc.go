// Package evidence is the evidence service: a unit's applications to campaigns, its
// evidence per leaf indicator and reporting period with append-only revisions, the files
// it uploads, the reporting windows and their extensions, and its self-assessment
// (docs/evidence.md).
//
// Its first promise is that nothing a unit submitted is ever lost or silently
// overwritten: a submission freezes a new EvidenceRevision row, which no code path updates
// or deletes (the schema's hooks refuse it too), and a file's row is committed only after
// its bytes are durable in the blob store.
package evidence
