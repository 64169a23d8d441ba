package tlsrpt_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/tlsrpt"
)

// The caller says MTA-STS is published; the TLS-RPT record is missing.
func ExampleLookup() {
	zones, _ := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@        IN SOA ns hostmaster 1 3600 600 86400 300
_mta-sts IN TXT "v=STSv1; id=20261101"
`})
	rep, findings, err := tlsrpt.Lookup(context.Background(), zones, "contoso.example", tlsrpt.Options{MTASTS: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Status)
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule)
		fmt.Println(f.FixText())
	}
	// Output:
	// none
	// warning tlsrpt.missing
	// ; publish _smtp._tls.contoso.example TXT "v=TLSRPTv1; rua=mailto:<a mailbox of yours that reads the reports>" (an https: URI works too)
}

func ExampleParse() {
	r, err := tlsrpt.Parse("v=TLSRPTv1; rua=mailto:tls@contoso.example,https://tlsrpt.contoso.example/v1")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range r.RUA {
		fmt.Println(u.Scheme, u.Host)
	}
	_, err = tlsrpt.Parse("v=TLSRPTv1; rua=mailto:tls@contoso.example!10m")
	fmt.Println(err)
	// Output:
	// mailto contoso.example
	// https tlsrpt.contoso.example
	// tlsrpt: rua "mailto:tls@contoso.example!10m": a "!size" limit is DMARC syntax, not TLS-RPT: reporters mail the address with the "!…" in it
}
