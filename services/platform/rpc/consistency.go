package rpc

import (
	"context"

	"google.golang.org/grpc"

	"github.com/wenming-platform/wenming/services/platform/store"
)

// consistency gives the caller read-your-writes on a read replica: the handler's context
// notes whether the call changed the database, and if it did, the primary's position after
// it is remembered for the caller, whose later reads wait for the replica to reach it
// (store.Reader). Without a replica it costs a context value.
func consistency(st *store.Store) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if st == nil {
			return h(ctx, req)
		}
		ctx, w := store.Tracked(ctx)
		// Deferred: a handler that panics after its commit still records the write.
		defer st.RememberWrites(ctx, w)
		return h(ctx, req)
	}
}

// streamConsistency is consistency for streams (uploads write; downloads only read).
func streamConsistency(st *store.Store) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if st == nil {
			return h(srv, ss)
		}
		ctx, w := store.Tracked(ss.Context())
		defer st.RememberWrites(ctx, w)
		return h(srv, &contextStream{ServerStream: ss, ctx: ctx})
	}
}
