package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wenming-platform/wenming/services/platform/blob"
)

// Option adapts Run to what a store lets a test do.
type Option func(*suite)

// WithModTimes lets the suite set modification times: blobTime sets the blob of sum's,
// temporariesTime sets every temporary's. A store whose times a test can set (local files)
// passes them so the Sweep tests age objects directly; without them the suite makes objects
// old by waiting two seconds (S3 times have one-second resolution).
func WithModTimes(blobTime func(sum string, mod time.Time) error, temporariesTime func(mod time.Time) error) Option {
	return func(s *suite) {
		s.blobTime, s.temporariesTime = blobTime, temporariesTime
	}
}

type suite struct {
	store           blob.Store
	blobTime        func(sum string, mod time.Time) error
	temporariesTime func(mod time.Time) error
}

// Run runs the suite on s, which must be empty and used by nothing else while it runs: the
// Sweep tests remove everything in it. The subtests run one after another for that reason.
func Run(t *testing.T, s blob.Store, opts ...Option) {
	su := &suite{store: s}
	for _, o := range opts {
		o(su)
	}
	t.Run("RoundTrip", su.testRoundTrip)
	t.Run("Ranges", su.testRanges)
	t.Run("NotFound", su.testNotFound)
	t.Run("PublishSameContentTwice", su.testPublishTwice)
	t.Run("Discard", su.testDiscard)
	t.Run("Canceled", su.testCanceled)
	t.Run("Sweep", su.testSweep)
	t.Run("PublishRefreshesTime", su.testPublishRefreshes)
	t.Run("PublishAfterSweepRestores", su.testPublishAfterSweep)
	t.Run("SweepRacingPublish", su.testSweepRacingPublish)
	t.Run("ConcurrentSameContent", su.testConcurrent)
	t.Run("LargeStreamed", su.testLarge)
}

func (su *suite) testRoundTrip(t *testing.T) {
	ctx := context.Background()
	for i, n := range []int{0, 1, 4096, 1<<20 + 7} {
		data := pattern(n, uint64(i))
		start := time.Now()
		st, err := su.store.Stage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		writeChunks(t, st, data, 1000)
		size, sum, err := st.Finish(ctx)
		if err != nil {
			t.Fatalf("%d bytes: Finish: %v", n, err)
		}
		if size != int64(n) || sum != sumOf(data) {
			t.Fatalf("%d bytes: Finish = %d, %s; want %d, %s", n, size, sum, n, sumOf(data))
		}
		if size2, sum2, err := st.Finish(ctx); err != nil || size2 != size || sum2 != sum {
			t.Errorf("%d bytes: second Finish = %d, %s, %v; want the first result", n, size2, sum2, err)
		}
		if _, err := st.Write([]byte("more")); err == nil {
			t.Errorf("%d bytes: Write after Finish succeeded", n)
		}
		if _, err := su.store.Stat(ctx, sum); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%d bytes: Stat before Publish = %v, want ErrNotFound", n, err)
		}
		if err := st.Publish(ctx); err != nil {
			t.Fatalf("%d bytes: Publish: %v", n, err)
		}
		info, err := su.store.Stat(ctx, sum)
		if err != nil {
			t.Fatalf("%d bytes: Stat: %v", n, err)
		}
		if info.Size != int64(n) || info.ModTime.Before(start.Add(-2*time.Second)) || info.ModTime.After(time.Now().Add(2*time.Second)) {
			t.Errorf("%d bytes: Stat = %+v, want size %d and a time near %v", n, info, n, start)
		}
		if err := st.Discard(ctx); err != nil {
			t.Fatalf("%d bytes: Discard: %v", n, err)
		}
		if got := su.read(t, sum, 0, 0); !bytes.Equal(got, data) {
			t.Errorf("%d bytes: read back %d bytes that differ", n, len(got))
		}
	}
}

func (su *suite) testRanges(t *testing.T) {
	data := pattern(1000, 42)
	sum := su.put(t, data)
	for _, c := range []struct {
		offset, length int64
		want           []byte
	}{
		{0, 0, data},
		{0, -1, data},
		{10, 0, data[10:]},
		{10, 5, data[10:15]},
		{0, 1000, data},
		{0, 5000, data},
		{999, 1, data[999:]},
		{995, 10, data[995:]},
		{1000, 0, nil},
		{1000, 10, nil},
		{2000, 5, nil},
	} {
		if got := su.read(t, sum, c.offset, c.length); !bytes.Equal(got, c.want) {
			t.Errorf("Open(offset %d, length %d) read %d bytes, want %d", c.offset, c.length, len(got), len(c.want))
		}
	}
	if rc, err := su.store.Open(context.Background(), sum, -1, 0); err == nil {
		rc.Close()
		t.Error("Open with a negative offset succeeded")
	}
}

func (su *suite) testNotFound(t *testing.T) {
	ctx := context.Background()
	absent := sumOf([]byte("never stored"))
	upper := bytes.ToUpper([]byte(sumOf(pattern(1000, 42))))
	for _, sum := range []string{absent, "", "../../etc/passwd", "tmp/x", string(upper), absent[:63], absent + "0", "../" + absent[3:]} {
		if _, err := su.store.Stat(ctx, sum); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want ErrNotFound", sum, err)
		}
		rc, err := su.store.Open(ctx, sum, 0, 0)
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Open(%q) = %v, want ErrNotFound", sum, err)
		}
	}
}

func (su *suite) testPublishTwice(t *testing.T) {
	ctx := context.Background()
	su.reset(t)
	data := pattern(5000, 7)
	a, sum := su.stageFinished(t, data)
	b, sumB := su.stageFinished(t, data)
	c, sumC := su.stageFinished(t, pattern(5000, 8))
	if sumB != sum || sumC == sum {
		t.Fatalf("sums %s %s %s: want the first two equal and the third different", sum, sumB, sumC)
	}
	for _, st := range []blob.Staged{a, b, a, c} {
		if err := st.Publish(ctx); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	for _, st := range []blob.Staged{a, b, c} {
		if err := st.Discard(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := su.read(t, sum, 0, 0); !bytes.Equal(got, data) {
		t.Error("the blob published twice reads back wrong")
	}
	// Everything left is now blobs: one per distinct content, and no temporaries.
	stats, err := su.store.Sweep(ctx, time.Now().Add(time.Hour), notInUse)
	if err != nil {
		t.Fatal(err)
	}
	if want := (blob.SweepStats{Blobs: 2}); stats != want {
		t.Errorf("Sweep removed %+v, want %+v: identical content must make one blob", stats, want)
	}
}

func (su *suite) testDiscard(t *testing.T) {
	ctx := context.Background()
	su.reset(t)

	// Before Finish, with data written: an S3 upload is aborted.
	st, err := su.store.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, st, pattern(100, 1), 100)
	for i := 0; i < 2; i++ {
		if err := st.Discard(ctx); err != nil {
			t.Fatalf("Discard #%d before Finish: %v", i+1, err)
		}
	}
	if _, err := st.Write([]byte("x")); err == nil {
		t.Error("Write after Discard succeeded")
	}
	if _, _, err := st.Finish(ctx); err == nil {
		t.Error("Finish after Discard succeeded")
	}
	if err := st.Publish(ctx); err == nil {
		t.Error("Publish after Discard succeeded")
	}

	// Before anything was written.
	st, err = su.store.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Discard(ctx); err != nil {
		t.Fatalf("Discard of an empty staging: %v", err)
	}

	// After Finish, without Publish: no blob appears.
	data := pattern(3000, 2)
	st, sum := su.stageFinished(t, data)
	if err := st.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Publish(ctx); err == nil {
		t.Error("Publish after Discard succeeded")
	}
	if _, err := su.store.Stat(ctx, sum); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat of a discarded, never published sum = %v, want ErrNotFound", err)
	}

	// Publish before Finish is refused.
	st, err = su.store.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, st, data, 500)
	if err := st.Publish(ctx); err == nil {
		t.Error("Publish before Finish succeeded")
	}

	// After Publish: the blob stays.
	if _, _, err := st.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if got := su.read(t, sum, 0, 0); !bytes.Equal(got, data) {
		t.Error("the blob is gone or wrong after Discard of its published temporary")
	}

	// Nothing was left behind: no temporary, no upload in progress.
	stats, err := su.store.Sweep(ctx, time.Now().Add(time.Hour), allInUse)
	if err != nil {
		t.Fatal(err)
	}
	if stats != (blob.SweepStats{}) {
		t.Errorf("after the discards Sweep removed %+v, want nothing", stats)
	}
}

func (su *suite) testCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := su.store.Stage(ctx); err == nil {
		st.Discard(context.Background())
		t.Error("Stage with a canceled context succeeded")
	}
	if _, err := su.store.Sweep(ctx, time.Now().Add(time.Hour), notInUse); !errors.Is(err, context.Canceled) {
		t.Errorf("Sweep with a canceled context = %v, want context.Canceled", err)
	}
}

func (su *suite) testSweep(t *testing.T) {
	ctx := context.Background()
	su.reset(t)
	inUseSum := su.put(t, pattern(2000, 10))
	unusedSum := su.put(t, pattern(2000, 11))
	// A writer that crashed after Finish, and one that crashed while writing.
	finishedTmp, _ := su.stageFinished(t, pattern(2000, 12))
	writingTmp, err := su.store.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, writingTmp, pattern(2000, 13), 2000)

	before := su.makeOld(t, inUseSum, unusedSum)
	youngSum := su.put(t, pattern(2000, 14))
	youngTmp, youngTmpSum := su.stageFinished(t, pattern(2000, 15))

	// An error from inUse stops the Sweep before it removes any blob.
	errLookup := errors.New("database down")
	stats, err := su.store.Sweep(ctx, before, func(context.Context, []string) (map[string]bool, error) { return nil, errLookup })
	if !errors.Is(err, errLookup) {
		t.Fatalf("Sweep with a failing inUse = %v, want its error", err)
	}
	if stats.Blobs != 0 {
		t.Errorf("Sweep with a failing inUse removed %d blobs", stats.Blobs)
	}
	temporaries := stats.Temporaries

	var asked []string
	stats, err = su.store.Sweep(ctx, before, func(_ context.Context, sums []string) (map[string]bool, error) {
		if len(sums) == 0 || len(sums) > blob.SweepBatch {
			t.Errorf("inUse called with %d sums", len(sums))
		}
		asked = append(asked, sums...)
		return map[string]bool{inUseSum: true}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	temporaries += stats.Temporaries
	if temporaries != 2 || stats.Blobs != 1 {
		t.Errorf("Sweeps removed %d temporaries and %d blobs, want 2 (the crashed writers') and 1 (the unused old blob)", temporaries, stats.Blobs)
	}
	// A store may ask twice about a blob it removes (S3 asks again before it deletes what it
	// moved aside), but only about the old ones.
	slices.Sort(asked)
	if want := sorted(inUseSum, unusedSum); !slices.Equal(slices.Compact(asked), want) {
		t.Errorf("inUse was asked about %v, want exactly the old blobs %v", asked, want)
	}
	for sum, want := range map[string]error{inUseSum: nil, unusedSum: blob.ErrNotFound, youngSum: nil} {
		if _, err := su.store.Stat(ctx, sum); !errors.Is(err, want) {
			t.Errorf("after Sweep, Stat(%s) = %v, want %v", sum, err, want)
		}
	}
	if err := finishedTmp.Publish(ctx); err == nil {
		t.Error("Publish of a swept temporary succeeded")
	}
	if _, _, err := writingTmp.Finish(ctx); err == nil {
		if err := writingTmp.Publish(ctx); err == nil {
			t.Error("a staging whose temporary was swept while writing became a blob")
		}
	}
	for _, st := range []blob.Staged{finishedTmp, writingTmp} {
		if err := st.Discard(ctx); err != nil {
			t.Errorf("Discard of a swept temporary: %v", err)
		}
	}
	if err := youngTmp.Publish(ctx); err != nil {
		t.Fatalf("Publish of a young temporary after Sweep: %v", err)
	}
	if err := youngTmp.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := su.store.Stat(ctx, youngTmpSum); err != nil {
		t.Errorf("Stat of the young temporary's blob: %v", err)
	}
}

// testPublishRefreshes publishes content whose blob exists and is old: the blob's time must
// become new, or a Sweep already under way would remove the blob the caller is about to use.
func (su *suite) testPublishRefreshes(t *testing.T) {
	ctx := context.Background()
	data := pattern(4000, 22)
	sum := su.put(t, data)
	before := su.makeOld(t, sum)
	if info, err := su.store.Stat(ctx, sum); err != nil || !info.ModTime.Before(before) {
		t.Fatalf("Stat of the aged blob = %+v, %v; want a time before %v", info, err, before)
	}
	st, _ := su.stageFinished(t, data)
	if err := st.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if info, err := su.store.Stat(ctx, sum); err != nil || info.ModTime.Before(before) {
		t.Errorf("Stat after publishing the same content = %+v, %v; want a time after %v", info, err, before)
	}
	if err := st.Discard(ctx); err != nil {
		t.Fatal(err)
	}
}

// testPublishAfterSweep is the caller's protocol when a Sweep removes the blob between the
// first Publish and the commit: the Publish after the commit brings it back.
func (su *suite) testPublishAfterSweep(t *testing.T) {
	ctx := context.Background()
	su.reset(t)
	data := pattern(4000, 20)
	sum := su.put(t, data) // an earlier upload whose row has since been deleted
	before := su.makeOld(t, sum)
	st, _ := su.stageFinished(t, data) // a new upload of the same content
	if su.blobTime != nil {
		// The first Publish refreshes the old blob, but the Sweep looked at it before that.
		if err := st.Publish(ctx); err != nil {
			t.Fatal(err)
		}
		if err := su.blobTime(sum, time.Now().Add(-2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	stats, err := su.store.Sweep(ctx, before, notInUse)
	if err != nil {
		t.Fatal(err)
	}
	if want := (blob.SweepStats{Blobs: 1}); stats != want {
		t.Fatalf("Sweep removed %+v, want %+v (the old blob, not the young temporary)", stats, want)
	}
	if _, err := su.store.Stat(ctx, sum); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Stat after Sweep = %v, want ErrNotFound", err)
	}
	// The caller commits its row, then publishes again.
	if err := st.Publish(ctx); err != nil {
		t.Fatalf("Publish after the Sweep: %v", err)
	}
	if err := st.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if got := su.read(t, sum, 0, 0); !bytes.Equal(got, data) {
		t.Error("the restored blob reads back wrong")
	}
	info, err := su.store.Stat(ctx, sum)
	if err != nil || !info.ModTime.After(before) {
		t.Errorf("restored blob: Stat = %+v, %v; want a time after the cutoff %v", info, err, before)
	}
}

// testSweepRacingPublish publishes while the Sweep is deciding (from inside inUse, between
// the Sweep's listing and its removals): after the caller's second Publish the blob is there.
func (su *suite) testSweepRacingPublish(t *testing.T) {
	ctx := context.Background()
	su.reset(t)
	data := pattern(4000, 21)
	sum := su.put(t, data)
	before := su.makeOld(t, sum)
	st, _ := su.stageFinished(t, data)
	published := false
	stats, err := su.store.Sweep(ctx, before, func(ctx context.Context, sums []string) (map[string]bool, error) {
		if slices.Contains(sums, sum) && !published {
			published = true
			if err := st.Publish(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil // the row is not committed yet
	})
	if err != nil {
		t.Fatal(err)
	}
	if !published {
		t.Fatal("Sweep did not ask about the old blob")
	}
	// Both stores look at a candidate's time again as they remove it, so a refresh that
	// happened before that keeps the blob even without the second Publish.
	if stats.Blobs != 0 {
		t.Errorf("Sweep removed %d blobs refreshed by a Publish while it ran, want 0", stats.Blobs)
	}
	if _, err := su.store.Stat(ctx, sum); err != nil {
		t.Errorf("Stat after a Sweep raced a Publish: %v", err)
	}
	if err := st.Publish(ctx); err != nil { // after the commit
		t.Fatal(err)
	}
	if err := st.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if got := su.read(t, sum, 0, 0); !bytes.Equal(got, data) {
		t.Error("the blob is gone or wrong after a Sweep raced its Publish")
	}
}

func (su *suite) testConcurrent(t *testing.T) {
	ctx := context.Background()
	su.reset(t)
	same, other := pattern(256<<10, 30), pattern(256<<10, 31)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		data := same
		if i%5 == 4 {
			data = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- stageAndPublish(ctx, su.store, data)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for _, data := range [][]byte{same, other} {
		if got := su.read(t, sumOf(data), 0, 0); !bytes.Equal(got, data) {
			t.Error("a blob staged concurrently reads back wrong")
		}
	}
	stats, err := su.store.Sweep(ctx, time.Now().Add(time.Hour), allInUse)
	if err != nil {
		t.Fatal(err)
	}
	if stats != (blob.SweepStats{}) {
		t.Errorf("concurrent stagings left %+v behind", stats)
	}
}

func stageAndPublish(ctx context.Context, s blob.Store, data []byte) error {
	st, err := s.Stage(ctx)
	if err != nil {
		return err
	}
	defer st.Discard(ctx)
	for rest := data; len(rest) > 0; rest = rest[min(len(rest), 32<<10):] {
		if _, err := st.Write(rest[:min(len(rest), 32<<10)]); err != nil {
			return err
		}
	}
	_, sum, err := st.Finish(ctx)
	if err != nil {
		return err
	}
	if sum != sumOf(data) {
		return errors.New("concurrent staging: wrong sum " + sum)
	}
	if err := st.Publish(ctx); err != nil {
		return err
	}
	return st.Discard(ctx)
}

// testLarge streams 64 MiB from a generator and checks that the store's memory stays far
// below the size of the file: a store that buffered the whole file would fail.
func (su *suite) testLarge(t *testing.T) {
	const size = 64 << 20
	const maxGrowth = 40 << 20
	ctx := context.Background()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseline := ms.HeapAlloc
	var peak uint64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()

	gen := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 256<<10)
	h := sha256.New()
	st, err := su.store.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Discard(ctx)
	for written := 0; written < size; written += len(buf) {
		gen.Read(buf)
		h.Write(buf)
		if _, err := st.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	n, sum, err := st.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	<-sampled
	if n != size || sum != hex.EncodeToString(h.Sum(nil)) {
		t.Fatalf("Finish = %d, %s; want %d, %x", n, sum, size, h.Sum(nil))
	}
	if growth := int64(peak) - int64(baseline); growth > maxGrowth {
		t.Errorf("the heap grew by %d MiB while streaming %d MiB, want at most %d MiB", growth>>20, size>>20, maxGrowth>>20)
	}
	t.Logf("heap growth while streaming %d MiB: %d MiB", size>>20, (int64(peak)-int64(baseline))>>20)

	// A range deep inside reads back what the generator made there.
	const offset, length = 40<<20 + 3, 100_000
	want := make([]byte, offset+length)
	rand.NewChaCha8([32]byte{1}).Read(want)
	if got := su.read(t, sum, offset, length); !bytes.Equal(got, want[offset:]) {
		t.Error("a range of the large blob reads back wrong")
	}
}

// put stores data as a blob the way a caller does and returns its sum.
func (su *suite) put(t *testing.T, data []byte) string {
	t.Helper()
	if err := stageAndPublish(context.Background(), su.store, data); err != nil {
		t.Fatal(err)
	}
	return sumOf(data)
}

// stageFinished stages and finishes data without publishing it.
func (su *suite) stageFinished(t *testing.T, data []byte) (blob.Staged, string) {
	t.Helper()
	ctx := context.Background()
	st, err := su.store.Stage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Discard(ctx) })
	writeChunks(t, st, data, 4096)
	_, sum, err := st.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st, sum
}

func (su *suite) read(t *testing.T, sum string, offset, length int64) []byte {
	t.Helper()
	rc, err := su.store.Open(context.Background(), sum, offset, length)
	if err != nil {
		t.Fatalf("Open(%s, %d, %d): %v", sum, offset, length, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", sum, err)
	}
	return got
}

// reset empties the store, so that a test can count exactly what a Sweep removes.
func (su *suite) reset(t *testing.T) {
	t.Helper()
	if _, err := su.store.Sweep(context.Background(), time.Now().Add(time.Hour), notInUse); err != nil {
		t.Fatalf("emptying the store: %v", err)
	}
}

// makeOld makes the given blobs and every existing temporary older than the cutoff it
// returns, while anything created after it returns is younger than the cutoff.
func (su *suite) makeOld(t *testing.T, sums ...string) time.Time {
	t.Helper()
	if su.blobTime == nil || su.temporariesTime == nil {
		time.Sleep(2100 * time.Millisecond)
		return time.Now().Add(-time.Second)
	}
	old := time.Now().Add(-2 * time.Hour)
	for _, sum := range sums {
		if err := su.blobTime(sum, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := su.temporariesTime(old); err != nil {
		t.Fatal(err)
	}
	return time.Now().Add(-time.Hour)
}

func writeChunks(t *testing.T, w io.Writer, data []byte, chunk int) {
	t.Helper()
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			t.Fatal(err)
		}
		data = data[n:]
	}
}

// pattern returns n reproducible pseudo-random bytes, different for each seed.
func pattern(n int, seed uint64) []byte {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}

func sumOf(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func notInUse(context.Context, []string) (map[string]bool, error) { return nil, nil }

func allInUse(_ context.Context, sums []string) (map[string]bool, error) {
	used := make(map[string]bool, len(sums))
	for _, s := range sums {
		used[s] = true
	}
	return used, nil
}
