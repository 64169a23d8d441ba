package check_test

import (
	"context"
	"strings"
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
	a, b := client(now.Addr), client(old.Addr)
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
