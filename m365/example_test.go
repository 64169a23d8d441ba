package m365_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/m365"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

const zone = `
$TTL 3600
@      IN SOA ns1 hostmaster 1 3600 600 86400 300
@      IN NS  ns1
ns1    IN A   192.0.2.53
@      IN TXT "MS=ms12345678"
@      IN MX  10 mail.fabrikam.example.
mail   IN A   192.0.2.25
@      IN TXT "v=spf1 ip4:192.0.2.25 -all"
`

// Run the Microsoft 365 check, and the SPF and DKIM checks it requires,
// over a zone file before it is deployed: the diff, and the one next step.
func Example() {
	zones, err := resolver.NewZones(resolver.ZoneSource{Domain: "fabrikam.example", Text: zone})
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := records.M365("fabrikam.example", records.Options{Tenant: "fabrikam", Workloads: []records.Workload{records.WorkloadExchange}})
	if err != nil {
		fmt.Println(err)
		return
	}
	spfCheck := spf.NewCheck(spf.Linter{})
	dkimCheck := dkim.NewCheck(dkim.CheckOptions{Expected: m365.Selectors(&set)})
	c := m365.NewCheck(&set, spfCheck, dkimCheck)
	rep := check.Domain(context.Background(), zones, "fabrikam.example", check.Options{Checks: []*analysis.Check{c}})
	for _, e := range rep.Diff {
		fmt.Printf("%-8s %-12s %s\n", e.Status, e.Purpose, e.Name)
	}
	fmt.Println(rep.Stage())
	// Output:
	// wrong    mx           fabrikam.example
	// wrong    spf          fabrikam.example
	// missing  autodiscover autodiscover.fabrikam.example
	// ok       msoid        msoid.fabrikam.example
	// old-provider
}
