package mtasts_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/resolver"
)

// An offline check of a zone file, with the policy about to be deployed
// given as text: the second MX is missing from it.
func ExampleLookup() {
	zones, _ := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@        IN SOA ns hostmaster 1 3600 600 86400 300
@        IN MX  10 mx1.contoso.example.
@        IN MX  20 mx2.contoso.example.
_mta-sts IN TXT "v=STSv1; id=20261101"
mta-sts  IN A   192.0.2.10
`})
	policy := "version: STSv1\nmode: enforce\nmx: mx1.contoso.example\nmax_age: 1209600\n"
	rep, findings, err := mtasts.Lookup(context.Background(), zones, "contoso.example", mtasts.Options{Policy: policy})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Status, rep.Policy.Status, rep.MXStatus)
	for _, f := range findings {
		fmt.Println(f.Severity, f.Rule, f.Record)
	}
	// Output:
	// published given checked
	// error mtasts.mx-not-covered 20 mx2.contoso.example.
}

func ExampleParsePolicy() {
	p, err := mtasts.ParsePolicy("version: STSv1\r\nmode: testing\r\nmx: *.mail.contoso.example\r\nmax_age: 604800\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Mode, p.MaxAge, p.MX)
	fmt.Println(mtasts.Match(p.MX[0], "eu1.mail.contoso.example"), mtasts.Match(p.MX[0], "a.eu1.mail.contoso.example"))
	// Output:
	// testing 604800 [*.mail.contoso.example]
	// true false
}
