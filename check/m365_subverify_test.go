package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// TestSubdomainOfVerifiedDomain: "If you want to add a subdomain … you
// should first add and verify the root domain … The subdomain is
// automatically verified by Microsoft Entra ID" (Microsoft Learn, Add your
// custom domain name / Manage custom domain names). A subdomain whose
// parent publishes its MS= record is not told to publish one of its own.
func TestSubdomainOfVerifiedDomain(t *testing.T) {
	const domain = "mail.fabrikam.example"
	set := mailSet(t, domain)
	for _, tc := range []struct {
		name, parent string
		want         check.Stage
	}{
		{"parent verified", strings.Replace(parentZone, "ns1 IN A", "@ IN TXT \"MS=ms12345678\"\nns1 IN A", 1), check.StageEnforcing},
		{"parent without MS=", parentZone, check.StageUnverified},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// No DKIM keys answer: the MS= record is the only evidence.
			zones, err := resolver.NewZones(resolver.ZoneSource{Origin: domain, Text: subdomainZone}, resolver.ZoneSource{Origin: "fabrikam.example", Text: tc.parent})
			if err != nil {
				t.Fatal(err)
			}
			rep := check.Domain(context.Background(), zones, domain, check.Options{Set: &set})
			if rep.Onboarding.Stage != tc.want {
				t.Errorf("stage %s (%s), want %s", rep.Onboarding.Stage, rep.Onboarding.NextStep, tc.want)
			}
		})
	}
}

// mailSet is the Microsoft 365 set of domain for tenant fabrikam, mail
// only (Exchange, DKIM, DMARC).
func mailSet(t *testing.T, domain string) records.Set {
	t.Helper()
	set, err := records.M365(domain, records.Options{Tenant: "fabrikam", Workloads: []records.Workload{records.WorkloadExchange, records.WorkloadDKIM, records.WorkloadDMARC}})
	if err != nil {
		t.Fatal(err)
	}
	return set
}
