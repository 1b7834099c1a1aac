package cache

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/wenming-platform/wenming/services/platform/store"
)

// Positions keeps each principal's latest write position in Redis, for read-your-writes
// on a read replica (store.Positions). Every process of a deployment shares them, so a
// write through one service is seen by the writer's next read through any other.
type Positions struct{ r *Redis }

var _ store.Positions = (*Positions)(nil)

// NewPositions returns the write positions kept in r.
func NewPositions(r *Redis) *Positions { return &Positions{r: r} }

// raiseScript keeps the higher of the recorded and the given position: two writes of one
// principal finishing out of order must not lower it. Positions stay below 2^53, so Lua's
// numbers compare them exactly.
var raiseScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`)

func (p *Positions) key(subject string) string { return p.r.Prefix + "wrote:" + subject }

// Raise implements store.Positions.
func (p *Positions) Raise(ctx context.Context, subject string, pos uint64, ttl time.Duration) error {
	_, err := p.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return nil, raiseScript.Run(ctx, c, []string{p.key(subject)}, strconv.FormatUint(pos, 10), ttl.Milliseconds()).Err()
	})
	return err
}

// Position implements store.Positions.
func (p *Positions) Position(ctx context.Context, subject string) (uint64, error) {
	v, err := p.r.Do(ctx, func(ctx context.Context, c *redis.Client) (any, error) {
		return c.Get(ctx, p.key(subject)).Result()
	})
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(v.(string), 10, 64)
}
