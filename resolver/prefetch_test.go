package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// TestPrefetch: a prefetched question is sent once and read as Lookup
// would give it — an answer through its CNAME chain, or a failure, which
// is not asked again when read.
func TestPrefetch(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("fail.example.com", dns.TypeTXT, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Tries = 1 })
	defer c.Close()
	ctx := context.Background()
	var p resolver.Prefetcher = c
	alias := p.Prefetch(ctx, "alias.example.com", dns.TypeA)
	fail := p.Prefetch(ctx, "fail.example.com", dns.TypeTXT)
	time.Sleep(50 * time.Millisecond) // both answered before they are read
	a, err := alias.Lookup(ctx)
	want, werr := c.Lookup(ctx, "alias.example.com", dns.TypeA)
	if got, w := fmt.Sprint(see(a, err)), fmt.Sprint(see(want, werr)); got != w || len(a.Chain) != 2 {
		t.Errorf("prefetched %s; Lookup %s", got, w)
	}
	if _, err := fail.Lookup(ctx); err == nil || srv.Count("fail.example.com", dns.TypeTXT) != 1 {
		t.Errorf("prefetched SERVFAIL read as %v; the server was asked %d times, want 1", err, srv.Count("fail.example.com", dns.TypeTXT))
	}
}

// TestPrefetchAbandoned: a prefetched question nobody reads is not sent
// once its context has ended (it waited for a slot), and Abandon takes
// one sent off its socket at once, freeing its slot; none leaves a
// goroutine behind.
func TestPrefetchAbandoned(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("slow.example.com", dns.TypeTXT, dnstest.Fault{Drop: true})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.MaxInFlight = 1; cfg.Timeout = 5 * time.Second })
	defer c.Close()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	slow := c.Prefetch(ctx, "slow.example.com", dns.TypeTXT) // sent, never answered
	c.Prefetch(ctx, "example.com", dns.TypeMX)               // waits for the one slot
	for deadline := time.Now().Add(time.Second); srv.Total() < 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	cancel()
	start := time.Now()
	slow.Abandon()
	if _, err := slow.Lookup(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("read after the cancel: %v", err)
	}
	// The slot is freed at once, not at the 5 s timeout: a new question
	// gets it, and the queued one, its context ended, is never sent.
	if _, err := c.Lookup(context.Background(), "example.com", dns.TypeA); err != nil || time.Since(start) > time.Second {
		t.Errorf("a question after the cancel: %v after %v", err, time.Since(start))
	}
	if got := srv.Count("example.com", dns.TypeMX); got != 0 {
		t.Errorf("the queued question whose context ended was sent %d times", got)
	}
	c.Close()
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left, %d before", n, before)
	}
}

// TestPrefetchStats: a prefetched question read while still asked is
// counted as Lookup counts the question it stands for — one asked, not
// one that joined another in flight; one prefetched onto another's
// flight is coalesced.
func TestPrefetchStats(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("example.com", dns.TypeTXT, dnstest.Fault{Delay: 100 * time.Millisecond})
	c := newClient(t, srv, nil)
	defer c.Close()
	ctx := context.Background()
	p := c.Prefetch(ctx, "example.com", dns.TypeTXT)
	if _, err := p.Lookup(ctx); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Coalesced != 0 || st.Sent != 1 {
		t.Errorf("one question prefetched and read: %+v, want 1 sent, none coalesced", st)
	}
	srv.SetFault("example.com", dns.TypeMX, dnstest.Fault{Delay: 100 * time.Millisecond})
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Lookup(ctx, "example.com", dns.TypeMX)
	}()
	for deadline := time.Now().Add(time.Second); srv.Count("example.com", dns.TypeMX) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if _, err := c.Prefetch(ctx, "example.com", dns.TypeMX).Lookup(ctx); err != nil {
		t.Fatal(err)
	}
	<-done
	if st := c.Stats(); st.Coalesced != 1 || st.Sent != 2 {
		t.Errorf("a prefetch onto a question in flight: %+v, want 2 sent, 1 coalesced", st)
	}
}

// TestPrefetchReadCancelled: a prefetch read once its context has ended
// (ask.All's questions after a cancel) leaves its flight as a caller who
// gives up does: taken off the socket, its slot freed at once.
func TestPrefetchReadCancelled(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("slow.example.com", dns.TypeTXT, dnstest.Fault{Drop: true})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.MaxInFlight = 1; cfg.Timeout = 3 * time.Second })
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	slow := c.Prefetch(ctx, "slow.example.com", dns.TypeTXT) // sent, never answered
	for deadline := time.Now().Add(time.Second); srv.Total() < 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if _, err := slow.Lookup(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("read after the cancel: %v", err)
	}
	start := time.Now()
	if _, err := c.Lookup(context.Background(), "example.com", dns.TypeA); err != nil || time.Since(start) > time.Second {
		t.Errorf("a question after the cancelled read: %v after %v (the slot held until the timeout)", err, time.Since(start))
	}
}
