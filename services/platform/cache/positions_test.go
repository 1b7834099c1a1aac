package cache

import (
	"context"
	"testing"
	"time"
)

// TestPositionsKeepTheHighest checks that two writes finishing out of order never lower a
// principal's recorded position, and that principals do not share one.
func TestPositionsKeepTheHighest(t *testing.T) {
	r, err := Open("", "test:")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := NewPositions(r)
	ctx := context.Background()
	for _, pos := range []uint64{10, 5, 1 << 40, 7} {
		if err := p.Raise(ctx, "u-1", pos, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := p.Position(ctx, "u-1"); err != nil || got != 1<<40 {
		t.Fatalf("position of u-1 = %d, %v; want %d", got, err, uint64(1<<40))
	}
	if got, err := p.Position(ctx, "u-2"); err != nil || got != 0 {
		t.Fatalf("position of u-2, who never wrote = %d, %v; want 0", got, err)
	}
	r.embedded.FastForward(2 * time.Minute)
	if got, _ := p.Position(ctx, "u-1"); got != 0 {
		t.Fatalf("position of u-1 after its time to live = %d, want 0", got)
	}
}
