package spf_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

// TestCheckIssue18 pins the evaluation cases of issue 18, each against the
// RFC 7208 section that decides it.
func TestCheckIssue18(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@          IN SOA ns h 1 2 3 4 5
six        IN AAAA 2001:db8::6
four       IN A    192.0.2.4
both       IN A    192.0.2.5
both       IN AAAA 2001:db8::5
; 1. exists: to an AAAA-only name is a void lookup (§5.7, §4.6.4).
void3      IN TXT "v=spf1 a:nx1.example a:nx2.example exists:six.example ~all"
void2      IN TXT "v=spf1 a:nx1.example exists:six.example ~all"
exists6    IN TXT "v=spf1 exists:six.example -all"
exists4    IN TXT "v=spf1 exists:four.example -all"
; a and mx ask for the client's address type only (§5.3, §5.4).
avoid3     IN TXT "v=spf1 a:nx1.example a:nx2.example a:six.example ~all"
avoid3v6   IN TXT "v=spf1 a:nx1.example a:nx2.example a:four.example ~all"
aboth      IN TXT "v=spf1 a:both.example -all"
; 2. a null MAIL FROM is postmaster@<HELO> (§2.4, §4.3).
postmaster.l IN A  127.0.0.2
helo       IN TXT "v=spf1 exists:%{l}.l.example -all"
sender     IN TXT "v=spf1 exists:%{s}.s.example -all"
postmaster\@sender.example.s IN A 127.0.0.2
; A null MX (RFC 7505) names no host: no match, and "." is not asked.
nullmx     IN MX   0 .
nullmxrec  IN TXT "v=spf1 mx:nullmx.example ~all"
; 3. ip6 inside ::ffff:0:0/96 does not match an IPv4 client (cidr6-ip4).
mapped     IN TXT "v=spf1 ip6:::ffff:192.0.2.1 -all"
mapped120  IN TXT "v=spf1 ip6:::FFFF:192.0.2.0/120 -all"
mapped96   IN TXT "v=spf1 ?ip6:::ffff:0:0/96 ip4:192.0.2.1 -all"
v6all      IN TXT "v=spf1 ip6:::/0 -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	v6 := netip.MustParseAddr("2001:db8::1")
	mapped := netip.MustParseAddr("::ffff:192.0.2.1")
	for _, tc := range []struct {
		name         string
		ip           netip.Addr
		helo, sender string
		want         spf.Result
	}{
		{"exists AAAA-only is the 3rd void lookup", v4, "h.example", "a@void3.example", spf.PermError},
		{"exists AAAA-only is the 3rd void lookup, IPv6 client", v6, "h.example", "a@void3.example", spf.PermError},
		{"2 void lookups are allowed", v4, "h.example", "a@void2.example", spf.SoftFail},
		{"exists matches A only", v4, "h.example", "a@exists6.example", spf.Fail},
		{"exists matches A only, IPv6 client", v6, "h.example", "a@exists6.example", spf.Fail},
		{"exists A, IPv6 client", v6, "h.example", "a@exists4.example", spf.Pass},
		{"a AAAA-only is void for an IPv4 client", v4, "h.example", "a@avoid3.example", spf.PermError},
		{"a A-only is void for an IPv6 client", v6, "h.example", "a@avoid3v6.example", spf.PermError},
		{"a A-only is not void for an IPv4 client", v4, "h.example", "a@avoid3v6.example", spf.SoftFail},
		{"a compares the client's type", v6, "h.example", "a@aboth.example", spf.Fail},
		{"null MAIL FROM: %{l} is postmaster", v4, "helo.example", "", spf.Pass},
		{"no local-part: %{l} is postmaster", v4, "x.example", "helo.example", spf.Pass},
		{"empty local-part: %{l} is postmaster", v4, "x.example", "@helo.example", spf.Pass},
		{"null MAIL FROM: %{s} is postmaster@<HELO>", v4, "sender.example", "", spf.Pass},
		{"ip6 ::ffff:192.0.2.1 vs IPv4 client", v4, "h.example", "a@mapped.example", spf.Fail},
		{"ip6 ::ffff:192.0.2.0/120 vs IPv4 client", v4, "h.example", "a@mapped120.example", spf.Fail},
		{"ip6 ::ffff:192.0.2.1 vs mapped client", mapped, "h.example", "a@mapped.example", spf.Fail},
		{"ip6 ::ffff:0:0/96 is skipped, ip4 matches", v4, "h.example", "a@mapped96.example", spf.Pass},
		{"ip6 ::/0 vs IPv4 client", v4, "h.example", "a@v6all.example", spf.Fail},
		{"ip6 ::/0 vs IPv6 client", v6, "h.example", "a@v6all.example", spf.Pass},
		{"null MX matches nothing", v4, "h.example", "a@nullmxrec.example", spf.SoftFail},
	} {
		v, err := spf.Check(context.Background(), z, tc.ip, tc.helo, tc.sender)
		if err != nil || v.Result != tc.want {
			t.Errorf("%s: Check(%s, %q, %q) = %+v, %v; want %s", tc.name, tc.ip, tc.helo, tc.sender, v, err, tc.want)
		}
	}
}
