package app_test

import (
	"io"
	"net/http"
	"testing"

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
			tr2 := &http.Transport{MaxIdleConnsPerHost: 64}
			client := &http.Client{Transport: tr2}
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("GET", url, nil)
					req.Header.Set("Authorization", "Bearer "+tr.ProvAdmin)
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
		})
	}
}
