package dmarc_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
)

func ExampleLookup() {
	zones, _ := resolver.NewZones(
		resolver.ZoneSource{Origin: "com", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"},
		resolver.ZoneSource{Origin: "contoso.com", Text: `
@       IN SOA ns hostmaster 1 3600 600 86400 300
_dmarc  IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@contoso.com"
@       IN MX  10 mail
mail    IN A   192.0.2.25
news    IN A   192.0.2.7
`})
	d, findings, err := dmarc.Lookup(context.Background(), zones, "news.contoso.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("policy from", d.Effective().PolicyDomain, "org domain", d.RFC9989.OrgDomain)
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule)
	}
	// Output:
	// policy from contoso.com org domain contoso.com
	// warning dmarc.policy-none
	// info dmarc.inherited
}

func ExampleParse() {
	r, err := dmarc.Parse("v=DMARC1; p=quarantine; sp=reject; rua=mailto:reports@contoso.com!10m", dmarc.RFC9989)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.P, r.SP, r.RUA[0].Address, r.RUA[0].Limit)
	_, err = dmarc.Parse("v=DMARC1; rua=mailto:reports@contoso.com; p=reject", dmarc.RFC7489)
	fmt.Println(err)
	// Output:
	// quarantine reject reports@contoso.com 10m
	// dmarc: p= must directly follow v=DMARC1 (RFC 7489 §6.4)
}
