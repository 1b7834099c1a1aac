package blob_test

import (
	"context"
	"strings"
	"testing"

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
