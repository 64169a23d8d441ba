package check_test

import (
	"context"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// TestDKIMTargetNamedByMXToken: Microsoft names the custom-domain part of
// the DKIM CNAME target after the domain's MX token — "<DomainGUID> is the
// text to the left of .mail.protection.outlook.com in the customized MX
// record for the custom domain" (Microsoft Learn, Use DKIM to validate
// outbound email) — and the token drops the domain's hyphens and may gain
// a suffix (fabrikam-shop.example: fabrikamshop-example0i). CNAMEs naming
// the published MX's token are right, not another domain's key; a token
// that is not the MX's is still wrong.
func TestDKIMTargetNamedByMXToken(t *testing.T) {
	const domain = "fabrikam-shop.example"
	zone := func(token string) string {
		return `$ORIGIN fabrikam-shop.example.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600
@ IN NS ns1
ns1 IN A 192.0.2.1
@ IN MX 0 fabrikamshop-example0i.mail.protection.outlook.com.
@ IN TXT "v=spf1 include:spf.protection.outlook.com -all"
autodiscover IN CNAME autodiscover.outlook.com.
selector1._domainkey IN CNAME selector1-` + token + `._domainkey.fabrikam.onmicrosoft.com.
selector2._domainkey IN CNAME selector2-` + token + `._domainkey.fabrikam.onmicrosoft.com.
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@fabrikam-shop.example"
`
	}
	set := mailSet(t, domain)
	for _, tc := range []struct {
		token string
		want  check.Status
	}{
		{"fabrikam-shop-example", check.OK},  // the documented dashed form
		{"fabrikamshop-example0i", check.OK}, // the MX's token
		{"fabrikamshop-example01b", check.Wrong},
		{"contoso-example", check.Wrong},
	} {
		zones, err := resolver.NewZones(resolver.ZoneSource{Origin: domain, Text: zone(tc.token)})
		if err != nil {
			t.Fatal(err)
		}
		rep := check.Domain(context.Background(), zones, domain, check.Options{Set: &set})
		n := 0
		for _, e := range rep.Diff {
			if e.Purpose == records.DKIM1 || e.Purpose == records.DKIM2 {
				n++
				if e.Status != tc.want {
					t.Errorf("%s: %s %s %s, want %s", tc.token, e.Name, e.Status, e.Why, tc.want)
				}
			}
		}
		if n != 2 {
			t.Errorf("%s: %d DKIM entries, want 2", tc.token, n)
		}
		if tc.want == check.OK && len(findingsOf(rep, "m365.wrong", "")) != 0 {
			t.Errorf("%s: %v", tc.token, findingsOf(rep, "m365.wrong", ""))
		}
	}
}
