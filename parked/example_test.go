package parked_test

import (
	"context"
	"fmt"
	"log"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/parked"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

// Grade a domain that receives no mail (a null MX) but still publishes a
// permissive SPF record and a DMARC policy of p=none: the one finding names
// what is missing, and its fix gives the records to publish.
func ExampleGrade() {
	ctx := context.Background()
	zone, err := resolver.NewZones(resolver.ZoneSource{Origin: "fabrikam.test", Text: `$ORIGIN fabrikam.test.
@      3600 IN SOA ns1 hostmaster 1 7200 900 1209600 300
@      3600 IN NS  ns1
ns1    3600 IN A   192.0.2.53
@      3600 IN MX  0 .
@      3600 IN TXT "v=spf1 ~all"
_dmarc 3600 IN TXT "v=DMARC1; p=none"
`})
	if err != nil {
		log.Fatal(err)
	}
	in := parked.Input{Domain: "fabrikam.test"}
	if in.MX, _, err = mx.Lookup(ctx, zone, "fabrikam.test"); err != nil {
		log.Fatal(err)
	}
	if in.SPF, _, err = spf.Lint(ctx, zone, "fabrikam.test"); err != nil {
		log.Fatal(err)
	}
	if in.DMARC, _, err = dmarc.Lookup(ctx, zone, "fabrikam.test"); err != nil {
		log.Fatal(err)
	}
	for _, f := range parked.Grade(in) {
		fmt.Println(f.Rule, f.Severity)
		fmt.Println(f.Message)
		for _, e := range f.Fixes[0].Edits {
			fmt.Println(e.Op, e.RR)
		}
	}
	// Output:
	// parked.incomplete warning
	// fabrikam.test sends and receives no mail (it publishes a null MX), so it must also publish: SPF "v=spf1 -all" (it is "v=spf1 ~all"); DMARC p=reject (_dmarc.fabrikam.test has p=none)
	// delete fabrikam.test.	3600	IN	TXT	"v=spf1 ~all"
	// add fabrikam.test.	3600	IN	TXT	"v=spf1 -all"
	// delete _dmarc.fabrikam.test.	3600	IN	TXT	"v=DMARC1; p=none"
	// add _dmarc.fabrikam.test.	3600	IN	TXT	"v=DMARC1; p=reject"
}
