package dnstest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// A real authoritative server on 127.0.0.1, with a fault injected and the
// queries it received counted.
func ExampleStart() {
	srv, err := dnstest.Start(resolver.ZoneSource{Origin: "example.test", Text: `
@      IN SOA ns hostmaster 1 3600 600 86400 300
@      IN TXT "v=spf1 -all"
_dmarc IN TXT "v=DMARC1; p=reject"
`})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	srv.SetFault("_dmarc.example.test", dns.TypeTXT, dnstest.Fault{Rcode: dns.RcodeServerFailure})

	c, _ := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: time.Second})
	ctx := context.Background()
	a, _ := c.Lookup(ctx, "example.test", dns.TypeTXT)
	fmt.Printf("%q\n", a.TXT())
	_, err = c.Lookup(ctx, "_dmarc.example.test", dns.TypeTXT)
	fmt.Println("temporary:", errors.Is(err, resolver.ErrTemporary))
	c.Lookup(ctx, "example.test", dns.TypeTXT) // from the cache
	fmt.Println("queries received:", srv.Total())
	// Output:
	// [["v=spf1 -all"]]
	// temporary: true
	// queries received: 2
}
