package app_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// TestShutdownLosesNoAcceptedRequest shuts the all-in-one process down under load: every
// request the gateway accepted is answered 200. Requests that find the port closed are
// refused before they are accepted, which clients retry; an accepted request answered
// UNAVAILABLE would be a loss (the gateway draining after the services it calls).
func TestShutdownLosesNoAcceptedRequest(t *testing.T) {
	a, err := app.Start(context.Background(), app.Config{
		DatabaseURL: storetest.URL(t, storetest.SQLite), DataDir: t.TempDir(),
		HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0", AdminPassword: apptest.AdminPassword, Log: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.Attach(a)
	token, _ := e.Login(t, "admin", apptest.AdminPassword)

	var (
		ok, lost atomic.Int64
		wg       sync.WaitGroup
		stop     = make(chan struct{})
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", e.Base+"/v1/auth/me", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					continue // not accepted: the listener is closed
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == 200 {
					ok.Add(1)
				} else {
					lost.Add(1)
					t.Logf("accepted request answered %d during shutdown", res.StatusCode)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := a.Shutdown(); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	close(stop)
	wg.Wait()
	if ok.Load() == 0 {
		t.Fatal("no request succeeded: the load never ran")
	}
	if n := lost.Load(); n > 0 {
		t.Errorf("%d accepted requests failed during shutdown (%d succeeded)", n, ok.Load())
	}
}
