package resolver

import (
	"math"
	"sync"
	"time"
)

// bucket is a token bucket pacing the queries sent to one server
// (Config.Rate): it fills at rate tokens a second up to burst, and each
// query takes one. A query that finds it empty takes its token all the
// same, in advance, and is told how long to wait: the queries waiting
// are sent in the order they asked, each at its turn, and never faster
// than rate once the burst is spent.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens a second
	burst  float64
	tokens float64 // negative: owed to queries waiting
	last   time.Time
}

func newBucket(rate float64, now time.Time) *bucket {
	burst := math.Max(1, math.Floor(rate/10))
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

// reserve takes a token and returns how long to wait before sending: 0
// when one was there.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}
