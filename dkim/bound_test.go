package dkim_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/resolver"
)

// inflight answers from r and tracks how many key questions are in
// flight at once, holding each a while (up to 20 ms) for others to join.
type inflight struct {
	resolver.Resolver
	mu        sync.Mutex
	now, most int
}

func (f *inflight) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if !strings.Contains(name, "._domainkey.") {
		return f.Resolver.Lookup(ctx, name, qtype)
	}
	f.mu.Lock()
	f.now++
	f.most = max(f.most, f.now)
	f.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	f.mu.Lock()
	f.now--
	f.mu.Unlock()
	return f.Resolver.Lookup(ctx, name, qtype)
}

// TestSelectorsAtOnceBounded: a zone file's selectors are looked up at
// once, but never more than 8 at a time — a file may hold thousands
// (SECURITY.md).
func TestSelectorsAtOnceBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n")
	for i := range 40 {
		fmt.Fprintf(&b, "s%d._domainkey TXT \"v=DKIM1; p=\"\n", i)
	}
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example.org.", Text: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	f := &inflight{Resolver: z}
	rep := check.Domain(context.Background(), f, "example.org", check.Options{ZoneFiles: z, Checks: []*analysis.Check{dkim.NewCheck(dkim.CheckOptions{})}})
	if len(rep.DKIM) != 40 {
		t.Fatalf("%d selectors checked, want 40", len(rep.DKIM))
	}
	if f.most > 8 || f.most < 2 {
		t.Errorf("%d key questions at once, want 2 to 8", f.most)
	}
}

// panicPrefetcher asks r ahead (resolver.Prefetcher); reading the key of
// selector s0 panics. It counts the key questions abandoned.
type panicPrefetcher struct {
	resolver.Resolver
	mu        sync.Mutex
	abandoned map[string]bool
}

func (p *panicPrefetcher) Prefetch(ctx context.Context, name string, qtype uint16) resolver.Pending {
	return &panicPending{p: p, name: name, qtype: qtype}
}

type panicPending struct {
	p     *panicPrefetcher
	name  string
	qtype uint16
}

func (q *panicPending) Lookup(ctx context.Context) (*resolver.Answer, error) {
	if strings.HasPrefix(q.name, "s0._domainkey.") {
		panic("hostile key")
	}
	return q.p.Lookup(ctx, q.name, q.qtype)
}

func (q *panicPending) Abandon() {
	q.p.mu.Lock()
	q.p.abandoned[strings.TrimSuffix(q.name, ".")] = true
	q.p.mu.Unlock()
}

// TestSelectorPanicAbandons: a panic while one selector of a chunk is
// read (the driver makes it an error of the check) leaves none of the
// chunk's other questions asked.
func TestSelectorPanicAbandons(t *testing.T) {
	var b strings.Builder
	b.WriteString("$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\nns A 192.0.2.53\n")
	for i := range 4 {
		fmt.Fprintf(&b, "s%d._domainkey TXT \"v=DKIM1; p=\"\n", i)
	}
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example.org.", Text: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	p := &panicPrefetcher{Resolver: z, abandoned: map[string]bool{}}
	rep := check.Domain(context.Background(), p, "example.org", check.Options{ZoneFiles: z, Checks: []*analysis.Check{dkim.NewCheck(dkim.CheckOptions{})}})
	if len(rep.Errors) == 0 {
		t.Fatal("the panic is no error of the check")
	}
	for i := 1; i < 4; i++ {
		if name := fmt.Sprintf("s%d._domainkey.example.org", i); !p.abandoned[name] {
			t.Errorf("%s, unread after the panic, was not abandoned (%v)", name, p.abandoned)
		}
	}
}
