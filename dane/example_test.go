package dane_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/resolver"
)

// What Microsoft 365's inbound DANE still needs for a domain that keeps
// its old MX beside the new one, checked offline from its zone file.
func ExampleLookup() {
	zones, _ := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.com", Text: `
@  IN SOA ns hostmaster 1 3600 600 86400 300
@  IN MX  0  contoso-com.a-v1.mx.microsoft.
@  IN MX  30 contoso-com.mail.protection.outlook.com.
`})
	rep, findings, err := dane.Lookup(context.Background(), zones, "contoso.com", dane.Options{RequireM365: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("missing:", rep.M365.Missing)
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule)
		fmt.Println(f.FixText())
	}
	// Output:
	// missing: [single-mx dnssec]
	// error dane.m365-single-mx
	// ; delete: contoso.com.	3600	IN	MX	30 contoso-com.mail.protection.outlook.com.
	// warning dane.m365-dnssec
	// ; sign the zone, publish the DS at the registrar, and check online that the MX answer carries the AD bit
}

func ExampleTLSA_Problems() {
	for _, s := range []string{
		"3 1 1 866800a8d6555ce1f88e01e773b06ca9fb156bd2a88b8bcc561ffd6283a4dc05",
		"1 1 1 866800a8d6555ce1f88e01e773b06ca9fb156bd2a88b8bcc561ffd6283a4dc05",
		"3 1 2 866800a8d6555ce1f88e01e773b06ca9fb156bd2a88b8bcc561ffd6283a4dc05",
	} {
		t, err := dane.ParseTLSA(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(t.Params(), "usable:", t.Usable())
		for _, p := range t.Problems() {
			fmt.Println(" ", p.Severity, p.Rule.ID)
		}
	}
	// Output:
	// 3 1 1 usable: true
	// 1 1 1 usable: false
	//   warning dane.pkix-usage
	// 3 1 2 usable: false
	//   error dane.bad-record
}
