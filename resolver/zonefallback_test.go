package resolver_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// chainErr is a fallback that followed a CNAME into the zone files and
// then failed: its error carries the chain.
type chainErr struct{ chain []*dns.CNAME }

func (c chainErr) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	return nil, &resolver.Error{Name: name, Type: qtype, Rcode: dns.RcodeServerFailure, Chain: c.chain, Err: resolver.ErrTemporary}
}

// TestZonesOverrideFallback: names inside the loaded zones are answered
// from the files, even when a fallback's answer for an outside name is a
// chain leading back into them with its own records for the zone's names
// (a snapshot made `+all` of a file's `-all`).
func TestZonesOverrideFallback(t *testing.T) {
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: "za.adv", Text: "@ IN SOA ns h 1 3600 600 86400 300\n" +
		"_spf IN TXT \"v=spf1 -all\"\nalias IN CNAME x.example.\n"})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := resolver.ReadSnapshot(strings.NewReader(`; domainlint snapshot 1
;? x.example. TXT NOERROR
x.example. 60 IN CNAME _spf.za.adv.
_spf.za.adv. 60 IN TXT "v=spf1 +all"
;? y.example. TXT NXDOMAIN
y.example. 60 IN CNAME y.example.net.
y.example.net. 60 IN CNAME missing.za.adv.
`), "snap")
	if err != nil {
		t.Fatal(err)
	}
	z := zones.WithFallback(snap)
	ctx := context.Background()
	for _, tc := range []struct {
		name, want string
		chain      int
	}{
		{"x.example", `"v=spf1 -all"`, 1},
		{"alias.za.adv", `"v=spf1 -all"`, 2},
		{"_spf.za.adv", `"v=spf1 -all"`, 0},
	} {
		a, err := z.Lookup(ctx, tc.name, dns.TypeTXT)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(a.Records) != 1 || !strings.Contains(a.Records[0].String(), tc.want) || len(a.Chain) != tc.chain {
			t.Errorf("%s: chain %v, records %v; want %s from the zone file after %d CNAMEs", tc.name, a.Chain, a.Records, tc.want, tc.chain)
		}
	}
	// The fallback's NXDOMAIN at the end of a chain into the files is the
	// files' to say: missing.za.adv does not exist there either, so
	// NXDOMAIN, from the zone (its SOA).
	a, err := z.Lookup(ctx, "y.example", dns.TypeTXT)
	if err != nil || !a.NXDomain() || len(a.Chain) != 2 {
		t.Errorf("y.example: %v %v", a, err)
	}
	// A failure past the point where the chain entered the files does not
	// hide what the files say.
	bad := zones.WithFallback(chainErr{chain: []*dns.CNAME{{Hdr: dns.RR_Header{Name: "x.example.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET}, Target: "_spf.za.adv."}}})
	a, err = bad.Lookup(ctx, "x.example", dns.TypeTXT)
	if err != nil || len(a.Records) != 1 || !strings.Contains(a.Records[0].String(), "-all") {
		t.Errorf("a failing fallback's chain into the files: %v, %v", a, err)
	}
	// Without a chain into the files, the fallback's error stands.
	if _, err := zones.WithFallback(chainErr{}).Lookup(ctx, "x.example", dns.TypeTXT); !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("fallback error: %v", err)
	}
}
