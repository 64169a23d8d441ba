package zonecheck_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonecheck"
)

// A zone file whose autodiscover name holds a CNAME and a TXT record: the
// server refuses the CNAME's name any other data (RFC 1034 §3.6.2).
func ExampleNewCheck() {
	z, err := resolver.NewZones(resolver.ZoneSource{Domain: "example.org", Text: `$TTL 3600
@             SOA  ns1 hostmaster 2026120501 7200 900 1209600 3600
@             NS   ns1
ns1           A    192.0.2.53
autodiscover  CNAME autodiscover.outlook.com.
autodiscover  TXT  "owner=it"
`})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := check.Domain(context.Background(), z, "example.org", check.Options{Checks: []*analysis.Check{zonecheck.NewCheck()}})
	for _, f := range rep.Findings {
		fmt.Println(f.Rule, f.Name)
	}
	// Output:
	// zone.cname-and-other-data autodiscover.example.org
}
