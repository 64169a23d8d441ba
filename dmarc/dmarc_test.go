package dmarc_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func client(t *testing.T, zones ...resolver.ZoneSource) (*dnstest.Server, *resolver.Client) {
	t.Helper()
	srv := dnstest.New(t, zones...)
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestLookupFixtures(t *testing.T) {
	const file = "testdata/dmarc.zone"
	srv, c := client(t, resolver.ZoneSource{File: file})
	// The tree walk's name past walk.example fails (SERVFAIL): a failure,
	// not a name the server does not serve (REFUSED is not a finding).
	srv.SetFault("_dmarc.elsewhere.invalid", dns.TypeTXT, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	fixture.Check(t, file, dmarc.Rules(), func(t *testing.T, name string) []lint.Finding {
		_, fs, err := dmarc.Lookup(context.Background(), c, strings.TrimPrefix(name, "_dmarc."))
		if err != nil {
			t.Fatal(err)
		}
		return fs
	})
}

// TestOrgUndeterminedMessage: the finding names the _dmarc name the walk
// could not ask and why, from the Policy's Unasked and Why (no text of
// Incomplete cut apart).
func TestOrgUndeterminedMessage(t *testing.T) {
	srv, c := client(t, resolver.ZoneSource{File: "testdata/dmarc.zone"})
	srv.SetFault("_dmarc.elsewhere.invalid", dns.TypeTXT, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	d, fs, err := dmarc.Lookup(context.Background(), c, "sub.walk.example")
	if err != nil {
		t.Fatal(err)
	}
	p := d.RFC9989
	if p.Unasked != "_dmarc.walk.example" || !strings.HasSuffix(p.Why(), "SERVFAIL: temporary DNS failure") || p.Incomplete != p.Unasked+": "+p.Why() {
		t.Fatalf("unasked %q, why %q, incomplete %q", p.Unasked, p.Why(), p.Incomplete)
	}
	want := "the DNS tree walk could not ask _dmarc.walk.example (" + p.Why() + "), so the organizational domain is walk.example, by the public suffix list"
	var got []string
	for _, f := range fs {
		if f.Rule == "dmarc.org-undetermined" {
			got = append(got, f.Message)
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("dmarc.org-undetermined: %q, want %q", got, want)
	}
}

// TestPSLPrivateSection: fixtures where the public suffix list's private
// section and the RFC 9989 tree walk disagree, and dmarc.algorithms-differ
// says so. Each zone is the vendor's own; the com zone above herokuapp.com
// is a stand-in that answers NXDOMAIN, so the walk completes.
func TestPSLPrivateSection(t *testing.T) {
	differ, _ := lint.Find(dmarc.Rules(), "dmarc.algorithms-differ")
	for _, file := range []string{"testdata/psl-github.io.zone", "testdata/psl-herokuapp.com.zone"} {
		t.Run(file, func(t *testing.T) {
			_, c := client(t, resolver.ZoneSource{File: file}, resolver.ZoneSource{Origin: "com", Text: "@ IN SOA ns h 1 3600 600 86400 300"})
			fixture.Check(t, file, []lint.Rule{differ}, func(t *testing.T, name string) []lint.Finding {
				d, fs, err := dmarc.Lookup(context.Background(), c, strings.TrimPrefix(name, "_dmarc."))
				if err != nil {
					t.Fatal(err)
				}
				if d.RFC7489.OrgDomain != d.Domain && !strings.HasPrefix(name, "a.b.") {
					t.Errorf("RFC 7489 organizational domain %s, want %s (the private section)", d.RFC7489.OrgDomain, d.Domain)
				}
				return fs
			})
		})
	}
}

// TestExistence pins the np existence test: NXDOMAIN is non-existence;
// NODATA is existence, as receivers read it, unless the server answers
// NODATA for a name no one publishes too, which is said (ExistsNote and,
// when np differs from the policy that applies otherwise,
// dmarc.existence-unknown).
func TestExistence(t *testing.T) {
	_, c := client(t, resolver.ZoneSource{File: "testdata/dmarc.zone"})
	for _, tc := range []struct {
		domain string
		exists bool
		note   bool
	}{
		{"nx.np.example", false, false},
		{"sub.np.example", true, false},
		{"alias.np.example", true, false}, // a CNAME to a name that does not exist: the NXDOMAIN is the target's
		{"sub.bl.example", true, true},
		{"nx.bl.example", true, true}, // the wildcard answers: indistinguishable
	} {
		d, fs, err := dmarc.Lookup(context.Background(), c, tc.domain)
		if err != nil {
			t.Fatal(err)
		}
		unknown := slices.Contains(fixture.RuleIDs(fs), "dmarc.existence-unknown")
		if d.Exists != tc.exists || (d.ExistsNote != "") != tc.note || unknown != tc.note {
			t.Errorf("%s: exists %v, note %q, findings %v; want exists %v, note %v", tc.domain, d.Exists, d.ExistsNote, fs, tc.exists, tc.note)
		}
	}
}

// TestReportChecksCouldNotCheck: a timeout or SERVFAIL while checking
// report authorization or a destination's MX is "could not check", never
// "unauthorized" nor "no MX".
func TestReportChecksCouldNotCheck(t *testing.T) {
	srv, c := client(t, resolver.ZoneSource{File: "testdata/dmarc.zone"})
	srv.SetFault("auth.example._report._dmarc.auth-reports.example", dns.TypeTXT, dnstest.Fault{Drop: true})
	srv.SetFault("auth-reports.example", dns.TypeMX, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	srv.SetFault("clean.example", dns.TypeMX, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	c2, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Timeout: 200 * time.Millisecond, Tries: 1})
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	d, fs, err := dmarc.Lookup(context.Background(), c2, "auth.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reports) != 1 || d.Reports[0].Authorized || !strings.HasPrefix(d.Reports[0].Err, "could not check: ") || len(fs) != 0 {
		t.Errorf("timeout: reports %+v, findings %v; want could not check and no finding", d.Reports, fs)
	}
	d, fs, err = dmarc.Lookup(context.Background(), c2, "clean.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.ReportHosts) != 1 || d.ReportHosts[0].Status != "error" || !strings.HasPrefix(d.ReportHosts[0].Err, "could not check: ") || len(fs) != 0 {
		t.Errorf("SERVFAIL: report hosts %+v, findings %v", d.ReportHosts, fs)
	}
	// Offline, a destination outside the zone files is not verified: no
	// finding either way.
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "off.example", Text: `
@      IN SOA ns h 1 3600 600 86400 300
_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.vendor.example"
`})
	if err != nil {
		t.Fatal(err)
	}
	d, fs, err = dmarc.Lookup(context.Background(), z, "off.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Reports) != 1 || d.Reports[0].Err != "not verified offline" || slices.ContainsFunc(fs, func(f lint.Finding) bool { return strings.HasPrefix(f.Rule, "dmarc.rua") }) {
		t.Errorf("offline: reports %+v, findings %v", d.Reports, fs)
	}
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(dmarc.Rules()); err != nil {
		t.Fatal(err)
	}
}

// TestDiscoveryAlgorithms: both algorithms side by side, against dnstest.
func TestDiscoveryAlgorithms(t *testing.T) {
	srv, c := client(t,
		resolver.ZoneSource{File: "testdata/dmarc.zone"},
		resolver.ZoneSource{Origin: "psd.test", Text: `
@                  IN SOA ns h 1 3600 600 86400 300
_dmarc             IN TXT "v=DMARC1; p=reject; psd=y; rua=mailto:psd@psd.test"
agency             IN A   192.0.2.1
_dmarc.corp        IN TXT "v=DMARC1; p=quarantine; psd=n; rua=mailto:d@corp.psd.test"
a.b.c.d.e.f.g.h.i.corp IN A 192.0.2.1
`})
	ctx := context.Background()
	for _, tc := range []struct {
		domain                 string
		org7489, org9989       string
		policy7489, policy9989 string
		differ                 bool
	}{
		{"clean.example", "clean.example", "clean.example", "clean.example", "clean.example", false},
		{"sub.inh.example", "inh.example", "inh.example", "inh.example", "inh.example", false},
		// RFC 9989 §4.10.1: the organizational domain's record, not the
		// first record the walk meets (_dmarc.b.diff.example).
		{"a.b.diff.example", "diff.example", "diff.example", "diff.example", "diff.example", false},
		{"a.b.ndiff.example", "ndiff.example", "b.ndiff.example", "ndiff.example", "b.ndiff.example", true},
		// A PSD with psd=y: RFC 9989 makes the name below it the
		// organizational domain; the public suffix list does not know test.
		{"agency.psd.test", "psd.test", "agency.psd.test", "psd.test", "psd.test", true},
		// psd=n marks the organizational domain; 10 labels: the walk
		// shortens to 7 at once.
		{"a.b.c.d.e.f.g.h.i.corp.psd.test", "psd.test", "corp.psd.test", "psd.test", "corp.psd.test", true},
	} {
		srv.ResetCounts()
		d, _, err := dmarc.Lookup(ctx, c, tc.domain)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{d.RFC7489.OrgDomain, d.RFC9989.OrgDomain, d.RFC7489.PolicyDomain, d.RFC9989.PolicyDomain}
		want := []string{tc.org7489, tc.org9989, tc.policy7489, tc.policy9989}
		if diff := cmp.Diff(want, got); diff != "" || d.Differ != tc.differ {
			t.Errorf("%s: org7489, org9989, policy7489, policy9989 (-want +got):\n%s differ=%v", tc.domain, diff, d.Differ)
		}
		if n := len(d.RFC9989.Queried); n > dmarc.MaxTreeWalk {
			t.Errorf("%s: tree walk asked %d names, more than %d", tc.domain, n, dmarc.MaxTreeWalk)
		}
	}
	d, _, _ := dmarc.Lookup(ctx, c, "a.b.c.d.e.f.g.h.i.corp.psd.test")
	want := []string{"_dmarc.a.b.c.d.e.f.g.h.i.corp.psd.test", "_dmarc.f.g.h.i.corp.psd.test",
		"_dmarc.g.h.i.corp.psd.test", "_dmarc.h.i.corp.psd.test", "_dmarc.i.corp.psd.test", "_dmarc.corp.psd.test"}
	if diff := cmp.Diff(want, d.RFC9989.Queried); diff != "" {
		t.Errorf("tree walk names (-want +got):\n%s", diff)
	}
}

func TestReportAuthorization(t *testing.T) {
	_, c := client(t, resolver.ZoneSource{File: "testdata/dmarc.zone"})
	for _, tc := range []struct {
		domain string
		auth   []dmarc.ReportAuth
	}{
		{"clean.example", nil}, // same organization: nothing to check
		{"auth.example", []dmarc.ReportAuth{{Host: "auth-reports.example", Name: "auth.example._report._dmarc.auth-reports.example", Authorized: true}}},
		{"unauth.example", []dmarc.ReportAuth{{Host: "reports.other.example", Name: "unauth.example._report._dmarc.reports.other.example"}}},
	} {
		d, _, err := dmarc.Lookup(context.Background(), c, tc.domain)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.auth, d.Reports); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.domain, diff)
		}
	}
}

func TestParse(t *testing.T) {
	r, err := dmarc.Parse("v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=r; rua=mailto:a@example.com!10m,mailto:b@example.net; ruf=mailto:f@example.com; fo=1:d; pct=25", dmarc.RFC7489)
	if err != nil {
		t.Fatal(err)
	}
	if r.P != "quarantine" || r.SP != "reject" || r.ADKIM != "s" || r.Pct != 25 || len(r.RUA) != 2 || r.RUA[0].Limit != "10m" || r.RUA[1].Host != "example.net" {
		t.Errorf("record = %+v", r)
	}
	if got := r.RUA[1].Span; r.Raw[got.Start:got.End] != "mailto:b@example.net" {
		t.Errorf("rua span = %q", r.Raw[got.Start:got.End])
	}
	for _, tc := range []struct {
		txt  string
		mode dmarc.Mode
		ok   bool
	}{
		{"v=DMARC1; p=none", dmarc.RFC7489, true},
		{"v=DMARC1;p=reject;", dmarc.RFC9989, true},
		{"v=DMARC1; rua=mailto:a@example.com; p=none", dmarc.RFC9989, true},
		{"v=DMARC1; rua=mailto:a@example.com; p=none", dmarc.RFC7489, false},
		{"v=DMARC1; p=none; foo=bar", dmarc.RFC9989, true},
		// Issue 18, item 10: unknown tags MUST be ignored (RFC 7489 §6.3).
		{"v=DMARC1; p=none; foo=bar", dmarc.RFC7489, true},
		// Item 7: the tag name v is case-insensitive, DMARC1 is not
		// (RFC 7489 §6.4 ABNF, RFC 5234 §2.3).
		{"V=DMARC1; p=reject", dmarc.RFC9989, true},
		{"V=DMARC1; p=reject", dmarc.RFC7489, true},
		{"v=DMARC1; P=reject", dmarc.RFC7489, true},
		{"v = DMARC1 ; p=reject", dmarc.RFC7489, true},
		{"v=dmarc1; p=reject", dmarc.RFC9989, false},
		// Item 8: the ";" after the version is required (dmarc-sep).
		{"v=DMARC1 sp=none; p=reject", dmarc.RFC9989, false},
		{"v=DMARC1 sp=none; p=reject", dmarc.RFC7489, false},
		{"v=DMARC1 p=reject", dmarc.RFC9989, false},
		// Item 9: nothing before v= (RFC 7489 §6.6.3).
		{" v=DMARC1; p=reject", dmarc.RFC9989, false},
		{"\tv=DMARC1; p=reject", dmarc.RFC7489, false},
		{"v=DMARC1; p=none; np=reject; psd=n; t=y", dmarc.RFC9989, true},
		{"v=DMARC1; p=bogus", dmarc.RFC9989, false},
		{"v=DMARC1; p=none; pct=101", dmarc.RFC7489, false},
		{"v=DMARC1; p=none; p=reject", dmarc.RFC9989, false},
		{"v=DMARC1; p=none; adkim=x", dmarc.RFC9989, false},
		{"p=none; v=DMARC1", dmarc.RFC9989, false},
		{"v=DMARC2; p=none", dmarc.RFC9989, false},
	} {
		_, err := dmarc.Parse(tc.txt, tc.mode)
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%q, %v) = %v, want ok=%v", tc.txt, tc.mode, err, tc.ok)
		}
	}
}

// TestParseIssue18 pins what issue 18 asked of Parse: the error each
// broken record gets, and that an unknown tag is a warning, not an error.
func TestParseIssue18(t *testing.T) {
	for _, tc := range []struct {
		txt  string
		err  error  // ErrNotDMARC, or nil
		want string // a substring of the error, "" for none
	}{
		{"V=DMARC1; p=reject", nil, ""},
		{"v=DMARC1 sp=none; p=reject", nil, `";" must follow v=DMARC1`},
		{" v=DMARC1; p=reject", dmarc.ErrNotDMARC, ""},
		{"v=DMARC1x; p=reject", dmarc.ErrNotDMARC, ""},
		{"v=Dmarc1; p=reject", dmarc.ErrNotDMARC, ""},
		{"v=DMARC1; p=reject; foo=bar", nil, ""},
	} {
		for _, m := range []dmarc.Mode{dmarc.RFC9989, dmarc.RFC7489} {
			r, err := dmarc.Parse(tc.txt, m)
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) {
					t.Errorf("Parse(%q, %v) = %v, want %v", tc.txt, m, err, tc.err)
				}
			case tc.want == "":
				if err != nil || r.P != "reject" {
					t.Errorf("Parse(%q, %v) = %+v, %v; want p=reject", tc.txt, m, r, err)
				}
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Errorf("Parse(%q, %v) = %v, want %q", tc.txt, m, err, tc.want)
			}
		}
	}
	// The unknown tag is still reported, as a warning.
	_, c := client(t, resolver.ZoneSource{Origin: "unk.example", Text: `
@       IN SOA ns h 1 3600 600 86400 300
_dmarc  IN TXT "v=DMARC1; p=reject; rua=mailto:d@unk.example; foo=bar"
`})
	_, fs, err := dmarc.Lookup(context.Background(), c, "unk.example")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule+" "+f.Severity.String())
	}
	if !slices.Contains(got, "dmarc.unknown-tag warning") || slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, " error") }) {
		t.Errorf("findings %v, want dmarc.unknown-tag as a warning and no error", got)
	}
}

// TestIsRecordConsistent: IsSPF and IsDMARC both refuse leading
// whitespace (RFC 7208 §4.5, RFC 7489 §6.6.3) and read their version tag
// as their RFC's ABNF does.
func TestIsRecordConsistent(t *testing.T) {
	for _, tc := range []struct {
		txt       string
		spf, dmrc bool
	}{
		{"v=spf1 -all", true, false},
		{"V=SPF1 -all", true, false},
		{" v=spf1 -all", false, false},
		{"\tv=spf1 -all", false, false},
		{"v=spf1\t-all", false, false},
		{"v=DMARC1; p=none", false, true},
		{"V=DMARC1; p=none", false, true},
		{"v=DMARC1", false, true},
		{" v=DMARC1; p=none", false, false},
		{"\tv=DMARC1; p=none", false, false},
		{"v=dmarc1; p=none", false, false},
	} {
		if got := spf.IsSPF(tc.txt); got != tc.spf {
			t.Errorf("spf.IsSPF(%q) = %v, want %v", tc.txt, got, tc.spf)
		}
		if got := dmarc.IsDMARC(tc.txt); got != tc.dmrc {
			t.Errorf("dmarc.IsDMARC(%q) = %v, want %v", tc.txt, got, tc.dmrc)
		}
	}
}

// TestAlignment: strict and relaxed, subdomains, multi-label public
// suffixes, a private-section suffix, PSD policies, np for NXDOMAIN.
func TestAlignment(t *testing.T) {
	rec := func(txt string) *dmarc.Record {
		r, err := dmarc.Parse(txt, dmarc.RFC9989)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	disc := func(domain, policyDomain, org string, exists bool, r *dmarc.Record) *dmarc.Discovery {
		p := &dmarc.Policy{OrgDomain: org, PolicyDomain: policyDomain, Record: r}
		p7, p9 := *p, *p
		p7.Algorithm, p9.Algorithm = "RFC 7489", "RFC 9989"
		return &dmarc.Discovery{Domain: domain, RFC7489: &p7, RFC9989: &p9, Exists: exists}
	}
	relaxed := rec("v=DMARC1; p=reject; sp=quarantine; np=reject")
	strict := rec("v=DMARC1; p=reject; adkim=s; aspf=s")
	testing_ := rec("v=DMARC1; p=reject; t=y")
	for _, tc := range []struct {
		name       string
		d          *dmarc.Discovery
		ids        dmarc.Identifiers
		result     dmarc.Result
		disp       string
		spf, dkimA bool
	}{
		{"relaxed spf subdomain", disc("example.co.uk", "example.co.uk", "example.co.uk", true, relaxed),
			dmarc.Identifiers{From: "example.co.uk", SPF: spf.Pass, MailFrom: "bounce.example.co.uk"}, "pass", "none", true, false},
		{"co.uk is a public suffix: other.co.uk does not align", disc("example.co.uk", "example.co.uk", "example.co.uk", true, relaxed),
			dmarc.Identifiers{From: "example.co.uk", SPF: spf.Pass, MailFrom: "other.co.uk"}, "fail", "reject", false, false},
		{"strict spf subdomain fails", disc("example.com", "example.com", "example.com", true, strict),
			dmarc.Identifiers{From: "example.com", SPF: spf.Pass, MailFrom: "bounce.example.com"}, "fail", "reject", false, false},
		{"strict dkim exact", disc("example.com", "example.com", "example.com", true, strict),
			dmarc.Identifiers{From: "example.com", DKIM: []dmarc.DKIMResult{{Domain: "EXAMPLE.com", Result: dkim.Pass}}}, "pass", "none", false, true},
		{"relaxed dkim parent", disc("news.example.com", "example.com", "example.com", true, relaxed),
			dmarc.Identifiers{From: "news.example.com", DKIM: []dmarc.DKIMResult{{Domain: "example.com", Result: dkim.Pass}}}, "pass", "none", false, true},
		{"private suffix: blogspot.com subdomains are separate", disc("alice.blogspot.com", "alice.blogspot.com", "alice.blogspot.com", true, relaxed),
			dmarc.Identifiers{From: "alice.blogspot.com", DKIM: []dmarc.DKIMResult{{Domain: "mallory.blogspot.com", Result: dkim.Pass}}}, "fail", "reject", false, false},
		{"dkim fail does not align", disc("example.com", "example.com", "example.com", true, relaxed),
			dmarc.Identifiers{From: "example.com", DKIM: []dmarc.DKIMResult{{Domain: "example.com", Result: dkim.Fail}}}, "fail", "reject", false, false},
		{"subdomain gets sp", disc("www.example.com", "example.com", "example.com", true, relaxed),
			dmarc.Identifiers{From: "www.example.com", SPF: spf.Fail, MailFrom: "www.example.com"}, "fail", "quarantine", false, false},
		{"non-existent subdomain gets np", disc("nx.example.com", "example.com", "example.com", false, relaxed),
			dmarc.Identifiers{From: "nx.example.com"}, "fail", "reject", false, false},
		{"PSD policy for a registrant without its own", disc("agency.gov.test", "gov.test", "agency.gov.test", true, rec("v=DMARC1; p=reject; sp=quarantine; psd=y")),
			dmarc.Identifiers{From: "agency.gov.test"}, "fail", "quarantine", false, false},
		{"t=y softens reject to quarantine", disc("example.com", "example.com", "example.com", true, testing_),
			dmarc.Identifiers{From: "example.com"}, "fail", "quarantine", false, false},
		{"no policy", disc("example.com", "", "example.com", true, nil),
			dmarc.Identifiers{From: "example.com"}, "none", "none", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := dmarc.Evaluate(context.Background(), nil, tc.d, tc.ids)
			if err != nil {
				t.Fatal(err)
			}
			v := ev.RFC7489
			if v.Result != tc.result || v.Disposition != tc.disp && !strings.Contains(tc.name, "t=y") || v.SPFAligned != tc.spf || v.DKIMAligned != tc.dkimA {
				t.Errorf("verdict %+v\nwant %s/%s spf=%v dkim=%v", v, tc.result, tc.disp, tc.spf, tc.dkimA)
			}
			if strings.Contains(tc.name, "t=y") && ev.RFC9989.Disposition != tc.disp {
				t.Errorf("RFC 9989 disposition %s, want %s", ev.RFC9989.Disposition, tc.disp)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject; rua=mailto:a@example.com!10m,mailto:b@example.net", "v=DMARC1;p=none;sp=reject;np=quarantine;psd=y;t=y",
		"v=DMARC1; p=quarantine; pct=50; rf=afrf; ri=86400; fo=0:1:d:s", "v=DMARC1", "v=DMARC1; rua=,,;;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []dmarc.Mode{dmarc.RFC9989, dmarc.RFC7489} {
			r, err := dmarc.Parse(s, m)
			if err == nil && r == nil {
				t.Fatal("nil record without error")
			}
			if r == nil {
				continue
			}
			for _, u := range append(r.RUA, r.RUF...) {
				if u.Span.Start < 0 || u.Span.End > len(s) || u.Span.Start > u.Span.End {
					t.Fatalf("URI span %v out of range in %q", u.Span, s)
				}
			}
			if err == nil {
				if _, err := dmarc.Parse(r.String(), dmarc.RFC9989); err != nil {
					t.Fatalf("String() of a good record does not parse: %q: %v", r.String(), err)
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	const rec = "v=DMARC1; p=quarantine; sp=reject; adkim=s; rua=mailto:dmarc@example.com,mailto:reports@dmarc.example.net!10m; ruf=mailto:f@example.com; fo=1"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dmarc.Parse(rec, dmarc.RFC9989); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEvaluateUnknownOrgNotAligned: offline, the tree walk of a third
// party's domain cannot finish; its organizational domain is then the
// public suffix list's, never "" — two unknown domains are not aligned
// (they were, when a failed walk was cached as "").
func TestEvaluateUnknownOrgNotAligned(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "brightpath.test", Text: "@ IN SOA ns h 1 3600 600 86400 300\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := dmarc.Discover(ctx, z, "brightpath.test")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := dmarc.Evaluate(ctx, z, d, dmarc.Identifiers{From: "brightpath.test", SPF: spf.Pass, MailFrom: "zendesk.example",
		DKIM: []dmarc.DKIMResult{{Domain: "zendesk.example", Result: dkim.Pass}}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.RFC9989.Result != "fail" || ev.RFC7489.Result != "fail" {
		t.Errorf("RFC 9989 %s, RFC 7489 %s: want both fail\n%s", ev.RFC9989.Result, ev.RFC7489.Result, strings.Join(ev.RFC9989.Steps, "\n"))
	}
}

// TestProblemRules: a problem carries the catalogue's rule itself, not an
// ID to be mapped back.
func TestProblemRules(t *testing.T) {
	for _, txt := range []string{"v=DMARC1; p=bogus", "v=DMARC1", "v=DMARC1; p=reject; pct=200", "v=DMARC1; p=reject; fo=9", "v=DMARC1; p=reject; ri=abc"} {
		_, err := dmarc.Parse(txt, dmarc.RFC9989)
		var p *dmarc.Problem
		if !errors.As(err, &p) {
			t.Errorf("%q: %v; want a *dmarc.Problem", txt, err)
			continue
		}
		if r, ok := lint.Find(dmarc.Rules(), p.Rule.ID); !ok || r != p.Rule {
			t.Errorf("%q: rule %+v is not the catalogue's", txt, p.Rule)
		}
	}
}

// TestMergeAdvice: records that set different policies are merged by
// hand; the advice names the policies and gives the merged text (the
// Microsoft 365 diff shows it as is).
func TestMergeAdvice(t *testing.T) {
	m, err := dmarc.Merge([]string{"v=DMARC1; p=reject; rua=mailto:a@d.example", "v=DMARC1; p=none; rua=mailto:b@d.example"})
	if !errors.Is(err, dmarc.ErrMergeByHand) {
		t.Fatalf("Merge: %q, %v; want ErrMergeByHand", m, err)
	}
	want := `the records set different policies: merge them by hand (p=reject, none): merge them into one record with the policy you mean; its other tags and report addresses: "` + m + `"`
	if got := dmarc.MergeAdvice(err, m); got != want {
		t.Errorf("MergeAdvice = %q\nwant %q", got, want)
	}
}
