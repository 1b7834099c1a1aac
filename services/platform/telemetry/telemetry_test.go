package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// TestLogsCarryTheTrace checks that a JSON log line written for a traced request names its
// trace and span, and that one written without a trace names none.
func TestLogsCarryTheTrace(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "json", slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5}, TraceFlags: trace.FlagsSampled,
	})
	l.With("component", "test").InfoContext(trace.ContextWithSpanContext(context.Background(), sc), "rpc", "request_id", "r-1")
	l.InfoContext(context.Background(), "untraced")
	dec := json.NewDecoder(&buf)
	var traced, plain map[string]any
	if err := dec.Decode(&traced); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&plain); err != nil {
		t.Fatal(err)
	}
	if traced["trace_id"] != sc.TraceID().String() || traced["span_id"] != sc.SpanID().String() ||
		traced["request_id"] != "r-1" || traced["component"] != "test" {
		t.Fatalf("traced line %v: want its trace, span, request id and attributes", traced)
	}
	if _, ok := plain["trace_id"]; ok {
		t.Fatalf("untraced line %v names a trace", plain)
	}
	if _, err := NewLogger(&buf, "yaml", slog.LevelInfo); err == nil {
		t.Fatal("log format yaml accepted")
	}
}
