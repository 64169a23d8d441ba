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
