package spf_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// gate answers from zones, holding each question until three are waiting
// (or a while has passed: the walk may need its answer to go on): it sees
// which questions a walk asks together.
type gate struct {
	r     resolver.Resolver
	mu    sync.Mutex
	asked map[string]int
	most  int
	now   int
}

func (g *gate) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	g.mu.Lock()
	g.asked[name+" "+dns.TypeToString[qtype]]++
	g.now++
	g.most = max(g.most, g.now)
	g.mu.Unlock()
	// Hold the question a while (up to 50 ms) for others to join it.
	for range 50 {
		g.mu.Lock()
		enough := g.now >= 3
		g.mu.Unlock()
		if enough {
			break
		}
		time.Sleep(time.Millisecond)
	}
	defer func() {
		g.mu.Lock()
		g.now--
		g.mu.Unlock()
	}()
	return g.r.Lookup(ctx, name, qtype)
}

// TestLintAsksAhead: the linter asks an include tree's questions as soon
// as their names are known — the three chains below the root at once —
// each once, and the tree and counts are the sequential walk's.
func TestLintAsksAhead(t *testing.T) {
	const zone = `$ORIGIN example.
$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
d TXT "v=spf1 include:a1.example include:b1.example include:c1.example -all"
a1 TXT "v=spf1 include:a2.example -all"
a2 TXT "v=spf1 a:host.example -all"
b1 TXT "v=spf1 include:b2.example -all"
b2 TXT "v=spf1 ip4:192.0.2.0/24 -all"
c1 TXT "v=spf1 mx:d.example -all"
host A 192.0.2.1
d MX 10 host
`
	z, err := resolver.NewZones(resolver.ZoneSource{Text: zone, Origin: "example."})
	if err != nil {
		t.Fatal(err)
	}
	seq, _, err := spf.Lint(context.Background(), z, "d.example")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		g := &gate{r: z, asked: map[string]int{}}
		rep, _, err := spf.Linter{SkipSPFType: true}.Lint(context.Background(), g, "d.example")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Lookups != seq.Lookups || rep.Tree() != seq.Tree() {
			t.Fatalf("walk differs:\n%s\nwant\n%s", rep.Tree(), seq.Tree())
		}
		for q, n := range g.asked {
			if n > 1 {
				t.Errorf("%s asked %d times", q, n)
			}
		}
		if g.most < 3 {
			t.Errorf("at most %d questions at once; the three includes of the root are known together", g.most)
		}
	}
}

// failing answers slow.example with a temporary failure and holds
// nx.example's AAAA until the walk's context ends.
type failing struct{ r resolver.Resolver }

func (s failing) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	switch {
	case name == "slow.example" && qtype == dns.TypeTXT:
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: dns.RcodeServerFailure, Err: resolver.ErrTemporary}
	case name == "nx.example" && qtype == dns.TypeAAAA:
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.r.Lookup(ctx, name, qtype)
}

// TestCheckFailsOnlyWhatTheWalkRead: a question asked ahead that the walk
// never read (the AAAA of an a: target with no A record) is no failure of
// the check — not even the cancellation that ends it when Lint returns.
func TestCheckFailsOnlyWhatTheWalkRead(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example.", Text: `$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
d TXT "v=spf1 include:slow.example a:nx.example -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	c := spf.NewCheck(spf.Linter{SkipSPFType: true})
	var fails []string
	p := &analysis.Pass{Check: c, Domain: "d.example", Resolver: failing{z},
		Report: func(...lint.Finding) {}, Unverified: func(string, string) {},
		Fail: func(name string, err error) { fails = append(fails, name+": "+err.Error()) }}
	if _, err := c.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if len(fails) != 1 || !strings.HasPrefix(fails[0], "slow.example: ") {
		t.Errorf("failures %q, want slow.example's alone", fails)
	}
}
