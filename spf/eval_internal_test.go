package spf

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"
)

// testEvaluation is an evaluation that asks no DNS (expansion only).
func testEvaluation(ip netip.Addr, helo, sender string) *evaluation {
	return newEvaluation(context.Background(), nil, ip, helo, sender)
}

// TestExpandRFC checks the examples of RFC 7208 §7.4.
func TestExpandRFC(t *testing.T) {
	const d = "email.example.com"
	e4 := testEvaluation(netip.MustParseAddr("192.0.2.3"), "mx.example.org", "strong-bad@email.example.com")
	e6 := testEvaluation(netip.MustParseAddr("2001:db8::cb01"), "mx.example.org", "strong-bad@email.example.com")
	for _, tc := range []struct {
		e          *evaluation
		spec, want string
	}{
		{e4, "%{s}", "strong-bad@email.example.com"},
		{e4, "%{o}", "email.example.com"},
		{e4, "%{d}", "email.example.com"},
		{e4, "%{d4}", "email.example.com"},
		{e4, "%{d3}", "email.example.com"},
		{e4, "%{d2}", "example.com"},
		{e4, "%{d1}", "com"},
		{e4, "%{dr}", "com.example.email"},
		{e4, "%{d2r}", "example.email"},
		{e4, "%{l}", "strong-bad"},
		{e4, "%{l-}", "strong.bad"},
		{e4, "%{lr}", "strong-bad"},
		{e4, "%{lr-}", "bad.strong"},
		{e4, "%{l1r-}", "strong"},
		{e4, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{e4, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{e4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{e4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{e4, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		{e6, "%{ir}.%{v}._spf.%{d2}", "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
		{e4, "%%%_%-%{h}", "% %20mx.example.org"},
		{e4, "%{S}", "strong-bad%40email.example.com"},
		// Uppercase: every octet outside RFC 3986's unreserved set, a
		// space as %20 (pyspf and Mail::SPF do the same).
		{testEvaluation(netip.MustParseAddr("192.0.2.3"), "mx.example.org", "a b+c~d/é@example.com"), "%{L}", "a%20b%2Bc~d%2F%C3%A9"},
		{e4, "%{p}.%{P2}", "unknown.unknown"},
		{e4, "%{d..}x", "email.example.comx"},
	} {
		got, err := tc.e.expand(tc.spec, d, "unknown")
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
	for _, bad := range []string{"%", "%{", "%{d", "%x", "%{}", "%{c}", "%{d0}", "%{q}", "%{d2x}"} {
		if got, err := e4.expand(bad, d, "unknown"); err == nil {
			t.Errorf("expand(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzExpand: macro expansion and truncation never panic, whatever the
// spec and identities; a truncated name with a dot in its last 253
// characters is no longer than that.
func FuzzExpand(f *testing.F) {
	f.Add("%{ir}.%{v}._spf.%{d2}", "a@b.example", "helo.example", "d.example", []byte{192, 0, 2, 3})
	f.Add("%{l1r-}.%{S}%%%_%-", "x-y@z", "", "", []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xcb, 1})
	f.Add("%{d99999999999999999999r+,}", "@", "h", strings.Repeat("a.", 200), []byte{})
	f.Fuzz(func(t *testing.T, spec, sender, helo, domain string, ip []byte) {
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			addr = netip.IPv4Unspecified()
		}
		e := testEvaluation(addr, helo, sender)
		out, err := e.expand(spec, domain, "unknown")
		if err != nil && out != "" {
			t.Fatalf("expand(%q) = %q and %v", spec, out, err)
		}
		if !strings.Contains(spec, "%") && out != spec {
			t.Fatalf("expand(%q) without macros = %q", spec, out)
		}
		if utf8.ValidString(spec) && utf8.ValidString(sender) && utf8.ValidString(helo) && utf8.ValidString(domain) && !utf8.ValidString(out) {
			t.Fatalf("expand(%q) made invalid UTF-8 %q", spec, out)
		}
		tr := truncate(out)
		if n := strings.TrimSuffix(tr, "."); len(n) > maxExpansion && strings.Contains(n[len(n)-maxExpansion:], ".") {
			t.Fatalf("truncate(%q) = %q, over %d", out, tr, maxExpansion)
		}
		if !strings.HasSuffix(out, tr) {
			t.Fatalf("truncate(%q) = %q, not a suffix", out, tr)
		}
		_ = transform(domain, spec)
	})
}
