package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

	// The selector points outside the file: offline, it is not asked.
	_, err = zones.Lookup(ctx, "selector1._domainkey.contoso.example", dns.TypeTXT)
	fmt.Println(err, errors.Is(err, resolver.ErrUnverified))
	// Output:
	// TXT strings: [["v=spf1 include:spf.protection.outlook.com" " -all"]]
	// www NXDOMAIN: true
	// apex MX NODATA: true
	// lookup selector1-contoso-example._domainkey.contoso.onmicrosoft.example TXT: not verified offline true
}

// A snapshot holds the answers a live run got for names outside the zone
// files (domainlint -snapshot writes one); an offline run answers from it.
func ExampleSnapshot() {
	snap, err := resolver.ReadSnapshot(strings.NewReader(`; domainlint snapshot 1
;? spf.protection.outlook.com. TXT NOERROR
spf.protection.outlook.com. 3600 IN TXT "v=spf1 ip4:40.92.0.0/15 -all"
;? _dmarc.com. TXT NXDOMAIN
`), "example.snapshot")
	if err != nil {
		fmt.Println(err)
		return
	}
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@ IN SOA ns hostmaster 1 3600 600 86400 300
@ IN TXT "v=spf1 include:spf.protection.outlook.com -all"
`})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := zones.WithFallback(snap)
	ctx := context.Background()

	a, _ := r.Lookup(ctx, "spf.protection.outlook.com", dns.TypeTXT)
	fmt.Printf("recorded: %q\n", a.TXT())
	a, _ = r.Lookup(ctx, "_dmarc.com", dns.TypeTXT)
	fmt.Println("recorded NXDOMAIN:", a.NXDomain())
	_, err = r.Lookup(ctx, "sendgrid.net", dns.TypeTXT)
	fmt.Println("not recorded:", errors.Is(err, resolver.ErrUnverified))
	// Output:
	// recorded: [["v=spf1 ip4:40.92.0.0/15 -all"]]
	// recorded NXDOMAIN: true
	// not recorded: true
}

// A Client shares one cache among all its callers; WithBudget bounds the
// packets one context may send.
func ExampleWithBudget() {
	ctx := resolver.WithBudget(context.Background(), 50)
	// client.Lookup(ctx, …) for each question of one domain's check, then:
	fmt.Println(resolver.BudgetFrom(ctx).Used(), "of", resolver.BudgetFrom(ctx).Max(), "packets used")
	// Output: 0 of 50 packets used
}
