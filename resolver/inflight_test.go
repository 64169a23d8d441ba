package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// heldServer is a UDP DNS server on 127.0.0.1 that answers each query
// (NXDOMAIN) after hold, or never when hold is 0, and counts the queries
// it holds at once.
type heldServer struct {
	addr               string
	got, held, maxHeld atomic.Int64
}

func startHeld(t *testing.T, hold time.Duration) *heldServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &heldServer{addr: pc.LocalAddr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	wg.Go(func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			s.got.Add(1)
			h := s.held.Add(1)
			for m := s.maxHeld.Load(); h > m && !s.maxHeld.CompareAndSwap(m, h); m = s.maxHeld.Load() {
			}
			if hold == 0 {
				continue
			}
			wg.Go(func() {
				time.Sleep(hold)
				r := new(dns.Msg)
				r.SetRcode(q, dns.RcodeNameError)
				b, _ := r.Pack()
				s.held.Add(-1)
				pc.WriteTo(b, from)
			})
		}
	})
	return s
}

// TestMaxInFlight: however many questions are asked at once, no more than
// Config.MaxInFlight packets await an answer; the rest wait their turn
// (SECURITY.md, "packets in flight per client") and are all answered.
func TestMaxInFlight(t *testing.T) {
	srv := startHeld(t, 20*time.Millisecond)
	const limit, n = 8, 100
	c, err := resolver.New(resolver.Config{Servers: []string{srv.addr}, MaxInFlight: limit, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range n {
		wg.Go(func() {
			a, err := c.Lookup(context.Background(), fmt.Sprintf("q%d.test", i), dns.TypeTXT)
			if err != nil || a.Rcode != dns.RcodeNameError {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 || srv.got.Load() != n {
		t.Errorf("%d of %d questions failed; the server got %d", failed.Load(), n, srv.got.Load())
	}
	if got := srv.maxHeld.Load(); got > limit || got < limit/2 {
		t.Errorf("the server held %d queries at once, want at most (and near) MaxInFlight = %d", got, limit)
	}
}

// TestMaxInFlightCancelled: questions waiting for a slot return when their
// context ends, and are never sent, even once slots free up.
func TestMaxInFlightCancelled(t *testing.T) {
	srv := startHeld(t, 0) // never answers
	const limit, n = 4, 60
	c, err := resolver.New(resolver.Config{Servers: []string{srv.addr}, MaxInFlight: limit, Timeout: 150 * time.Millisecond, Tries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// limit questions take every slot (their tries time out after 150 ms);
	// n more wait for one, and their context ends first.
	var wg sync.WaitGroup
	for i := range limit {
		wg.Go(func() { c.Lookup(context.Background(), fmt.Sprintf("held%d.test", i), dns.TypeTXT) })
	}
	for srv.got.Load() < limit {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	var waiting sync.WaitGroup
	var canceled atomic.Int64
	for i := range n {
		waiting.Go(func() {
			_, err := c.Lookup(ctx, fmt.Sprintf("q%d.test", i), dns.TypeTXT)
			if errors.Is(err, context.DeadlineExceeded) {
				canceled.Add(1)
			}
		})
	}
	waiting.Wait()
	if took := time.Since(start); took > 140*time.Millisecond || canceled.Load() != n {
		t.Errorf("%d of %d questions ended with their context, after %v", canceled.Load(), n, took)
	}
	wg.Wait()
	time.Sleep(400 * time.Millisecond) // every try has timed out: the slots are free
	if got := srv.got.Load(); got != limit {
		t.Errorf("the server got %d queries, want %d (the abandoned questions are never sent)", got, limit)
	}
	// The Client is still usable: a new question gets a slot.
	_, err = c.Lookup(context.Background(), "after.test", dns.TypeTXT)
	if !errors.Is(err, context.DeadlineExceeded) || srv.got.Load() != limit+1 {
		t.Errorf("a question after the cancelled ones: %v, the server got %d", err, srv.got.Load())
	}
}
