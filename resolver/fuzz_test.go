package resolver_test

import (
	"context"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// FuzzZone: any zone text either fails to load with an error or loads and
// answers questions without panicking.
func FuzzZone(f *testing.F) {
	f.Add("@ IN SOA ns h 1 2 3 4 5\nwww IN CNAME @\n*.w IN TXT \"x\" \"y\"\na.b.c IN MX 10 mx\n")
	f.Add("$ORIGIN x.example.\n$TTL 60\n@ IN A 192.0.2.1\nloop IN CNAME loop\n")
	f.Add("$INCLUDE /etc/passwd\n")
	f.Add("@ IN TXT \"\\000\\255\" ( \"multi\"\n \"line\" )\n")
	f.Fuzz(func(t *testing.T, text string) {
		z, err := resolver.NewZones(resolver.ZoneSource{Origin: "fuzz.example", Text: text})
		if err != nil {
			return
		}
		ctx := context.Background()
		for _, name := range []string{"fuzz.example", "www.fuzz.example", "a.w.fuzz.example", "loop.fuzz.example", "b.c.fuzz.example"} {
			for _, qt := range []uint16{dns.TypeA, dns.TypeTXT, dns.TypeCNAME, dns.TypeMX} {
				if a, err := z.Lookup(ctx, name, qt); err == nil {
					a.TXT()
					a.Target()
				}
			}
		}
	})
}

// FuzzTXT: DecodeTXT inverts EncodeTXT for any bytes.
func FuzzTXT(f *testing.F) {
	f.Add("v=spf1 -all")
	f.Add("\x00\xff\"\\ ;")
	f.Fuzz(func(t *testing.T, s string) {
		enc := resolver.EncodeTXT(s)
		var got string
		for _, part := range resolver.DecodeTXT(enc) {
			got += part
		}
		if got != s {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}

// FuzzHop: a CNAME step's text reads back as it was written, and any text
// either reads as one or is refused, without panicking.
func FuzzHop(f *testing.F) {
	for _, s := range []string{"selector1._domainkey.example.org -> selector1-example-org._domainkey.contoso.onmicrosoft.com", "a -> b -> c", "no arrow", " -> ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var h resolver.Hop
		if err := h.UnmarshalText([]byte(s)); err != nil {
			return
		}
		b, err := h.MarshalText()
		if err != nil || string(b) != s {
			t.Fatalf("%q read as %+v, written back as %q (%v)", s, h, b, err)
		}
	})
}
