package apptest

import (
	"net/http"
	"slices"
	"sync"
	"testing"
)

// Exchange is one REST call made through Env.Do: what was sent and what came back.
type Exchange struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Status       int
	RespHeader   http.Header
	RespBody     []byte
}

// Recorder collects the exchanges of one Env while Record watches it. Suites may call Do
// from several goroutines, so it is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	list []Exchange
}

func (r *Recorder) add(x Exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, x)
}

// Exchanges returns the exchanges recorded so far, in the order they ended.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list)
}

// Record records every exchange of e until t ends (the OpenAPI test checks them against
// the published document). Only e's exchanges are recorded, never another Env's.
func (e *Env) Record(t testing.TB) *Recorder {
	r := &Recorder{}
	prev := e.rec.Swap(r)
	t.Cleanup(func() { e.rec.Store(prev) })
	return r
}
