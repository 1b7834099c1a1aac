// Package blob stores the bytes of evidence files, content-addressed by their SHA-256.
//
// The database keeps a file's row (its name, kind, size and sum); this package keeps its
// bytes, once per distinct content, under the hex SHA-256 of that content, either in a local
// directory or in an S3 bucket (Open picks one from a URL). Bytes are streamed in and out:
// no method holds a whole file in memory, so a 1 GB upload costs the same memory as a 1 kB one.
//
// A write goes to a temporary object first and becomes a blob only when it is complete, so a
// crash leaves at most a temporary, never a partial blob under a sum. The caller's protocol
// for storing a file is:
//
//	st, _ := store.Stage(ctx)
//	io.Copy(st, body)                  // counts and hashes as it writes
//	size, sum, _ := st.Finish(ctx)     // durable temporary
//	st.Publish(ctx)                    // the blob of sum exists and is fresh
//	... commit the row that names sum ...
//	st.Publish(ctx)                    // again: restores the blob if a Sweep removed it meanwhile
//	st.Discard(ctx)                    // the temporary is no longer needed
//
// Sweep is the garbage collector: it removes temporaries left by crashed writers and blobs no
// row refers to, both only once they are older than a cutoff, asking the caller which sums
// are in use. The second Publish above is what makes a Sweep that runs concurrently with an
// upload safe: a Sweep that decided a blob was unused just before the row was committed may
// remove it, and the Publish after the commit puts it back from the temporary.
//
// Package blobtest holds the conformance suite every Store passes, and a helper that starts
// a real S3 server for tests.
package blob
