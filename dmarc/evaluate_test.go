package dmarc_test

import (
	"context"
	"testing"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
)

// evaluate discovers the policy for from in z and evaluates a message
// whose identifiers all failed.
func evaluate(t *testing.T, z resolver.Resolver, from string) *dmarc.Evaluation {
	t.Helper()
	ctx := context.Background()
	d, err := dmarc.Discover(ctx, z, from)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := dmarc.Evaluate(ctx, z, d, dmarc.Identifiers{From: from, SPF: spf.Fail, MailFrom: from})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestEvaluateUnusablePolicy is issue 25's classes 2 and 3. RFC 9989
// §4.10.1: "If a retrieved DMARC Policy Record does not contain a valid
// "p" tag, or contains an "sp" or "np" tag that is not valid, then: If a
// "rua" tag is present and contains at least one syntactically valid
// reporting URI, the Mail Receiver MUST act as if a record containing
// "p=none" was retrieved and continue processing; Otherwise, the Mail
// Receiver applies no DMARC processing to this message." RFC 7489 §6.6.3
// step 6 says the same of p and sp ("the Mail Receiver SHOULD act as if a
// record containing a valid "v" tag and "p=none" was retrieved"); it
// knows no np, and ignores it as an unknown tag.
func TestEvaluateUnusablePolicy(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "test", Text: `
@            IN SOA ns h 1 2 3 4 5
_dmarc.m1    IN TXT "v=DMARC1; adkim=s"
_dmarc.m2    IN TXT "v=DMARC1; adkim=s; rua=mailto:d@example.com"
_dmarc.m3    IN TXT "v=DMARC1; p=bogus; sp=reject; rua=mailto:d@example.com"
_dmarc.m4    IN TXT "v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.com"
_dmarc.m5    IN TXT "v=DMARC1; p=reject; sp=bogus"
_dmarc.m6    IN TXT "v=DMARC1; p=reject; np=bogus"
_dmarc.m7    IN TXT "v=DMARC1; p=; rua=https://reports.example/dmarc"
_dmarc.m8    IN TXT "v=DMARC1; p=reject; sp=; rua=mailto:not-an-address"
_dmarc.m9    IN TXT "v=DMARC1; p=reject; sp=quarantine"
a.m4         IN A 192.0.2.1
a.m5         IN A 192.0.2.1
a.m6         IN A 192.0.2.1
a.m9         IN A 192.0.2.1
`})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		result      dmarc.Result
		disposition string
	}
	for _, tc := range []struct {
		name, from       string
		rfc9989, rfc7489 want
	}{
		{"no p=, no rua=: no DMARC processing", "m1.test", want{"none", "none"}, want{"none", "none"}},
		{"no p=, a valid rua=: p=none", "m2.test", want{"fail", "none"}, want{"fail", "none"}},
		{"invalid p=, valid sp= and rua=: p=none", "a.m3.test", want{"fail", "none"}, want{"fail", "none"}},
		{"invalid sp= with rua=: p=none for a subdomain", "a.m4.test", want{"fail", "none"}, want{"fail", "none"}},
		{"invalid sp= with rua=: p=none for the domain too", "m4.test", want{"fail", "none"}, want{"fail", "none"}},
		{"invalid sp=, no rua=: no DMARC processing", "a.m5.test", want{"none", "none"}, want{"none", "none"}},
		{"invalid np=, no rua=: none for RFC 9989; RFC 7489 ignores np", "a.m6.test", want{"none", "none"}, want{"fail", "reject"}},
		{"an https: rua= is a syntactically valid URI", "m7.test", want{"fail", "none"}, want{"fail", "none"}},
		{"a mailto: rua= without an address is not", "m8.test", want{"none", "none"}, want{"none", "none"}},
		{"valid p= and sp=", "a.m9.test", want{"fail", "quarantine"}, want{"fail", "quarantine"}},
	} {
		ev := evaluate(t, z, tc.from)
		for _, c := range []struct {
			v    dmarc.Verdict
			want want
		}{{ev.RFC9989, tc.rfc9989}, {ev.RFC7489, tc.rfc7489}} {
			if c.v.Result != c.want.result || c.v.Disposition != c.want.disposition {
				t.Errorf("%s: %s: %s, disposition %s; want %s, %s\n%v", tc.name, c.v.Algorithm, c.v.Result, c.v.Disposition, c.want.result, c.want.disposition, c.v.Steps)
			}
			if c.v.Result == "none" && c.v.PolicyDomain != "" {
				t.Errorf("%s: %s: no DMARC processing, but a policy domain %s", tc.name, c.v.Algorithm, c.v.PolicyDomain)
			}
		}
	}
}

// TestPolicyDiscoveryOrgDomain is issue 25's class 4. RFC 9989 §4.10.1:
// "The DMARC Policy Record to be applied to an email message will be the
// record found at any of the following locations, listed from highest
// preference to lowest: The Author Domain; The Organizational Domain of
// the Author Domain; The Public Suffix Domain of the Author Domain." and
// "If no valid DMARC Policy Record is found by the first query, then
// perform a DNS Tree Walk to find the Author Domain's Organizational
// Domain or its Public Suffix Domain." A record the walk meets between the
// Author Domain and its Organizational Domain is not the policy. The
// Organizational Domain is chosen by §4.10.2: psd=n marks it, psd=y marks
// the name one label below, else "select the DMARC Policy Record found at
// the name with the fewest number of labels".
func TestPolicyDiscoveryOrgDomain(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "test", Text: `
@                IN SOA ns h 1 2 3 4 5
_dmarc.m1        IN TXT "v=DMARC1; p=reject; sp=quarantine"
_dmarc.mid.m1    IN TXT "v=DMARC1; p=reject"
x.mid.m1         IN A 192.0.2.1
; psd=n below the registered domain makes mid.n1 the organizational domain.
_dmarc.n1        IN TXT "v=DMARC1; p=reject; sp=quarantine"
_dmarc.mid.n1    IN TXT "v=DMARC1; p=reject; psd=n"
x.mid.n1         IN A 192.0.2.1
; A PSD: the organizational domain org.p1 has no record, so the PSD's
; applies, not the record at b.org.p1 on the way.
_dmarc.p1        IN TXT "v=DMARC1; p=reject; sp=none; psd=y"
_dmarc.b.org.p1  IN TXT "v=DMARC1; p=quarantine"
a.b.org.p1       IN A 192.0.2.1
; The Author Domain's own record comes first.
_dmarc.x.mid.o1  IN TXT "v=DMARC1; p=none"
_dmarc.mid.o1    IN TXT "v=DMARC1; p=reject"
_dmarc.o1        IN TXT "v=DMARC1; p=reject"
; The walk cannot ask _dmarc.w1 (its CNAME leaves the zone files): the
; organizational domain as far as the walk got is mid.w1.
_dmarc.w1        IN CNAME _dmarc.elsewhere.invalid.
_dmarc.mid.w1    IN TXT "v=DMARC1; p=reject; sp=quarantine"
`})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, policyDomain, applied, disposition string
	}{
		{"x.mid.m1.test", "m1.test", "sp", "quarantine"},
		{"x.mid.n1.test", "mid.n1.test", "p", "reject"}, // no sp=: p applies
		{"a.b.org.p1.test", "p1.test", "sp", "none"},
		{"x.mid.o1.test", "x.mid.o1.test", "p", "none"},
		{"x.mid.w1.test", "mid.w1.test", "sp", "quarantine"},
	} {
		ev := evaluate(t, z, tc.from)
		v := ev.RFC9989
		if v.PolicyDomain != tc.policyDomain || v.Applied != tc.applied || v.Disposition != tc.disposition {
			t.Errorf("%s: policy from _dmarc.%s, %s, disposition %s; want _dmarc.%s, %s, %s\n%v",
				tc.from, v.PolicyDomain, v.Applied, v.Disposition, tc.policyDomain, tc.applied, tc.disposition, v.Steps)
		}
	}
}

// TestTreeWalkStopsAtPSDOnTheDomain: RFC 9989 §4.10 step 2, "If a single
// record remains and it contains a "psd=n" or "psd=y" tag, stop.", and
// §4.10.2 rule 2 applies psd=y only to "a valid DMARC Policy Record,
// other than the one for the domain where the tree walk started": a
// domain with psd=y is its own organizational domain, whatever is above.
func TestTreeWalkStopsAtPSDOnTheDomain(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "test", Text: `
@           IN SOA ns h 1 2 3 4 5
_dmarc.x.q2 IN TXT "v=DMARC1; p=reject; psd=y"
_dmarc.q2   IN TXT "v=DMARC1; p=reject"
`})
	if err != nil {
		t.Fatal(err)
	}
	org, err := dmarc.OrgDomainTreeWalk(context.Background(), z, "x.q2.test")
	if err != nil || org != "x.q2.test" {
		t.Errorf("OrgDomainTreeWalk(x.q2.test) = %q, %v; want x.q2.test", org, err)
	}
}
