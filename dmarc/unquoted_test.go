package dmarc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
)

// TestUnquotedInZoneFile: `_dmarc TXT v=DMARC1; p=reject` written without
// quotes publishes "v=DMARC1" alone — the ";" starts a comment (RFC 1035
// §5.1). The dmarc.syntax finding says so and gives the record quoted; a
// record with no tags and an unrelated comment, or a comment that would
// not make a valid record, gets no such guess.
func TestUnquotedInZoneFile(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.test", Text: `$TTL 3600
@ SOA ns1 hostmaster 1 7200 900 1209600 300
@ NS ns1
ns1 A 192.0.2.1
_dmarc TXT v=DMARC1;p=reject; rua=mailto:dmarc@contoso.test
_dmarc.news TXT "v=DMARC1" ; set up by the agency
_dmarc.shop TXT "v=DMARC1" ; p=none until the agency has set up DKIM
_dmarc.blog TXT v=DMARC1; p=reject is the plan, rua to come
`})
	if err != nil {
		t.Fatal(err)
	}
	for domain, want := range map[string]string{
		"contoso.test":      `Quote the whole record: "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.test"`,
		"news.contoso.test": "",
		// A comment that reads as a tag, but not as a record: the record
		// suggested would be no better.
		"shop.contoso.test": "",
		"blog.contoso.test": "",
	} {
		rep := check.Domain(context.Background(), z, domain, check.Options{Checks: []*analysis.Check{dmarc.NewCheck()}})
		found := false
		for _, f := range rep.Findings {
			if f.Rule != "dmarc.syntax" || f.Name != "_dmarc."+domain {
				continue
			}
			found = true
			if got := strings.Contains(f.Message, "Quote the whole record"); got != (want != "") || !strings.Contains(f.Message, want) {
				t.Errorf("%s: dmarc.syntax says %q; want it to say %q", domain, f.Message, want)
			}
		}
		if !found {
			t.Errorf("%s: no dmarc.syntax finding in %v", domain, rep.Findings)
		}
	}
}
