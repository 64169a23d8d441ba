package spf_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, canon string
		err       string // substring of the error, "" for none
	}{
		{"v=spf1", "v=spf1", ""},
		{"V=SPF1 -ALL", "v=spf1 -all", ""},
		{"v=spf1  ip4:192.0.2.0/24   ~all  ", "v=spf1 ip4:192.0.2.0/24 ~all", ""},
		{"v=spf1 a/24//64 mx:example.com/28 a:example.com//128", "v=spf1 a/24//64 mx:example.com/28 a:example.com//128", ""},
		{"v=spf1 include:_spf.google.com ?include:x.example.org -all", "v=spf1 include:_spf.google.com ?include:x.example.org -all", ""},
		{"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com", ""},
		{"v=spf1 -all exp=explain._spf.%{d} moo=cow", "v=spf1 -all exp=explain._spf.%{d} moo=cow", ""},
		{"v=spf1 ip6:2001:db8::/32 ip6:::1", "v=spf1 ip6:2001:db8::/32 ip6:::1", ""},
		{"v=spf10", "", "not an SPF record"},
		{"spf1 -all", "", "not an SPF record"},
		{"v=spf1 ip4:192.0.2.300", "", "not an IP address"},
		{"v=spf1 ip4:192.0.2.0/33", "", "prefix length"},
		{"v=spf1 ip4:192.0.2.0/08", "", "prefix length"},
		{"v=spf1 ip6:192.0.2.1", "", "not an IPv6"},
		{"v=spf1 include:example", "", "top-level label"},
		{"v=spf1 include:example.123", "", "top-level label"},
		{"v=spf1 include:", "", "needs"},
		{"v=spf1 a:", "", "empty domain"},
		{"v=spf1 foo:bar", "", "unknown mechanism"},
		{"v=spf1 all:x", "", "no argument"},
		{"v=spf1 redirect=a.example redirect=b.example", "", "more than once"},
		{"v=spf1 exists:%{x}.example.com", "", "not a macro letter"},
		{"v=spf1 exists:%{c}.example.com", "", "only in exp"},
		{"v=spf1 exists:%{i0}.example.com", "", "0 labels"},
		{"v=spf1 exists:%{i.example.com", "", "not closed"},
		{"v=spf1 exists:100%.example.com", "", "not a macro"},
		{"v=spf1 exp=", "", "needs a domain"},
		{"v=spf1 ptr/24", "", "unexpected"},
		{"v=spf1 -all\x00", "", "visible ASCII"},
	} {
		r, err := spf.Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) = %v", tc.in, err)
			continue
		}
		if got := r.String(); got != tc.canon {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.canon)
		}
		for _, term := range r.Terms {
			if term.Span.End > len(tc.in) || term.Span.Start >= term.Span.End {
				t.Errorf("Parse(%q): bad span %v for %s", tc.in, term.Span, term)
			}
		}
	}
}

func TestSyntaxErrorOffset(t *testing.T) {
	_, err := spf.Parse("v=spf1 ip4:192.0.2.1 mx:bad..name -all")
	var se *spf.SyntaxError
	if !errors.As(err, &se) || se.Span.Start != 21 || se.Term != "mx:bad..name" {
		t.Fatalf("err = %#v", err)
	}
	if _, err := spf.Parse("hello"); !errors.Is(err, spf.ErrNotSPF) {
		t.Errorf("Parse(hello) = %v, want ErrNotSPF", err)
	}
}

// TestCheckStrictGate: a syntax error after a matching term is still a
// permerror (RFC 7208 §4.6), which the evaluator alone would miss.
func TestCheckStrictGate(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "gate.test", Text: `
@      IN SOA ns h 1 2 3 4 5
ok     IN TXT "v=spf1 ip4:192.0.2.1 -all"
late   IN TXT "v=spf1 ip4:192.0.2.1 ip4:999.0.0.1 -all"
soft   IN TXT "v=spf1 include:ok.gate.test ~all"
`})
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("192.0.2.1")
	other := netip.MustParseAddr("198.51.100.1")
	for _, tc := range []struct {
		ip     netip.Addr
		sender string
		want   spf.Result
	}{
		{ip, "a@ok.gate.test", spf.Pass},
		{other, "a@ok.gate.test", spf.Fail},
		{ip, "a@late.gate.test", spf.PermError},
		{other, "a@soft.gate.test", spf.SoftFail},
		{ip, "a@soft.gate.test", spf.Pass},
		{ip, "a@nx.gate.test", spf.None},
		{ip, "a@elsewhere.invalid", spf.TempError},
		{ip, "a@single", spf.None},
	} {
		v, err := spf.Check(context.Background(), z, tc.ip, "helo.gate.test", tc.sender)
		if err != nil || v.Result != tc.want {
			t.Errorf("Check(%s, %s) = %+v, %v; want %s", tc.ip, tc.sender, v, err, tc.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := spf.Check(ctx, z, ip, "h", "a@ok.gate.test"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Check: %v", err)
	}
}

// FuzzParse: no panic; a parsed record prints to text that parses to the
// same terms.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=spf1 -all", "v=spf1 a/24//64 mx:example.com/28 ~all", "v=spf1 ip6:2001:db8::/32 ip4:192.0.2.0/24",
		"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=_spf.example.com", "v=spf1 -all exp=x.%{d} moo=cow",
		"v=spf1 include:foo:bar/baz.example.com", "v=spf1 a:%%%_%-x.example.com -all", "V=SPF1 ?PTR:Example.COM",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := spf.Parse(s)
		if err != nil {
			return
		}
		r2, err := spf.Parse(r.String())
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", s, r.String(), err)
		}
		opt := cmpopts.IgnoreFields(spf.Term{}, "Span")
		if diff := cmp.Diff(r.Terms, r2.Terms, opt, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Fatalf("round trip of %q via %q differs:\n%s", s, r.String(), diff)
		}
	})
}
