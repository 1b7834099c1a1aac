// Command wenming-bench measures Wenming's hot REST paths under concurrent load, beside a
// bare grpc-gateway echo on the same machine, and prints a table for docs/BENCHMARKS.md.
//
//	go build -o wenming ./cmd/wenming && go build -o wenming-bench ./cmd/wenming-bench
//	./wenming-bench rest-read --wenming ./wenming [--database-url postgres://…] [--redis-url redis://…]
//
// Subcommands: "rest-read" runs the whole comparison; "upload" measures evidence uploads
// through the gateway beside dd on the same disk, and the server's memory while a large
// file streams in; "review" seeds a synthetic province and measures seeding, the ranking and
// summary reads and score writes on it; "echo" serves the bare echo (REST →
// grpc-gateway → gRPC over loopback, no auth, no database); "load" drives one URL.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: wenming-bench rest-read|upload|review|echo|load [flags]")
	}
	var err error
	switch os.Args[1] {
	case "echo":
		err = echoMain(os.Args[2:])
	case "load":
		err = loadMain(os.Args[2:])
	case "rest-read":
		err = restReadMain(os.Args[2:])
	case "upload":
		err = uploadMain(os.Args[2:])
	case "review":
		err = reviewMain(os.Args[2:])
	case "review-writes":
		err = writesMain(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// echo is a gRPC service with one method, written by hand so the comparison needs no
// generated code: grpc-gateway's generated handlers do exactly what echoHandler does.
var echoDesc = grpc.ServiceDesc{
	ServiceName: "bench.Echo",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "Echo",
		Handler: func(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			return in, nil
		},
	}},
}

func echoMain(args []string) error {
	fs := flag.NewFlagSet("echo", flag.ExitOnError)
	httpAddr := fs.String("http-addr", "127.0.0.1:0", "REST listen address")
	_ = fs.Parse(args)

	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	gs := grpc.NewServer()
	gs.RegisterService(&echoDesc, struct{}{})
	go func() { _ = gs.Serve(gl) }()
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	mux := runtime.NewServeMux()
	err = mux.HandlePath("GET", "/v1/echo/{value}", func(w http.ResponseWriter, r *http.Request, p map[string]string) {
		_, outbound := runtime.MarshalerForRequest(mux, r)
		ctx, err := runtime.AnnotateContext(r.Context(), mux, r, "/bench.Echo/Echo", runtime.WithHTTPPathPattern("/v1/echo/{value}"))
		if err != nil {
			runtime.HTTPError(ctx, mux, outbound, w, r, err)
			return
		}
		var md runtime.ServerMetadata
		out := new(wrapperspb.StringValue)
		err = conn.Invoke(ctx, "/bench.Echo/Echo", wrapperspb.String(p["value"]), out, grpc.Header(&md.HeaderMD), grpc.Trailer(&md.TrailerMD))
		ctx = runtime.NewServerMetadataContext(ctx, md)
		if err != nil {
			runtime.HTTPError(ctx, mux, outbound, w, r, err)
			return
		}
		runtime.ForwardResponseMessage(ctx, mux, outbound, w, r, out)
	})
	if err != nil {
		return err
	}
	hl, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	fmt.Printf("echo listening on http://%s\n", hl.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); _ = srv.Close(); gs.Stop() }()
	if err := srv.Serve(hl); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// result is one load run.
type result struct {
	Requests, Errors    int
	Duration            time.Duration
	Mean, P50, P90, P99 time.Duration
}

func (r result) RPS() float64 { return float64(r.Requests) / r.Duration.Seconds() }

// load sends GET url from c clients for d and measures each request; anything but 200 is
// an error.
func load(url string, header http.Header, c int, d time.Duration) result {
	return loadStatus(url, header, c, d, http.StatusOK)
}

// loadStatus is load where the answer expected is status (304 for a conditional GET).
func loadStatus(url string, header http.Header, c int, d time.Duration, status int) result {
	tr := &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, MaxConnsPerHost: c}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var (
		mu    sync.Mutex
		lat   []time.Duration
		errs  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
		stop  = start.Add(d)
	)
	for range c {
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(stop) {
				req, _ := http.NewRequest("GET", url, nil)
				req.Header = header
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				if err != nil || res.StatusCode != status {
					errs.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[int(float64(len(lat)-1)*p)]
	}
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	mean := time.Duration(0)
	if len(lat) > 0 {
		mean = sum / time.Duration(len(lat))
	}
	return result{Requests: len(lat), Errors: int(errs.Load()), Duration: elapsed, Mean: mean, P50: q(.50), P90: q(.90), P99: q(.99)}
}

func loadMain(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("url", "", "URL to GET")
	token := fs.String("token", "", "bearer token")
	c := fs.Int("c", 64, "concurrent clients")
	d := fs.Duration("d", 15*time.Second, "duration")
	_ = fs.Parse(args)
	h := http.Header{}
	if *token != "" {
		h.Set("Authorization", "Bearer "+*token)
	}
	r := load(*url, h, *c, *d)
	fmt.Printf("%.0f req/s  p50 %v  p90 %v  p99 %v  errors %d\n", r.RPS(), r.P50, r.P90, r.P99, r.Errors)
	return nil
}

var listenLine = regexp.MustCompile(`listening on http://(\S+)`)

// spawn starts a process and returns the HTTP address it prints.
func spawn(ctx context.Context, env []string, name string, args ...string) (string, *exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return m[1], cmd, nil
		}
	}
	return "", nil, fmt.Errorf("%s exited before listening", name)
}

func restReadMain(args []string) error {
	fs := flag.NewFlagSet("rest-read", flag.ExitOnError)
	bin := fs.String("wenming", "./wenming", "the wenming binary")
	dbURL := fs.String("database-url", "", "WENMING_DATABASE_URL (empty: embedded SQLite in a temp dir)")
	redisURL := fs.String("redis-url", "", "WENMING_REDIS_URL (empty: in-process)")
	c := fs.Int("c", 64, "concurrent clients")
	d := fs.Duration("d", 15*time.Second, "duration of each run")
	rounds := fs.Int("rounds", 2, "alternating rounds of each target")
	_ = fs.Parse(args)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "wenming-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	const password = "bench-admin-password"
	env := append(os.Environ(), "WENMING_DATA_DIR="+filepath.Join(dir, "data"), "WENMING_DATABASE_URL="+*dbURL,
		"WENMING_REDIS_URL="+*redisURL, "WENMING_REDIS_PREFIX=wenming-bench:"+filepath.Base(dir)+":",
		"WENMING_BOOTSTRAP_ADMIN_PASSWORD="+password, "WENMING_HTTP_ADDR=127.0.0.1:0", "WENMING_GRPC_ADDR=127.0.0.1:0")
	wAddr, wCmd, err := spawn(ctx, env, *bin, "serve")
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = wCmd.Wait() }()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	eAddr, eCmd, err := spawn(ctx, os.Environ(), self, "echo")
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = eCmd.Wait() }()

	base := "http://" + wAddr
	token, unitID, err := setup(base, password)
	if err != nil {
		return err
	}
	auth := http.Header{"Authorization": {"Bearer " + token}}
	targets := []struct {
		name, url string
		h         http.Header
	}{
		{"bare grpc-gateway echo", "http://" + eAddr + "/v1/echo/ping", http.Header{}},
		{"GET /v1/units/{id} (authenticated)", base + "/v1/units/" + unitID, auth},
	}
	for _, t := range targets { // warm up connections, caches and the JIT-less runtime alike
		load(t.url, t.h, *c, 2*time.Second)
	}
	best := make([]result, len(targets))
	for range *rounds {
		for i, t := range targets {
			r := load(t.url, t.h, *c, *d)
			fmt.Fprintf(os.Stderr, "%-36s %8.0f req/s  p50 %-10v p99 %-10v errors %d\n", t.name, r.RPS(), r.P50, r.P99, r.Errors)
			if best[i].Requests == 0 || r.RPS() > best[i].RPS() {
				best[i] = r
			}
		}
	}
	store := "embedded SQLite"
	if strings.HasPrefix(*dbURL, "postgres") {
		store = "PostgreSQL"
	}
	fmt.Printf("\n%d concurrent clients, %v per run, best of %d rounds; Wenming on %s\n\n", *c, *d, *rounds, store)
	fmt.Println("| path | req/s | p50 | p90 | p99 | errors |")
	fmt.Println("|---|---|---|---|---|---|")
	for i, t := range targets {
		r := best[i]
		fmt.Printf("| %s | %.0f | %v | %v | %v | %d |\n", t.name, r.RPS(), r.P50.Round(10*time.Microsecond), r.P90.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Errors)
	}
	fmt.Printf("\nratio: %.2f × the echo\n", best[1].RPS()/best[0].RPS())
	return nil
}

// setup creates a province, a district and a unit, and returns a province viewer's token
// and the unit's id: the read crosses two levels of the tree, as a provincial pull does.
func setup(base, password string) (token, unitID string, err error) {
	call := func(path, tok string, body any, out any) error { return post(base, path, tok, body, out) }
	var tok struct{ AccessToken string }
	var obj struct{ Id string }
	login := func(l, p string) (string, error) {
		err := call("/v1/auth/login", "", map[string]string{"login": l, "password": p}, &tok)
		return tok.AccessToken, err
	}
	admin, err := login("admin", password)
	if err != nil {
		return "", "", err
	}
	if err := call("/v1/offices", admin, map[string]any{"displayName": "压测省", "level": "LEVEL_PROVINCIAL", "regionCode": "330000"}, &obj); err != nil {
		return "", "", err
	}
	province := obj.Id
	user := func(token, office, login string, role string) error {
		return call("/v1/offices/"+office+"/users", token, map[string]any{"login": login, "password": login + "-password", "roles": []string{role}}, &obj)
	}
	// The platform admin creates the province's first admin; the province runs itself.
	if err := user(admin, province, "bench-prov-admin", "ROLE_OFFICE_ADMIN"); err != nil {
		return "", "", err
	}
	pa, err := login("bench-prov-admin", "bench-prov-admin-password")
	if err != nil {
		return "", "", err
	}
	if err := user(pa, province, "bench-prov-viewer", "ROLE_OFFICE_VIEWER"); err != nil {
		return "", "", err
	}
	if err := call("/v1/offices", pa, map[string]any{"parentId": province, "displayName": "压测区", "level": "LEVEL_DISTRICT", "regionCode": "330106"}, &obj); err != nil {
		return "", "", err
	}
	district := obj.Id
	if err := call("/v1/offices/"+district+"/users", pa, map[string]any{"login": "bench-d-admin", "password": "bench-d-admin-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}, &obj); err != nil {
		return "", "", err
	}
	da, err := login("bench-d-admin", "bench-d-admin-password")
	if err != nil {
		return "", "", err
	}
	if err := call("/v1/offices/"+district+"/units", da, map[string]any{"displayName": "压测单位", "creditCode": "91350100M000100Y43", "category": "UNIT_CATEGORY_OTHER"}, &obj); err != nil {
		return "", "", err
	}
	unitID = obj.Id
	token, err = login("bench-prov-viewer", "bench-prov-viewer-password")
	return token, unitID, err
}

// post sends body as JSON to base+path as tok and decodes the answer into out; anything but
// 200 or 201 is an error.
func post(base, path, tok string, body any, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 && res.StatusCode != 201 {
		return fmt.Errorf("POST %s: %d %s", path, res.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}
