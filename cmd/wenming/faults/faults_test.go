//go:build faults

package faults

import (
	"database/sql"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/services/platform/blob/blobtest"
)

// faultFor is how long a fault that is switched on and off lasts.
const faultFor = 6 * time.Second

// TestFaults runs each scenario of docs/faults.md on a platform of its own under the
// mixed load, and checks that no request answered 500, every 503 said when to retry,
// every kind of operation succeeded again soon after the fault ended, the ledger of
// acknowledged writes is intact and `wenming check` is clean.
func TestFaults(t *testing.T) {
	startShared(t)
	for _, sc := range []struct {
		name  string
		opts  func(t *testing.T) worldOptions
		run   func(t *testing.T, w *world)
		clean bool
	}{
		{name: "postgres restart", run: func(t *testing.T, w *world) {
			w.scenario(t, func() { w.pg.restart(t) }, nil, false)
		}},
		{name: "postgres kill -9", run: func(t *testing.T, w *world) {
			w.scenario(t, func() { w.pg.kill9(t, 2*time.Second) }, nil, false)
		}},
		{name: "postgres slow network", run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				w.tp.toxic(t, w.pgProxy, "slow", "latency", map[string]any{"latency": 150, "jitter": 50})
				time.Sleep(faultFor)
			}, func() { w.tp.heal(t, w.pgProxy, "slow") }, false)
		}},
		{name: "postgres black hole", run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				w.tp.toxic(t, w.pgProxy, "hole", "timeout", map[string]any{"timeout": 0})
				time.Sleep(faultFor)
			}, func() { w.tp.heal(t, w.pgProxy, "hole") }, false)
		}},
		{name: "postgres out of connections", run: func(t *testing.T, w *world) {
			var held []*sql.Conn
			w.scenario(t, func() { held = exhaust(t, w) }, func() {
				for _, c := range held {
					c.Close()
				}
			}, false)
		}},
		{name: "redis down", run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				w.tp.enable(t, w.redisProx, false)
				time.Sleep(faultFor)
			}, func() { w.tp.enable(t, w.redisProx, true) }, false)
		}},
		{name: "redis hung", run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				w.tp.toxic(t, w.redisProx, "hung", "timeout", map[string]any{"timeout": 0})
				time.Sleep(faultFor)
			}, func() { w.tp.heal(t, w.redisProx, "hung") }, false)
		}},
		{name: "redis slow", run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				w.tp.toxic(t, w.redisProx, "slow", "latency", map[string]any{"latency": 300, "jitter": 100})
				time.Sleep(faultFor)
			}, func() { w.tp.heal(t, w.redisProx, "slow") }, false)
		}},
		{name: "disk full", opts: func(t *testing.T) worldOptions { return worldOptions{dataDir: tmpfs(t, 256<<20)} },
			run: func(t *testing.T, w *world) {
				var free func()
				w.scenario(t, func() {
					free = fill(t, w.dataDir)
					time.Sleep(faultFor)
				}, func() { free() }, false)
			}},
		{name: "s3 down", opts: func(t *testing.T) worldOptions {
			s3 := blobtest.StartS3(t)
			proxy := "s3"
			addr := shared.tp.proxy(t, proxy, strings.TrimPrefix(s3.Endpoint, "http://"))
			url := "s3://" + blobtest.S3Bucket + "/blobs?endpoint=http://" + addr + "&region=us-east-1"
			return worldOptions{env: append(s3.Env(), "WENMING_BLOB_URL="+url), s3Proxy: proxy}
		}, run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				w.tp.enable(t, w.s3Proxy, false)
				time.Sleep(faultFor)
			}, func() { w.tp.enable(t, w.s3Proxy, true) }, false)
		}},
		{name: "service kill -9", run: func(t *testing.T, w *world) {
			victims := []*node{w.c.service("evidence", 0), w.c.service("review", 0), w.c.service("tenancy", 1)}
			w.scenario(t, func() {
				for _, n := range victims {
					_ = w.c.stop(n, syscall.SIGKILL)
				}
				time.Sleep(3 * time.Second)
			}, func() {
				for _, n := range victims {
					w.c.start(t, n)
				}
			}, false)
		}},
		{name: "sigterm under load", clean: true, run: func(t *testing.T, w *world) {
			victims := []*node{w.c.service("evidence", 0), w.c.service("review", 1), w.c.service("tenancy", 0), w.c.gateways[1]}
			w.scenario(t, func() {
				for _, n := range victims {
					if err := w.c.stop(n, syscall.SIGTERM); err != nil {
						t.Errorf("%s exited with %v after SIGTERM", n.name, err)
					}
				}
				time.Sleep(2 * time.Second)
			}, func() {
				for _, n := range victims {
					w.c.start(t, n)
				}
			}, true)
		}},
		{name: "rolling restart", clean: true, run: func(t *testing.T, w *world) {
			w.scenario(t, func() {
				for _, n := range w.c.all() {
					if err := w.c.stop(n, syscall.SIGTERM); err != nil {
						t.Errorf("%s exited with %v after SIGTERM", n.name, err)
					}
					// As a rollout, which stops the next pod once the new one is ready: at
					// the soonest, the moment it listens (docs/faults.md, "Replicas").
					w.c.start(t, n)
				}
			}, nil, true)
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			var o worldOptions
			if sc.opts != nil {
				o = sc.opts(t)
			}
			sc.run(t, newWorld(t, o))
		})
	}
}

// exhaust takes every connection the server has left, as a runaway client would, and
// ends the platform's own sessions, so that its pools must connect again and find the
// server full; it holds them for faultFor and returns them, to be closed.
func exhaust(t *testing.T, w *world) []*sql.Conn {
	db, err := sql.Open("pgx", w.pg.url(w.db, "")+"&application_name=faults-holder&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var (
		mu   sync.Mutex
		held []*sql.Conn
		wg   sync.WaitGroup
	)
	for range 16 {
		wg.Go(func() {
			for {
				c, err := db.Conn(t.Context())
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(held) == 0 {
		t.Fatal("no connection could be taken")
	}
	var ended int
	err = held[0].QueryRowContext(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name <> 'faults-holder' AND pid <> pg_backend_pid()`).Scan(&ended)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("holding %d connections; ended the platform's %d sessions", len(held), ended)
	time.Sleep(faultFor)
	return held
}
