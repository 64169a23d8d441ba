package dnssec_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/resolver"
)

// Zone files carry no AD bit: their DNSSEC status is "not verifiable
// offline", not "unsigned". The MX host's TLSA name outside the files is
// not asked at all.
func ExampleLookup() {
	zones, _ := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.com", Text: `
@  IN SOA ns hostmaster 1 3600 600 86400 300
@  IN MX  0 contoso-com.a-v1.mx.microsoft.
@  IN DNSKEY 257 3 13 o4BIkUpiJ2iuna8Hk7Cg0HWPN4uvLRYuW9fq1RPbzbhdT++mBQsS7gnnN6uhbkrpJSTDxKPpRWTIkQ4jgAW3Ow==
`})
	rep, findings, err := dnssec.Lookup(context.Background(), zones, "contoso.com", dnssec.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resolver:", rep.Resolver, "signed:", rep.Signed)
	for _, c := range rep.Checks {
		fmt.Println(c.Name, c.Type, c.Status)
	}
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule)
	}
	// Output:
	// resolver: offline signed: true
	// contoso.com MX zone-file
	// contoso.com DNSKEY zone-file
	// _25._tcp.contoso-com.a-v1.mx.microsoft TLSA unverified
}
