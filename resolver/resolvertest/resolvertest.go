// Package resolvertest is a conformance test for resolver.Resolver
// implementations, as testing/fstest.TestFS is for file systems. A scanner
// that brings its own resolver (a DNS-over-HTTPS client, a cache in front
// of its recursive resolver) runs Test against it to learn whether every
// domainlint check will read its answers right: NXDOMAIN apart from
// NODATA, CNAME chains followed and kept, TXT strings kept apart,
// cancellation honoured.
//
//	func TestMyResolver(t *testing.T) {
//		srv := dnstest.New(t, resolver.ZoneSource{Origin: resolvertest.Origin, Text: resolvertest.Zone})
//		resolvertest.Test(t, newMyResolver(srv.Addr))
//	}
package resolvertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Origin is the apex of Zone.
const Origin = "conformance.test"

// Zone is the master file the resolver under test must answer from.
const Zone = `$ORIGIN conformance.test.
$TTL 300
@          IN SOA   ns hostmaster 1 3600 600 86400 300
@          IN NS    ns
ns         IN A     192.0.2.53
www        IN A     192.0.2.80
www        IN AAAA  2001:db8::80
alias      IN CNAME alias2
alias2     IN CNAME www
dangling   IN CNAME gone.conformance.test.
loop1      IN CNAME loop2
loop2      IN CNAME loop1
split      IN TXT   "v=spf1 " "ip4:192.0.2.0/24 -all"
split      IN TXT   "second record"
bytes      IN TXT   "semi\;colon \"quoted\" \009tab \255"
x.ent      IN A     192.0.2.1
*.wild     IN TXT   "wildcard"
`

// TB is the part of testing.TB that Test uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Test checks that r answers Zone's questions as domainlint's checks
// expect, and reports every difference through t.Errorf.
func Test(t TB, r resolver.Resolver) {
	t.Helper()
	ctx := context.Background()
	name := func(n string) string {
		if n == "" {
			return Origin
		}
		return n + "." + Origin
	}
	ask := func(n string, qtype uint16) *resolver.Answer {
		t.Helper()
		a, err := r.Lookup(ctx, name(n), qtype)
		if err != nil {
			t.Errorf("resolvertest: %s %s: %v", name(n), dns.TypeToString[qtype], err)
			return nil
		}
		if a == nil {
			t.Errorf("resolvertest: %s %s: nil answer and no error", name(n), dns.TypeToString[qtype])
		}
		return a
	}
	check := func(what string, ok bool, a *resolver.Answer) {
		t.Helper()
		if !ok {
			t.Errorf("resolvertest: %s: got %s", what, describe(a))
		}
	}

	if a := ask("www", dns.TypeA); a != nil {
		check("www A: one A record 192.0.2.80, Rcode NOERROR", len(a.Records) == 1 && a.Records[0].(*dns.A).A.String() == "192.0.2.80" && a.Rcode == dns.RcodeSuccess, a)
	}
	if a := ask("nx", dns.TypeA); a != nil {
		check("nx A: NXDOMAIN (not NODATA)", a.NXDomain() && !a.NoData() && a.Void(), a)
	}
	if a := ask("www", dns.TypeMX); a != nil {
		check("www MX: NODATA (not NXDOMAIN)", a.NoData() && !a.NXDomain() && a.Void(), a)
	}
	if a := ask("ent", dns.TypeA); a != nil {
		check("ent A (an empty non-terminal): NODATA, not NXDOMAIN", a.NoData(), a)
	}
	if a := ask("alias", dns.TypeA); a != nil {
		check("alias A: the chain alias → alias2 → www kept in Chain, the A record at the end",
			len(a.Chain) == 2 && len(a.Records) == 1 && a.Target() == name("www")+"." && a.Name == name("alias")+".", a)
	}
	if a := ask("alias", dns.TypeCNAME); a != nil {
		check("alias CNAME: the CNAME itself, not followed", len(a.Chain) == 0 && len(a.Records) == 1, a)
	}
	if a := ask("dangling", dns.TypeTXT); a != nil {
		check("dangling TXT: NXDOMAIN for the chain's end, with the chain", a.NXDomain() && len(a.Chain) == 1, a)
	}
	if a := ask("split", dns.TypeTXT); a != nil {
		got := a.TXT()
		slices.SortFunc(got, func(x, y []string) int { return strings.Compare(strings.Join(x, ""), strings.Join(y, "")) })
		check("split TXT: two records, the first two strings kept apart (not joined)",
			fmt.Sprint(got) == fmt.Sprint([][]string{{"second record"}, {"v=spf1 ", "ip4:192.0.2.0/24 -all"}}), a)
	}
	if a := ask("bytes", dns.TypeTXT); a != nil {
		got := a.TXT()
		check(`bytes TXT: the octets published, escapes decoded (semi;colon "quoted" TAB tab 0xFF)`,
			len(got) == 1 && len(got[0]) == 1 && got[0][0] == "semi;colon \"quoted\" \ttab \xff", a)
	}
	if a := ask("anything.wild", dns.TypeTXT); a != nil {
		check("anything.wild TXT: synthesised from *.wild, owned by the name asked",
			len(a.Records) == 1 && strings.EqualFold(a.Records[0].Header().Name, name("anything.wild")+"."), a)
	}
	if _, err := r.Lookup(ctx, name("loop1"), dns.TypeA); !errors.Is(err, resolver.ErrCNAMELoop) && !errors.Is(err, resolver.ErrCNAMEChain) {
		t.Errorf("resolvertest: loop1 A: %v, want an error wrapping resolver.ErrCNAMELoop (or ErrCNAMEChain)", err)
	}
	for _, bad := range []string{"", "a..b.conformance.test", strings.Repeat("x", 64) + ".conformance.test", "caf\xc3\xa9.conformance.test"} {
		if _, err := r.Lookup(ctx, bad, dns.TypeA); err == nil {
			t.Errorf("resolvertest: %q A: no error for an invalid name", bad)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.Lookup(cctx, name("www"), dns.TypeA); !errors.Is(err, context.Canceled) {
		t.Errorf("resolvertest: a cancelled context: %v, want an error wrapping context.Canceled", err)
	}
}

func describe(a *resolver.Answer) string {
	if a == nil {
		return "no answer"
	}
	var chain []string
	for _, c := range a.Chain {
		chain = append(chain, c.Hdr.Name+"→"+c.Target)
	}
	var recs []string
	for _, rr := range a.Records {
		recs = append(recs, rr.String())
	}
	return fmt.Sprintf("name %s rcode %s chain %v records %q TXT %q", a.Name, dns.RcodeToString[a.Rcode], chain, recs, a.TXT())
}
