package app_test

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// BenchmarkGetUnit measures the hot authenticated read through the whole stack: REST
// gateway, interceptor chain (token check, rule, validation), privacy-filtered store read.
// The load generator for the comparison with a bare echo is cmd/wenming-bench.
func BenchmarkGetUnit(b *testing.B) {
	for _, kind := range []storetest.Kind{storetest.SQLite, storetest.Postgres} {
		b.Run(string(kind), func(b *testing.B) {
			e := apptest.Start(b, kind)
			tr := e.BuildTree(b)
			url := e.Base + "/v1/units/" + tr.Unit1
			getParallel(b, url, tr.ProvAdmin)
		})
	}
}

// BenchmarkListUnits measures a list read, which may use the read replica, through the
// whole stack on PostgreSQL: without a replica, and with one (the caller has written
// nothing, so every read is the replica's after a check of its write position in Redis).
func BenchmarkListUnits(b *testing.B) {
	for _, replica := range []bool{false, true} {
		name := "primary"
		if replica {
			name = "replica"
		}
		b.Run(name, func(b *testing.B) {
			primary := storetest.URL(b, storetest.Postgres)
			e := apptest.Start(b, storetest.Postgres, func(c *app.Config) {
				c.DatabaseURL = primary
				if replica {
					c.DatabaseReplicaURL = storetest.ReplicaURL(b, primary)
				}
			})
			tr := e.BuildTree(b)
			url := e.Base + "/v1/offices/" + tr.D1 + "/units"
			// The tree's writes are the province admin's own: let the replica replay them.
			time.Sleep(time.Second)
			getParallel(b, url, tr.ProvAdmin)
		})
	}
}

// getParallel times GETs of url as token from 16×GOMAXPROCS goroutines, each answer a 200.
func getParallel(b *testing.B, url, token string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
}
