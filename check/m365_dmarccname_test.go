package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// TestDMARCThroughCNAME: a _dmarc CNAME to a TXT record elsewhere (a
// shared policy, a DMARC vendor) is what receivers read, since the TXT
// query follows the CNAME: the diff reads the record it leads to, and
// never advises publishing p=none over it.
func TestDMARCThroughCNAME(t *testing.T) {
	const domain = "fabrikam.example"
	zone := `$ORIGIN fabrikam.example.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
@ IN NS ns1
ns1 IN A 192.0.2.1
@ IN MX 0 fabrikam-example.mail.protection.outlook.com.
@ IN TXT "v=spf1 include:spf.protection.outlook.com -all"
@ IN TXT "MS=ms12345678"
autodiscover IN CNAME autodiscover.outlook.com.
selector1._domainkey IN CNAME selector1-fabrikam-example._domainkey.fabrikam.onmicrosoft.com.
selector2._domainkey IN CNAME selector2-fabrikam-example._domainkey.fabrikam.onmicrosoft.com.
_dmarc IN CNAME shared-policy.contoso.example.
`
	policy := func(txt string) string {
		return `$ORIGIN contoso.example.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
@ IN NS ns1
ns1 IN A 192.0.2.1
shared-policy IN TXT "` + txt + `"
`
	}
	set := mailSet(t, domain)
	for _, tc := range []struct {
		txt   string
		want  check.Status
		stage check.Stage
	}{
		{"v=DMARC1; p=reject; rua=mailto:d@contoso.example", check.OK, check.StageEnforcing},
		{"v=DMARC1; p=none; rua=mailto:d@contoso.example", check.OK, check.StageMonitoring},
		{"v=DMARC1; p=none", check.Wrong, check.StageMonitoring},
		{"not a policy", check.Missing, check.StageSigning},
	} {
		zones, err := resolver.NewZones(resolver.ZoneSource{Origin: domain, Text: zone}, resolver.ZoneSource{Origin: "contoso.example", Text: policy(tc.txt)})
		if err != nil {
			t.Fatal(err)
		}
		rep := check.Domain(context.Background(), zones, domain, check.Options{Set: &set})
		for _, e := range rep.Diff {
			if e.Purpose == records.DMARC && e.Status != tc.want {
				t.Errorf("%s: dmarc %s %s, want %s", tc.txt, e.Status, e.Why, tc.want)
			}
		}
		for _, f := range rep.Findings {
			if f.Name == "_dmarc."+domain && strings.Contains(f.FixText(), "_dmarc."+domain+".\t3600\tIN\tTXT") {
				t.Errorf("%s: a fix writes a TXT record beside the CNAME: %s", tc.txt, f.FixText())
			}
		}
		if rep.Onboarding.Stage != tc.stage {
			t.Errorf("%s: stage %s (%s), want %s", tc.txt, rep.Onboarding.Stage, rep.Onboarding.NextStep, tc.stage)
		}
	}
}
