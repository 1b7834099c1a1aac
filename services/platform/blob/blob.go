package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotFound is returned when no blob has the sum asked for, including a sum that is not
// a lowercase hex SHA-256 at all (no blob can have such a name).
var ErrNotFound = errors.New("blob: not found")

// Info describes a stored blob.
type Info struct {
	Size int64
	// ModTime is when the blob was last published; Sweep compares it with its cutoff.
	ModTime time.Time
}

// SweepBatch is the largest number of sums Sweep passes to its inUse function at once, so
// that the caller can look them up with one bounded query.
const SweepBatch = 1000

// Store keeps blobs under their hex SHA-256. Writes go to a temporary object first.
//
// A Store is safe for concurrent use by many goroutines, and several processes may share one
// (a directory or a bucket prefix). Sums are 64 lowercase hex characters.
type Store interface {
	// Stage opens a new temporary object under a random key (never derived from user input),
	// so that nothing a client sends can choose or collide with a storage path. ctx bounds
	// the whole staging for stores that upload while writing (S3): when it ends, the upload
	// is aborted and Finish fails. The caller must Discard every Staged it gets, also after
	// a failure (a deferred Discard does it): for S3 that is what ends the upload.
	Stage(ctx context.Context) (Staged, error)

	// Open reads blob sum from offset; length <= 0 means to the end. An offset at or past
	// the end reads nothing, and a length past the end stops at the end, as io.SectionReader
	// does; a negative offset is an error. It returns ErrNotFound when there is no such blob.
	// A reader opened before a Sweep removes the blob may fail (S3) or keep reading (local).
	Open(ctx context.Context, sum string, offset, length int64) (io.ReadCloser, error)

	// Stat returns the blob's size and modification time, or ErrNotFound.
	Stat(ctx context.Context, sum string) (Info, error)

	// Sweep removes temporaries last modified before `before` (left by writers that crashed
	// or never called Discard; for S3 also multipart uploads initiated before it), and blobs
	// last modified before `before` for which inUse says false. inUse is called with batches
	// of at most SweepBatch sums of such old blobs and returns the set of those in use; an
	// error from it stops the Sweep and is returned. A blob that a Publish refreshes while
	// the Sweep runs is kept where the store can tell (local) and otherwise restored by the
	// caller's Publish after its commit. Sweep returns how many it removed, also on error.
	Sweep(ctx context.Context, before time.Time, inUse func(ctx context.Context, sums []string) (map[string]bool, error)) (SweepStats, error)

	// Close releases the store's resources; the Store must not be used afterwards.
	Close() error
}

// SweepStats counts what a Sweep removed.
type SweepStats struct {
	Temporaries, Blobs int
}

// Staged is one temporary object being written. It is used by one goroutine at a time.
type Staged interface {
	// Write appends to the temporary, counting and hashing as it writes. It fails after
	// Finish or Discard, and for S3 once the upload has failed (with the upload's error).
	io.Writer

	// Finish makes the temporary durable (local: fsync the file; S3: complete the upload)
	// and returns its size and hex SHA-256. Calling it again returns the same result.
	Finish(ctx context.Context) (size int64, sum string, err error)

	// Publish makes the finished temporary the blob of its sum: local = hard link (os.Link)
	// into place then fsync the directory; if the blob exists already, refresh its
	// modification time (so a concurrent Sweep keeps it). S3 = server-side copy over the
	// blob key (which refreshes its time). Idempotent: calling it again after the caller's
	// database commit restores a blob that a Sweep removed in between (the caller does:
	// Publish, commit row, Publish again, Discard). It fails before Finish, after Discard, and
	// when a Sweep removed the temporary itself (only temporaries older than the Sweep's
	// cutoff are removed, so a caller that publishes promptly never sees that).
	Publish(ctx context.Context) error

	// Discard removes the temporary; safe after Publish (the blob stays), safe to call twice,
	// safe before Finish (aborts an S3 upload, so no parts are left behind).
	Discard(ctx context.Context) error
}

// Open opens the store a URL names, creating a local directory if needed:
//
//	""                        the local directory <dataDir>/blobs
//	"file:///abs/path"        the local directory /abs/path
//	"path" or "/abs/path"     the local directory path (relative to the working directory)
//	"s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1"
//	                          objects under prefix/ in an S3 bucket, which must exist
//
// For S3, credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, else the AWS credentials file, else the instance's IAM role. With an
// endpoint the bucket is addressed by path (as MinIO, versitygw and most self-hosted servers
// want) over http or https as the endpoint says; without one, AWS S3 over https.
func Open(ctx context.Context, url string, dataDir string) (Store, error) {
	switch {
	case url == "":
		return openLocal(filepath.Join(dataDir, "blobs"))
	case strings.HasPrefix(url, "file://"):
		root, err := fileURLPath(url)
		if err != nil {
			return nil, err
		}
		return openLocal(root)
	case strings.HasPrefix(url, "s3://"):
		return openS3(ctx, url)
	case strings.Contains(url, "://"):
		return nil, fmt.Errorf("blob: unsupported store URL %q: want a path, file:///path or s3://bucket/prefix", url)
	default:
		return openLocal(url)
	}
}

// validSum reports whether sum is a hex SHA-256 as this package writes it (lowercase), the
// only form ever used as a file name or object key, so that a sum from anywhere cannot
// reach outside the store.
func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for i := 0; i < len(sum); i++ {
		c := sum[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// notFoundSum is the error for a sum that cannot name a blob.
func notFoundSum(sum string) error {
	return fmt.Errorf("%w: %q is not a hex SHA-256", ErrNotFound, sum)
}

// randomKey names a temporary: 128 random bits, so concurrent writers in any number of
// processes never pick the same one.
func randomKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("blob: random key: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// errState is returned for a Staged used out of order (Write after Finish, Publish before
// Finish, anything but Discard after Discard): a caller bug, not a storage failure.
type errState string

func (e errState) Error() string { return "blob: " + string(e) }

const (
	errFinished    errState = "staged object already finished"
	errDiscarded   errState = "staged object discarded"
	errNotFinished errState = "staged object not finished"
)
