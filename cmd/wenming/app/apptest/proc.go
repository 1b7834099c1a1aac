package apptest

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Proc is one `wenming serve` process started by StartProc.
type Proc struct {
	Name string
	// Listen is where it serves: its REST gateway's address when it runs one, else its
	// gRPC address.
	Listen string
	Cmd    *exec.Cmd
	// Done receives the process's exit once; whoever takes it puts it back (Reap) so the
	// cleanup does not wait.
	Done chan error
	mu   sync.Mutex
	out  bytes.Buffer
	addr chan string
}

// listenLine is where a process says it listens; restLine where its gateway does, which
// is the address a process serving REST is reached at.
var (
	listenLine = regexp.MustCompile(`listening on (?:http://)?(\S+)`)
	restLine   = regexp.MustCompile(`REST gateway listening on http://(\S+)`)
)

// StartProc starts `wenming serve args…` from bin with env, waits until it says where it
// listens, and stops it (SIGTERM, then SIGKILL) when t ends, printing its output if t failed.
func StartProc(t testing.TB, bin string, env []string, name string, args ...string) *Proc {
	t.Helper()
	want := listenLine
	if slices.Contains(args, "--http-addr") {
		want = restLine
	}
	p := &Proc{Name: name, addr: make(chan string, 1), Done: make(chan error, 1)}
	p.Cmd = exec.Command(bin, append([]string{"serve"}, args...)...)
	p.Cmd.Env = env
	pr, pw := io.Pipe()
	p.Cmd.Stdout, p.Cmd.Stderr = pw, pw
	if err := p.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.out.WriteString(line + "\n")
			p.mu.Unlock()
			if m := want.FindStringSubmatch(line); m != nil {
				select {
				case p.addr <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	go func() { p.Done <- p.Cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.Done:
			p.Done <- err
		case <-time.After(10 * time.Second):
			_ = p.Cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("--- %s output:\n%s", p.Name, p.Output())
		}
	})
	select {
	case a := <-p.addr:
		if strings.HasPrefix(a, "[::]") {
			a = "127.0.0.1" + strings.TrimPrefix(a, "[::]")
		}
		p.Listen = a
		return p
	case err := <-p.Done:
		t.Fatalf("%s exited: %v\n%s", name, err, p.Output())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start:\n%s", name, p.Output())
	}
	return nil
}

// Output is everything the process printed so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Kill sends sig and waits for the process to exit, returning how it exited.
func (p *Proc) Kill(sig syscall.Signal) error {
	_ = p.Cmd.Process.Signal(sig)
	err := <-p.Done
	p.Done <- err // for the cleanup
	return err
}

// BuildWenming builds the wenming binary into t's temporary directory.
func BuildWenming(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wenming")
	build := exec.Command("go", "build", "-o", bin, "github.com/wenming-platform/wenming/cmd/wenming")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
