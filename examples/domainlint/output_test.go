package main

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
)

// TestDMARCAndDKIMText pins the text lines the CLI writes from data
// (Policy.Unasked and Why; each CNAME step's target), not from cut text.
func TestDMARCAndDKIMText(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "d.example.", Text: `@ IN SOA ns h 1 3600 600 86400 300
_dmarc IN TXT "v=DMARC1; p=reject"
s1._domainkey IN CNAME a
a IN CNAME b
b IN TXT "v=DKIM1; p="
`})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := dmarc.Discover(ctx, z, "d.example")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dmarcText(d), "RFC 9989: organizational domain d.example (by the public suffix list); could not ask _dmarc.example (not verified offline)\n"; !strings.Contains(got, want) {
		t.Errorf("dmarcText:\n%s\nwant a line %q", got, want)
	}
	s, _, err := dkim.Lookup(ctx, z, "d.example", "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dkimText([]*dkim.Selector{s}), "s1._domainkey.d.example -> a.d.example -> b.d.example: revoked\n"; got != want {
		t.Errorf("dkimText = %q, want %q", got, want)
	}
}
