package resolver

import (
	"testing"
	"time"
)

// TestBucket: a burst at once, then one query per 1/rate, in the order
// they asked; an idle bucket fills up to its burst, no more.
func TestBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := newBucket(20, t0) // a burst of 2
	var waits []time.Duration
	for range 5 {
		waits = append(waits, b.reserve(t0))
	}
	want := []time.Duration{0, 0, 50 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond}
	for i := range want {
		if d := waits[i] - want[i]; d > time.Microsecond || d < -time.Microsecond {
			t.Errorf("waits %v, want %v", waits, want)
			break
		}
	}
	// An hour idle: the burst, not an hour's worth.
	t1 := t0.Add(time.Hour)
	if w0, w1, w2 := b.reserve(t1), b.reserve(t1), b.reserve(t1); w0 != 0 || w1 != 0 || w2 <= 0 {
		t.Errorf("after an hour idle: waits %v %v %v, want 0 0 and a wait", w0, w1, w2)
	}
	// Below 10 a second, the burst is one.
	if b := newBucket(0.5, t0); b.reserve(t0) != 0 || b.reserve(t0) != 2*time.Second {
		t.Errorf("rate 0.5: burst not 1, or the wait not 2 s")
	}
}
