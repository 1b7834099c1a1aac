package blob_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/blob/blobtest"
)

func TestLocal(t *testing.T) {
	root := t.TempDir()
	s, err := blob.Open(context.Background(), root, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blobtest.Run(t, s, blobtest.WithModTimes(
		func(sum string, mod time.Time) error { return os.Chtimes(blobPath(root, sum), mod, mod) },
		func(mod time.Time) error {
			entries, err := os.ReadDir(filepath.Join(root, "tmp"))
			for _, e := range entries {
				if err := os.Chtimes(filepath.Join(root, "tmp", e.Name()), mod, mod); err != nil {
					return err
				}
			}
			return err
		}))
}

func blobPath(root, sum string) string {
	return filepath.Join(root, "sha256", sum[0:2], sum[2:4], sum)
}

// TestLocalLayout checks where and how the local store keeps its files: temporaries under
// random names, blobs only once finished and published, nothing readable by other users.
func TestLocalLayout(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "blobs")
	s, err := blob.Open(ctx, root, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write([]byte("evidence")); err != nil {
		t.Fatal(err)
	}
	tmps, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil || len(tmps) != 1 || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(tmps[0].Name()) {
		t.Fatalf("tmp/ holds %v (%v), want one temporary with a random hex name", tmps, err)
	}
	if n := countFiles(t, filepath.Join(root, "sha256")); n != 0 {
		t.Errorf("%d files under sha256/ before Finish, want none", n)
	}
	_, sum, err := st.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, filepath.Join(root, "sha256")); n != 0 {
		t.Errorf("%d files under sha256/ before Publish, want none", n)
	}
	if err := st.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if tmps, _ := os.ReadDir(filepath.Join(root, "tmp")); len(tmps) != 0 {
		t.Errorf("tmp/ holds %v after Discard, want nothing", tmps)
	}
	fi, err := os.Stat(blobPath(root, sum))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("blob mode %v, want 0600", fi.Mode().Perm())
	}
	for _, dir := range []string{root, filepath.Join(root, "tmp"), filepath.Join(root, "sha256"), filepath.Dir(blobPath(root, sum)), filepath.Dir(filepath.Dir(blobPath(root, sum)))} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s mode %v, want 0700", dir, fi.Mode().Perm())
		}
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLocalSweepLeavesForeignFiles checks that Sweep removes only names it wrote: a file an
// operator put under the store's directories is not a blob, whatever its age.
func TestLocalSweepLeavesForeignFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := blob.Open(ctx, root, "")
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(root, "sha256", "ab", "cd", "README")
	if err := os.MkdirAll(filepath.Dir(foreign), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(foreign, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(foreign, old, old); err != nil {
		t.Fatal(err)
	}
	stats, err := s.Sweep(ctx, time.Now(), func(context.Context, []string) (map[string]bool, error) { return nil, nil })
	if err != nil || stats != (blob.SweepStats{}) {
		t.Fatalf("Sweep = %+v, %v; want nothing removed", stats, err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("Sweep removed a file it did not write: %v", err)
	}
}

func TestOpenLocalURLs(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	abs := filepath.Join(t.TempDir(), "store")
	t.Chdir(t.TempDir())
	for _, c := range []struct{ url, root string }{
		{"", filepath.Join(dataDir, "blobs")},
		{"file://" + abs, abs},
		{abs + "-plain", abs + "-plain"},
		{"relative/store", "relative/store"},
	} {
		s, err := blob.Open(ctx, c.url, dataDir)
		if err != nil {
			t.Errorf("Open(%q): %v", c.url, err)
			continue
		}
		s.Close()
		for _, sub := range []string{"tmp", "sha256"} {
			if fi, err := os.Stat(filepath.Join(c.root, sub)); err != nil || !fi.IsDir() {
				t.Errorf("Open(%q) did not create %s/%s: %v", c.url, c.root, sub, err)
			}
		}
	}
	for _, bad := range []string{"file://otherhost/x", "file://relative", "file:///x?y=1", "ftp://host/x", "gs://bucket/x"} {
		if s, err := blob.Open(ctx, bad, dataDir); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", bad)
		}
	}
}

// TestLocalPublishFailure checks that a Publish that cannot link reports an error rather
// than a blob that is not there: here a file sits where the blob's fan-out directory goes.
func TestLocalPublishFailure(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := blob.Open(ctx, root, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Discard(ctx)
	if _, err := st.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	_, sum, err := st.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sha256", sum[0:2]), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.Publish(ctx); err == nil {
		t.Fatal("Publish succeeded without a directory to link into")
	}
	// Once the obstacle is gone, publishing again works: a failed Publish leaves the
	// temporary intact.
	if err := os.Remove(filepath.Join(root, "sha256", sum[0:2])); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(ctx, sum); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat after a failed Publish = %v, want ErrNotFound", err)
	}
	if err := st.Publish(ctx); err != nil {
		t.Fatalf("Publish after the failure: %v", err)
	}
	if _, err := s.Stat(ctx, sum); err != nil {
		t.Errorf("Stat after Publish: %v", err)
	}
}

// BenchmarkLocalStage measures staging, finishing (fsync) and publishing 64 MiB into the
// local store, each iteration with new content so that every Publish links a new blob.
func BenchmarkLocalStage(b *testing.B) {
	ctx := context.Background()
	s, err := blob.Open(ctx, b.TempDir(), "")
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{9}).Read(buf)
	b.SetBytes(64 << 20)
	for i := 0; b.Loop(); i++ {
		st, err := s.Stage(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for j := range 64 {
			binary.LittleEndian.PutUint64(buf, uint64(i)<<8|uint64(j))
			if _, err := st.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := st.Finish(ctx); err != nil {
			b.Fatal(err)
		}
		if err := st.Publish(ctx); err != nil {
			b.Fatal(err)
		}
		if err := st.Discard(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
