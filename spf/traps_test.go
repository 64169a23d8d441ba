package spf_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

// TestMacroTargets pins where %{d} and %{o} lead inside nested includes
// (issue 15): %{d} is the domain of the record being evaluated, %{o} the
// sender's domain, the one linted, in every record of the tree.
func TestMacroTargets(t *testing.T) {
	_, c := lintClient(t, "testdata/lint.zone")
	ctx := context.Background()
	rep, _, err := spf.Lint(ctx, c, "nested.spf.test")
	if err != nil {
		t.Fatal(err)
	}
	inner := rep.Root.Terms[0].Child
	if inner == nil || inner.Terms[0].Target != "_n.inner.spf.test" || inner.Terms[0].Child.Record != "v=spf1 ip4:192.0.2.10 -all" {
		t.Errorf("nested: %%{d} in inner's record reached %+v; want _n.inner.spf.test", inner)
	}
	rep, _, err = spf.Lint(ctx, c, "osender.spf.test")
	if err != nil {
		t.Fatal(err)
	}
	prov := rep.Root.Terms[0].Child
	for _, tc := range prov.Terms {
		if tc.Target != "osender.spf.test" {
			t.Errorf("%s in prov-o's record looked up %s; want osender.spf.test, the sender's domain", tc.Term, tc.Target)
		}
	}
	if rep.VoidLookups != 2 { // a:%{o} and exists:%{o}: osender has MX, not A
		t.Errorf("void lookups %d %q, want 2", rep.VoidLookups, rep.VoidNames)
	}
	// Evaluation agrees: the MX host of osender passes through prov-o.
	v, err := spf.Check(ctx, c, netip.MustParseAddr("192.0.2.25"), "helo.example", "a@osender.spf.test")
	if err != nil || v.Result != spf.Pass {
		t.Errorf("Check from osender's MX host: %+v, %v; want pass", v, err)
	}
}

// TestUnrecognized pins what Lint says of records meant as SPF that
// receivers skip: the literal quotes or the leading whitespace, and the
// record as it should be, never spf.missing; IsSPF rejects both.
func TestUnrecognized(t *testing.T) {
	_, c := lintClient(t, "testdata/lint.zone")
	for _, tc := range []struct{ domain, msg, fix string }{
		{"quoted.spf.test", "is wrapped in literal quote characters", "quoted.spf.test.\t300\tIN\tTXT\t\"v=spf1 -all\""},
		{"spaced.spf.test", "starts with whitespace", "spaced.spf.test.\t300\tIN\tTXT\t\"v=spf1 -all\""},
		// Written unquoted: each word is a string, and receivers join
		// them with no space ("v=spf1ip4:192.0.2.1-all" is no SPF record).
		{"unquoted.spf.test", `is the strings "v=spf1" "ip4:192.0.2.1" "-all", which receivers join with no space`, "unquoted.spf.test.\t300\tIN\tTXT\t\"v=spf1 ip4:192.0.2.1 -all\""},
	} {
		_, fs, err := spf.Lint(context.Background(), c, tc.domain)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || !strings.Contains(fs[0].Message, tc.msg) || !strings.HasSuffix(fs[0].FixText(), "\n"+tc.fix) {
			t.Errorf("%s: %v\n%s", tc.domain, fs, fs[0].FixText())
		}
	}
	if spf.IsSPF(`"v=spf1 -all"`) || spf.IsSPF(" v=spf1 -all") {
		t.Error("IsSPF accepts a quoted or indented record")
	}
	for _, tc := range []struct{ in, why, fixed string }{
		{`"v=spf1 -all"`, "quote", "v=spf1 -all"},
		{`"v=spf1 -all`, "quote", "v=spf1 -all"},
		{"\u201cv=spf1 -all\u201d", "quote", "v=spf1 -all"},
		{` "v=DMARC1; p=none" `, "quote", "v=DMARC1; p=none"},
		{"\tv=spf1 -all", "whitespace", "v=spf1 -all"},
		{"v=spf1 -all", "", "v=spf1 -all"},
	} {
		why, fixed := spf.Unwrap(tc.in)
		if !strings.Contains(why, tc.why) || fixed != tc.fixed || (tc.why == "") != (why == "") {
			t.Errorf("Unwrap(%q) = %q, %q; want %q, %q", tc.in, why, fixed, tc.why, tc.fixed)
		}
	}
}

// TestMXLimitReadings pins both readings of RFC 7208 §4.6.4's limit of
// 10 MX names (issue 15): Lint fires spf.mx-limit statically, as soon as
// the mx target has more than 10 MX records, because its count is the
// worst case over clients; evaluation (Check) counts the MX
// records before matching any, so a client that matches the first host
// gets permerror too. Exactly 10 names is within the limit for both.
func TestMXLimitReadings(t *testing.T) {
	zone := func(n int) *resolver.Zones {
		var b strings.Builder
		b.WriteString("@ IN SOA ns h 1 3600 600 86400 300\n@ IN TXT \"v=spf1 mx -all\"\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "@ IN MX %d h%d\nh%d IN A 192.0.2.%d\n", i, i, i, i)
		}
		z, err := resolver.NewZones(resolver.ZoneSource{Origin: "mxl.test", Text: b.String()})
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	ctx := context.Background()
	for _, tc := range []struct {
		names           int
		lint            bool
		first, stranger spf.Result
	}{
		{10, false, spf.Pass, spf.Fail},
		{11, true, spf.PermError, spf.PermError},
	} {
		z := zone(tc.names)
		_, fs, err := spf.Lint(ctx, z, "mxl.test")
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(fixture.RuleIDs(fs), "spf.mx-limit"); got != tc.lint {
			t.Errorf("%d MX names: spf.mx-limit %v, want %v", tc.names, got, tc.lint)
		}
		for ip, want := range map[string]spf.Result{"192.0.2.1": tc.first, "198.51.100.1": tc.stranger} {
			v, err := spf.Check(ctx, z, netip.MustParseAddr(ip), "helo.example", "a@mxl.test")
			if err != nil || v.Result != want {
				t.Errorf("%d MX names, client %s: %+v, %v; want %s", tc.names, ip, v, err, want)
			}
		}
	}
}

// FuzzUnwrap: Unwrap returns a part of its input, says why when it cut
// anything, and has nothing left to cut from what it returns.
func FuzzUnwrap(f *testing.F) {
	for _, s := range []string{`"v=spf1 -all"`, " v=spf1 -all", "\u201cv=DMARC1\u201d", `"`, `""`, "\"'\" x", "v=spf1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		why, fixed := spf.Unwrap(s)
		if !strings.Contains(s, fixed) {
			t.Fatalf("Unwrap(%q) = %q, not a part of it", s, fixed)
		}
		if why == "" && fixed != s {
			t.Fatalf("Unwrap(%q) cut to %q and says nothing", s, fixed)
		}
		if why2, again := spf.Unwrap(fixed); why2 != "" && again != fixed && why != "" {
			t.Fatalf("Unwrap(%q) = %q, which Unwrap cuts again to %q", s, fixed, again)
		}
	})
}
