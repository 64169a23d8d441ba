package enforce_test

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/resolver"
)

func proposed(t *testing.T) resolver.Resolver {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: "testdata/contoso.test.zone", Domain: "contoso.test"}, resolver.ZoneSource{File: "testdata/world.zone"})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func rowsOf(rows ...enforce.Row) func(func(enforce.Row) bool) {
	return func(yield func(enforce.Row) bool) {
		for _, r := range rows {
			if !yield(r) {
				return
			}
		}
	}
}

func pass(dkimPass, spfPass bool) enforce.Reported {
	word := map[bool]string{true: "pass", false: "fail"}
	return enforce.Reported{Disposition: "none", DKIM: word[dkimPass], SPF: word[spfPass]}
}

var (
	own       = netip.MustParseAddr("192.0.2.10")
	own6      = netip.MustParseAddr("2001:db8:25::10")
	provider  = netip.MustParseAddr("198.51.100.7")
	mailer    = netip.MustParseAddr("203.0.113.9")
	forwarder = netip.MustParseAddr("100.64.0.5")
	stranger  = netip.MustParseAddr("233.252.0.1")
)

// TestScenarios: the what-if scenarios of the issue, each a set of rows
// against the proposed zone with the expected fate per source.
func TestScenarios(t *testing.T) {
	ctx := context.Background()
	rows := []enforce.Row{
		// The own servers, SPF and DKIM aligned: delivered.
		{Source: own, Count: 5000, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
			DKIM: []enforce.DKIM{{Domain: "contoso.test", Selector: "s2024", Result: "pass"}},
			SPF:  []enforce.SPF{{Domain: "contoso.test", Scope: "mfrom", Result: "pass"}}, Reported: pass(true, true)},
		// An IPv6 source in the record: delivered.
		{Source: own6, Count: 40, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
			SPF: []enforce.SPF{{Domain: "contoso.test", Scope: "mfrom", Result: "pass"}}, Reported: pass(false, true)},
		// A third-party sender without custom DKIM: SPF passes for its own
		// bounce domain (not aligned), DKIM d=mailer.test (not aligned).
		{Source: mailer, Count: 1180, HeaderFrom: "contoso.test", EnvelopeFrom: "bounces.mailer.test",
			DKIM: []enforce.DKIM{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
			SPF:  []enforce.SPF{{Domain: "bounces.mailer.test", Scope: "mfrom", Result: "pass"}}, Reported: pass(false, false)},
		// Forwarding: SPF breaks, the aligned DKIM signature survives.
		{Source: forwarder, Count: 24, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
			DKIM: []enforce.DKIM{{Domain: "contoso.test", Selector: "s2024", Result: "pass"}},
			SPF:  []enforce.SPF{{Domain: "contoso.test", Scope: "mfrom", Result: "fail"}}, Reported: pass(true, false)},
		// Signed with a selector the proposed zone removes; its SPF fails
		// too (a host not in the record): it passes today, breaks after.
		{Source: stranger, Count: 300, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
			DKIM: []enforce.DKIM{{Domain: "contoso.test", Selector: "s2019", Result: "pass"}},
			SPF:  []enforce.SPF{{Domain: "contoso.test", Scope: "mfrom", Result: "fail"}}, Reported: pass(true, false)},
		// A subdomain under sp=quarantine, from a host outside its record.
		{Source: provider, Count: 12, HeaderFrom: "news.contoso.test", EnvelopeFrom: "news.contoso.test",
			SPF: []enforce.SPF{{Domain: "news.contoso.test", Scope: "mfrom", Result: "pass"}}, Reported: pass(false, true)},
		// aspf=s on strict.contoso.test: a bounce subdomain no longer aligns.
		{Source: own, Count: 7, HeaderFrom: "strict.contoso.test", EnvelopeFrom: "bounce.strict.contoso.test",
			SPF: []enforce.SPF{{Domain: "bounce.strict.contoso.test", Scope: "mfrom", Result: "pass"}}, Reported: pass(false, true)},
		// Another domain's rows are not this domain's question.
		{Source: own, Count: 3, HeaderFrom: "fabrikam.test", Reported: pass(false, false)},
	}
	res, err := enforce.Evaluate(ctx, proposed(t), "contoso.test", rowsOf(rows...), enforce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Policy != "reject" || res.Messages != 5000+40+1180+24+300+12+7 || res.NotEvaluated != 3 {
		t.Errorf("policy %s, messages %d, not evaluated %d", res.Policy, res.Messages, res.NotEvaluated)
	}
	src := func(a netip.Addr) *enforce.Source {
		for i := range res.Sources {
			if res.Sources[i].Addr == a {
				return &res.Sources[i]
			}
		}
		return nil
	}
	for _, a := range []netip.Addr{own6, forwarder} {
		if s := src(a); s != nil && s.Rejected+s.Quarantined > 0 {
			t.Errorf("%s: %+v, want delivered", a, s)
		}
	}
	if s := src(mailer); s == nil || s.Rejected != 1180 || s.Breaks != 0 || s.Lost != 1180 ||
		!slices.ContainsFunc(s.Advice, func(a string) bool {
			return strings.Contains(a, "SPF cannot align: set up DKIM signing with d=contoso.test at mailer.test")
		}) {
		t.Errorf("third-party sender: %+v", s)
	}
	if s := src(stranger); s == nil || s.Rejected != 300 || s.Breaks != 300 ||
		!slices.ContainsFunc(s.Advice, func(a string) bool { return strings.Contains(a, "keep the DKIM key at s2019._domainkey.contoso.test") }) {
		t.Errorf("removed selector: %+v", s)
	}
	if s := src(provider); s == nil || s.Quarantined != 12 || s.Breaks != 12 {
		t.Errorf("subdomain under sp=quarantine: %+v", s)
	}
	if res.Breaks != 300+12+7 || res.Rejected != 1180+300+7 || res.Quarantined != 12 {
		t.Errorf("breaks %d, rejected %d, quarantined %d", res.Breaks, res.Rejected, res.Quarantined)
	}
	if res.Safe(10) {
		t.Error("called safe")
	}
}

// TestIncludeAdvice: a provider that sends with the domain's own MAIL
// FROM from an address its SPF record does not list: the advice is the
// provider's include, with the lookup count after it.
func TestIncludeAdvice(t *testing.T) {
	rows := rowsOf(enforce.Row{Source: mailer, Count: 50, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
		DKIM: []enforce.DKIM{{Domain: "mailer.test", Selector: "m1", Result: "pass"}},
		SPF:  []enforce.SPF{{Domain: "contoso.test", Result: "fail"}}, Reported: pass(false, false)})
	res, err := enforce.Evaluate(context.Background(), proposed(t), "contoso.test", rows, enforce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) != 1 || !slices.Contains(res.Sources[0].Advice, "add include:mailer.test to the SPF record of contoso.test (mailer.test's record passes 203.0.113.9; +1 lookup: 2 of 10); or sign with DKIM d=contoso.test there (aligned DKIM passes DMARC whatever the MAIL FROM)") {
		t.Errorf("%+v", res.Sources)
	}
}

// TestAsPolicy: a zone still at p=none asked "what if p=reject?".
func TestAsPolicy(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Domain: "none.test", Text: "@ IN SOA ns.none.test. h 1 3600 600 86400 300\n@ IN NS ns.none.test.\n@ IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@none.test\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(enforce.Row{Source: stranger, Count: 10, HeaderFrom: "none.test", EnvelopeFrom: "none.test", SPF: []enforce.SPF{{Domain: "none.test", Result: "fail"}}, Reported: pass(false, false)})
	res, err := enforce.Evaluate(context.Background(), z, "none.test", rows, enforce.Options{})
	if err != nil || res.Unpoliced != 10 || res.Rejected != 0 {
		t.Fatalf("as published: %+v, %v", res, err)
	}
	res, err = enforce.Evaluate(context.Background(), z, "none.test", rows, enforce.Options{Policy: "reject"})
	if err != nil || res.Rejected != 10 || res.Policy != "reject" {
		t.Fatalf("as p=reject: %+v, %v", res, err)
	}
}

// TestGroupBound: rows past MaxKeys distinct groups are counted as not
// evaluated, not held: memory follows the bound, not the reports.
func TestGroupBound(t *testing.T) {
	const n = 5000
	rows := func(yield func(enforce.Row) bool) {
		for i := range n {
			a := netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)})
			if !yield(enforce.Row{Source: a, Count: 2, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
				SPF: []enforce.SPF{{Domain: "contoso.test", Result: "fail"}}, Reported: pass(false, false)}) {
				return
			}
		}
	}
	res, err := enforce.Evaluate(context.Background(), proposed(t), "contoso.test", rows, enforce.Options{MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 2000 || res.NotEvaluated != 2*(n-1000) {
		t.Errorf("messages %d, not evaluated %d", res.Messages, res.NotEvaluated)
	}
}

// TestNarrowestInclude: the include suggested is the narrowest record
// that passes the source (email.freshdesk.test, one lookup), not the
// provider's company-wide record; under aspf=s, none is suggested for a
// MAIL FROM that is not the From domain.
func TestNarrowestInclude(t *testing.T) {
	src := netip.MustParseAddr("198.18.0.7")
	row := enforce.Row{Source: src, Count: 9, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
		DKIM: []enforce.DKIM{{Domain: "freshdesk.test", Selector: "fd", Result: "pass"}},
		SPF:  []enforce.SPF{{Domain: "contoso.test", Result: "fail"}}, Reported: pass(false, false)}
	res, err := enforce.Evaluate(context.Background(), proposed(t), "contoso.test", rowsOf(row), enforce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) != 1 || !slices.ContainsFunc(res.Sources[0].Advice, func(a string) bool { return strings.HasPrefix(a, "add include:email.freshdesk.test ") }) {
		t.Errorf("%+v", res.Sources)
	}
	row.HeaderFrom, row.EnvelopeFrom = "strict.contoso.test", "bounce.strict.contoso.test"
	row.SPF = []enforce.SPF{{Domain: "bounce.strict.contoso.test", Result: "fail"}}
	res, err = enforce.Evaluate(context.Background(), proposed(t), "contoso.test", rowsOf(row), enforce.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources) != 1 || slices.ContainsFunc(res.Sources[0].Advice, func(a string) bool { return strings.HasPrefix(a, "add include:") }) {
		t.Errorf("aspf=s: %+v", res.Sources)
	}
}
