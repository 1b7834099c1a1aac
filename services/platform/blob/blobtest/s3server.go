package blobtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// VersitygwVersion is the S3 server the tests run against; .ci/versitygw.sh builds the same
// version into the cache directory StartS3 looks in.
const VersitygwVersion = "v1.8.0"

// S3Bucket is the bucket StartS3 creates; S3Server.URL stores blobs under its "blobs/" prefix.
const S3Bucket = "wenming"

// S3Server is a running S3 server, for this process (StartS3 has set the credentials in its
// environment) or for a process the test starts (give it Env()).
type S3Server struct {
	// URL is the blob store URL for blob.Open: s3://wenming/blobs?endpoint=http://127.0.0.1:PORT&region=us-east-1.
	URL string
	// Endpoint is the server's address, http://127.0.0.1:PORT.
	Endpoint string
	// AccessKey and SecretKey are the server's root credentials, random for each server.
	AccessKey, SecretKey string
	// Dir is the directory the server stores into; the bucket is its subdirectory S3Bucket.
	Dir string
}

// Env returns the variables a process needs to use the server: the AWS credentials, which
// blob.Open reads from the environment.
func (s S3Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_SESSION_TOKEN=",
	}
}

// StartS3 starts a versitygw S3 server on a free loopback port, serving a directory in
// t.TempDir() with the bucket S3Bucket, waits until it answers, sets AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY for this process with t.Setenv (so the test and its ancestors must
// not be parallel), and kills the server in t.Cleanup.
//
// The binary is $WENMING_VERSITYGW, else versitygw on PATH, else the one .ci/versitygw.sh
// caches beside the module cache. Without one the test fails when CI is set (CI must not
// skip silently) and is skipped otherwise, saying how to build it.
func StartS3(t testing.TB) S3Server {
	t.Helper()
	bin := versitygw(t)
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, S3Bucket), 0o700); err != nil {
		t.Fatal(err)
	}
	srv := S3Server{AccessKey: "wenming-test", SecretKey: randomHex(t), Dir: dir}
	// Another process may take the free port between our probe and the server's listen; a
	// server that fails to start is retried on a new port.
	var lastOutput string
	for attempt := 0; attempt < 3; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		out, ok := startVersitygw(t, bin, addr, srv)
		if ok {
			srv.Endpoint = "http://" + addr
			srv.URL = "s3://" + S3Bucket + "/blobs?endpoint=" + srv.Endpoint + "&region=us-east-1"
			t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
			t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
			t.Setenv("AWS_SESSION_TOKEN", "")
			return srv
		}
		lastOutput = out
	}
	t.Fatalf("versitygw did not start:\n%s", lastOutput)
	return S3Server{}
}

// startVersitygw runs the server on addr and waits for it to answer HTTP; it returns false
// with the server's output when the server exits first or does not answer in time.
func startVersitygw(t testing.TB, bin, addr string, srv S3Server) (string, bool) {
	t.Helper()
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "--port", addr, "--quiet", "posix", srv.Dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+srv.AccessKey, "ROOT_SECRET_KEY="+srv.SecretKey)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = killWithParent()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return out.String(), false
		default:
		}
		// Any HTTP answer (an anonymous request is refused with 403) means it is serving.
		if resp, err := client.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
			t.Cleanup(func() {
				stop()
				if t.Failed() {
					t.Logf("versitygw output:\n%s", out.String())
				}
			})
			return "", true
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return out.String() + "\n(no answer within 30 s)", false
}

// versitygw finds the server binary, or ends the test (see StartS3).
func versitygw(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WENMING_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("WENMING_VERSITYGW: %v", err)
		}
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if p := cachedVersitygw(); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "versitygw " + VersitygwVersion + " (the S3 server these tests run against) was not found: build it once with " +
		"`.ci/versitygw.sh`, whose cache the tests look in, or `go install github.com/versity/versitygw/cmd/versitygw@" + VersitygwVersion +
		"` and put it on PATH or in WENMING_VERSITYGW"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// cachedVersitygw is where .ci/versitygw.sh keeps the binary: beside the module cache, in a
// directory named for the version.
func cachedVersitygw() string {
	tools := os.Getenv("WENMING_TOOLS_DIR")
	if tools == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		modcache := strings.TrimSpace(string(out))
		if err != nil || modcache == "" {
			return ""
		}
		tools = filepath.Join(modcache, "..", "wenming-tools")
	}
	return filepath.Join(tools, "versitygw-"+VersitygwVersion, "versitygw")
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func randomHex(t testing.TB) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// lockedBuffer collects the server's output, written by the exec package's copying
// goroutines while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
