package mx_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/resolver"
)

// Lookup over a zone file, offline: one target is an alias, the other is
// a provider's host outside the file, not verified.
func ExampleLookup() {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example.com", Text: `
@     IN SOA ns hostmaster 1 3600 600 86400 300
@     IN MX 10 mail
@     IN MX 20 backup.provider.example.
mail  IN CNAME host
host  IN A 192.0.2.25
`})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, fs, err := mx.Lookup(context.Background(), z, "example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range rep.Hosts {
		fmt.Println(h.Preference, h.Target, h.Status, h.Addrs)
	}
	for _, f := range fs {
		fmt.Println(f)
		fmt.Println(f.FixText())
	}
	// Output:
	// 10 mail.example.com ok [192.0.2.25]
	// 20 backup.provider.example unverified []
	// warning mx.cname example.com: MX target mail.example.com is an alias of host.example.com: an MX record must name the host's canonical name, and some senders refuse the alias (RFC 2181 §10.3, RFC 5321 §5.1)
	// ; delete: example.com.	3600	IN	MX	10 mail.example.com.
	// example.com.	3600	IN	MX	10 host.example.com.
}
