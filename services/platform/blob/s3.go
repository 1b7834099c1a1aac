package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3PartSize is the part size of the multipart uploads a Stage streams into: S3's smallest.
// The client holds one part in memory per upload, even a small one, so it bounds what each
// concurrent upload costs; with S3's limit of 10,000 parts it still allows objects up to
// 48 GiB, far beyond any evidence file.
const s3PartSize = 5 << 20

// s3MaxCopy is the largest object S3 copies in one request; larger ones are copied in parts.
const s3MaxCopy = 5 << 30

type s3Store struct {
	client    *minio.Client
	transport *http.Transport
	bucket    string
	prefix    string // "" or ending in "/"
	// sweep serializes the Sweeps of this process, so that two never count the same removal.
	sweep sync.Mutex
}

var _ Store = (*s3Store)(nil)

// s3Config is what an s3:// URL says.
type s3Config struct {
	bucket, prefix string
	host           string
	secure         bool
	pathStyle      bool
	region         string
}

func parseS3URL(raw string) (s3Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return s3Config{}, fmt.Errorf("blob: store URL: %w", err)
	}
	cfg := s3Config{bucket: u.Host, host: "s3.amazonaws.com", secure: true}
	if cfg.bucket == "" || u.User != nil || u.Fragment != "" {
		return s3Config{}, fmt.Errorf("blob: store URL %q: want s3://bucket/prefix?endpoint=…&region=…", raw)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		cfg.prefix = p + "/"
	}
	q := u.Query()
	for k := range q {
		if k != "endpoint" && k != "region" {
			return s3Config{}, fmt.Errorf("blob: store URL %q: unknown parameter %q (want endpoint, region)", raw, k)
		}
	}
	cfg.region = q.Get("region")
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || strings.Trim(e.Path, "/") != "" || e.RawQuery != "" {
			return s3Config{}, fmt.Errorf("blob: store URL %q: endpoint must be http://host:port or https://host:port", raw)
		}
		cfg.host, cfg.secure, cfg.pathStyle = e.Host, e.Scheme == "https", true
	}
	return cfg, nil
}

func openS3(ctx context.Context, raw string) (*s3Store, error) {
	cfg, err := parseS3URL(raw)
	if err != nil {
		return nil, err
	}
	transport, err := minio.DefaultTransport(cfg.secure)
	if err != nil {
		return nil, fmt.Errorf("blob: s3: %w", err)
	}
	lookup := minio.BucketLookupAuto
	if cfg.pathStyle {
		lookup = minio.BucketLookupPath
	}
	creds := credentials.NewChainCredentials([]credentials.Provider{
		&credentials.EnvAWS{},
		&credentials.FileAWSCredentials{},
		&credentials.IAM{},
	})
	client, err := minio.New(cfg.host, &minio.Options{
		Creds:        creds,
		Secure:       cfg.secure,
		Transport:    transport,
		Region:       cfg.region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: s3: %w", err)
	}
	// Fail at start rather than at the first upload when the bucket or the credentials are wrong.
	ok, err := client.BucketExists(ctx, cfg.bucket)
	if err != nil {
		return nil, fmt.Errorf("blob: s3 bucket %q at %s: %w", cfg.bucket, cfg.host, err)
	}
	if !ok {
		return nil, fmt.Errorf("blob: s3 bucket %q at %s does not exist", cfg.bucket, cfg.host)
	}
	return &s3Store{client: client, transport: transport, bucket: cfg.bucket, prefix: cfg.prefix}, nil
}

// Temporaries live under prefix/tmp/ and blobs under prefix/sha256/<sum>, flat: S3 has no
// directories to keep small, and Sweep lists each kind with one prefix.
func (s *s3Store) tmpPrefix() string         { return s.prefix + "tmp/" }
func (s *s3Store) blobPrefix() string        { return s.prefix + "sha256/" }
func (s *s3Store) blobKey(sum string) string { return s.blobPrefix() + sum }

// graveKey is where a sweep puts a blob it is about to remove, until it has checked again
// that no row took it meanwhile.
func (s *s3Store) graveKey(sum string) string { return s.prefix + "swept/" + sum }

// core exposes the client's lower-level calls: a GET whose errors come back at once rather
// than at the first Read, and aborting one multipart upload by id.
func (s *s3Store) core() minio.Core { return minio.Core{Client: s.client} }

func (s *s3Store) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// isNotFound reports a missing object; a missing bucket is a configuration error, not this.
func isNotFound(err error) bool { return minio.ToErrorResponse(err).Code == minio.NoSuchKey }

func isInvalidRange(err error) bool { return minio.ToErrorResponse(err).Code == minio.InvalidRange }

func notFound(sum string, err error) error { return fmt.Errorf("%w: %s (%v)", ErrNotFound, sum, err) }

func s3Error(op, sum string, err error) error { return fmt.Errorf("blob: s3 %s %s: %w", op, sum, err) }

func (s *s3Store) Stage(ctx context.Context) (Staged, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := randomKey()
	if err != nil {
		return nil, err
	}
	uploadCtx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	st := &s3Staged{store: s, key: s.tmpPrefix() + key, pipe: pw, cancel: cancel, done: make(chan struct{}), hash: sha256.New()}
	// The upload reads what Write puts into the pipe, one part at a time: an unknown size
	// makes the client stream parts instead of buffering the object to measure it.
	go func() {
		info, err := s.client.PutObject(uploadCtx, s.bucket, st.key, pr, -1, minio.PutObjectOptions{
			PartSize:    s3PartSize,
			ContentType: "application/octet-stream",
		})
		st.uploaded, st.uploadErr = info, err
		if err == nil {
			err = errFinished
		}
		// Writers blocked in the pipe learn why the upload ended.
		pr.CloseWithError(err)
		close(st.done)
	}()
	return st, nil
}

func (s *s3Store) Open(ctx context.Context, sum string, offset, length int64) (io.ReadCloser, error) {
	if !validSum(sum) {
		return nil, notFoundSum(sum)
	}
	if offset < 0 {
		return nil, fmt.Errorf("blob: open %s: negative offset %d", sum, offset)
	}
	var opts minio.GetObjectOptions
	switch {
	case length > 0:
		if err := opts.SetRange(offset, offset+length-1); err != nil {
			return nil, s3Error("open", sum, err)
		}
	case offset > 0:
		if err := opts.SetRange(offset, 0); err != nil {
			return nil, s3Error("open", sum, err)
		}
	}
	body, _, _, err := s.core().GetObject(ctx, s.bucket, s.blobKey(sum), opts)
	switch {
	case err == nil:
		return body, nil
	case isNotFound(err):
		return nil, notFound(sum, err)
	case isInvalidRange(err):
		// The range starts at or past the end: an empty read if the blob exists.
		if _, err := s.Stat(ctx, sum); err != nil {
			return nil, err
		}
		return io.NopCloser(strings.NewReader("")), nil
	default:
		return nil, s3Error("open", sum, err)
	}
}

func (s *s3Store) Stat(ctx context.Context, sum string) (Info, error) {
	if !validSum(sum) {
		return Info{}, notFoundSum(sum)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, s.blobKey(sum), minio.StatObjectOptions{})
	if isNotFound(err) {
		return Info{}, notFound(sum, err)
	}
	if err != nil {
		return Info{}, s3Error("stat", sum, err)
	}
	return Info{Size: oi.Size, ModTime: oi.LastModified}, nil
}

func (s *s3Store) Sweep(ctx context.Context, before time.Time, inUse func(ctx context.Context, sums []string) (map[string]bool, error)) (SweepStats, error) {
	s.sweep.Lock()
	defer s.sweep.Unlock()
	var stats SweepStats
	if err := ctx.Err(); err != nil {
		return stats, err
	}
	if err := s.sweepTemporaries(ctx, before, &stats); err != nil {
		return stats, err
	}
	err := s.sweepBlobs(ctx, before, inUse, &stats)
	return stats, err
}

// sweepTemporaries removes old temporary objects and the multipart uploads of writers that
// crashed before completing or aborting them, whose parts would otherwise be kept (and
// billed) invisibly.
func (s *s3Store) sweepTemporaries(ctx context.Context, before time.Time, stats *SweepStats) error {
	listCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range s.client.ListObjects(listCtx, s.bucket, minio.ListObjectsOptions{Prefix: s.tmpPrefix(), Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("blob: s3 sweep: list temporaries: %w", obj.Err)
		}
		if !obj.LastModified.Before(before) {
			continue
		}
		if err := s.client.RemoveObject(ctx, s.bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			return fmt.Errorf("blob: s3 sweep: %s: %w", obj.Key, err)
		}
		stats.Temporaries++
	}
	for up := range s.client.ListIncompleteUploads(listCtx, s.bucket, s.tmpPrefix(), true) {
		if up.Err != nil {
			return fmt.Errorf("blob: s3 sweep: list uploads: %w", up.Err)
		}
		if !up.Initiated.Before(before) {
			continue
		}
		err := s.core().AbortMultipartUpload(ctx, s.bucket, up.Key, up.UploadID)
		if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchUpload {
			return fmt.Errorf("blob: s3 sweep: abort %s: %w", up.Key, err)
		}
		if err == nil {
			stats.Temporaries++
		}
	}
	return nil
}

func (s *s3Store) sweepBlobs(ctx context.Context, before time.Time, inUse func(ctx context.Context, sums []string) (map[string]bool, error), stats *SweepStats) error {
	// What a sweep that crashed between its two phases left aside is finished first, once
	// it is as old as the grace: a younger one may be another replica's sweep in progress.
	if err := s.buryAndCheck(ctx, s.listSums(ctx, s.prefix+"swept/", before), inUse, before, true, stats); err != nil {
		return err
	}
	return s.buryAndCheck(ctx, s.listSums(ctx, s.blobPrefix(), before), inUse, before, false, stats)
}

// listSums lists the sums under prefix older than before (any age when before is zero).
func (s *s3Store) listSums(ctx context.Context, prefix string, before time.Time) func(yield func(string, error) bool) {
	return func(yield func(string, error) bool) {
		listCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		for obj := range s.client.ListObjects(listCtx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if obj.Err != nil {
				yield("", fmt.Errorf("blob: s3 sweep: list %s: %w", prefix, obj.Err))
				return
			}
			sum := strings.TrimPrefix(obj.Key, prefix)
			if validSum(sum) && (before.IsZero() || obj.LastModified.Before(before)) && !yield(sum, nil) {
				return
			}
		}
	}
}

// buryAndCheck removes the unused blobs among sums in two phases, since S3 cannot delete an
// object only if it is unchanged: it moves each unused blob aside (to graveKey), then asks
// inUse again and puts back every one a row took meanwhile, and only then deletes what is
// aside. An upload that committed a row for the content before the second question finds
// its blob put back; one that committed after it publishes the blob again itself (the
// caller's Publish after its commit), so no row is left without its blob. With buried, sums
// are already aside (a crashed sweep's) and only the second phase runs.
func (s *s3Store) buryAndCheck(ctx context.Context, sums func(yield func(string, error) bool), inUse func(ctx context.Context, sums []string) (map[string]bool, error), before time.Time, buried bool, stats *SweepStats) error {
	batch := make([]string, 0, SweepBatch)
	copyTo := func(from, to string) error {
		_, err := s.client.CopyObject(ctx, minio.CopyDestOptions{Bucket: s.bucket, Object: to}, minio.CopySrcOptions{Bucket: s.bucket, Object: from})
		return err
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		aside := batch
		if !buried {
			used, err := inUse(ctx, batch)
			if err != nil {
				return fmt.Errorf("blob: sweep: in use: %w", err)
			}
			aside = aside[:0:0]
			for _, sum := range batch {
				if used[sum] {
					continue
				}
				// A Publish since the listing has refreshed the time: the blob stays.
				if info, err := s.Stat(ctx, sum); errors.Is(err, ErrNotFound) || (err == nil && !info.ModTime.Before(before)) {
					continue
				} else if err != nil {
					return err
				}
				if err := copyTo(s.blobKey(sum), s.graveKey(sum)); isNotFound(err) {
					continue
				} else if err != nil {
					return s3Error("sweep", sum, err)
				}
				if err := s.client.RemoveObject(ctx, s.bucket, s.blobKey(sum), minio.RemoveObjectOptions{}); err != nil {
					return s3Error("sweep", sum, err)
				}
				aside = append(aside, sum)
			}
		}
		used, err := inUse(ctx, aside)
		if err != nil {
			return fmt.Errorf("blob: sweep: in use: %w", err)
		}
		for _, sum := range aside {
			if used[sum] {
				if _, err := s.Stat(ctx, sum); errors.Is(err, ErrNotFound) {
					if err := copyTo(s.graveKey(sum), s.blobKey(sum)); err != nil {
						return s3Error("sweep: put back", sum, err)
					}
				} else if err != nil {
					return err
				}
			} else {
				stats.Blobs++
			}
			if err := s.client.RemoveObject(ctx, s.bucket, s.graveKey(sum), minio.RemoveObjectOptions{}); err != nil {
				return s3Error("sweep", sum, err)
			}
		}
		batch = batch[:0]
		return nil
	}
	for sum, err := range sums {
		if err != nil {
			return err
		}
		batch = append(batch, sum)
		if len(batch) == SweepBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return flush()
}

type s3Staged struct {
	store  *s3Store
	key    string
	pipe   *io.PipeWriter
	cancel context.CancelFunc
	hash   hash.Hash
	size   int64
	sum    string
	state  stagedState

	// Set by the upload goroutine before it closes done.
	done      chan struct{}
	uploaded  minio.UploadInfo
	uploadErr error
}

var _ Staged = (*s3Staged)(nil)

func (st *s3Staged) Write(p []byte) (int, error) {
	switch st.state {
	case finished:
		return 0, errFinished
	case discarded:
		return 0, errDiscarded
	}
	n, err := st.pipe.Write(p)
	st.hash.Write(p[:n])
	st.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("blob: s3 upload: %w", err)
	}
	return n, nil
}

func (st *s3Staged) Finish(ctx context.Context) (int64, string, error) {
	switch st.state {
	case finished:
		return st.size, st.sum, nil
	case discarded:
		return 0, "", errDiscarded
	}
	st.pipe.Close()
	select {
	case <-st.done:
	case <-ctx.Done():
		st.cancel()
		<-st.done
		return 0, "", ctx.Err()
	}
	if st.uploadErr != nil {
		return 0, "", fmt.Errorf("blob: s3 upload: %w", st.uploadErr)
	}
	if st.uploaded.Size != st.size {
		return 0, "", fmt.Errorf("blob: s3 upload stored %d bytes of %d", st.uploaded.Size, st.size)
	}
	st.sum = hex.EncodeToString(st.hash.Sum(nil))
	st.state = finished
	return st.size, st.sum, nil
}

func (st *s3Staged) Publish(ctx context.Context) error {
	switch st.state {
	case writing:
		return errNotFinished
	case discarded:
		return errDiscarded
	}
	s := st.store
	dst := minio.CopyDestOptions{Bucket: s.bucket, Object: s.blobKey(st.sum)}
	src := minio.CopySrcOptions{Bucket: s.bucket, Object: st.key}
	var err error
	if st.size <= s3MaxCopy {
		_, err = s.client.CopyObject(ctx, dst, src)
	} else {
		_, err = s.client.ComposeObject(ctx, dst, src)
	}
	if isNotFound(err) {
		return fmt.Errorf("blob: publish %s: the temporary is gone (swept): %w", st.sum, err)
	}
	if err != nil {
		return s3Error("publish", st.sum, err)
	}
	return nil
}

func (st *s3Staged) Discard(ctx context.Context) error {
	if st.state == discarded {
		return nil
	}
	if st.state == writing {
		// Cancelling makes the client abort the multipart upload, deleting its parts.
		st.cancel()
		st.pipe.CloseWithError(errDiscarded)
		select {
		case <-st.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	st.state = discarded
	st.cancel()
	if err := st.store.client.RemoveObject(ctx, st.store.bucket, st.key, minio.RemoveObjectOptions{}); err != nil && !isNotFound(err) {
		return fmt.Errorf("blob: s3 discard: %w", err)
	}
	return nil
}
