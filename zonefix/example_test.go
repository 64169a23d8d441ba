package zonefix_test

import (
	"context"
	"fmt"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonefix"
)

// A zone without a DMARC record, fixed offline: the fix is proven on the
// zone as its server loads it, the serial raised, and the diff printed.
// (A bot would write res.After to the file and open a pull request.)
func ExampleFix() {
	zone := `$ORIGIN example.org.
$TTL 3600
@       IN SOA ns.example.net. hostmaster ( 2026010100 3600 600 1209600 300 )
@       IN NS  ns.example.net.
@       IN MX  0 .
@       IN TXT "v=spf1 -all"
`
	res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{{File: "example.org.zone", Text: zone, Domain: "example.org"}},
		"example.org", zonefix.Options{Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range res.Applied {
		fmt.Println("fixed:", a.Finding.Rule)
	}
	fmt.Print(zonefix.Diff("example.org.zone", res.Before, res.After))
	// Output:
	// fixed: dmarc.missing
	// fixed: parked.incomplete
	// --- example.org.zone
	// +++ example.org.zone
	// @@ -1,6 +1,7 @@
	//  $ORIGIN example.org.
	//  $TTL 3600
	// -@       IN SOA ns.example.net. hostmaster ( 2026010100 3600 600 1209600 300 )
	// +@       IN SOA ns.example.net. hostmaster ( 2026120400 3600 600 1209600 300 )
	//  @       IN NS  ns.example.net.
	//  @       IN MX  0 .
	//  @       IN TXT "v=spf1 -all"
	// +_dmarc  IN TXT "v=DMARC1; p=reject"
}
