package spf_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

// TestCheckEdges pins edge cases of check_host() found in review.
func TestCheckEdges(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@          IN SOA ns h 1 2 3 4 5
quoted     IN TXT "v=spf1 exists:%{l}.l.example -all"
quoted2    IN TXT "v=spf1 exists:%{o}.o.example -all"
b\@quoted  IN TXT "v=spf1 -all"
b\@quoted2 IN TXT "v=spf1 -all"
a\@b.l     IN A  127.0.0.2
quoted2.example.o IN A  127.0.0.2
emptyinc   IN TXT "v=spf1 include:%{l1-} -all"
@          IN TXT "v=spf1 +all"
slinc      IN TXT "v=spf1 include:%{l} -all"
slredir    IN TXT "v=spf1 redirect=%{d1}"
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	checkCases(t, z, []checkCase{
		// RFC 7208 §4.3, §7.3: <domain> and %{o} are what follows the
		// last "@" (a quoted local-part may hold one), %{l} what precedes it.
		{"domain and %{l} split at the last @", v4, "h.example", "a@b@quoted.example", spf.Pass},
		{"%{o} after the last @", v4, "h.example", "a@b@quoted2.example", spf.Pass},
		// RFC 7208 §4.3, §5.2, §6.1: a target that is no multi-label
		// domain name is none, so include and redirect are permerror,
		// whatever a single-label name publishes.
		{"include of a single label", v4, "h.example", "example@slinc.example", spf.PermError},
		{"redirect to a single label", v4, "h.example", "a@slredir.example", spf.PermError},
		{"include of empty expansion", v4, "h.example", "---@emptyinc.example", spf.PermError},
	})
}

// TestValidatedNames pins %{p} and ptr against a reverse zone.
func TestValidatedNames(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@          IN SOA ns h 1 2 3 4 5
other      IN A 192.0.2.1
MAIL.p     IN A 192.0.2.1
p          IN A 192.0.2.1
unval.p    IN A 192.0.2.9
pexact     IN TXT "v=spf1 redirect=p.example"
p          IN TXT "v=spf1 exists:%{p}.v.example -all"
p.example.v IN A 127.0.0.2
ptrp       IN TXT "v=spf1 ptr:P.Example. -all"
ptrun      IN TXT "v=spf1 ptr:unval.p.example -all"
ptrsub     IN TXT "v=spf1 ptr:ail.p.example -all"
`}, resolver.ZoneSource{Origin: "2.0.192.in-addr.arpa", Text: `
@          IN SOA ns h 1 2 3 4 5
1          IN PTR other.example.
1          IN PTR MAIL.p.example.
1          IN PTR p.example.
1          IN PTR unval.p.example.
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	mapped := netip.MustParseAddr("::ffff:192.0.2.1")
	checkCases(t, z, []checkCase{
		{"%{p} the domain itself first", v4, "h.example", "a@p.example", spf.Pass},
		{"%{p} the redirect target", v4, "h.example", "a@pexact.example", spf.Pass},
		{"%{p} mapped", mapped, "h.example", "a@p.example", spf.Pass},
		{"ptr case and dot", v4, "h.example", "a@ptrp.example", spf.Pass},
		{"ptr unvalidated", v4, "h.example", "a@ptrun.example", spf.Fail},
		{"ptr label boundary", v4, "h.example", "a@ptrsub.example", spf.Fail},
	})
}

// TestTXTFailureIsTemperror: a DNS failure other than NXDOMAIN and NODATA on the
// record's TXT lookup is temperror (RFC 7208 §4.4), as it is for the
// lookups of a mechanism: a CNAME loop, or an error that is no
// *resolver.Error.
func TestTXTFailureIsTemperror(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@          IN SOA ns h 1 2 3 4 5
loop1      IN CNAME loop2
loop2      IN CNAME loop1
aloop      IN TXT "v=spf1 a:loop1.example -all"
incloop    IN TXT "v=spf1 include:loop1.example -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	for _, tc := range []struct {
		name   string
		r      resolver.Resolver
		sender string
		want   spf.Result
	}{
		{"a: CNAME loop", z, "a@aloop.example", spf.TempError},
		{"TXT: CNAME loop", z, "a@loop1.example", spf.TempError},
		{"include: CNAME loop", z, "a@incloop.example", spf.TempError},
		{"TXT: a plain error", plainFailing{}, "a@x.example", spf.TempError},
	} {
		v, err := spf.Check(context.Background(), tc.r, v4, "h.example", tc.sender)
		if err != nil || v.Result != tc.want {
			t.Errorf("%s: got %v %q %v, want %v", tc.name, v.Result, v.Reason, err, tc.want)
		}
	}
}

// plainFailing fails every question with an error of its own type.
type plainFailing struct{}

func (plainFailing) Lookup(context.Context, string, uint16) (*resolver.Answer, error) {
	return nil, errors.New("connection reset")
}

// TestVoidPerPTRTerm: every ptr term whose PTR lookup is void counts
// toward the void lookup limit (RFC 7208 §4.6.4), as repeated a terms do,
// though the lookup is asked once.
func TestVoidPerPTRTerm(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@          IN SOA ns h 1 2 3 4 5
ptr3       IN TXT "v=spf1 ptr ptr:x.example ptr:y.example -all"
ptr2       IN TXT "v=spf1 ptr ptr:x.example -all"
a3         IN TXT "v=spf1 a:nx.example a:nx.example a:nx.example -all"
`}, resolver.ZoneSource{Origin: "2.0.192.in-addr.arpa", Text: `
@          IN SOA ns h 1 2 3 4 5
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	checkCases(t, z, []checkCase{
		{"3 void ptr terms", v4, "h.example", "a@ptr3.example", spf.PermError},
		{"2 void ptr terms", v4, "h.example", "a@ptr2.example", spf.Fail},
		{"3 void a terms", v4, "h.example", "a@a3.example", spf.PermError},
	})
}

// TestZonedClient: an IPv6 client's zone is no part of its address: ip6
// matches it as a does.
func TestZonedClient(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@          IN SOA ns h 1 2 3 4 5
ll         IN AAAA fe80::1
ip6        IN TXT "v=spf1 ip6:fe80::/64 -all"
a          IN TXT "v=spf1 a:ll.example -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("fe80::1%eth0")
	checkCases(t, z, []checkCase{
		{"ip6", ip, "h.example", "x@ip6.example", spf.Pass},
		{"a", ip, "h.example", "x@a.example", spf.Pass},
	})
}

// TestUnappliedRedirectCountsNothing: the 10-lookup limit counts the terms
// that cause DNS queries during evaluation (RFC 7208 §4.6.4); a redirect
// is applied only when no mechanism matched (§6.1), so one that is not
// applied counts nothing. pyspf and Mail::SPF count it (the differential
// test's redirect-unapplied-counted); the RFC 7208 test suite's
// redirect-after-mechanisms1 does not.
func TestUnappliedRedirectCountsNothing(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@     IN SOA ns h 1 2 3 4 5
h     IN A 192.0.2.9
ten   IN TXT "v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example ip4:192.0.2.1 redirect=far.example"
nine  IN TXT "v=spf1 a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example a:h.example redirect=far.example"
far   IN TXT "v=spf1 +all"
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	checkCases(t, z, []checkCase{
		{"10 lookups, a match, a redirect not applied", v4, "h.example", "a@ten.example", spf.Pass},
		{"10 lookups, then the redirect applied: the 11th", v4, "h.example", "a@nine.example", spf.PermError},
	})
}
