package mx_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(mx.Rules()); err != nil {
		t.Fatal(err)
	}
}

func zones(t *testing.T, srcs ...resolver.ZoneSource) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestLookupFixtures looks up every fixture name of the zone, offline.
func TestLookupFixtures(t *testing.T) {
	const file = "testdata/mx.zone"
	z := zones(t, resolver.ZoneSource{File: file})
	rules := slices.DeleteFunc(mx.Rules(), func(r lint.Rule) bool { return strings.HasPrefix(r.ID, "parked.") })
	fixture.Check(t, file, rules, func(t *testing.T, name string) []lint.Finding {
		rep, fs, err := mx.Lookup(context.Background(), z, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Errors) > 0 {
			t.Errorf("errors %q: nothing offline is an error", rep.Errors)
		}
		for _, f := range fs {
			if f.Citation == "" || f.Type != "MX" {
				t.Errorf("finding %v: no citation or type", f)
			}
		}
		return fs
	})
}

func TestLookupDetails(t *testing.T) {
	z := zones(t, resolver.ZoneSource{File: "testdata/mx.zone"})
	ctx := context.Background()
	type host struct {
		Target string
		Status mx.Status
	}
	hosts := func(r *mx.Report) []host {
		var out []host
		for _, h := range r.Hosts {
			out = append(out, host{h.Target, h.Status})
		}
		return out
	}
	for _, tc := range []struct {
		domain     string
		status     mx.DomainStatus
		hosts      []host
		unverified []string
	}{
		{"clean.mx.test", mx.DomainMX, []host{{"mail.clean.mx.test", mx.StatusOK}, {"mail6.mx.test", mx.StatusOK}}, nil},
		{"null.mx.test", mx.DomainNull, []host{{".", mx.StatusNull}}, nil},
		{"hosted.mx.test", mx.DomainMX, []host{{"mx.provider.example", mx.StatusUnverified}}, []string{"mx.provider.example"}},
		{"outalias.mx.test", mx.DomainMX, []host{{"mail.outalias.mx.test", mx.StatusUnverified}}, []string{"mail.outalias.mx.test"}},
		{"mixed.mx.test", mx.DomainMX, []host{{".", mx.StatusNull}, {"mail.clean.mx.test", mx.StatusOK}}, nil},
		{"literal.mx.test", mx.DomainMX, []host{{"192.0.2.1", mx.StatusIPLiteral}}, nil},
		{"missing.mx.test", mx.DomainMX, []host{{"nothing.mx.test", mx.StatusMissing}}, nil},
		{"noaddr.mx.test", mx.DomainMX, []host{{"txtonly.mx.test", mx.StatusNoAddress}}, nil},
		{"nomx.mx.test", mx.DomainNone, nil, nil},
		{"nx.mx.test", mx.DomainNXDomain, nil, nil},
		{"elsewhere.example", mx.DomainUnverified, nil, []string{"elsewhere.example"}},
	} {
		rep, _, err := mx.Lookup(ctx, z, tc.domain)
		if err != nil {
			t.Fatalf("%s: %v", tc.domain, err)
		}
		if rep.Status != tc.status || !cmp.Equal(hosts(rep), tc.hosts) || !cmp.Equal(rep.Unverified, tc.unverified) {
			t.Errorf("%s: status %s, hosts %v, unverified %q; want %s, %v, %q", tc.domain, rep.Status, hosts(rep), rep.Unverified, tc.status, tc.hosts, tc.unverified)
		}
		if rep.Null() != (tc.status == mx.DomainNull) {
			t.Errorf("%s: Null() = %v", tc.domain, rep.Null())
		}
	}
	rep, fs, _ := mx.Lookup(ctx, z, "nomx.mx.test")
	if len(rep.Fallback) != 1 || rep.Fallback[0].String() != "192.0.2.1" || len(fs) != 1 || !strings.Contains(fs[0].Message, "192.0.2.1") {
		t.Errorf("nomx: fallback %v, findings %v", rep.Fallback, fs)
	}
	// mx.none spells out the choice: MX records, or a null MX.
	if len(fs[0].Fixes) != 2 || fs[0].Fixes[1].Text() != "nomx.mx.test.\t3600\tIN\tMX\t0 ." {
		t.Errorf("mx.none fixes: %+v", fs[0].Fixes)
	}
	_, fs, _ = mx.Lookup(ctx, z, "alias.mx.test")
	want := "; delete: alias.mx.test.\t300\tIN\tMX\t10 www.alias.mx.test.\nalias.mx.test.\t3600\tIN\tMX\t10 host.mx.test."
	if len(fs) != 1 || fs[0].FixText() != want {
		t.Errorf("mx.cname fix:\n%s\nwant\n%s", fs[0].FixText(), want)
	}
	_, fs, _ = mx.Lookup(ctx, z, "mixed.mx.test")
	if len(fs) != 1 || len(fs[0].Fixes) != 2 || fs[0].Fixes[0].Text() != "; delete: mixed.mx.test.\t300\tIN\tMX\t0 ." {
		t.Errorf("mx.null-mixed fixes: %+v", fs)
	}
}

// TestLookupBounded: at most MaxHosts targets are looked up, two
// questions each at most; repeated targets are asked once.
func TestLookupBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("@ IN SOA ns h 1 3600 600 86400 300\n")
	for i := range 30 {
		fmt.Fprintf(&b, "@ IN MX %d h%d\n", i, i)
		fmt.Fprintf(&b, "h%d IN TXT \"no address\"\n", i)
	}
	b.WriteString("dup IN MX 10 h0\ndup IN MX 20 h0.many.test.\n") // the same name twice
	srv := dnstest.New(t, resolver.ZoneSource{Origin: "many.test", Text: b.String()})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := mx.Lookup(context.Background(), c, "many.test")
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.Total(); q > 1+2*mx.MaxHosts {
		t.Errorf("%d queries, bound %d", q, 1+2*mx.MaxHosts)
	}
	if !rep.Truncated || rep.Hosts[mx.MaxHosts].Status != mx.StatusNotChecked || len(fs) != mx.MaxHosts {
		t.Errorf("truncated %v, host %d %+v, %d findings", rep.Truncated, mx.MaxHosts, rep.Hosts[mx.MaxHosts], len(fs))
	}
	srv.ResetCounts()
	rep, _, _ = mx.Lookup(context.Background(), c, "dup.many.test")
	if srv.Count("h0.many.test", dns.TypeA) > 1 || rep.Hosts[1].Status != mx.StatusNoAddress {
		t.Errorf("h0 asked %d times; hosts %+v", srv.Count("h0.many.test", dns.TypeA), rep.Hosts)
	}
}

// TestLookupTemporary: a target whose lookup times out is an error of the
// check, listed, never missing; a failure of the domain's own MX question
// is the error.
func TestLookupTemporary(t *testing.T) {
	srv := dnstest.New(t, resolver.ZoneSource{Origin: "tmp.test", Text: `
@      IN SOA ns h 1 3600 600 86400 300
@      IN MX 10 slow
@      IN MX 20 fail
slow   IN A 192.0.2.1
fail   IN A 192.0.2.2
broken IN MX 10 slow
`})
	srv.SetFault("slow.tmp.test", 0, dnstest.Fault{Drop: true})
	srv.SetFault("fail.tmp.test", 0, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	srv.SetFault("broken.tmp.test", dns.TypeMX, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 200 * time.Millisecond, Tries: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := mx.Lookup(context.Background(), c, "tmp.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 0 || len(rep.Errors) != 2 || rep.Hosts[0].Status != mx.StatusError || rep.Hosts[1].Status != mx.StatusError {
		t.Errorf("findings %v, errors %q, hosts %+v", fs, rep.Errors, rep.Hosts)
	}
	if _, _, err := mx.Lookup(context.Background(), c, "broken.tmp.test"); !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("broken: %v, want a temporary error", err)
	}
	if _, _, err := mx.Lookup(context.Background(), c, "bad..name"); err == nil {
		t.Error("invalid name accepted")
	}
}

// FuzzLookup: whatever MX records a zone holds, Lookup neither panics nor
// makes findings without a rule of the catalogue, and stays in bounds.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"10 mail", "0 .", "10 192.0.2.1.", "10 [192.0.2.1]", "0 .\n@ IN MX 10 a", "10 a\na IN CNAME b\nb IN A 192.0.2.1", "10 \\046"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		z, err := resolver.NewZones(resolver.ZoneSource{Origin: "fuzz.test", Text: "@ IN SOA ns h 1 3600 600 86400 300\n@ IN MX " + s + "\n"})
		if err != nil {
			return
		}
		rep, fs, err := mx.Lookup(context.Background(), z, "fuzz.test")
		if err != nil {
			return
		}
		for _, f := range fs {
			if _, ok := lint.Find(mx.Rules(), f.Rule); !ok {
				t.Fatalf("finding of unknown rule %q", f.Rule)
			}
			if f.Span.Start < 0 || f.Span.End > len(f.Record) || f.Span.Start > f.Span.End {
				t.Fatalf("span %v out of %q", f.Span, f.Record)
			}
		}
		if len(rep.Hosts) > 0 && rep.Status == mx.DomainNone {
			t.Fatalf("hosts %v with status none", rep.Hosts)
		}
	})
}

// TestMissingTargetDotless: an MX target written without its trailing dot
// gets the zone's origin appended (mail.example.net.contoso.test); the
// finding says which host was meant, for the domain's own zone and for a
// subdomain's MX written in its parent's file. A name that is only a
// missing host of the zone (mx1.contoso.test, mx.eu.contoso.test) gets no
// such guess.
func TestMissingTargetDotless(t *testing.T) {
	z := zones(t, resolver.ZoneSource{Origin: "contoso.test", Text: `$TTL 3600
@ SOA ns1 hostmaster 1 7200 900 1209600 300
@ NS ns1
ns1 A 192.0.2.1
@ MX 10 mail.example.net
@ MX 20 mx1
@ MX 30 mx.eu
news MX 10 mx.mailer.example.co.uk
`})
	for domain, want := range map[string][]string{
		"contoso.test":      {"write it as mail.example.net.", "", ""},
		"news.contoso.test": {"write it as mx.mailer.example.co.uk."},
	} {
		_, fs, err := mx.Lookup(context.Background(), z, domain)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			if f.Rule == "mx.missing-target" {
				_, hint, _ := strings.Cut(f.Message, "If the host is ")
				if hint != "" {
					hint = hint[strings.Index(hint, "write it as"):]
				}
				got = append(got, hint)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: mx.missing-target hints %q, want %q", domain, got, want)
		}
	}
}

// TestMissingTargetDotlessSuffix: a missing host of the zone is no full
// name written without its dot under a public suffix: the origins tried
// end at the registrable domain. shop.co.uk's mx.eu.shop.co.uk is not
// "mx.eu.shop" (shop being a TLD) under co.uk.
func TestMissingTargetDotlessSuffix(t *testing.T) {
	z := zones(t, resolver.ZoneSource{Origin: "shop.co.uk", Text: `$TTL 3600
@ SOA ns1 hostmaster 1 7200 900 1209600 300
@ NS ns1
ns1 A 192.0.2.1
@ MX 10 mail
@ MX 20 mx.eu
@ MX 30 mail.example.net
`})
	_, fs, err := mx.Lookup(context.Background(), z, "shop.co.uk")
	if err != nil {
		t.Fatal(err)
	}
	hints := map[string]string{}
	for _, f := range fs {
		if f.Rule == "mx.missing-target" {
			target, _, _ := strings.Cut(strings.TrimPrefix(f.Message, "MX target "), " ")
			_, hints[target], _ = strings.Cut(f.Message, "write it as ")
		}
	}
	want := map[string]string{"mail.shop.co.uk": "", "mx.eu.shop.co.uk": "", "mail.example.net.shop.co.uk": "mail.example.net."}
	if !maps.Equal(hints, want) {
		t.Errorf("mx.missing-target hints %q, want %q", hints, want)
	}
}
