package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"net"
	"strings"
	"sync"
	"testing"

	collectorv1 "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"

	tenancyv1 "github.com/wenming-platform/wenming/api/gen/wenming/tenancy/v1"
	"github.com/wenming-platform/wenming/cmd/wenming/app"
	"github.com/wenming-platform/wenming/cmd/wenming/app/apptest"
	"github.com/wenming-platform/wenming/services/platform/store/storetest"
)

// collector is an in-process OTLP trace receiver: what an OpenTelemetry Collector would
// be handed.
type collector struct {
	collectorv1.UnimplementedTraceServiceServer
	mu    sync.Mutex
	spans []*tracev1.Span
}

func (c *collector) Export(_ context.Context, req *collectorv1.ExportTraceServiceRequest) (*collectorv1.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans = append(c.spans, ss.GetSpans()...)
		}
	}
	return &collectorv1.ExportTraceServiceResponse{}, nil
}

// TestTracesReachOTLP sends one REST request through a process with tracing on and finds
// its trace at an OTLP receiver: the gateway's span, the gRPC method's span under it, and
// the SQL statements' spans under that, one trace from the edge to the database.
func TestTracesReachOTLP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	srv := grpc.NewServer()
	collectorv1.RegisterTraceServiceServer(srv, c)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+l.Addr().String())
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")

	e := apptest.Start(t, storetest.SQLite, func(cfg *app.Config) { cfg.Tracing = true })
	tr := e.BuildTree(t)
	apptest.Call[*tenancyv1.ListUnitsResponse](t, e, "GET", "/v1/offices/"+tr.D1+"/units", tr.D1Admin, nil)
	// Shutting down flushes the spans still buffered.
	if err := e.App.Shutdown(); err != nil {
		t.Fatal(err)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	byID := map[string]*tracev1.Span{}
	for _, s := range c.spans {
		byID[hex.EncodeToString(s.GetSpanId())] = s
	}
	var rpcSpan *tracev1.Span
	for _, s := range c.spans {
		if s.GetName() == "wenming.tenancy.v1.TenancyService/ListUnits" && s.GetKind() == tracev1.Span_SPAN_KIND_SERVER {
			rpcSpan = s
		}
	}
	if rpcSpan == nil {
		t.Fatalf("no server span of ListUnits among %d spans", len(c.spans))
	}
	// Up from the RPC: the gateway's client call, then the gateway's HTTP span.
	var chain []string
	for s := rpcSpan; len(s.GetParentSpanId()) > 0; {
		p, ok := byID[hex.EncodeToString(s.GetParentSpanId())]
		if !ok {
			break
		}
		chain = append(chain, p.GetKind().String()+" "+p.GetName())
		s = p
	}
	if len(chain) < 2 || chain[len(chain)-1] != "SPAN_KIND_SERVER GET" {
		t.Fatalf("the ListUnits span's ancestors are %v: want the gateway's client call and its HTTP server span GET", chain)
	}
	// Down from the RPC: its SQL statements, each with its text (ent sends arguments
	// apart, as placeholders' values, and spans never record those).
	var sql int
	for _, s := range c.spans {
		if !bytes.Equal(s.GetParentSpanId(), rpcSpan.GetSpanId()) || !strings.HasPrefix(s.GetName(), "db ") {
			continue
		}
		if !bytes.Equal(s.GetTraceId(), rpcSpan.GetTraceId()) {
			t.Fatal("an SQL span is in another trace than its RPC")
		}
		attrs := map[string]string{}
		for _, a := range s.GetAttributes() {
			attrs[a.GetKey()] = a.GetValue().GetStringValue()
		}
		if !strings.HasPrefix(attrs["db.query.text"], "SELECT") || attrs["db.system.name"] != "sqlite" || strings.Contains(attrs["db.query.text"], tr.D1) {
			t.Fatalf("an SQL span's attributes are %v: want the statement's text with placeholders, and the system", attrs)
		}
		sql++
	}
	if sql == 0 {
		t.Fatal("no SQL span under the ListUnits span")
	}
}
