package dkim_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	msgdkim "github.com/emersion/go-msgauth/dkim"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var zones = []resolver.ZoneSource{
	{File: "testdata/dkim.zone"}, {File: "testdata/tenant.zone"}, {File: "testdata/keys.zone"},
}

func serve(t *testing.T) (*dnstest.Server, *resolver.Client) {
	t.Helper()
	srv := dnstest.New(t, zones...)
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 300 * time.Millisecond, Tries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// TestLookupFixtures looks up every selector of testdata/dkim.zone that
// carries a want comment, over dnstest.
func TestLookupFixtures(t *testing.T) {
	_, c := serve(t)
	fixture.Check(t, "testdata/dkim.zone", dkim.Rules(), func(t *testing.T, name string) []lint.Finding {
		sel, domain, ok := strings.Cut(name, "._domainkey.")
		if !ok && strings.HasPrefix(name, "*.") {
			sel, domain = "*", strings.TrimPrefix(name, "*.")
		}
		if sel == "*" {
			// A wildcard: what discovery makes of it.
			_, fs, err := dkim.Discover(context.Background(), c, domain)
			if err != nil {
				t.Fatal(err)
			}
			return fs
		}
		_, fs, err := dkim.Lookup(context.Background(), c, domain, sel)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	})
}

func TestLookupDetails(t *testing.T) {
	_, c := serve(t)
	ctx := context.Background()
	s, _, err := dkim.Lookup(ctx, c, "dkim.test", "selector1")
	if err != nil {
		t.Fatal(err)
	}
	want := []resolver.Hop{{Owner: "selector1._domainkey.dkim.test", Target: "selector1-dkim-test._domainkey.tenant.onmicrosoft.test"}}
	if diff := cmp.Diff(want, s.Chain); diff != "" || s.Key == nil || s.Key.Bits != 2048 || s.Key.Type != "rsa" {
		t.Errorf("selector1: chain diff %s, key %+v", diff, s.Key)
	}
	s, _, _ = dkim.Lookup(ctx, c, "dkim.test", "twohop")
	if len(s.Chain) != 2 || s.Key == nil || s.Key.Type != "ed25519" || s.Key.Bits != 256 {
		t.Errorf("twohop: %+v", s)
	}
	_, fs, _ := dkim.Lookup(ctx, c, "dkim.test", "selector2")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "not enabled for this domain in Microsoft 365") {
		t.Errorf("selector2 finding = %v", fs)
	}
	_, fs, _ = dkim.Lookup(ctx, c, "dkim.test", "tiny")
	if len(fs) != 1 || fs[0].Severity != lint.Error {
		t.Errorf("512-bit key: %v, want one error", fs)
	}
	if _, _, err := dkim.Lookup(ctx, c, "dkim.test", "bad selector"); err == nil {
		t.Error("selector with a space accepted")
	}
	if _, _, err := dkim.Lookup(ctx, c, "", "s1"); err == nil {
		t.Error("empty domain accepted")
	}
}

func TestDiscover(t *testing.T) {
	_, c := serve(t)
	found, _, err := dkim.Discover(context.Background(), c, "dkim.test")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range found {
		names = append(names, s.Selector)
	}
	// selector2 is a CNAME into a tenant that publishes no key: broken,
	// but published, so discovery reports it.
	if diff := cmp.Diff([]string{"selector1", "selector2"}, names); diff != "" {
		t.Errorf("default selectors found (-want +got):\n%s", diff)
	}
	found, _, err = dkim.Discover(context.Background(), c, "dkim.test", "good", "ed", "missing", "nope")
	if err != nil || len(found) != 2 {
		t.Errorf("Discover(good, ed, missing, nope) = %d found, %v", len(found), err)
	}
	// A wildcard is not a selector: only the one published beside it, with
	// its own record, is found.
	for _, tc := range []struct {
		domain string
		want   []string
	}{
		{"wild.dkim.test", []string{"google"}},
		{"nomail.dkim.test", nil},
		{"wildcname.dkim.test", nil},
	} {
		found, fs, err := dkim.Discover(context.Background(), c, tc.domain)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range found {
			names = append(names, s.Selector)
		}
		if diff := cmp.Diff(tc.want, names); diff != "" || !slices.Contains(fixture.RuleIDs(fs), "dkim.wildcard") {
			t.Errorf("%s: found (-want +got):\n%s findings %v", tc.domain, diff, fs)
		}
	}
	if _, _, err := dkim.Discover(context.Background(), c, "dkim.test", make([]string, dkim.MaxSelectors+1)...); err == nil {
		t.Errorf("Discover of %d selectors: no error", dkim.MaxSelectors+1)
	}
	if n := len(dkim.DefaultSelectors()); n > dkim.MaxSelectors {
		t.Errorf("%d default selectors, more than %d", n, dkim.MaxSelectors)
	}
}

func TestParseKey(t *testing.T) {
	pub, _ := os.ReadFile("testdata/keys/ed25519.pub")
	k, err := dkim.ParseKey("v=DKIM1; k=ed25519; t=y:s; h=sha256; s=email; n=note; p=" + string(pub))
	if err != nil {
		t.Fatal(err)
	}
	if !k.Testing() || k.Bits != 256 || k.Notes != "note" || len(k.Services) != 1 || k.Spans["p"].Start == 0 {
		t.Errorf("key = %+v", k)
	}
	for _, bad := range []string{"v=DKIM1; k=rsa", "v=DKIM1; p=@@@", "k=foo; p=AAAA", "v=DKIM1; p=AAAA; p=BBBB", "a b c"} {
		if _, err := dkim.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) = nil error", bad)
		}
	}
	if _, err := dkim.ParseKey("v=spf1 -all"); err == nil {
		t.Error("an SPF record parsed as a key")
	}
	k, err = dkim.ParseKey("v=DKIM1; p=")
	if err != nil || !k.Revoked {
		t.Errorf("revoked: %+v, %v", k, err)
	}
}

// rsaKey returns the base64 p= of an RSA public key with a modulus of the
// given bits (random, not a product of primes: a verifier only reads it).
func rsaKey(t *testing.T, bits int) string {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	if err != nil {
		t.Fatal(err)
	}
	n.SetBit(n, bits-1, 1).SetBit(n, 0, 1)
	der, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: n, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// TestLargeRSAKey is issue 25's class 6. RFC 8301 §3.2: "Verifiers MUST
// be able to validate signatures with keys ranging from 1024 bits to 4096
// bits, and they MAY be able to validate signatures with larger keys." A
// key over 4096 bits parses, with its PublicKey, and Lookup warns
// (dkim.large-key) that some receivers refuse it — over DNS too (a
// 65,536-bit key needs TCP).
func TestLargeRSAKey(t *testing.T) {
	huge := rsaKey(t, 65536)
	for _, bits := range []int{2048, 4096, 4097, 8192, 65536} {
		p := huge
		if bits != 65536 {
			p = rsaKey(t, bits)
		}
		k, err := dkim.ParseKey("v=DKIM1; k=rsa; p=" + p)
		if err != nil || k.Bits != bits || k.PublicKey == nil {
			t.Errorf("ParseKey(%d bits): %v (key %v)", bits, err, k != nil)
		}
	}

	var zone strings.Builder
	zone.WriteString("@ IN SOA ns h 1 3600 600 86400 60\nhuge._domainkey IN TXT")
	for _, s := range resolver.EncodeTXT("v=DKIM1; k=rsa; p=" + huge) {
		zone.WriteString(` "` + s + `"`)
	}
	srv := dnstest.New(t, resolver.ZoneSource{Origin: "big.test", Text: zone.String() + "\n"})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, fs, err := dkim.Lookup(context.Background(), c, "big.test", "huge")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"dkim.large-key"}, fixture.RuleIDs(fs)); diff != "" || s.Status != "ok" || fs[0].Severity != lint.Warning {
		t.Errorf("status %q, findings (-want +got):\n%s%v", s.Status, diff, fs)
	}
}

// TestKeyServiceType is issue 25's class 5. RFC 6376 §3.6.1, s=: "A
// colon-separated list of service types to which this record applies.
// Verifiers for a given service type MUST ignore this record if the
// appropriate type is not listed." Its ABNF lists at least one type:
// "key-s-tag = %x73 [FWS] "=" [FWS] key-s-tag-type 0*( [FWS] ":" [FWS]
// key-s-tag-type )", so an empty s= is a syntax error. Values are
// case-sensitive (§3.2), so s=EMAIL lists no email.
func TestKeyServiceType(t *testing.T) {
	const p = "; k=ed25519; p=mE95tvxhhioP7tv5hrSRZE56c65E729PrUO+VR5IAO0="
	for _, tc := range []struct {
		s        string
		forEmail bool
		parses   bool
	}{
		{"", true, true}, // no s=: all services
		{"; s=email", true, true},
		{"; s=*", true, true},
		{"; s=tlsrpt:email", true, true},
		{"; s = foo : * ", true, true},
		{"; s=tlsrpt", false, true},
		{"; s=foo", false, true},
		{"; s=EMAIL", false, true},
		{"; s=", false, false},
		{"; s= ", false, false},
		{"; s=email:", true, false},
		{"; s=e_mail", false, false},
	} {
		k, err := dkim.ParseKey("v=DKIM1" + tc.s + p)
		if (err == nil) != tc.parses || k == nil || k.ForEmail() != tc.forEmail {
			t.Errorf("ParseKey(%q): %v, ForEmail %v; want parses %v, ForEmail %v", tc.s, err, k != nil && k.ForEmail(), tc.parses, tc.forEmail)
		}
	}
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(dkim.Rules()); err != nil {
		t.Fatal(err)
	}
}

func signer(t *testing.T, file, domain, selector string) *msgdkim.SignOptions {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return &msgdkim.SignOptions{Domain: domain, Selector: selector, Signer: key.(crypto.Signer)}
}

const message = "From: Alice <alice@dkim.test>\r\nTo: bob@example.net\r\nSubject: hello\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <1@dkim.test>\r\n\r\nHello Bob.\r\n"

func sign(t *testing.T, opts *msgdkim.SignOptions, msg string) string {
	t.Helper()
	var out bytes.Buffer
	if err := msgdkim.Sign(&out, strings.NewReader(msg), opts); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestVerify(t *testing.T) {
	srv, c := serve(t)
	ctx := context.Background()
	rsaSigned := sign(t, signer(t, "testdata/keys/rsa2048.pem", "dkim.test", "good"), message)
	edSigned := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "ed"), message)
	weakSigned := sign(t, signer(t, "testdata/keys/rsa1024.pem", "dkim.test", "weak"), message)
	testingSigned := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "testing"), message)
	timeoutSigned := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "slow"), message)
	tlsrptSigned := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "tlsrpt"), message)
	fooSigned := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "foo"), message)
	bothSigned := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "both"), message)
	srv.SetFault("slow._domainkey.dkim.test", dns.TypeTXT, dnstest.Fault{Drop: true})
	tampered := strings.Replace(rsaSigned, "Hello Bob.", "Hello Bob!", 1)

	for _, tc := range []struct {
		name, msg string
		want      dkim.Result
		rules     []string
	}{
		{"rsa2048", rsaSigned, dkim.Pass, []string{}},
		{"ed25519", edSigned, dkim.Pass, []string{}},
		{"body changed", tampered, dkim.Fail, []string{}},
		{"weak key", weakSigned, dkim.Pass, []string{"dkim.weak-key"}},
		{"testing key", testingSigned, dkim.Pass, []string{"dkim.testing"}},
		{"key lookup times out", timeoutSigned, dkim.TempError, []string{}},
		// RFC 6376 §3.6.1: a key not for email is ignored.
		{"key for TLS-RPT only", tlsrptSigned, dkim.PermError, []string{"dkim.not-email"}},
		{"key for an unknown service", fooSigned, dkim.PermError, []string{"dkim.not-email"}},
		{"key for email and TLS-RPT", bothSigned, dkim.Pass, []string{}},
		{"unsigned", message, dkim.None, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sigs, fs, err := dkim.Verify(ctx, c, strings.NewReader(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			if len(sigs) != 1 || sigs[0].Result != tc.want {
				t.Fatalf("signatures = %+v, want one %s", sigs, tc.want)
			}
			if tc.want != dkim.None && (sigs[0].Domain != "dkim.test" || sigs[0].Selector == "" || sigs[0].Algorithm == "") {
				t.Errorf("signature fields: %+v", sigs[0])
			}
			if diff := cmp.Diff(tc.rules, fixture.RuleIDs(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	// Two signatures, one good, one broken: both reported, in order.
	both := sign(t, signer(t, "testdata/keys/ed25519.pem", "dkim.test", "revoked"), rsaSigned)
	sigs, fs, err := dkim.Verify(ctx, c, strings.NewReader(both))
	if err != nil || len(sigs) != 2 || sigs[0].Selector != "revoked" || sigs[0].Result != dkim.PermError || sigs[1].Result != dkim.Pass {
		t.Errorf("two signatures: %+v, %v", sigs, err)
	}
	if diff := cmp.Diff([]string{"dkim.revoked"}, fixture.RuleIDs(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func FuzzParseKey(f *testing.F) {
	pub, _ := os.ReadFile("testdata/keys/rsa1024.pub")
	ed, _ := os.ReadFile("testdata/keys/ed25519.pub")
	for _, s := range []string{"v=DKIM1; k=rsa; p=" + string(pub), "v=DKIM1; k=ed25519; p=" + string(ed), "v=DKIM1; p=", "k=rsa; t=y:s; h=sha1:sha256; p=AAAA", "v=DKIM1;;p=", "=;="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := dkim.ParseKey(s)
		if err == nil && k == nil {
			t.Fatal("nil key without error")
		}
		if k != nil {
			for name, sp := range k.Spans {
				if sp.Start < 0 || sp.End > len(s) || sp.Start > sp.End {
					t.Fatalf("span of %s out of range: %v in %d bytes", name, sp, len(s))
				}
			}
		}
	})
}

func BenchmarkParseKey(b *testing.B) {
	pub, err := os.ReadFile("testdata/keys/rsa2048.pub")
	if err != nil {
		b.Fatal(err)
	}
	rec := "v=DKIM1; k=rsa; p=" + string(pub)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dkim.ParseKey(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeyValuesCaseSensitive: RFC 6376 §3.2, "Values MUST be processed as
// case sensitive unless the specific tag description of semantics
// specifies case insensitivity." k=, h=, s= and t= do not, and verifiers
// (go-msgauth, dkimpy, Mail::DKIM) compare them exactly: k=RSA is no key
// type they know.
func TestKeyValuesCaseSensitive(t *testing.T) {
	pub, _ := os.ReadFile("testdata/keys/rsa2048.pub")
	var ke *dkim.KeyError
	if _, err := dkim.ParseKey("v=DKIM1; k=RSA; p=" + string(pub)); !errors.As(err, &ke) || ke.Rule.ID != "dkim.unknown-key-type" || !strings.Contains(ke.Reason, "write rsa") {
		t.Errorf("k=RSA: %v; want dkim.unknown-key-type", err)
	}
	k, err := dkim.ParseKey("v=DKIM1; h=SHA256; t=Y; p=" + string(pub))
	if err != nil || k.Testing() || k.Hashes[0] != "SHA256" {
		t.Errorf("h=SHA256; t=Y: %+v, %v; want the values as written, not testing", k, err)
	}
}

// TestDamagedKeys: a key damaged by copy and paste says how (real zone
// files held keys with their quotes pasted in, and keys cut short).
func TestDamagedKeys(t *testing.T) {
	const good = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC+W6scd3XWwvC/hPRksfDYFi3ztgyS9OSqnnjtNQeDdTSD1DRx/xFar2wjmzxp2+SnJ5pspaF77VZveN3P/HVmXZVghr3asoV9WBx/uW1nDIUxU35L4juXiTwsMAbgMyh3NqIKTNKyMDy4P8vpEhtH1iv/BrwMdBjHDVCycB8WnwIDAQAB"
	for _, tc := range []struct{ p, want string }{
		{good + `"`, "quote character"},
		{good[:50], "not a multiple of 4"},
		{good[:100] + "-" + good[101:], "copy and paste"},
		{good[:60] + " " + good[60:], ""}, // whitespace inside p= is allowed (RFC 6376 §3.6.1)
	} {
		_, err := dkim.ParseKey("v=DKIM1; k=rsa; p=" + tc.p)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.p, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.p, err, tc.want)
		}
	}
}

// TestKeyErrorRules: a key error carries the catalogue's rule itself, not
// an ID to be mapped back.
func TestKeyErrorRules(t *testing.T) {
	for _, txt := range []string{"v=DKIM1; k=RSA; p=MIGf", "v=DKIM1; p=!!!", "k=rsa; v=DKIM1; p=", "v=DKIM1; k=rsa", "v=DKIM1; k=ed25519; p=AAAA"} {
		_, err := dkim.ParseKey(txt)
		var ke *dkim.KeyError
		if !errors.As(err, &ke) {
			t.Errorf("%q: %v; want a *dkim.KeyError", txt, err)
			continue
		}
		if r, ok := lint.Find(dkim.Rules(), ke.Rule.ID); !ok || r != ke.Rule {
			t.Errorf("%q: rule %+v is not the catalogue's", txt, ke.Rule)
		}
	}
}

// TestDangling: Dangling describes a dangling selector from its fields,
// NXDOMAIN apart from NODATA, and is the start of the finding's message.
func TestDangling(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example.", Text: `
gone._domainkey.d  CNAME nowhere.example.
empty._domainkey.d CNAME host.example.
host               A     192.0.2.1
ok._domainkey.d    TXT   "v=DKIM1; p="
`})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ selector, want string }{
		{"gone", "selector gone is a CNAME to nowhere.example, which does not exist"},
		{"empty", "selector empty is a CNAME to host.example, which holds no TXT record"},
		{"ok", ""},
	} {
		s, fs, err := dkim.Lookup(context.Background(), z, "d.example", tc.selector)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Dangling(); got != tc.want {
			t.Errorf("%s: Dangling() = %q, want %q", tc.selector, got, tc.want)
		}
		for _, f := range fs {
			if f.Rule == "dkim.dangling-cname" && f.Message != tc.want {
				t.Errorf("%s: message %q, want %q", tc.selector, f.Message, tc.want)
			}
		}
	}
}
