package resolver_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// A zone file is linted before it is deployed by answering from it.
func ExampleZones() {
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@                    IN SOA   ns hostmaster 1 3600 600 86400 300
@                    IN TXT   "v=spf1 include:spf.protection.outlook.com" " -all"
selector1._domainkey IN CNAME selector1-contoso-example._domainkey.contoso.onmicrosoft.example.
`})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	a, _ := zones.Lookup(ctx, "contoso.example", dns.TypeTXT)
	fmt.Printf("TXT strings: %q\n", a.TXT())

	a, _ = zones.Lookup(ctx, "www.contoso.example", dns.TypeA)
	fmt.Println("www NXDOMAIN:", a.NXDomain())

	a, _ = zones.Lookup(ctx, "contoso.example", dns.TypeMX)
	fmt.Println("apex MX NODATA:", a.NoData())

	_, err = zones.Lookup(ctx, "selector1._domainkey.contoso.example", dns.TypeTXT)
	fmt.Println(err)
	// Output:
	// TXT strings: [["v=spf1 include:spf.protection.outlook.com" " -all"]]
	// www NXDOMAIN: true
	// apex MX NODATA: true
	// lookup selector1-contoso-example._domainkey.contoso.onmicrosoft.example TXT: REFUSED: name is in no loaded zone
}

// A Client shares one cache among all its callers; WithBudget bounds the
// packets one context may send.
func ExampleWithBudget() {
	ctx := resolver.WithBudget(context.Background(), 50)
	// client.Lookup(ctx, …) for each question of one domain's check, then:
	fmt.Println(resolver.BudgetFrom(ctx).Used(), "of", resolver.BudgetFrom(ctx).Max(), "packets used")
	// Output: 0 of 50 packets used
}
