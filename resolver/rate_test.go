package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// TestRate: with Config.Rate, a server gets its burst at once and then
// no more than Rate queries a second, however many are asked at once;
// every question is still answered.
func TestRate(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	const rate, n = 40, 24 // a burst of 4, then 20 at 25 ms apart: 500 ms
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Rate = rate })
	defer c.Close()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := c.Lookup(context.Background(), fmt.Sprintf("q%d.example.com", i), dns.TypeA)
			errs <- err
		})
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	st := c.Stats()
	t.Logf("%d questions at %d/s: %v, %+v", n, rate, took, st)
	if min := time.Duration(float64(n-4)/rate*float64(time.Second)) - 10*time.Millisecond; took < min {
		t.Errorf("%d questions took %v at %d a second: want at least %v", n, took, rate, min)
	}
	if st.Sent != n || st.Paced < n-4 || srv.Total() != n {
		t.Errorf("sent %d, paced %d, the server got %d; want %d, at least %d, %d", st.Sent, st.Paced, srv.Total(), n, n-4, n)
	}
}

// TestRateCancelled: a question waiting for its turn returns when its
// context ends, and is never sent.
func TestRateCancelled(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Rate = 1 })
	defer c.Close()
	if _, err := c.Lookup(context.Background(), "example.com", dns.TypeA); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Lookup(ctx, "example.com", dns.TypeMX) // its turn is a second away
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > 500*time.Millisecond {
		t.Errorf("waiting for its turn: %v after %v", err, took)
	}
	time.Sleep(1100 * time.Millisecond) // the turn comes: the abandoned question is not sent
	if got := srv.Total(); got != 1 {
		t.Errorf("the server got %d queries, want 1", got)
	}
}
