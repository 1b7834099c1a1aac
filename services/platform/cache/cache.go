// Package cache connects to Redis, which holds only state that may be lost: rate-limit
// counters, caches, and callers' latest write positions for the read replica, whose loss
// costs at most the replica's bounded staleness (docs/operations.md). Calls have short
// deadlines behind a circuit breaker: with Redis down the platform keeps working, slower,
// instead of hanging.
// The embedded default runs an in-process Redis-protocol server, so there is one code path.
package cache

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// ErrUnavailable is returned while Redis is unreachable (the breaker is open).
var ErrUnavailable = errors.New("cache: redis unavailable")

// Redis is a Redis client guarded by a circuit breaker.
type Redis struct {
	// Prefix starts every key, so that several deployments (or test runs) can share a server.
	Prefix   string
	client   *redis.Client
	breaker  *gobreaker.CircuitBreaker[any]
	embedded *miniredis.Miniredis
}

// Open connects to url ("redis://host:port/db"), or starts the in-process server when url
// is empty. Every key starts with prefix.
func Open(url, prefix string) (*Redis, error) {
	r := &Redis{Prefix: prefix}
	if url == "" {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("cache: embedded redis: %w", err)
		}
		r.embedded = m
		url = "redis://" + m.Addr()
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("cache: WENMING_REDIS_URL: %w", err)
	}
	// Short deadlines: a dead Redis must cost a request milliseconds, not seconds.
	opt.DialTimeout = 200 * time.Millisecond
	opt.ReadTimeout = 200 * time.Millisecond
	opt.WriteTimeout = 200 * time.Millisecond
	opt.PoolTimeout = 200 * time.Millisecond
	opt.MaxRetries = 0
	r.client = redis.NewClient(opt)
	r.breaker = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:    "redis",
		Timeout: 5 * time.Second, // how long the breaker stays open before probing again
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= 3
		},
		IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, redis.Nil) },
	})
	return r, nil
}

// Client returns the underlying client, for callers that run through Do.
func (r *Redis) Client() *redis.Client { return r.client }

// Do runs fn through the breaker; while Redis is down it fails fast with ErrUnavailable.
func (r *Redis) Do(ctx context.Context, fn func(ctx context.Context, c *redis.Client) (any, error)) (any, error) {
	v, err := r.breaker.Execute(func() (any, error) {
		ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
		defer cancel()
		return fn(ctx, r.client)
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil, ErrUnavailable
	}
	return v, err
}

// Ping checks Redis.
func (r *Redis) Ping(ctx context.Context) error {
	_, err := r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) { return nil, c.Ping(ctx).Err() })
	return err
}

// Close closes the client and the embedded server.
func (r *Redis) Close() error {
	err := r.client.Close()
	if r.embedded != nil {
		r.embedded.Close()
	}
	return err
}

// Publish sends msg on the prefixed channel, best effort: subscribers that miss it fall
// back to polling.
func (r *Redis) Publish(ctx context.Context, channel, msg string) error {
	_, err := r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return nil, c.Publish(ctx, r.Prefix+channel, msg).Err()
	})
	return err
}

// Subscribe calls fn for every message on the prefixed channel until ctx ends,
// resubscribing after errors. It blocks.
func (r *Redis) Subscribe(ctx context.Context, channel string, fn func()) {
	for ctx.Err() == nil {
		sub := r.client.Subscribe(ctx, r.Prefix+channel)
		ch := sub.Channel()
	receive:
		for {
			select {
			case <-ctx.Done():
				break receive
			case _, ok := <-ch:
				if !ok {
					break receive
				}
				fn()
			}
		}
		_ = sub.Close()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
