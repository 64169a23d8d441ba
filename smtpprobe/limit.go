package smtpprobe

import (
	"context"
	"net/netip"
	"sync"
)

// limiter bounds the connections a Prober has open: in total, and to any
// one destination address. Waiting honours ctx. Its map holds an entry
// only while someone holds or waits for that address.
type limiter struct {
	total chan struct{}
	perIP int
	mu    sync.Mutex
	ips   map[netip.Addr]*ipSlot
	// peak is the most connections ever held at once, in total (tests).
	peak, held int
}

type ipSlot struct {
	sem  chan struct{}
	refs int
}

func newLimiter(total, perIP int) *limiter {
	return &limiter{total: make(chan struct{}, total), perIP: perIP, ips: map[netip.Addr]*ipSlot{}}
}

// acquire waits for a connection slot to ip; release gives it back.
func (l *limiter) acquire(ctx context.Context, ip netip.Addr) (release func(), err error) {
	l.mu.Lock()
	s := l.ips[ip]
	if s == nil {
		s = &ipSlot{sem: make(chan struct{}, l.perIP)}
		l.ips[ip] = s
	}
	s.refs++
	l.mu.Unlock()
	unref := func() {
		l.mu.Lock()
		if s.refs--; s.refs == 0 {
			delete(l.ips, ip)
		}
		l.mu.Unlock()
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		unref()
		return nil, ctx.Err()
	}
	select {
	case l.total <- struct{}{}:
	case <-ctx.Done():
		<-s.sem
		unref()
		return nil, ctx.Err()
	}
	l.mu.Lock()
	l.held++
	l.peak = max(l.peak, l.held)
	l.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.held--
			l.mu.Unlock()
			<-l.total
			<-s.sem
			unref()
		})
	}, nil
}
