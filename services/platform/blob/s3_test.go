package blob_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/services/platform/blob"
	"github.com/wenming-platform/wenming/services/platform/blob/blobtest"
)

// TestS3 runs the conformance suite against a real S3 server (versitygw, see
// blobtest.StartS3): skipped when the server binary is missing, failed instead when CI is set.
func TestS3(t *testing.T) {
	srv := blobtest.StartS3(t)
	ctx := context.Background()
	s, err := blob.Open(ctx, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	blobtest.Run(t, s)
}

// TestS3OpenChecks checks that Open refuses a bucket that does not exist and credentials the
// server does not accept, so that a misconfigured process fails at start.
func TestS3OpenChecks(t *testing.T) {
	srv := blobtest.StartS3(t)
	ctx := context.Background()
	missing := strings.Replace(srv.URL, "s3://"+blobtest.S3Bucket+"/", "s3://no-such-bucket/", 1)
	if s, err := blob.Open(ctx, missing, ""); err == nil || !strings.Contains(err.Error(), "does not exist") {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a missing bucket = %v, want an error saying it does not exist", err)
	}
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong")
	if s, err := blob.Open(ctx, srv.URL, ""); err == nil {
		s.Close()
		t.Error("Open with a wrong secret key succeeded")
	}
}

func TestS3URLs(t *testing.T) {
	for _, bad := range []string{
		"s3://",
		"s3:///prefix",
		"s3://bucket/p?endpoint=ftp://127.0.0.1:1",
		"s3://bucket/p?endpoint=127.0.0.1:9000",
		"s3://bucket/p?endpoint=http://127.0.0.1:9000/path",
		"s3://bucket/p?region=us-east-1&acl=public-read",
		"s3://user:pass@bucket/p",
	} {
		if s, err := blob.Open(context.Background(), bad, ""); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want an error", bad)
		}
	}
}

// TestS3SweepPutsBackWhatARowTook: S3 cannot delete an object only if it is unchanged, so a
// sweep moves an unused blob aside and asks again; a row committed in between (here: the
// second question says the blob is in use) gets its blob back, and nothing is counted as
// removed. A blob still unused on the second question is removed for good.
func TestS3SweepPutsBackWhatARowTook(t *testing.T) {
	srv := blobtest.StartS3(t)
	ctx := context.Background()
	s, err := blob.Open(ctx, srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	put := func(content string) string {
		st, err := s.Stage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Discard(ctx)
		if _, err := st.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
		_, sum, err := st.Finish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx); err != nil {
			t.Fatal(err)
		}
		return sum
	}
	taken, unused := put("a row takes this one while the sweep runs"), put("nobody wants this one")
	asked := map[string]int{}
	stats, err := s.Sweep(ctx, time.Now().Add(time.Hour), func(_ context.Context, sums []string) (map[string]bool, error) {
		for _, sum := range sums {
			asked[sum]++
		}
		return map[string]bool{taken: asked[taken] > 1}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Blobs != 1 {
		t.Errorf("the sweep removed %d blobs, want 1", stats.Blobs)
	}
	if _, err := s.Stat(ctx, taken); err != nil {
		t.Errorf("the blob a row took during the sweep: %v", err)
	}
	if _, err := s.Stat(ctx, unused); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("the unused blob: %v, want it removed", err)
	}
	// Nothing is left aside for a later sweep to find.
	if left, _ := filepath.Glob(filepath.Join(srv.Dir, blobtest.S3Bucket, "*", "swept", "*")); len(left) > 0 {
		t.Errorf("left aside: %v", left)
	}
}
