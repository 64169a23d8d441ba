package spf_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

func ExampleParse() {
	r, err := spf.Parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range r.Terms {
		fmt.Printf("%-24s bytes %d-%d, costs a lookup: %v\n", t, t.Span.Start, t.Span.End, t.CostsLookup())
	}
	_, err = spf.Parse("v=spf1 ip4:192.0.2.0/33 -all")
	fmt.Println(err)
	// Output:
	// ip4:192.0.2.0/24         bytes 7-23, costs a lookup: false
	// include:_spf.example.net bytes 24-48, costs a lookup: true
	// ~all                     bytes 49-53, costs a lookup: false
	// spf: term "ip4:192.0.2.0/33" at offset 7: /33 is not a prefix length from 0 to 32
}

func ExampleLint() {
	zones, _ := resolver.NewZones(resolver.ZoneSource{Origin: "example.com", Text: `
@       IN SOA ns hostmaster 1 3600 600 86400 300
@       IN TXT "v=spf1 include:_spf.example.com mx ~all"
@       IN MX  10 mail.example.com.
_spf    IN TXT "v=spf1 ip4:192.0.2.0/24 a:gone.example.com -all"
`})
	rep, findings, err := spf.Lint(context.Background(), zones, "example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(rep.Tree())
	for _, f := range findings {
		fmt.Println(f)
	}
	// Output:
	// example.com: 3 of 10 DNS lookups, 1 of 2 void
	// example.com "v=spf1 include:_spf.example.com mx ~all" (own 2, total 3)
	//    1  include:_spf.example.com
	//       _spf.example.com "v=spf1 ip4:192.0.2.0/24 a:gone.example.com -all" (own 1, total 1)
	//          2  a:gone.example.com  VOID
	//    3  mx  (1 MX name)
	// warning spf.softfail-all example.com: ~all: unlisted hosts only softfail; once every sender is listed, end with -all (RFC 7208 §8.5)
}

func ExampleCheck() {
	zones, _ := resolver.NewZones(resolver.ZoneSource{Origin: "example.com", Text: `
@  IN SOA ns hostmaster 1 3600 600 86400 300
@  IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
`})
	for _, ip := range []string{"192.0.2.25", "203.0.113.9"} {
		v, _ := spf.Check(context.Background(), zones, netip.MustParseAddr(ip), "mail.example.com", "alice@example.com")
		fmt.Println(ip, v.Result)
	}
	// Output:
	// 192.0.2.25 pass
	// 203.0.113.9 fail
}
