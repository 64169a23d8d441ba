package resolver_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// TestReaderWakes: one question at a time, each asked only after the
// last was answered — the pattern where the socket's reader, having
// emptied the queue, waits for the next answer without asking the kernel
// again (rawbatch_linux.go). A wakeup lost there is only found again by
// the reader's tick (25 ms): so nearly every answer must come well
// before it. The bound is loose (a loaded machine stalls now and then);
// a lost wakeup on a usual path would miss it by far.
func TestReaderWakes(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	defer c.Close()
	ctx := context.Background()
	const n = 1000
	slow := 0
	for i := range n {
		start := time.Now()
		// Distinct names, NXDOMAIN: each one a packet, none cached.
		if _, err := c.Lookup(ctx, fmt.Sprintf("n%d.example.com", i), dns.TypeTXT); err != nil && ctx.Err() != nil {
			t.Fatal(err)
		}
		if time.Since(start) >= 20*time.Millisecond {
			slow++
		}
	}
	if slow > n/20 {
		t.Errorf("%d of %d answers, each asked alone, took 20 ms or more: the reader misses wakeups", slow, n)
	}
	if s := c.Stats(); s.Sent < n {
		t.Errorf("%d queries sent for %d distinct questions", s.Sent, n)
	}
}

// TestReaderDrains: bursts of answers, more than one read takes (16): the
// reader reads on while a read comes back full, for the datagrams left
// queued after it raise no new wakeup. Each burst must end well before the
// reader's tick (25 ms) would have found them.
func TestReaderDrains(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	defer c.Close()
	ctx := context.Background()
	const rounds, burst = 20, 100
	slow := 0
	for r := range rounds {
		start := time.Now()
		var wg sync.WaitGroup
		for i := range burst {
			wg.Go(func() { c.Lookup(ctx, fmt.Sprintf("b%d-%d.example.com", r, i), dns.TypeTXT) })
		}
		wg.Wait()
		if time.Since(start) >= 20*time.Millisecond {
			slow++
		}
	}
	if slow > rounds/4 {
		t.Errorf("%d of %d bursts of %d answers took 20 ms or more: the reader leaves answers queued", slow, rounds, burst)
	}
}
