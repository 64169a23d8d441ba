package check_test

import (
	"context"
	"iter"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

func reportRows(rows ...enforce.Row) func(context.Context) iter.Seq[enforce.Row] {
	return func(context.Context) iter.Seq[enforce.Row] { return slices.Values(rows) }
}

// TestEnforceCheck: with aggregate-report rows, the check says which
// mail the zone's policy would reject, at its DMARC record, and a zone at
// p=none is told whether p=quarantine is safe.
func TestEnforceCheck(t *testing.T) {
	ctx := context.Background()
	z, err := resolver.NewZones(resolver.ZoneSource{File: "../enforce/testdata/contoso.test.zone", Domain: "contoso.test"}, resolver.ZoneSource{File: "../enforce/testdata/world.zone"})
	if err != nil {
		t.Fatal(err)
	}
	old := netip.MustParseAddr("233.252.0.1")
	rows := reportRows(
		enforce.Row{Source: netip.MustParseAddr("192.0.2.10"), Count: 900, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
			SPF: []enforce.SPF{{Domain: "contoso.test", Result: "pass"}}, Reported: enforce.Reported{Disposition: "none", SPF: "pass", DKIM: "fail"}},
		enforce.Row{Source: old, Count: 300, HeaderFrom: "contoso.test", EnvelopeFrom: "contoso.test",
			DKIM: []enforce.DKIM{{Domain: "contoso.test", Selector: "s2019", Result: "pass"}},
			SPF:  []enforce.SPF{{Domain: "contoso.test", Result: "fail"}}, Reported: enforce.Reported{Disposition: "none", SPF: "fail", DKIM: "pass"}})
	rep := check.Domain(ctx, z, "contoso.test", check.Options{Reports: rows})
	if rep.Enforcement == nil || rep.Enforcement.Breaks != 300 {
		t.Fatalf("enforcement %+v, errors %v", rep.Enforcement, rep.Errors)
	}
	i := slices.IndexFunc(rep.Findings, func(f lint.Finding) bool { return f.Rule == "enforce.breaks" })
	if i < 0 || rep.Findings[i].Name != "_dmarc.contoso.test" || !strings.Contains(rep.Findings[i].Message, "300 of 1,200") || !strings.Contains(rep.Findings[i].Record, "p=reject") {
		t.Errorf("findings %v", rep.Findings)
	}

	// A zone at p=none: the next step weighs p=quarantine on the reports.
	none, err := resolver.NewZones(resolver.ZoneSource{Domain: "good.example", Text: "@ IN SOA ns1 h 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n@ IN TXT \"MS=ms77777777\"\n@ IN MX 0 good-example.mail.protection.outlook.com.\nautodiscover IN CNAME autodiscover.outlook.com.\n@ IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@good.example\"\n"},
		resolver.ZoneSource{File: "testdata/m365/providers.zone"})
	if err != nil {
		t.Fatal(err)
	}
	set, err := records.M365("good.example", records.Options{Tenant: "good", Workloads: []records.Workload{records.WorkloadExchange, records.WorkloadDMARC}})
	if err != nil {
		t.Fatal(err)
	}
	stranger := reportRows(enforce.Row{Source: old, Count: 50, HeaderFrom: "good.example", EnvelopeFrom: "good.example",
		SPF: []enforce.SPF{{Domain: "good.example", Result: "fail"}}, Reported: enforce.Reported{Disposition: "none", SPF: "fail", DKIM: "fail"}})
	rep = check.Domain(ctx, none, "good.example", check.Options{Set: &set, Reports: stranger})
	if next := rep.NextStep(); !strings.HasPrefix(next, "Not yet p=quarantine: it would quarantine or reject 50 of 50") {
		t.Errorf("next step %q (enforcement %+v)", next, rep.Enforcement)
	}
	rep = check.Domain(ctx, none, "good.example", check.Options{Set: &set, Reports: reportRows()})
	if next := rep.NextStep(); strings.Contains(next, "Not yet") {
		t.Errorf("no reports: next step %q", next)
	}
}
