package dane_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/internal/unboundtest"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

const tlsaHash = "866800a8d6555ce1f88e01e773b06ca9fb156bd2a88b8bcc561ffd6283a4dc05"

// The zones of the end-to-end test: signed.test is signed by Knot and its
// key is Unbound's trust anchor; unsigned.test is served as is; probe.test
// is signed and anchored too, and is the probe that shows Unbound
// validates even when everything in signed.test is bogus.
const (
	signedZone = `$ORIGIN signed.test.
$TTL 300
@    IN SOA ns hostmaster 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
@    IN MX  10 mx
mx   IN A   192.0.2.1
_25._tcp.mx IN TLSA 3 1 1 ` + tlsaHash + `
`
	unsignedZone = `$ORIGIN unsigned.test.
$TTL 300
@    IN SOA ns hostmaster 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
@    IN MX  10 mx
mx   IN A   192.0.2.2
_25._tcp.mx IN TLSA 3 1 1 ` + tlsaHash + `
`
	probeZone = `$ORIGIN probe.test.
$TTL 300
@    IN SOA ns hostmaster 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
`
)

// TestEndToEnd: Knot signs signed.test, Unbound validates it with the
// zone's key as trust anchor, and our resolver.Client asks through
// Unbound. Signed, DANE and DNSSEC pass; unsigned, the TLSA records are
// reported as ignored; with the TLSA signature broken, or an anchor that
// matches no key, validation fails and both packages say bogus.
func TestEndToEnd(t *testing.T) {
	start := time.Now()
	knot := unboundtest.StartKnot(t,
		unboundtest.Zone{Origin: "signed.test", Text: signedZone, Sign: true},
		unboundtest.Zone{Origin: "unsigned.test", Text: unsignedZone},
		unboundtest.Zone{Origin: "probe.test", Text: probeZone, Sign: true},
	)
	anchors := []string{knot.KSK(t, "signed.test"), knot.KSK(t, "probe.test")}
	probe := dnssec.Question{Name: "probe.test", Type: dns.TypeSOA}

	check := func(t *testing.T, u *unboundtest.Unbound, domain string) (*dane.Report, []lint.Finding, *dnssec.Report, []lint.Finding) {
		t.Helper()
		c, err := resolver.New(resolver.Config{Servers: []string{u.Addr}, Timeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ao := dnssec.AssessOptions{Probe: probe, Server: u.Addr}
		drep, dfs, err := dane.Lookup(ctx, c, domain, dane.Options{AssessOptions: ao})
		if err != nil {
			t.Fatal(err)
		}
		srep, sfs, err := dnssec.Lookup(ctx, c, domain, dnssec.Options{AssessOptions: ao})
		if err != nil {
			t.Fatal(err)
		}
		return drep, dfs, srep, sfs
	}
	want := func(t *testing.T, what string, fs []lint.Finding, ids ...string) {
		t.Helper()
		got := fixture.RuleIDs(fs)
		if len(ids) == 0 {
			ids = []string{}
		}
		if len(got) != len(ids) {
			t.Errorf("%s: rules %v, want %v; findings:\n%v", what, got, ids, fs)
			return
		}
		for i := range got {
			if got[i] != ids[i] {
				t.Errorf("%s: rules %v, want %v; findings:\n%v", what, got, ids, fs)
				return
			}
		}
	}

	u := unboundtest.StartUnbound(t, unboundtest.Resolver{
		Stubs:        map[string]string{".": knot.Addr, "signed.test": knot.Addr, "unsigned.test": knot.Addr, "probe.test": knot.Addr},
		TrustAnchors: anchors,
	})
	t.Logf("Knot signing three zones and Unbound up: %v", time.Since(start))

	t.Run("signed", func(t *testing.T) {
		drep, dfs, srep, sfs := check(t, u, "signed.test")
		want(t, "dane", dfs)
		want(t, "dnssec", sfs)
		if drep.Resolver != dnssec.Validating || drep.MXStatus != dnssec.Secure || len(drep.Hosts) != 1 || drep.Hosts[0].DANE != dane.Authenticated {
			t.Errorf("dane report: %+v", drep)
		}
		if srep.Status != dnssec.Secure || !srep.Signed {
			t.Errorf("dnssec report: %+v", srep)
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		drep, dfs, srep, sfs := check(t, u, "unsigned.test")
		want(t, "dane", dfs, "dane.unauthenticated")
		want(t, "dnssec", sfs, "dnssec.insecure")
		if drep.Resolver != dnssec.Validating || drep.Hosts[0].Status != dnssec.Insecure || srep.Status != dnssec.Insecure {
			t.Errorf("reports: %+v %+v", drep, srep)
		}
	})

	t.Run("tampered-signature", func(t *testing.T) {
		zone := unboundtest.Tamper(t, knot.Transfer(t, "signed.test"), "_25._tcp.mx.signed.test", dns.TypeTLSA)
		bad := unboundtest.StartKnot(t, unboundtest.Zone{Origin: "signed.test", Text: unboundtest.ZoneText(zone)})
		ub := unboundtest.StartUnbound(t, unboundtest.Resolver{
			Stubs:        map[string]string{".": knot.Addr, "signed.test": bad.Addr, "probe.test": knot.Addr},
			TrustAnchors: anchors,
		})
		drep, dfs, srep, sfs := check(t, ub, "signed.test")
		want(t, "dane", dfs, "dane.bogus")
		want(t, "dnssec", sfs, "dnssec.bogus")
		if drep.MXStatus != dnssec.Secure || drep.Hosts[0].Status != dnssec.Bogus || drep.Hosts[0].DANE != dane.Defer {
			t.Errorf("dane report: %+v", drep)
		}
		if srep.Status != dnssec.Secure {
			t.Errorf("dnssec report: %+v", srep)
		}
		// Confirmed by asking again with checking disabled.
		if len(dfs) == 1 && !strings.Contains(dfs[0].Message, "checking disabled") {
			t.Errorf("dane.bogus not confirmed with CD=1: %s", dfs[0].Message)
		}
	})

	t.Run("wrong-anchor", func(t *testing.T) {
		key := &dns.DNSKEY{Hdr: dns.RR_Header{Name: "signed.test.", Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 300},
			Flags: 257, Protocol: 3, Algorithm: dns.ECDSAP256SHA256}
		if _, err := key.Generate(256); err != nil {
			t.Fatal(err)
		}
		ub := unboundtest.StartUnbound(t, unboundtest.Resolver{
			Stubs:        map[string]string{".": knot.Addr, "signed.test": knot.Addr, "probe.test": knot.Addr},
			TrustAnchors: []string{key.String(), anchors[1]},
		})
		drep, dfs, srep, sfs := check(t, ub, "signed.test")
		want(t, "dane", dfs, "dane.bogus")
		want(t, "dnssec", sfs, "dnssec.bogus")
		if drep.MXStatus != dnssec.Bogus || srep.Status != dnssec.Bogus || srep.Resolver != dnssec.Validating {
			t.Errorf("reports: %+v %+v", drep, srep)
		}
	})
	t.Logf("end to end, in all: %v", time.Since(start))
}
