//go:build faults || soak

package faults

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// portsGiven are the ports freePort handed out: each once, though nothing listens on it
// between two of its processes' lives.
var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
)

// freePort returns a loopback port nothing listens on now, below the kernel's ephemeral
// range (32768 and up on Linux): a port handed out by the kernel could be taken by an
// outgoing connection before a process (re)starts on it.
func freePort(t testing.TB) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if portsGiven[port] {
			continue
		}
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			l.Close()
			portsGiven[port] = true
			return port
		}
	}
	t.Fatal("no free port below 32000")
	return 0
}

// postgres is a PostgreSQL cluster of the suite's own, on a port of its own, so that it
// can be restarted and killed without touching the machine's server.
type postgres struct {
	bin, dir string
	port     int
}

// asPostgres runs a PostgreSQL program as the postgres user when the suite runs as root
// (initdb and the server refuse root), as the current user otherwise.
func asPostgres(name string, args ...string) *exec.Cmd {
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		quoted := make([]string, 0, len(args)+1)
		for _, a := range append([]string{name}, args...) {
			quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
		return exec.Command("su", "postgres", "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
	}
	return exec.Command(name, args...)
}

// startPostgres initialises a cluster in a new directory and starts it.
func startPostgres(t testing.TB) *postgres {
	t.Helper()
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(versions) == 0 {
		t.Fatal("no PostgreSQL server programs under /usr/lib/postgresql (apt-get install postgresql)")
	}
	sort.Strings(versions)
	bin := filepath.Dir(versions[len(versions)-1])
	// A run killed before its cleanup (a test timeout) leaves its cluster running: stop it,
	// so that runs do not pile up servers. One suite runs at a time on a machine.
	stale, _ := filepath.Glob(filepath.Join(os.TempDir(), "wenming-faults-pg-*"))
	for _, dir := range stale {
		_ = asPostgres(filepath.Join(bin, "pg_ctl"), "-D", dir, "-m", "immediate", "stop").Run()
		_ = os.RemoveAll(dir)
	}
	p := &postgres{bin: bin, port: freePort(t)}
	p.dir = filepath.Join(os.TempDir(), fmt.Sprintf("wenming-faults-pg-%d", p.port))
	_ = os.RemoveAll(p.dir)
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if u, err := user.Lookup("postgres"); err == nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		_ = os.Chown(p.dir, uid, gid)
	}
	if out, err := asPostgres(filepath.Join(p.bin, "initdb"), "-D", p.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := fmt.Sprintf("listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 150\n"+
		"shared_buffers = 64MB\nfsync = on\nsynchronous_commit = on\n", p.port, p.dir)
	f, err := os.OpenFile(filepath.Join(p.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(conf)
	f.Close()
	p.start(t)
	t.Cleanup(func() {
		_ = asPostgres(filepath.Join(p.bin, "pg_ctl"), "-D", p.dir, "-m", "immediate", "stop").Run()
		_ = os.RemoveAll(p.dir)
	})
	return p
}

// start starts the server and waits until it accepts connections. After a kill -9 the
// old server's backends may hold its shared memory for a moment: start is retried.
func (p *postgres) start(t testing.TB) {
	t.Helper()
	var out []byte
	var err error
	for range 20 {
		out, err = asPostgres(filepath.Join(p.bin, "pg_ctl"), "-D", p.dir, "-l", filepath.Join(p.dir, "log"), "-w", "-t", "30", "start").CombinedOutput()
		if err == nil {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
	t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
}

// restart stops the server the way an operator's restart does (fast: sessions are
// ended) and starts it again.
func (p *postgres) restart(t testing.TB) {
	t.Helper()
	if out, err := asPostgres(filepath.Join(p.bin, "pg_ctl"), "-D", p.dir, "-m", "fast", "-w", "stop").CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
	p.start(t)
}

// kill9 kills the postmaster with SIGKILL, as a crash or the OOM killer would; its
// backends notice and exit. down is how long it stays down before it is started again.
func (p *postgres) kill9(t testing.TB, down time.Duration) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(p.dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(down)
	p.start(t)
}

// url is the address of database name on the server, through addr when given (a proxy).
func (p *postgres) url(name, addr string) string {
	if addr == "" {
		addr = fmt.Sprintf("127.0.0.1:%d", p.port)
	}
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", addr, name)
}

// exec runs statements on the server's postgres database.
func (p *postgres) exec(t testing.TB, stmts ...string) {
	t.Helper()
	db, err := sql.Open("pgx", p.url("postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// toxiproxy is a running toxiproxy server: TCP proxies whose faults the suite switches on
// and off (github.com/Shopify/toxiproxy, built by deploy/scripts/tools.sh).
type toxiproxy struct {
	api string
}

// startToxiproxy starts the server on a free port.
func startToxiproxy(t testing.TB) *toxiproxy {
	t.Helper()
	bin := os.Getenv("WENMING_TOXIPROXY")
	if bin == "" {
		out, err := exec.Command("bash", repoPath(t, "deploy/scripts/tools.sh"), "toxiproxy").Output()
		if err != nil {
			t.Fatalf("deploy/scripts/tools.sh toxiproxy: %v", err)
		}
		bin = strings.TrimSpace(string(out))
	}
	port := freePort(t)
	cmd := exec.Command(bin, "-host", "127.0.0.1", "-port", strconv.Itoa(port))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	tp := &toxiproxy{api: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for range 100 {
		if resp, err := http.Get(tp.api + "/version"); err == nil {
			resp.Body.Close()
			return tp
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("toxiproxy did not start:\n%s", out.String())
	return nil
}

func (tp *toxiproxy) call(t testing.TB, method, path string, body any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, tp.api+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("toxiproxy %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("toxiproxy %s %s: %d %s", method, path, resp.StatusCode, b.String())
	}
}

// proxy creates a proxy named name in front of upstream and returns its address.
func (tp *toxiproxy) proxy(t testing.TB, name, upstream string) string {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	tp.call(t, "POST", "/proxies", map[string]any{"name": name, "listen": addr, "upstream": upstream, "enabled": true})
	return addr
}

// enable opens (true) or closes (false) a proxy: closed, it refuses new connections and
// cuts the open ones, as a server that is down does.
func (tp *toxiproxy) enable(t testing.TB, name string, on bool) {
	tp.call(t, "POST", "/proxies/"+name, map[string]any{"enabled": on})
}

// toxic adds a toxic (latency, timeout…) to both directions of a proxy's traffic.
func (tp *toxiproxy) toxic(t testing.TB, proxy, name, kind string, attrs map[string]any) {
	for _, dir := range []string{"upstream", "downstream"} {
		tp.call(t, "POST", "/proxies/"+proxy+"/toxics", map[string]any{"name": name + "-" + dir, "type": kind, "stream": dir, "attributes": attrs})
	}
}

// heal removes a toxic added by toxic.
func (tp *toxiproxy) heal(t testing.TB, proxy, name string) {
	for _, dir := range []string{"upstream", "downstream"} {
		tp.call(t, "DELETE", "/proxies/"+proxy+"/toxics/"+name+"-"+dir, nil)
	}
}

// repoPath is a path inside the repository, which tests run two levels below.
func repoPath(t testing.TB, rel string) string {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("..", "..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// tmpfs mounts a tmpfs of size bytes at a new directory (the blob store's disk, to fill
// up). It needs root; without it the test is skipped, and fails when CI is set.
func tmpfs(t testing.TB, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount tmpfs (the disk-full scenario needs root): %v %s", err, out)
		}
		t.Skipf("mount tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file into dir until the disk is full, and returns a function that
// removes it.
func fill(t testing.TB, dir string) func() {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	// Fill the last partial blocks too.
	for {
		if _, err := f.Write(chunk[:512]); err != nil {
			break
		}
	}
	f.Close()
	return func() { _ = os.Remove(path) }
}
