package dkim_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/resolver"
)

// Microsoft 365 publishes its DKIM selectors as CNAMEs into the tenant;
// until DKIM signing is enabled there, the target does not exist.
func ExampleLookup() {
	zones, _ := resolver.NewZones(
		resolver.ZoneSource{Origin: "contoso.com", Text: `
@                    IN SOA   ns hostmaster 1 3600 600 86400 300
selector1._domainkey IN CNAME selector1-contoso-com._domainkey.contoso.onmicrosoft.com.
`},
		resolver.ZoneSource{Origin: "contoso.onmicrosoft.com", Text: `
@ IN SOA ns hostmaster 1 3600 600 86400 300
`})
	sel, findings, err := dkim.Lookup(context.Background(), zones, "contoso.com", "selector1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sel.Status, sel.Chain)
	for _, f := range findings {
		fmt.Println(f.Rule, "-", f.Message)
	}
	// Output:
	// dangling [selector1._domainkey.contoso.com -> selector1-contoso-com._domainkey.contoso.onmicrosoft.com]
	// dkim.dangling-cname - selector selector1 is a CNAME to selector1-contoso-com._domainkey.contoso.onmicrosoft.com, which does not exist: DKIM signing is not enabled for this domain in Microsoft 365 (enable it in the Defender portal or with Set-DkimSigningConfig)
}

func ExampleParseKey() {
	k, err := dkim.ParseKey("v=DKIM1; k=ed25519; t=y; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Type, k.Bits, "testing:", k.Testing())
	// Output: ed25519 256 testing: true
}
