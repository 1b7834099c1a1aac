package cache

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Limiter is a fixed-window rate limiter. Counters live in Redis so every replica shares
// them; while Redis is unavailable each process falls back to counting in memory, so
// limits still hold (per replica) rather than failing open.
type Limiter struct {
	r *Redis

	mu    sync.Mutex
	local map[string]*window
	marks map[string]time.Time
}

type window struct {
	n     int64
	reset time.Time
}

// NewLimiter returns a limiter over r.
func NewLimiter(r *Redis) *Limiter {
	return &Limiter{r: r, local: map[string]*window{}, marks: map[string]time.Time{}}
}

var incrScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return {n, redis.call("PTTL", KEYS[1])}
`)

// Count counts one event against key in a fixed window of length per, and returns how
// many events the window now holds and how long until it resets. Callers compare the
// count with their limit: a count of exactly limit+1 is the first refusal of a window.
func (l *Limiter) Count(ctx context.Context, key string, per time.Duration) (int64, time.Duration) {
	v, err := l.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return incrScript.Run(ctx, c, []string{l.r.Prefix + "rl:" + key}, per.Milliseconds()).Int64Slice()
	})
	if err == nil {
		res := v.([]int64)
		ttl := time.Duration(res[1]) * time.Millisecond
		if ttl < 0 {
			ttl = per
		}
		return res[0], ttl
	}
	return l.countLocal(key, per)
}

var decrScript = redis.NewScript(`
if redis.call("EXISTS", KEYS[1]) == 1 then return redis.call("DECR", KEYS[1]) end
return 0
`)

// Uncount takes back one event counted against key, for an attempt that turned out not to
// be one: a login the platform could not judge (its database was down) is no failed
// guess. A key whose window has ended is left alone.
func (l *Limiter) Uncount(ctx context.Context, key string) {
	_, err := l.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return decrScript.Run(ctx, c, []string{l.r.Prefix + "rl:" + key}).Result()
	})
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w := l.local[key]; w != nil && w.n > 0 {
		w.n--
	}
}

func (l *Limiter) countLocal(key string, per time.Duration) (int64, time.Duration) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.local[key]
	if w == nil || now.After(w.reset) {
		if len(l.local) > 100_000 {
			clear(l.local) // bound memory during a long outage
		}
		w = &window{reset: now.Add(per)}
		l.local[key] = w
	}
	w.n++
	return w.n, w.reset.Sub(now)
}

// Reset forgets key (after a successful login, its failure count).
func (l *Limiter) Reset(ctx context.Context, key string) {
	_, _ = l.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return nil, c.Del(ctx, l.r.Prefix+"rl:"+key).Err()
	})
	l.mu.Lock()
	delete(l.local, key)
	l.mu.Unlock()
}

// ResetPrefix forgets every key that starts with prefix (an account's counters at every
// address).
func (l *Limiter) ResetPrefix(ctx context.Context, prefix string) {
	_, _ = l.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		iter := c.Scan(ctx, 0, l.r.Prefix+"rl:"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return nil, err
			}
		}
		return nil, iter.Err()
	})
	l.mu.Lock()
	for k := range l.local {
		if strings.HasPrefix(k, prefix) {
			delete(l.local, k)
		}
	}
	l.mu.Unlock()
}

// Remember marks key for ttl (an address an account has logged in from).
func (l *Limiter) Remember(ctx context.Context, key string, ttl time.Duration) {
	_, err := l.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return nil, c.Set(ctx, l.r.Prefix+"mark:"+key, "1", ttl).Err()
	})
	if err != nil {
		l.mu.Lock()
		if len(l.marks) > 100_000 {
			clear(l.marks) // bound memory during a long outage
		}
		l.marks[key] = time.Now().Add(ttl)
		l.mu.Unlock()
	}
}

// Known reports whether key is marked. Without Redis only this process's marks count.
func (l *Limiter) Known(ctx context.Context, key string) bool {
	v, err := l.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return c.Exists(ctx, l.r.Prefix+"mark:"+key).Result()
	})
	if err == nil {
		return v.(int64) > 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Now().Before(l.marks[key])
}
