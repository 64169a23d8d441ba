package bimi_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/bimi"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
)

// BIMI with DMARC still at p=none: receivers show no logo.
func ExampleLookup() {
	zones, _ := resolver.NewZones(
		resolver.ZoneSource{Origin: "example", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"},
		resolver.ZoneSource{Origin: "contoso.example", Text: `
@             IN SOA ns hostmaster 1 3600 600 86400 300
_dmarc        IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@contoso.example"
default._bimi IN TXT "v=BIMI1; l=https://brand.contoso.example/logo.svg; a=https://brand.contoso.example/vmc.pem"
`})
	ctx := context.Background()
	d, _, err := dmarc.Lookup(ctx, zones, "contoso.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, findings, err := bimi.Lookup(ctx, zones, "contoso.example", bimi.Options{DMARC: d})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Status, rep.DMARC, rep.DMARCWhy, rep.Indicator.Status)
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule, f.Name)
	}
	// Output:
	// published not-enforced [p=none at _dmarc.contoso.example] not-fetched
	// error bimi.dmarc-not-enforced _dmarc.contoso.example
}

func ExampleCheckSVG() {
	_, problems := bimi.CheckSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 64 48"><title>Contoso</title><script>alert(1)</script></svg>`))
	for _, p := range problems {
		fmt.Println(p)
	}
	// Output:
	// viewBox "0 0 64 48" is 64x48, not square
	// a <script> element: scripts are not allowed
}
