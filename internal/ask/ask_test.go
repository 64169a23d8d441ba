package ask_test

import (
	"context"
	"testing"

	"github.com/domainlint/domainlint/internal/ask"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

const zone = `$ORIGIN example.
$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
a TXT "a"
b TXT "b"
`

// TestAll: results in the questions' order, for none, one and several.
func TestAll(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Text: zone, Origin: "example."})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got := ask.All(ctx, z); len(got) != 0 {
		t.Errorf("no questions: %d results", len(got))
	}
	qs := []ask.Question{{Name: "a.example", Type: dns.TypeTXT}, {Name: "b.example", Type: dns.TypeTXT}, {Name: "ns.example", Type: dns.TypeA}}
	for n := 1; n <= len(qs); n++ {
		got := ask.All(ctx, z, qs[:n]...)
		for i, res := range got {
			if res.Err != nil || res.Answer == nil || res.Answer.Name != dns.Fqdn(qs[i].Name) || res.Answer.Type != qs[i].Type {
				t.Errorf("%d questions: result %d is %+v, want the answer to %v", n, i, res, qs[i])
			}
		}
	}
}

// TestAhead: a question asked ahead is answered from there, whatever its
// spelling (case, final dot); others are passed on.
func TestAhead(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Text: zone, Origin: "example."})
	if err != nil {
		t.Fatal(err)
	}
	e := ask.Ahead(context.Background(), z, ask.Question{Name: "A.example.", Type: dns.TypeTXT})
	defer e.Wait()
	for _, name := range []string{"a.example", "A.EXAMPLE.", "b.example"} {
		a, err := e.Lookup(context.Background(), name, dns.TypeTXT)
		if err != nil || len(a.Records) != 1 {
			t.Errorf("%s: %v, %v", name, a, err)
		}
	}
}

// panicky panics for one name.
type panicky struct{ resolver.Resolver }

func (p panicky) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if name == "b.example" {
		panic("hostile answer")
	}
	return p.Resolver.Lookup(ctx, name, qtype)
}

// TestPanicsRaisedWhereRead: a panic on a goroutine of All or Ahead is
// raised again on the caller's goroutine (where the check driver turns it
// into an error of the check), never on its own, which would end the
// program.
func TestPanicsRaisedWhereRead(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Text: zone, Origin: "example."})
	if err != nil {
		t.Fatal(err)
	}
	r := panicky{z}
	caught := func(f func()) (v any) {
		defer func() { v = recover() }()
		f()
		return nil
	}
	if v := caught(func() {
		ask.All(context.Background(), r, ask.Question{Name: "a.example", Type: dns.TypeTXT}, ask.Question{Name: "b.example", Type: dns.TypeTXT})
	}); v != "hostile answer" {
		t.Errorf("All: recovered %v", v)
	}
	e := ask.Ahead(context.Background(), r, ask.Question{Name: "b.example", Type: dns.TypeTXT})
	defer e.Wait()
	if v := caught(func() { e.Lookup(context.Background(), "b.example", dns.TypeTXT) }); v != "hostile answer" {
		t.Errorf("Ahead: recovered %v", v)
	}
}

// prefetching is a resolver.Prefetcher over r that counts the questions
// it started and those abandoned.
type prefetching struct {
	resolver.Resolver
	started, abandoned int
}

func (p *prefetching) Prefetch(ctx context.Context, name string, qtype uint16) resolver.Pending {
	p.started++
	return &fakePending{p: p, name: name, qtype: qtype}
}

type fakePending struct {
	p     *prefetching
	name  string
	qtype uint16
}

func (f *fakePending) Lookup(ctx context.Context) (*resolver.Answer, error) {
	return f.p.Lookup(ctx, f.name, f.qtype)
}

func (f *fakePending) Abandon() { f.p.abandoned++ }

// TestAllPanicAbandons: a panic while All reads its answers in turn (on
// a Prefetcher) leaves none of the questions it started still asked.
func TestAllPanicAbandons(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Text: zone, Origin: "example."})
	if err != nil {
		t.Fatal(err)
	}
	r := &prefetching{Resolver: panicky{z}}
	func() {
		defer func() {
			if v := recover(); v != "hostile answer" {
				t.Errorf("recovered %v", v)
			}
		}()
		ask.All(context.Background(), r, ask.Question{Name: "b.example", Type: dns.TypeTXT},
			ask.Question{Name: "a.example", Type: dns.TypeTXT}, ask.Question{Name: "ns.example", Type: dns.TypeA})
	}()
	if r.started != 2 || r.abandoned != 2 {
		t.Errorf("started %d, abandoned %d after a panic; want 2 and 2", r.started, r.abandoned)
	}
	r.started, r.abandoned = 0, 0
	ask.All(context.Background(), r, ask.Question{Name: "a.example", Type: dns.TypeTXT}, ask.Question{Name: "ns.example", Type: dns.TypeA})
	if r.started != 1 || r.abandoned != 0 {
		t.Errorf("started %d, abandoned %d when all were read; want 1 and 0", r.started, r.abandoned)
	}
}

// choosy prefetches every name but ns.example, for which Prefetch says
// nil (resolver.Prefetcher allows it for any question).
type choosy struct{ prefetching }

func (c *choosy) Prefetch(ctx context.Context, name string, qtype uint16) resolver.Pending {
	if name == "ns.example" {
		return nil
	}
	return c.prefetching.Prefetch(ctx, name, qtype)
}

// TestPrefetchNilLater: a question Prefetch declines after it took the
// first is asked when read, by All and by Ahead, not read from nil.
func TestPrefetchNilLater(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Text: zone, Origin: "example."})
	if err != nil {
		t.Fatal(err)
	}
	r := &choosy{prefetching{Resolver: z}}
	qs := []ask.Question{{Name: "a.example", Type: dns.TypeTXT}, {Name: "b.example", Type: dns.TypeTXT}, {Name: "ns.example", Type: dns.TypeA}}
	for i, res := range ask.All(context.Background(), r, qs...) {
		if res.Err != nil || res.Answer == nil || res.Answer.Name != dns.Fqdn(qs[i].Name) {
			t.Errorf("All: result %d is %+v", i, res)
		}
	}
	e := ask.Ahead(context.Background(), r, qs...)
	defer e.Wait()
	for _, q := range qs {
		if a, err := e.Lookup(context.Background(), q.Name, q.Type); err != nil || a.Name != dns.Fqdn(q.Name) {
			t.Errorf("Ahead: %s: %v, %v", q.Name, a, err)
		}
	}
}
