package resolver_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

type memoKey struct{ s string }

// TestMemo: what callers derive from a cached answer is kept from the
// second time it is built (the first may be one domain's own record, read
// once), then shared by every caller, at once or one after another; an
// answer built for one caller builds every time.
func TestMemo(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "example.com", dns.TypeMX); err != nil {
		t.Fatal(err)
	}
	var built atomic.Int64
	for range 2 { // built twice: the first is not kept, the second is
		a, _ := c.Lookup(ctx, "example.com", dns.TypeMX)
		a.Memo(memoKey{"mx"}, func() (any, int) { built.Add(1); return len(a.Records), 8 })
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			a, err := c.Lookup(ctx, "example.com", dns.TypeMX)
			if err != nil {
				t.Error(err)
				return
			}
			v := a.Memo(memoKey{"mx"}, func() (any, int) { built.Add(1); return len(a.Records), 8 }).(int)
			if v != len(a.Records) {
				t.Errorf("memo %d, records %d", v, len(a.Records))
			}
		})
	}
	wg.Wait()
	if got := built.Load(); got != 2 {
		t.Errorf("built %d times for one cached answer, want 2", got)
	}
	a, _ := c.Lookup(ctx, "example.com", dns.TypeMX)
	if a.Memo(memoKey{"other"}, func() (any, int) { return 7, 8 }) != 7 || a.Memo(memoKey{"mx"}, func() (any, int) { return -1, 8 }) == -1 {
		t.Error("keys mixed up")
	}
	var plain resolver.Answer
	n := 0
	for range 2 {
		plain.Memo(memoKey{"x"}, func() (any, int) { n++; return n, 8 })
	}
	if n != 2 {
		t.Errorf("an answer from no cache built %d times, want 2", n)
	}
}

// TestMemoCopy: a copy of a cached Answer (a wrapper changing a field) is
// another answer: it does not read the values derived from the original.
func TestMemoCopy(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "example.com", dns.TypeMX); err != nil {
		t.Fatal(err)
	}
	a, _ := c.Lookup(ctx, "example.com", dns.TypeMX) // the cached one
	count := func(x *resolver.Answer) int {
		return x.Memo(memoKey{"n"}, func() (any, int) { return len(x.Records), 8 }).(int)
	}
	if n := count(a); n != len(a.Records) || n == 0 {
		t.Fatalf("memo %d, records %d", n, len(a.Records))
	}
	cp := *a
	cp.Records = nil
	if n := count(&cp); n != 0 {
		t.Errorf("a copy without records read %d, the original's value", n)
	}
}

// TestAnswerDoesNotKeepClient: an answer kept (in a report) after its
// Client is dropped does not keep the Client and its cache alive.
func TestAnswerDoesNotKeepClient(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	ctx := context.Background()
	c.Lookup(ctx, "example.com", dns.TypeMX)
	a, err := c.Lookup(ctx, "example.com", dns.TypeMX) // the cached answer
	if err != nil {
		t.Fatal(err)
	}
	a.Memo(memoKey{"kept"}, func() (any, int) { return 1, 8 })
	freed := make(chan struct{})
	runtime.AddCleanup(c, func(ch chan struct{}) { close(ch) }, freed)
	c.Close()
	c = nil
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		select {
		case <-freed:
			if a.Memo(memoKey{"kept"}, func() (any, int) { return 2, 8 }) != 2 {
				t.Error("a value kept by a freed Client")
			}
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the Client is still alive while an answer of its cache is")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
