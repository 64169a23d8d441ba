package spf_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

const costZone = `
$ORIGIN cost.test.
@       IN SOA ns hostmaster 1 3600 600 86400 300
host    IN A     192.0.2.1
host6   IN AAAA  2001:db8::1
nodata  IN MX    10 host.cost.test.
five    IN MX    1 h1.cost.test.
five    IN MX    2 h2.cost.test.
five    IN MX    3 h3.cost.test.
five    IN MX    4 h4.cost.test.
five    IN MX    5 h5.cost.test.
inc     IN TXT   "v=spf1 ip4:192.0.2.0/24 -all"
inc2    IN TXT   "v=spf1 a:host.cost.test mx:five.cost.test -all"
notspf  IN TXT   "hello"
t-all      IN TXT "v=spf1 -all"
t-ip       IN TXT "v=spf1 ip4:192.0.2.1 ip6:2001:db8::/32 -all"
t-include  IN TXT "v=spf1 include:inc.cost.test -all"
t-nested   IN TXT "v=spf1 include:inc2.cost.test -all"
t-a        IN TXT "v=spf1 a:host.cost.test -all"
t-a6       IN TXT "v=spf1 a:host6.cost.test -all"
t-a-void   IN TXT "v=spf1 a:nodata.cost.test -all"
t-a-nx     IN TXT "v=spf1 a:nx.cost.test -all"
t-a-self   IN TXT "v=spf1 a -all"
t-mx       IN TXT "v=spf1 mx:five.cost.test -all"
t-mx-void  IN TXT "v=spf1 mx:host.cost.test -all"
t-ptr      IN TXT "v=spf1 ptr -all"
t-exists   IN TXT "v=spf1 exists:host.cost.test -all"
t-ex-void  IN TXT "v=spf1 exists:nx.cost.test -all"
t-redirect IN TXT "v=spf1 redirect=inc.cost.test"
t-exp      IN TXT "v=spf1 -all exp=explain.cost.test"
t-inc-nx   IN TXT "v=spf1 include:nx.cost.test -all"
t-inc-txt  IN TXT "v=spf1 include:notspf.cost.test -all"
t-macro    IN TXT "v=spf1 include:%{l}.cost.test -all"
t-redir-all IN TXT "v=spf1 -all redirect=inc.cost.test"
`

// TestCostModel pins down, term by term, what counts toward the limit of
// 10 and toward the 2 void lookups (RFC 7208 §4.6.4), and how many DNS
// questions the walk asks.
func TestCostModel(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "cost.test", Text: costZone})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		lookups, void int
		why           string
	}{
		{"t-all", 0, 0, "all costs nothing"},
		{"t-ip", 0, 0, "ip4 and ip6 cost nothing"},
		{"t-include", 1, 0, "include costs 1, plus what the included record costs (0 here)"},
		{"t-nested", 3, 0, "include 1 + a 1 + mx 1 inside it"},
		{"t-a", 1, 0, "a costs 1"},
		{"t-a6", 1, 0, "a with only AAAA is not void"},
		{"t-a-void", 1, 1, "a on a name with neither A nor AAAA: void (NODATA)"},
		{"t-a-nx", 1, 1, "a on a name that does not exist: void (NXDOMAIN)"},
		{"t-a-self", 1, 1, "a without a domain looks up the current domain"},
		{"t-mx", 1, 0, "mx costs 1 whatever the number of MX names: their address lookups count toward the mx limit of 10, not toward the 10"},
		{"t-mx-void", 1, 1, "mx on a name with no MX: void"},
		{"t-ptr", 1, 0, "ptr costs 1 (its lookups depend on the client, so are not made)"},
		{"t-exists", 1, 0, "exists costs 1"},
		{"t-ex-void", 1, 1, "exists on a missing name: void"},
		{"t-redirect", 1, 0, "redirect costs 1, plus the target's terms"},
		{"t-exp", 0, 0, "exp= is not counted: it is looked up only to explain a fail"},
		{"t-inc-nx", 1, 1, "include of a missing name costs 1 and is void"},
		{"t-inc-txt", 1, 0, "include of a name with TXT but no SPF costs 1 and is not void (an answer came)"},
		{"t-macro", 1, 0, "a macro target costs 1 itself; what is below it is unknown"},
		{"t-redir-all", 0, 0, "redirect next to all is never used: not counted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, _, err := spf.Linter{SkipSPFType: true}.Lint(context.Background(), z, tc.name+".cost.test")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Lookups != tc.lookups || rep.VoidLookups != tc.void {
				t.Errorf("%s: lookups %d, void %d; want %d, %d\n%s", tc.why, rep.Lookups, rep.VoidLookups, tc.lookups, tc.void, rep.Tree())
			}
		})
	}
}

// TestCountsPastTen: the count goes on past 10, names the crossing term,
// lists every void lookup (each evaluation of a term is one, so a repeated
// void term counts each time), and the walk asks each question once.
func TestCountsPastTen(t *testing.T) {
	var b strings.Builder
	b.WriteString("$ORIGIN many.test.\n@ IN SOA ns hostmaster 1 3600 600 86400 300\n")
	b.WriteString(`@ IN TXT "v=spf1 include:a.many.test include:b.many.test a:v1.many.test a:v2.many.test -all"` + "\n")
	b.WriteString(`a IN TXT "v=spf1 a:h.many.test a:h.many.test a:h.many.test a:h.many.test a:h.many.test -all"` + "\n")
	b.WriteString(`b IN TXT "v=spf1 mx:h.many.test mx:h.many.test mx:h.many.test -all"` + "\n")
	b.WriteString("h IN A 192.0.2.1\n")
	srv2 := dnstest.New(t, resolver.ZoneSource{Origin: "many.test", Text: b.String()})
	c2, _ := resolver.New(resolver.Config{Servers: []string{srv2.Addr}})
	rep, fs, err := spf.Linter{SkipSPFType: true}.Lint(context.Background(), c2, "many.test")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lookups != 12 {
		t.Errorf("lookups = %d, want 12\n%s", rep.Lookups, rep.Tree())
	}
	if want := `"a:v1.many.test" in the record of many.test`; rep.CrossedAt != want {
		t.Errorf("crossed at %s, want %s", rep.CrossedAt, want)
	}
	if diff := cmp.Diff([]string{"h.many.test", "h.many.test", "h.many.test", "v1.many.test", "v2.many.test"}, rep.VoidNames); diff != "" {
		t.Errorf("void names (-want +got):\n%s", diff)
	}
	if got := ruleIDs(fs); !cmp.Equal(got, []string{"spf.duplicate-term", "spf.lookup-limit", "spf.void-lookup-limit"}) {
		t.Errorf("rules = %v", got)
	}
	// a:h is asked once for A (cached after); mx:h once for MX.
	if n := srv2.Count("h.many.test", dns.TypeA); n != 1 {
		t.Errorf("h A asked %d times, want 1", n)
	}
	if n := srv2.Count("h.many.test", dns.TypeMX); n != 1 {
		t.Errorf("h MX asked %d times, want 1", n)
	}
}

// TestRawKeptWhenBroken: the strings as published stay in the report even
// when the record does not parse.
func TestRawKeptWhenBroken(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "raw.test", Text: "@ IN SOA ns h 1 2 3 4 5\n" + `@ IN TXT "v=spf1 ip4:1.2.3.4/99" " foo:bar -all"` + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := spf.Linter{SkipSPFType: true}.Lint(context.Background(), z, "raw.test")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"v=spf1 ip4:1.2.3.4/99", " foo:bar -all"}}, rep.Root.Strings); diff != "" {
		t.Errorf("strings (-want +got):\n%s", diff)
	}
	var spans []string
	for _, f := range fs {
		if f.Rule == "spf.syntax" {
			spans = append(spans, f.Record[f.Span.Start:f.Span.End])
		}
	}
	if diff := cmp.Diff([]string{"ip4:1.2.3.4/99", "foo:bar"}, spans); diff != "" {
		t.Errorf("syntax spans (-want +got):\n%s", diff)
	}
}

// TestStringBoundarySeverity: a split inside a term is a warning, unless
// the string before it is a full 255 octets (an automatic split): info.
func TestStringBoundarySeverity(t *testing.T) {
	long := "v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 17) // 245 octets
	long += "ip4:192.0.2.1"                                  // past 255: the split falls inside this term
	auto := []string{long[:255], long[255:] + " -all"}
	zone := "@ IN SOA ns h 1 2 3 4 5\n" +
		`auto IN TXT "` + auto[0] + `" "` + auto[1] + `"` + "\n" +
		`glued IN TXT "v=spf1 include:a.example" "include:b.example -all"` + "\n"
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "split.test", Text: zone})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"auto": "info", "glued": "warning"} {
		_, fs, _ := spf.Linter{SkipSPFType: true}.Lint(context.Background(), z, name+".split.test")
		got := ""
		for _, f := range fs {
			if f.Rule == "spf.string-boundary" {
				got = f.Severity.String()
			}
		}
		if got != want {
			t.Errorf("%s: string-boundary severity %q, want %q (%v)", name, got, want, fs)
		}
	}
}
