package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// subdomainZone is a Microsoft 365 subdomain with no DMARC record of its
// own: its parent's record applies.
const subdomainZone = `$ORIGIN mail.fabrikam.example.
$TTL 3600
@ IN SOA ns1.fabrikam.example. hostmaster.fabrikam.example. 1 7200 3600 1209600 3600
@ IN NS ns1.fabrikam.example.
@ IN MX 0 mail-fabrikam-example.mail.protection.outlook.com.
@ IN TXT "v=spf1 include:spf.protection.outlook.com -all"
autodiscover IN CNAME autodiscover.outlook.com.
selector1._domainkey IN CNAME selector1-mail-fabrikam-example._domainkey.fabrikam.onmicrosoft.com.
selector2._domainkey IN CNAME selector2-mail-fabrikam-example._domainkey.fabrikam.onmicrosoft.com.
`

// tenantKeys are the DKIM keys live in the tenant (Microsoft's side).
const tenantKeys = `$ORIGIN fabrikam.onmicrosoft.com.
$TTL 3600
@ IN SOA ns1.fabrikam.onmicrosoft.com. hostmaster.fabrikam.onmicrosoft.com. 1 7200 3600 1209600 3600
@ IN NS ns1.fabrikam.onmicrosoft.com.
ns1 IN A 192.0.2.2
selector1-mail-fabrikam-example._domainkey IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
selector2-mail-fabrikam-example._domainkey IN TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
`

const parentZone = `$ORIGIN fabrikam.example.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
@ IN NS ns1
ns1 IN A 192.0.2.1
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@fabrikam.example"
`

// parentNone is the parent without a DMARC record: nothing applies.
var parentNone = strings.Replace(parentZone, "_dmarc IN TXT", "_other IN TXT", 1)

// TestDMARCInheritedBySubdomain: Microsoft's DMARC page says subdomains
// inherit the parent domain's DMARC record ("you can eliminate the DMARC
// TXT records in the subdomains and rely on the single DMARC TXT record in
// the parent domain"): a subdomain without its own record is not missing
// DMARC when its parent publishes one, and not known to miss it when the
// parent could not be asked.
func TestDMARCInheritedBySubdomain(t *testing.T) {
	const domain = "mail.fabrikam.example"
	set := mailSet(t, domain)
	for _, tc := range []struct {
		name   string
		parent string
		want   check.Status
		stage  check.Stage
	}{
		{"parent publishes", parentZone, check.OK, check.StageEnforcing},
		{"parent publishes none", parentNone, check.Missing, check.StageSigning},
		{"parent not asked", "", check.Error, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []resolver.ZoneSource{{Origin: domain, Text: subdomainZone}, {Origin: "fabrikam.onmicrosoft.com", Text: tenantKeys}}
			if tc.parent != "" {
				src = append(src, resolver.ZoneSource{Origin: "fabrikam.example", Text: tc.parent})
			}
			zones, err := resolver.NewZones(src...)
			if err != nil {
				t.Fatal(err)
			}
			rep := check.Domain(context.Background(), zones, domain, check.Options{Set: &set})
			for _, e := range rep.Diff {
				if e.Purpose == records.DMARC && e.Status != tc.want {
					t.Errorf("dmarc entry: %s %s, want %s", e.Status, e.Why, tc.want)
				}
			}
			if fs := findingsOf(rep, "m365.missing", "_dmarc."+domain); (len(fs) != 0) != (tc.want == check.Missing) {
				t.Errorf("the parent's DMARC record applies: %v", fs)
			}
			if tc.stage != "" && rep.Onboarding.Stage != tc.stage {
				t.Errorf("stage %s (%s), want %s", rep.Onboarding.Stage, rep.Onboarding.NextStep, tc.stage)
			}
		})
	}
}
