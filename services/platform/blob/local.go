package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The local layout under the root:
//
//	tmp/<random>              temporaries being written or finished
//	tmp/swept-<nanos>-<random> a blob a Sweep is removing (for microseconds, see removeBlob)
//	sha256/ab/cd/<sum>        blobs, fanned out by their first two bytes so that no
//	                          directory grows past a few thousand entries
//
// Files are 0600 and directories 0700: the bytes are evidence of named people and units,
// readable only through the service.
const (
	localTmp     = "tmp"
	localBlobs   = "sha256"
	gravePrefix  = "swept-"
	filePerm     = 0o600
	dirPerm      = 0o700
	publishTries = 5
)

// graveGrace is how long a grave may exist before a Sweep takes it for a crash's leftover:
// a live grave exists only between a rename and the removal right after it.
const graveGrace = time.Minute

type localStore struct {
	root string
	// sweep serializes the Sweeps of this process, so that two never handle the same blob.
	sweep sync.Mutex
}

var _ Store = (*localStore)(nil)

// fileURLPath returns the directory of a file:// URL, which must be absolute and local.
func fileURLPath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("blob: store URL: %w", err)
	}
	if (u.Host != "" && u.Host != "localhost") || u.RawQuery != "" || !strings.HasPrefix(u.Path, "/") {
		return "", fmt.Errorf("blob: store URL %q: want file:///absolute/path", raw)
	}
	return filepath.FromSlash(u.Path), nil
}

func openLocal(root string) (*localStore, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("blob: local root %q: %w", root, err)
	}
	for _, dir := range []string{abs, filepath.Join(abs, localTmp), filepath.Join(abs, localBlobs)} {
		if err := os.MkdirAll(dir, dirPerm); err != nil {
			return nil, fmt.Errorf("blob: local root: %w", err)
		}
	}
	return &localStore{root: abs}, nil
}

func (s *localStore) blobPath(sum string) string {
	return filepath.Join(s.root, localBlobs, sum[0:2], sum[2:4], sum)
}

func (s *localStore) Stage(ctx context.Context) (Staged, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := randomKey()
	if err != nil {
		return nil, err
	}
	path := filepath.Join(s.root, localTmp, key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return nil, fmt.Errorf("blob: stage: %w", err)
	}
	return &localStaged{store: s, path: path, file: f, hash: sha256.New()}, nil
}

func (s *localStore) Open(ctx context.Context, sum string, offset, length int64) (io.ReadCloser, error) {
	if !validSum(sum) {
		return nil, notFoundSum(sum)
	}
	if offset < 0 {
		return nil, fmt.Errorf("blob: open %s: negative offset %d", sum, offset)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.blobPath(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, sum)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", sum, err)
	}
	if offset > 0 {
		// Seeking past the end is allowed and makes the reader empty.
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("blob: open %s: %w", sum, err)
		}
	}
	if length <= 0 {
		return f, nil
	}
	return readCloser{Reader: io.LimitReader(f, length), Closer: f}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func (s *localStore) Stat(ctx context.Context, sum string) (Info, error) {
	if !validSum(sum) {
		return Info{}, notFoundSum(sum)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(s.blobPath(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, sum)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: stat %s: %w", sum, err)
	}
	return Info{Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

func (s *localStore) Sweep(ctx context.Context, before time.Time, inUse func(ctx context.Context, sums []string) (map[string]bool, error)) (SweepStats, error) {
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

func (s *localStore) sweepTemporaries(ctx context.Context, before time.Time, stats *SweepStats) error {
	dir := filepath.Join(s.root, localTmp)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("blob: sweep temporaries: %w", err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.oldTemporary(e, before) {
			continue
		}
		err := os.Remove(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // its writer discarded it meanwhile
		}
		if err != nil {
			return fmt.Errorf("blob: sweep temporaries: %w", err)
		}
		stats.Temporaries++
	}
	return nil
}

// oldTemporary reports whether a temporary is old enough to sweep. A grave keeps the old
// modification time of the blob it held, so its age is the time in its name instead: a
// grave another Sweep is still handling must not be taken.
func (s *localStore) oldTemporary(e fs.DirEntry, before time.Time) bool {
	if rest, ok := strings.CutPrefix(e.Name(), gravePrefix); ok {
		nanos, _, _ := strings.Cut(rest, "-")
		n, err := strconv.ParseInt(nanos, 10, 64)
		if err != nil {
			return false // not ours; leave it
		}
		made := time.Unix(0, n)
		return made.Before(before) && time.Since(made) > graveGrace
	}
	fi, err := e.Info()
	return err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(before)
}

// sweepBlobs walks sha256/ab/cd/ one directory at a time, so memory stays bounded by one
// directory's listing and one batch, and asks inUse about old blobs in batches.
func (s *localStore) sweepBlobs(ctx context.Context, before time.Time, inUse func(ctx context.Context, sums []string) (map[string]bool, error), stats *SweepStats) error {
	batch := make([]string, 0, SweepBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		used, err := inUse(ctx, batch)
		if err != nil {
			return fmt.Errorf("blob: sweep: in use: %w", err)
		}
		for _, sum := range batch {
			if used[sum] {
				continue
			}
			removed, err := s.removeBlob(sum, before)
			if err != nil {
				return err
			}
			if removed {
				stats.Blobs++
			}
		}
		batch = batch[:0]
		return nil
	}
	top := filepath.Join(s.root, localBlobs)
	tops, err := hexDirs(top)
	if err != nil {
		return err
	}
	for _, a := range tops {
		subs, err := hexDirs(filepath.Join(top, a))
		if err != nil {
			return err
		}
		for _, b := range subs {
			leaf := filepath.Join(top, a, b)
			entries, err := os.ReadDir(leaf)
			if err != nil {
				return fmt.Errorf("blob: sweep: %w", err)
			}
			for _, e := range entries {
				if err := ctx.Err(); err != nil {
					return err
				}
				sum := e.Name()
				if !validSum(sum) || sum[0:2] != a || sum[2:4] != b {
					continue // not a blob this store wrote; leave it alone
				}
				fi, err := e.Info()
				if err != nil || !fi.ModTime().Before(before) {
					continue
				}
				batch = append(batch, sum)
				if len(batch) == SweepBatch {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
	}
	return flush()
}

// hexDirs lists the two-hex-digit fan-out directories under dir.
func hexDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: sweep: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); e.IsDir() && len(n) == 2 && validHex(n) {
			names = append(names, n)
		}
	}
	return names, nil
}

func validHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// removeBlob removes the blob of sum unless a Publish refreshed it since the Sweep listed
// it. Checking the time and then unlinking would leave a window in which a Publish refreshes
// the blob, returns, and still loses it; instead the blob is first renamed out of place
// (atomic), then its time is checked: any refresh that reached the file happened before the
// rename and shows, and any Publish after the rename finds no blob and links a new one. A
// refreshed blob is linked back.
func (s *localStore) removeBlob(sum string, before time.Time) (bool, error) {
	key, err := randomKey()
	if err != nil {
		return false, err
	}
	path := s.blobPath(sum)
	grave := filepath.Join(s.root, localTmp, gravePrefix+strconv.FormatInt(time.Now().UnixNano(), 10)+"-"+key)
	if err := os.Rename(path, grave); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("blob: sweep %s: %w", sum, err)
	}
	fi, err := os.Stat(grave)
	if err != nil {
		return false, fmt.Errorf("blob: sweep %s: %w", sum, err)
	}
	if !fi.ModTime().Before(before) {
		if err := os.Link(grave, path); err != nil && !errors.Is(err, fs.ErrExist) {
			return false, fmt.Errorf("blob: sweep %s: restore refreshed blob: %w", sum, err)
		}
		if err := syncDir(filepath.Dir(path)); err != nil {
			return false, err
		}
		os.Remove(grave)
		return false, nil
	}
	if err := os.Remove(grave); err != nil {
		return false, fmt.Errorf("blob: sweep %s: %w", sum, err)
	}
	return true, nil
}

func (s *localStore) Close() error { return nil }

// ensureDir creates dir if it is missing and then fsyncs its parent, so that the new
// directory entry survives a crash along with the blob linked into it.
func ensureDir(dir string) error {
	err := os.Mkdir(dir, dirPerm)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	return syncDir(filepath.Dir(dir))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob: sync %s: %w", dir, err)
	}
	return nil
}

// parallelHash is the write size from which Write hashes beside the write system call
// rather than after it: below it a goroutine costs more than it saves.
const parallelHash = 128 << 10

type localStaged struct {
	store *localStore
	path  string
	file  *os.File // nil once finished or discarded
	hash  hash.Hash
	size  int64
	sum   string // set by Finish
	err   error  // the first failed write: the temporary is incomplete, it must not be finished
	state stagedState
}

type stagedState int

const (
	writing stagedState = iota
	finished
	discarded
)

var _ Staged = (*localStaged)(nil)

func (st *localStaged) Write(p []byte) (int, error) {
	switch {
	case st.state == finished:
		return 0, errFinished
	case st.state == discarded:
		return 0, errDiscarded
	case st.err != nil:
		return 0, st.err
	}
	var n int
	var err error
	if len(p) >= parallelHash {
		// Hashing and the write system call each take about as long as the other: done side
		// by side, a large upload streams at nearly the disk's pace instead of half of it
		// (docs/BENCHMARKS.md). After a short write the hash covers bytes the file lacks,
		// but the write's error makes the temporary unusable anyway.
		done := make(chan struct{})
		go func() { st.hash.Write(p); close(done) }()
		n, err = st.file.Write(p)
		<-done
	} else {
		n, err = st.file.Write(p)
		st.hash.Write(p[:n])
	}
	st.size += int64(n)
	if err != nil {
		st.err = fmt.Errorf("blob: write: %w", err)
		return n, st.err
	}
	return n, nil
}

func (st *localStaged) Finish(ctx context.Context) (int64, string, error) {
	switch {
	case st.state == finished:
		return st.size, st.sum, nil
	case st.state == discarded:
		return 0, "", errDiscarded
	case st.err != nil:
		return 0, "", st.err
	}
	if err := ctx.Err(); err != nil {
		return 0, "", err
	}
	// The data must be on disk before Publish links it under its sum: a blob is never
	// allowed to exist with content a crash could still lose.
	if err := st.file.Sync(); err != nil {
		return 0, "", fmt.Errorf("blob: finish: %w", err)
	}
	if err := st.file.Close(); err != nil {
		return 0, "", fmt.Errorf("blob: finish: %w", err)
	}
	st.file = nil
	st.sum = hex.EncodeToString(st.hash.Sum(nil))
	st.state = finished
	return st.size, st.sum, nil
}

func (st *localStaged) Publish(ctx context.Context) error {
	switch st.state {
	case writing:
		return errNotFinished
	case discarded:
		return errDiscarded
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := st.store.blobPath(st.sum)
	if err := ensureDir(filepath.Dir(filepath.Dir(dst))); err != nil {
		return err
	}
	if err := ensureDir(filepath.Dir(dst)); err != nil {
		return err
	}
	// Link, then refresh the time of whatever is now at dst (ours, or an earlier copy of the
	// same content). When the refresh finds nothing, a Sweep removed the blob between the two
	// steps, and linking again brings it back.
	for try := 1; ; try++ {
		err := os.Link(st.path, dst)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob: publish %s: the temporary is gone (swept): %w", st.sum, err)
		}
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("blob: publish %s: %w", st.sum, err)
		}
		now := time.Now()
		err = os.Chtimes(dst, now, now)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || try == publishTries {
			return fmt.Errorf("blob: publish %s: %w", st.sum, err)
		}
	}
	return syncDir(filepath.Dir(dst))
}

func (st *localStaged) Discard(ctx context.Context) error {
	if st.state == discarded {
		return nil
	}
	if st.file != nil {
		st.file.Close()
		st.file = nil
	}
	st.state = discarded
	if err := os.Remove(st.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: discard: %w", err)
	}
	return nil
}
