//go:build soak

package faults

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// window is one interval of the soak: the load's answers and the processes' state at
// its end.
type window struct {
	at                 time.Duration
	requests, failures int
	p50, p99           time.Duration
	// goroutines and heap are summed over the processes; rss likewise.
	goroutines      float64
	heapMB, rssMB   float64
	maxProcHeapMB   float64
	maxProcRoutines float64
}

// scrape reads the Go runtime gauges a process exports on /metrics.
func scrape(addr string) (goroutines, heap, rss float64, err error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, perr := strconv.ParseFloat(value, 64)
		if perr != nil {
			continue
		}
		switch name {
		case "go_goroutines":
			goroutines = v
		case "go_memstats_heap_inuse_bytes":
			heap = v
		case "process_resident_memory_bytes":
			rss = v
		}
	}
	return goroutines, heap, rss, sc.Err()
}

// TestSoak runs the mixed load for WENMING_SOAK (default 30 minutes) on the split shape
// with two replicas of every service, and reports per interval the throughput, p50 and
// p99, failures, and the processes' goroutines and memory; goroutines and heap must not
// grow, no request may fail, and at the end the ledger and `wenming check` must be clean
// (docs/faults.md, "Soak").
func TestSoak(t *testing.T) {
	d := 30 * time.Minute
	if s := os.Getenv("WENMING_SOAK"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatalf("WENMING_SOAK: %v", err)
		}
	}
	step := max(d/30, 10*time.Second)
	startShared(t)
	// 160 units: an item takes 50 revisions at most, and the submitters, at about 2.8 a
	// second together, go round them all (5 000 in 30 minutes).
	w := newWorld(t, worldOptions{units: 160})
	l := newLoad(t, w.c, w.fx)
	l.maxFile = 16 << 10
	l.think, l.submitPause = 30*time.Millisecond, time.Second
	start := time.Now()
	l.start()
	var windows []window
	seen := 0
	for time.Since(start) < d {
		time.Sleep(step)
		win := window{at: time.Since(start).Round(time.Second)}
		l.mu.Lock()
		fresh := l.samples[seen:]
		seen = len(l.samples)
		var lat []time.Duration
		byOp := map[string][]time.Duration{}
		for _, s := range fresh {
			byOp[s.op] = append(byOp[s.op], s.latency)
			win.requests++
			// A 401 is an access token expiring (15 minutes): the load signs in again.
			if (s.code < 200 || s.code >= 300) && s.code != 401 {
				win.failures++
			}
			lat = append(lat, s.latency)
		}
		l.mu.Unlock()
		slices.Sort(lat)
		if len(lat) > 0 {
			win.p50, win.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		}
		for _, n := range w.c.all() {
			g, h, r, err := scrape(n.metrics)
			if err != nil {
				t.Errorf("%s: %v", n.name, err)
				continue
			}
			win.goroutines += g
			win.heapMB += h / (1 << 20)
			win.rssMB += r / (1 << 20)
			win.maxProcHeapMB = max(win.maxProcHeapMB, h/(1<<20))
			win.maxProcRoutines = max(win.maxProcRoutines, g)
		}
		windows = append(windows, win)
		var ops []string
		for _, op := range []string{"upload", "draft", "submit", "score", "read"} {
			d := byOp[op]
			slices.Sort(d)
			if len(d) > 0 {
				ops = append(ops, fmt.Sprintf("%s %d×%v", op, len(d), d[len(d)/2].Round(100*time.Microsecond)))
			}
		}
		t.Logf("%8v  %6.0f req/s  p50 %-8v p99 %-8v failures %d  goroutines %.0f  heap %.0f MB  rss %.0f MB  (p50 by operation: %s)",
			win.at, float64(win.requests)/step.Seconds(), win.p50.Round(100*time.Microsecond), win.p99.Round(100*time.Microsecond),
			win.failures, win.goroutines, win.heapMB, win.rssMB, strings.Join(ops, ", "))
	}
	l.stopAndWait()
	r := l.summarize(time.Time{})
	total := 0
	for _, n := range r.total {
		total += n
	}
	var all []time.Duration
	for _, s := range l.samples {
		all = append(all, s.latency)
	}
	slices.Sort(all)
	t.Logf("soak: %v, %d requests (%.0f/s), p50 %v, p99 %v\n%s", d, total, float64(total)/time.Since(start).Seconds(),
		all[len(all)/2].Round(100*time.Microsecond), all[len(all)*99/100].Round(100*time.Microsecond), r)
	expired := 0
	for code, n := range r.byCode["before"] {
		if strings.HasPrefix(code, "401") {
			expired += n
		}
	}
	if failed := total - r.ok["before"] - expired; failed > 0 {
		t.Errorf("%d requests failed", failed)
	}
	// No growth: the last third's goroutines and heap against the first third's, after the
	// first interval's warm-up.
	if len(windows) >= 6 {
		third := len(windows) / 3
		mean := func(ws []window, f func(window) float64) float64 {
			s := 0.0
			for _, w := range ws {
				s += f(w)
			}
			return s / float64(len(ws))
		}
		early, late := windows[1:1+third], windows[len(windows)-third:]
		g0, g1 := mean(early, func(w window) float64 { return w.goroutines }), mean(late, func(w window) float64 { return w.goroutines })
		h0, h1 := mean(early, func(w window) float64 { return w.heapMB }), mean(late, func(w window) float64 { return w.heapMB })
		t.Logf("growth: goroutines %.0f → %.0f, heap %.0f MB → %.0f MB (first and last third)", g0, g1, h0, h1)
		if g1 > g0*1.2+20 {
			t.Errorf("goroutines grew from %.0f to %.0f", g0, g1)
		}
		if h1 > h0*1.5+20 {
			t.Errorf("heap grew from %.0f MB to %.0f MB", h0, h1)
		}
	}
	if path := os.Getenv("WENMING_SOAK_REPORT"); path != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "| time | req/s | p50 | p99 | failures | goroutines (all) | heap MB (all) | RSS MB (all) |\n|---|---|---|---|---|---|---|---|\n")
		for _, w := range windows {
			fmt.Fprintf(&b, "| %v | %.0f | %v | %v | %d | %.0f | %.0f | %.0f |\n", w.at, float64(w.requests)/step.Seconds(),
				w.p50.Round(100*time.Microsecond), w.p99.Round(100*time.Microsecond), w.failures, w.goroutines, w.heapMB, w.rssMB)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	l.verifyLedger(t)
	w.check(t)
}
