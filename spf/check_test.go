package spf_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/lint"
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
	checkCases(t, z, []checkCase{
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
	})
}

// checkCase is one check_host() question and the result it must give.
type checkCase struct {
	name         string
	ip           netip.Addr
	helo, sender string
	want         spf.Result
}

// checkCases asks r each case's question.
func checkCases(t *testing.T, r resolver.Resolver, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		v, err := spf.Check(context.Background(), r, tc.ip, tc.helo, tc.sender)
		if err != nil || v.Result != tc.want {
			t.Errorf("%s: Check(%s, %q, %q) = %+v, %v; want %s", tc.name, tc.ip, tc.helo, tc.sender, v, err, tc.want)
		}
	}
}

// TestCheckMacroTruncation is issue 25's class 1, RFC 7208 §7.3: "When the
// result of macro expansion is used in a domain name query, if the
// expanded domain name exceeds 253 characters (the maximum length of a
// domain name in this format), the left side is truncated to fit, by
// removing successive labels (and their following dots) until the total
// length does not exceed 253 characters."
func TestCheckMacroTruncation(t *testing.T) {
	l54 := strings.Repeat("a", 54)
	l60 := strings.Repeat("e", 60)
	dotted := "b." + strings.Repeat("c", 50) + "." + strings.Repeat("d", 50) // 103 characters, 3 labels
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@      IN SOA ns h 1 2 3 4 5
; 5×54 + 4 dots + ".t.n1.example" = 287: the first label goes, leaving 232.
` + strings.Repeat(l54+".", 4) + `t.n1 IN A 192.0.2.1
n1     IN TXT "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.%{l}.t.n1.example -all"
; include: and a: targets are truncated too.
inc    IN TXT "v=spf1 include:%{l}.%{l}.%{l}.%{l}.%{l}.i.example -all"
` + strings.Repeat(l54+".", 4) + `i IN TXT "v=spf1 +all"
a      IN TXT "v=spf1 a:%{l}.%{l}.%{l}.%{l}.%{l}.t.n1.example -all"
; A dotted local-part loses its labels one at a time: 3×103 + 2 + 13 =
; 321, less "b." (2), "ccc…." and "ddd…." (51 each) = 217.
dot    IN TXT "v=spf1 exists:%{l}.%{l}.%{l}.t.example -all"
` + dotted + "." + dotted + `.t IN A 127.0.0.2
; 4×60 + 3 dots + ".e.example" = 253 characters exactly: not truncated.
exact  IN TXT "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.e.example -all"
` + strings.Repeat(l60+".", 3) + l60 + `.e IN A 127.0.0.2
`})
	if err != nil {
		t.Fatal(err)
	}
	v4 := netip.MustParseAddr("192.0.2.1")
	for _, tc := range []struct {
		name, sender string
		want         spf.Result
	}{
		{"exists, 54-character local-part", l54 + "@n1.example", spf.Pass},
		{"include", l54 + "@inc.example", spf.Pass},
		{"a", l54 + "@a.example", spf.Pass},
		{"a dotted local-part", dotted + "@dot.example", spf.Pass},
		{"253 characters: not truncated", l60 + "@exact.example", spf.Pass},
		{"short: nothing to truncate, no match", "x@n1.example", spf.Fail},
	} {
		v, err := spf.Check(context.Background(), z, v4, "h.example", tc.sender)
		if err != nil || v.Result != tc.want {
			t.Errorf("%s: Check(%q) = %+v, %v; want %s", tc.name, tc.sender, v, err, tc.want)
		}
	}
}

// TestLintMacroTruncation: Lint expands %{d} and %{o} itself, and
// truncates the expansion as Check's lookups do (RFC 7208 §7.3), so it
// walks the include a receiver follows.
func TestLintMacroTruncation(t *testing.T) {
	d := strings.Repeat("x", 60) + ".lint.example" // 73 characters
	// d.d.d.d.i2.example is 306 characters; without the first label, 245.
	target := "lint.example." + d + "." + d + "." + d + ".i2.example"
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@ IN SOA ns h 1 2 3 4 5
` + d + `. IN TXT "v=spf1 include:%{d}.%{d}.%{d}.%{d}.i2.example -all"
` + target + `. IN TXT "v=spf1 ip4:192.0.2.1 -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := spf.Lint(context.Background(), z, d)
	if err != nil {
		t.Fatal(err)
	}
	tc := rep.Root.Terms[0]
	if tc.Target != target || tc.Child == nil || tc.Void {
		t.Errorf("include target %q (void %v, child %v); want %q", tc.Target, tc.Void, tc.Child != nil, target)
	}
}

// TestVoidPerFamily: RFC 7208 §5.3, "An address lookup is done on the
// <target-name> using the type of lookup (A or AAAA) appropriate for the
// connection type (IPv4 or IPv6)", and §4.6.4, "SPF implementations
// SHOULD limit "void lookups" to two": a name with only AAAA records is a
// void lookup for an IPv4 client. Lint counts voids per address family,
// shows them in the tree, and warns when one family passes the limit, as
// Check finds for a client of that family.
func TestVoidPerFamily(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@     IN SOA ns h 1 2 3 4 5
six1  IN AAAA 2001:db8::61
six2  IN AAAA 2001:db8::62
six3  IN AAAA 2001:db8::63
four  IN A 192.0.2.4
v     IN TXT "v=spf1 a:six1.example a:six2.example a:six3.example a:four.example -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := spf.Linter{SkipSPFType: true}.Lint(context.Background(), z, "v.example")
	if err != nil {
		t.Fatal(err)
	}
	if rep.VoidLookups != 0 || rep.VoidIPv4 != 3 || rep.VoidIPv6 != 1 {
		t.Errorf("voids %d, IPv4 %d, IPv6 %d; want 0, 3, 1", rep.VoidLookups, rep.VoidIPv4, rep.VoidIPv6)
	}
	tree := rep.Tree()
	for _, want := range []string{"0 of 2 void (3 for IPv4 clients, 1 for IPv6)", "a:six1.example  VOID for IPv4 clients", "a:four.example  VOID for IPv6 clients"} {
		if !strings.Contains(tree, want) {
			t.Errorf("tree lacks %q:\n%s", want, tree)
		}
	}
	if len(fs) != 1 || fs[0].Rule != "spf.void-lookup-limit" || !strings.Contains(fs[0].Message, "IPv4 client") {
		t.Errorf("findings %v; want one spf.void-lookup-limit for IPv4 clients", fs)
	} else if m := fs[0].Message; strings.Count(m, "six1.example") != 1 || !strings.Contains(m, "six1.example, six2.example, six3.example have only AAAA records") {
		// Every void name here is void for one family only: the list is
		// said once, as the names with only AAAA records.
		t.Errorf("message %q: want the three names said once, as having only AAAA records", m)
	}
	for ip, want := range map[string]spf.Result{"192.0.2.4": spf.PermError, "2001:db8::61": spf.Pass} {
		v, err := spf.Check(context.Background(), z, netip.MustParseAddr(ip), "h.example", "a@v.example")
		if err != nil || v.Result != want {
			t.Errorf("Check(%s) = %+v, %v; want %s", ip, v, err, want)
		}
	}
}

// TestVoidNamesOnce: a name that several terms look up is said once in
// spf.void-lookup-limit, with how many terms asked for it, not once per
// term.
func TestVoidNamesOnce(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example", Text: `
@     IN SOA ns h 1 2 3 4 5
six   IN AAAA 2001:db8::61
other IN AAAA 2001:db8::62
v     IN TXT "v=spf1 a:six.example a:six.example a:other.example a:six.example -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	_, fs, err := spf.Linter{SkipSPFType: true}.Lint(context.Background(), z, "v.example")
	if err != nil {
		t.Fatal(err)
	}
	var void []lint.Finding
	for _, f := range fs {
		if f.Rule == "spf.void-lookup-limit" {
			void = append(void, f)
		}
	}
	if len(void) != 1 || !strings.Contains(void[0].Message, "six.example (3 terms), other.example have only AAAA records") {
		t.Errorf("findings %v; want the void names said once each, six.example with its 3 terms", void)
	}
}
