package dane_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// TestM365MXAgrees: records' expected MX and dane's RequireM365 read a
// Microsoft 365 MX host through one function, records.MXKindOf, so they
// agree on every host: the DANE MX is the one dane accepts, and one the
// commercial expected set accepts. Issue 26: token.ab-v1.mx.microsoft
// passed in dane and failed in records.
func TestM365MXAgrees(t *testing.T) {
	set, err := records.M365("contoso.com", records.Options{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	want := set.ByPurpose(records.MX)[0].Want
	for _, tc := range []struct {
		host string
		kind records.MXKind
	}{
		{"contoso-com.a-v1.mx.microsoft", records.MXDANE},
		{"contoso-com.z-v1.mx.microsoft.", records.MXDANE},
		{"Contoso-COM.B-V1.MX.Microsoft.", records.MXDANE},
		{"token.ab-v1.mx.microsoft", records.NotM365MX}, // two partition letters
		{"token.-v1.mx.microsoft", records.NotM365MX},   // none
		{"token.1-v1.mx.microsoft", records.NotM365MX},  // a digit is no letter
		{"token.a-v2.mx.microsoft", records.NotM365MX},  // another version
		{"a.b.a-v1.mx.microsoft", records.NotM365MX},    // a token of two labels
		{"a-v1.mx.microsoft", records.NotM365MX},        // no token
		{"tok_en.a-v1.mx.microsoft", records.NotM365MX}, // not a host label
		{"token.a-v1.mx.microsoft.evil.example", records.NotM365MX},
		{"contoso-com.mail.protection.outlook.com", records.MXProtection},
		{"contoso-com01b.mail.protection.outlook.com.", records.MXProtection},
		{"contoso-com.mail.eo.outlook.com", records.MXLegacy},
		{"contoso-com.mail.protection.outlook.de", records.MXLegacy},
		{"mail.protection.outlook.com", records.NotM365MX},
		{"contoso.mail.protection.office365.us", records.MXGov},
		{"contoso-com.mail.protection.partner.outlook.cn", records.MXChina},
		{"mail.contoso.com", records.NotM365MX},
	} {
		t.Run(tc.host, func(t *testing.T) {
			if got := records.MXKindOf(tc.host); got != tc.kind {
				t.Fatalf("MXKindOf = %d, want %d", got, tc.kind)
			}
			mx, err := dns.NewRR("contoso.com. 3600 IN MX 0 " + dns.Fqdn(tc.host))
			if err != nil {
				t.Fatal(err)
			}
			commercial := tc.kind.In(records.Commercial)
			if got := want.Match(mx); got != commercial {
				t.Errorf("records: the commercial expected MX matches %v, want %v", got, commercial)
			}
			zones, err := resolver.NewZones(resolver.ZoneSource{Domain: "contoso.com", Text: fmt.Sprintf("@ 3600 IN SOA ns. h. 1 2 3 4 5\n@ 3600 IN MX 0 %s\n", dns.Fqdn(tc.host))})
			if err != nil {
				t.Fatal(err)
			}
			rep, _, err := dane.Lookup(context.Background(), zones, "contoso.com", dane.Options{RequireM365: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.M365.MX != ""; got != (tc.kind == records.MXDANE) {
				t.Errorf("dane: the DANE MX is %q; want it found %v", rep.M365.MX, tc.kind == records.MXDANE)
			}
			if tc.kind == records.MXDANE && !commercial {
				t.Error("a DANE MX the commercial expected set does not accept")
			}
		})
	}
}
