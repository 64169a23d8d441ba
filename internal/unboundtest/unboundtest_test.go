package unboundtest

import (
	"testing"

	"github.com/miekg/dns"
)

const zone = `$ORIGIN signed.test.
$TTL 300
@    IN SOA ns hostmaster 1 3600 600 86400 300
@    IN NS  ns
ns   IN A   127.0.0.1
@    IN MX  10 mx
mx   IN A   192.0.2.1
_25._tcp.mx IN TLSA 3 1 1 8f6bd8a56bd0e17d3a1a0f5e2b3d1c7c1d8c8f0b77f1a0ec1c5a2b6d7e8f9a0b
`

func ask(t *testing.T, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.AuthenticatedData = true
	m.SetEdns0(1232, false)
	r, _, err := new(dns.Client).Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSignedValidates: Knot signs, Unbound validates with the key as
// anchor (AD), a tampered copy of the zone is bogus (SERVFAIL), and a
// name under no stub is never resolved.
func TestSignedValidates(t *testing.T) {
	knot := StartKnot(t, Zone{Origin: "signed.test", Text: zone, Sign: true})
	anchor := knot.KSK(t, "signed.test")
	u := StartUnbound(t, Resolver{Stubs: map[string]string{".": knot.Addr, "signed.test": knot.Addr}, TrustAnchors: []string{anchor}})
	if r := ask(t, u.Addr, "_25._tcp.mx.signed.test.", dns.TypeTLSA); r.Rcode != dns.RcodeSuccess || !r.AuthenticatedData || len(r.Answer) != 1 {
		t.Errorf("signed TLSA: want NOERROR with AD and one record, got\n%v", r)
	}
	if r := ask(t, u.Addr, "example.com.", dns.TypeA); r.Rcode != dns.RcodeServerFailure || len(r.Answer) != 0 {
		t.Errorf("a name outside the stubs: want SERVFAIL, got\n%v", r)
	}

	tampered := Tamper(t, knot.Transfer(t, "signed.test"), "_25._tcp.mx.signed.test", dns.TypeTLSA)
	bad := StartKnot(t, Zone{Origin: "signed.test", Text: ZoneText(tampered)})
	ub := StartUnbound(t, Resolver{Stubs: map[string]string{".": bad.Addr, "signed.test": bad.Addr}, TrustAnchors: []string{anchor}})
	if r := ask(t, ub.Addr, "_25._tcp.mx.signed.test.", dns.TypeTLSA); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("tampered TLSA: want SERVFAIL, got\n%v", r)
	}
	if r := ask(t, ub.Addr, "signed.test.", dns.TypeMX); r.Rcode != dns.RcodeSuccess || !r.AuthenticatedData {
		t.Errorf("untampered MX of the tampered zone: want AD, got\n%v", r)
	}
}
