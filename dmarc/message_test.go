package dmarc_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
	msgdkim "github.com/emersion/go-msgauth/dkim"
)

// TestCheckMessage: a message signed here, sent from an address the SPF
// fixture authorizes, passes; with a From in a foreign domain it fails,
// and the explanation names the identifiers that did not align.
func TestCheckMessage(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, c := client(t,
		resolver.ZoneSource{Origin: "example", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"},
		resolver.ZoneSource{Origin: "sender.example", Text: `
@             IN SOA ns h 1 3600 600 86400 300
@             IN TXT "v=spf1 ip4:192.0.2.10 -all"
@             IN MX  10 mail.sender.example.
mail          IN A   192.0.2.10
bounce        IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc        IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example"
s1._domainkey IN TXT "v=DKIM1; k=ed25519; p=` + base64.StdEncoding.EncodeToString(pub) + `"
`},
		resolver.ZoneSource{Origin: "foreign.example", Text: `
@      IN SOA ns h 1 3600 600 86400 300
@      IN A   192.0.2.99
_dmarc IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@foreign.example"
`})
	sign := func(from string) string {
		msg := "From: " + from + "\r\nTo: bob@example.net\r\nSubject: hi\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n"
		var out bytes.Buffer
		if err := msgdkim.Sign(&out, strings.NewReader(msg), &msgdkim.SignOptions{Domain: "sender.example", Selector: "s1", Signer: priv}); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	ip := netip.MustParseAddr("192.0.2.10")
	ctx := context.Background()

	res, err := dmarc.CheckMessage(ctx, c, strings.NewReader(sign("Alice <alice@sender.example>")), ip, "mail.sender.example", "bounce@bounce.sender.example")
	if err != nil {
		t.Fatal(err)
	}
	v := res.Evaluation.RFC9989
	if v.Result != "pass" || !v.SPFAligned || !v.DKIMAligned || res.DKIM[0].Result != "pass" {
		t.Fatalf("aligned message: %+v\nDKIM %+v\n%s", v, res.DKIM, res.Explain())
	}
	for _, want := range []string{"spf=pass", "dkim=pass", "header.d=sender.example", "dmarc=pass", "header.from=sender.example"} {
		if !strings.Contains(res.AuthenticationResults, want) {
			t.Errorf("Authentication-Results %q lacks %q", res.AuthenticationResults, want)
		}
	}

	res, err = dmarc.CheckMessage(ctx, c, strings.NewReader(sign("Alice <alice@foreign.example>")), ip, "mail.sender.example", "bounce@bounce.sender.example")
	if err != nil {
		t.Fatal(err)
	}
	v = res.Evaluation.RFC9989
	if v.Result != "fail" || v.Disposition != "quarantine" || res.DKIM[0].Result != "pass" || res.SPF.Result != "pass" {
		t.Fatalf("foreign From: %+v", v)
	}
	explain := res.Explain()
	for _, want := range []string{"SPF pass for bounce.sender.example: not aligned", "DKIM pass for d=sender.example: not aligned", "DMARC fail", "disposition: quarantine"} {
		if !strings.Contains(explain, want) {
			t.Errorf("explanation lacks %q:\n%s", want, explain)
		}
	}
	if !strings.Contains(res.AuthenticationResults, "dmarc=fail") {
		t.Errorf("Authentication-Results: %s", res.AuthenticationResults)
	}

	_, err = dmarc.CheckMessage(ctx, c, strings.NewReader("From: a@x.example, b@y.example\r\n\r\nhi\r\n"), ip, "h", "a@x.example")
	if err == nil {
		t.Error("two From addresses accepted")
	}
}
