package rpc

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// A replica that comes back is called at once, although the connection is still waiting
// for its next dial; where none comes back, the call fails with UNAVAILABLE rather than
// wait for ever. This is the rolling restart of docs/faults.md: one replica has just
// started while its peer stops.
func TestCallWaitsForARestartedReplica(t *testing.T) {
	lis := bufconn.Listen(1 << 20)
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)

	var up atomic.Bool
	dial := func(ctx context.Context, _ string) (net.Conn, error) {
		if !up.Load() {
			return nil, errors.New("connection refused")
		}
		return lis.DialContext(ctx)
	}
	cc, err := grpc.NewClient("passthrough:///replica", append(DialOptions(),
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithContextDialer(dial))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	client := healthpb.NewHealthClient(cc)

	// Down: the call gives up after readyWait (the test's context has no deadline), and
	// meanwhile the reconnect backoff has grown to its cap.
	if _, err := client.Check(t.Context(), &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Unavailable {
		t.Fatalf("call with the replica down: %v, want UNAVAILABLE", err)
	}
	up.Store(true)
	if _, err := client.Check(t.Context(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("call right after the replica came back: %v", err)
	}

	// A closed connection has nothing to wait for: the call ends at once as closing
	// (CANCELED), not when its deadline, shorter than readyWait, runs out.
	cc.Close()
	ctx, cancel := context.WithTimeout(t.Context(), readyWait/2)
	defer cancel()
	if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Canceled {
		t.Fatalf("call on a closed connection: %v, want CANCELED", err)
	}
}
