package zoneedit_test

import (
	"fmt"
	"time"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/miekg/dns"
)

// A finding about the SPF record is placed on its line, and its fix — a
// deletion and an addition of the same owner and type — replaces the
// record in place; the SOA serial is raised so that secondaries transfer
// the change. The comments and the layout stay as they were.
func Example() {
	const text = `$ORIGIN contoso.com.
$TTL 3600
@   IN SOA ns1 hostmaster 2026110100 3600 600 1209600 300
@   IN MX  0 contoso-com.mail.protection.outlook.com.
@   IN TXT "v=spf1 include:spf.protection.outlook.com ?all" ; SPF
www IN A   192.0.2.80
`
	f, err := zoneedit.Parse(text, "contoso.com")
	if err != nil {
		panic(err)
	}
	fmt.Println("SPF on line", f.LineOf("contoso.com", dns.TypeTXT, "v=spf1 include:spf.protection.outlook.com ?all"))
	err = f.Apply("contoso.com", []lint.Edit{
		{Op: lint.Delete, RR: `contoso.com. IN TXT "v=spf1 include:spf.protection.outlook.com ?all"`},
		{Op: lint.Add, RR: `contoso.com. 3600 IN TXT "v=spf1 include:spf.protection.outlook.com -all"`},
	})
	if err != nil {
		panic(err)
	}
	was, now, _ := f.BumpSerial(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC))
	fmt.Println("serial", was, "->", now)
	fmt.Print(f.String())
	// Output:
	// SPF on line 5
	// serial 2026110100 -> 2026110200
	// $ORIGIN contoso.com.
	// $TTL 3600
	// @   IN SOA ns1 hostmaster 2026110200 3600 600 1209600 300
	// @   IN MX  0 contoso-com.mail.protection.outlook.com.
	// @   IN TXT "v=spf1 include:spf.protection.outlook.com -all" ; SPF
	// www IN A   192.0.2.80
}
