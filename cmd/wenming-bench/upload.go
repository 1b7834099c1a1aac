package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pattern is a file's content as the benchmark streams it: a PDF header and then the same
// bytes over and over, different for each seed (each upload is a new blob, kept, as dd's
// files are). It costs no CPU to make, so the figures are the server's.
type pattern struct {
	left int64
	pos  int
	buf  []byte
}

func newPattern(size int64, seed int) *pattern {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i*7 + i>>8 + seed)
	}
	copy(buf, "%PDF-1.7\n")
	return &pattern{left: size, buf: buf}
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf[p.pos:])
	if int64(n) > p.left {
		n = int(p.left)
	}
	p.pos = (p.pos + n) % len(p.buf)
	if p.pos == 0 {
		p.pos = len("%PDF-1.7\n") // the header only once
	}
	p.left -= int64(n)
	return n, nil
}

// rss reads a process's resident set size in bytes from /proc.
func rss(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

func uploadMain(args []string) error {
	fs := flag.NewFlagSet("upload", flag.ExitOnError)
	bin := fs.String("wenming", "./wenming", "the wenming binary")
	dir := fs.String("dir", "", "directory for the server's data (blobs) and dd's file: the same disk for both (default: a temporary directory)")
	dbURL := fs.String("database-url", "", "WENMING_DATABASE_URL (empty: embedded SQLite)")
	sizeMB := fs.Int64("size-mb", 256, "size of each measured upload and of dd's file, in MiB")
	rounds := fs.Int("rounds", 3, "rounds of dd and upload, alternating")
	bigMB := fs.Int64("rss-mb", 1024, "size of the upload during which the server's memory is sampled, in MiB (0: skip)")
	_ = fs.Parse(args)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	work, err := os.MkdirTemp(*dir, "wenming-bench-upload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	const password = "bench-admin-password"
	limit := strconv.FormatInt(max(*sizeMB, *bigMB)<<20+1<<20, 10)
	env := append(os.Environ(), "WENMING_DATA_DIR="+filepath.Join(work, "data"), "WENMING_DATABASE_URL="+*dbURL,
		"WENMING_BOOTSTRAP_ADMIN_PASSWORD="+password, "WENMING_HTTP_ADDR=127.0.0.1:0", "WENMING_GRPC_ADDR=127.0.0.1:0",
		"WENMING_MAX_FILE_BYTES="+limit, "WENMING_MAX_APPLICATION_BYTES=1099511627776", "WENMING_REDIS_PREFIX=wenming-bench:"+filepath.Base(work)+":")
	addr, cmd, err := spawn(ctx, env, *bin, "serve")
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	base := "http://" + addr
	token, app, err := setupApplication(base, password)
	if err != nil {
		return err
	}
	seed := 0
	upload := func(size int64) (time.Duration, error) {
		seed++
		req, _ := http.NewRequest("PUT", base+"/v1/applications/"+app+"/files", newPattern(size, seed))
		req.ContentLength = size
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/pdf")
		req.Header.Set("X-File-Name", "bench.pdf")
		t0 := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != 201 {
			return 0, fmt.Errorf("upload: %d %s", res.StatusCode, raw)
		}
		return time.Since(t0), nil
	}
	// dd copies a file of the same bytes from the page cache, and keeps what it wrote as the
	// server keeps its blobs: a file deleted before the kernel writes it back costs the
	// disk nothing, and /dev/zero may cost the virtual disk nothing either, which made dd
	// look six times faster than the disk is.
	src := filepath.Join(work, "dd-source.bin")
	if err := writeFile(src, newPattern(*sizeMB<<20, 0)); err != nil {
		return err
	}
	copies := 0
	dd := func() (time.Duration, error) {
		copies++
		f := filepath.Join(work, "dd-"+strconv.Itoa(copies)+".bin")
		t0 := time.Now()
		out, err := exec.Command("dd", "if="+src, "of="+f, "bs=1M", "conv=fsync").CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("dd: %v %s", err, out)
		}
		return time.Since(t0), nil
	}
	size := *sizeMB << 20
	mbps := func(d time.Duration) float64 { return float64(size) / (1 << 20) / d.Seconds() }
	if _, err := upload(size); err != nil { // warm up
		return err
	}
	var ups, dds []float64
	for range *rounds {
		d, err := dd()
		if err != nil {
			return err
		}
		u, err := upload(size)
		if err != nil {
			return err
		}
		dds, ups = append(dds, mbps(d)), append(ups, mbps(u))
		fmt.Fprintf(os.Stderr, "dd %7.1f MiB/s   upload %7.1f MiB/s\n", mbps(d), mbps(u))
	}
	slices.Sort(dds)
	slices.Sort(ups)
	med := func(v []float64) float64 { return v[len(v)/2] }
	fmt.Printf("\n%d MiB per run, %d rounds, median (min–max)\n\n", *sizeMB, *rounds)
	fmt.Println("| path | MiB/s |")
	fmt.Println("|---|---|")
	fmt.Printf("| dd bs=1M conv=fsync of a cached file, same directory, files kept | %.0f (%.0f–%.0f) |\n", med(dds), dds[0], dds[len(dds)-1])
	fmt.Printf("| PUT /v1/applications/{id}/files through the gateway | %.0f (%.0f–%.0f) |\n", med(ups), ups[0], ups[len(ups)-1])
	fmt.Printf("\nratio: %.2f × dd\n", med(ups)/med(dds))

	if *bigMB == 0 {
		return nil
	}
	pid := cmd.Process.Pid
	time.Sleep(2 * time.Second) // let the last upload's garbage go
	idle, err := rss(pid)
	if err != nil {
		return err
	}
	peak := idle
	done := make(chan error, 1)
	go func() { _, err := upload(*bigMB << 20); done <- err }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return err
			}
			fmt.Printf("\nserver RSS while a %d MiB file uploads: idle %.1f MiB, peak %.1f MiB, growth %.1f MiB\n",
				*bigMB, float64(idle)/(1<<20), float64(peak)/(1<<20), float64(peak-idle)/(1<<20))
			return nil
		case <-tick.C:
			if r, err := rss(pid); err == nil && r > peak {
				peak = r
			}
		}
	}
}

// setupApplication creates a province with a published standard and an open campaign, a
// unit with an admin, and the unit's application; it returns the unit admin's token and the
// application's id.
func setupApplication(base, password string) (token, app string, err error) {
	call := func(path, tok string, body any, out any) error { return post(base, path, tok, body, out) }
	var tok struct{ AccessToken string }
	var obj struct {
		Id   string
		Etag string
	}
	login := func(l, p string) (string, error) {
		err := call("/v1/auth/login", "", map[string]string{"login": l, "password": p}, &tok)
		return tok.AccessToken, err
	}
	steps := []func() error{}
	var admin, pa, province, unit string
	steps = append(steps,
		func() (err error) { admin, err = login("admin", password); return err },
		func() error {
			err := call("/v1/offices", admin, map[string]any{"displayName": "压测省", "level": "LEVEL_PROVINCIAL", "regionCode": "330000"}, &obj)
			province = obj.Id
			return err
		},
		func() error {
			return call("/v1/offices/"+province+"/users", admin, map[string]any{"login": "up-admin", "password": "up-admin-password", "roles": []string{"ROLE_OFFICE_ADMIN"}}, &obj)
		},
		func() (err error) { pa, err = login("up-admin", "up-admin-password"); return err },
		func() error {
			err := call("/v1/offices/"+province+"/units", pa, map[string]any{"displayName": "压测单位", "creditCode": "91350100M000100Y43", "category": "UNIT_CATEGORY_OTHER"}, &obj)
			unit = obj.Id
			return err
		},
		func() error {
			return call("/v1/units/"+unit+"/users", pa, map[string]any{"login": "up-unit", "password": "up-unit-password", "roles": []string{"ROLE_UNIT_ADMIN"}}, &obj)
		},
	)
	var std, campaign string
	now := time.Now().UTC()
	window := func(from, to time.Duration) map[string]string {
		return map[string]string{"startTime": now.Add(from).Format(time.RFC3339), "endTime": now.Add(to).Format(time.RFC3339)}
	}
	day := 24 * time.Hour
	steps = append(steps,
		func() error {
			err := call("/v1/offices/"+province+"/standards", pa, map[string]any{"code": "BENCH", "displayName": "压测细则", "basePoints": "10.00",
				"indicators": []map[string]any{{"code": "1", "title": "材料", "kind": "INDICATOR_KIND_POINTS", "maxPoints": "10.00"}}}, &obj)
			std = obj.Id
			return err
		},
		func() error { return call("/v1/standards/"+std+":publish", pa, map[string]any{"etag": obj.Etag}, &obj) },
		func() error {
			err := call("/v1/offices/"+province+"/campaigns", pa, map[string]any{"standardId": std, "year": now.Year(), "targetLevel": "TITLE_LEVEL_PROVINCIAL",
				"displayName": "压测周期", "applicationWindow": window(-time.Hour, 10*day), "submissionWindow": window(day, 20*day),
				"reviewWindow": window(21*day, 30*day), "publicityWindow": window(31*day, 38*day), "quota": map[string]int{"count": 10},
				"eligibility": map[string]bool{"noTitleRequired": true}}, &obj)
			campaign = obj.Id
			return err
		},
		func() error {
			return call("/v1/campaigns/"+campaign+":transition", pa, map[string]string{"to": "CAMPAIGN_STATE_OPEN"}, &obj)
		},
		func() (err error) { token, err = login("up-unit", "up-unit-password"); return err },
		func() error {
			err := call("/v1/campaigns/"+campaign+"/applications", token, map[string]any{}, &obj)
			app = obj.Id
			return err
		},
	)
	for _, step := range steps {
		if err := step(); err != nil {
			return "", "", err
		}
	}
	return token, app, nil
}

// writeFile writes r to a new file at path.
func writeFile(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
