package check_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// TestViewExpiry: when the authoritative answer has the change and a
// cache still holds the old one, the difference says when the old answer
// expires.
func TestViewExpiry(t *testing.T) {
	a, b := movedViews(t)
	ctx := context.Background()
	// A check that asks one question: CompareViews asks it again of both.
	ask := &analysis.Check{Name: "ask", Doc: "asks the autodiscover CNAME", Rules: check.Rules()[:1], Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
		_, err := p.Resolver.Lookup(ctx, "autodiscover.move.example", dns.TypeCNAME)
		return nil, err
	}}
	rep := check.Domain(ctx, a, "move.example", check.Options{Checks: []*analysis.Check{ask}})
	start := time.Now()
	diffs := check.CompareViews(ctx, rep, a, b, "authoritative", "resolver")
	if len(diffs) != 1 {
		t.Fatalf("differences %v", diffs)
	}
	d := diffs[0]
	if d.TTL != 600 || d.Expires.Before(start.Add(599*time.Second)) || d.Expires.After(start.Add(601*time.Second)) {
		t.Errorf("TTL %d, expires %v (now %v)", d.TTL, d.Expires, start)
	}
	if !strings.Contains(d.String(), "resolver answer expires at") {
		t.Errorf("%s", d)
	}
}

// countingResolver counts the questions asked of it, by name and type.
type countingResolver struct {
	r  resolver.Resolver
	mu sync.Mutex
	n  map[string]int
}

func (c *countingResolver) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	c.mu.Lock()
	c.n[name+" "+dns.TypeToString[qtype]]++
	c.mu.Unlock()
	return c.r.Lookup(ctx, name, qtype)
}

// TestCompareViewsAsksOnce: a question a check asked several times, in
// any case, with or without the final dot, is asked once of each view and
// gives one difference.
func TestCompareViewsAsksOnce(t *testing.T) {
	a, b := movedViews(t)
	ctx := context.Background()
	ask := &analysis.Check{Name: "ask", Doc: "asks the autodiscover CNAME thrice", Rules: check.Rules()[:1], Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
		for _, n := range []string{"autodiscover.move.example", "AutoDiscover.Move.Example.", "autodiscover.move.example."} {
			if _, err := p.Resolver.Lookup(ctx, n, dns.TypeCNAME); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}}
	rep := check.Domain(ctx, a, "move.example", check.Options{Checks: []*analysis.Check{ask}})
	ca := &countingResolver{r: a, n: map[string]int{}}
	cb := &countingResolver{r: b, n: map[string]int{}}
	diffs := check.CompareViews(ctx, rep, ca, cb, "authoritative", "resolver")
	if len(diffs) != 1 {
		t.Errorf("differences %v, want one", diffs)
	}
	for _, c := range []*countingResolver{ca, cb} {
		if want := map[string]int{"autodiscover.move.example. CNAME": 1}; len(c.n) != 1 || c.n["autodiscover.move.example. CNAME"] != 1 {
			t.Errorf("asked %v, want %v", c.n, want)
		}
	}
}

// movedViews returns clients of two views of move.example: the
// authoritative one, where autodiscover points at Microsoft 365, and a
// cache still holding the old on-premises target (TTL 600).
func movedViews(t *testing.T) (authoritative, cached *resolver.Client) {
	t.Helper()
	now := dnstest.New(t, resolver.ZoneSource{Origin: "move.example", Text: `
@            IN SOA ns h 2 3600 600 86400 300
autodiscover 600 IN CNAME autodiscover.outlook.com.
`})
	old := dnstest.New(t, resolver.ZoneSource{Origin: "move.example", Text: `
@            IN SOA ns h 1 3600 600 86400 300
autodiscover 600 IN CNAME mail.move.example.
`})
	client := func(addr string) *resolver.Client {
		c, err := resolver.New(resolver.Config{Servers: []string{addr}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	return client(now.Addr), client(old.Addr)
}
