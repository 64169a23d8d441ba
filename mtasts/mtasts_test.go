package mtasts_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/internal/httpfetch/httpfetchtest"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/resolver"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const zoneFile = "testdata/mtasts.zone"

// policyServer serves testdata/policies/<domain>.txt at
// https://mta-sts.<domain>/.well-known/mta-sts.txt on 127.0.0.1, with a
// certificate for every mta-sts.<label>.example name except
// mta-sts.cert.example.
func policyServer(t *testing.T) *httpfetchtest.Server {
	t.Helper()
	entries, err := os.ReadDir("testdata/policies")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"mta-sts.redirect.example", "mta-sts.status.example"}
	for _, e := range entries {
		if d := strings.TrimSuffix(e.Name(), ".txt"); d != "cert.example" {
			names = append(names, "mta-sts."+d)
		}
	}
	return httpfetchtest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		domain := strings.TrimPrefix(r.Host, "mta-sts.")
		if r.URL.Path != "/.well-known/mta-sts.txt" {
			http.NotFound(w, r)
			return
		}
		switch domain {
		case "redirect.example":
			http.Redirect(w, r, "https://www.redirect.example/mta-sts.txt", http.StatusMovedPermanently)
			return
		case "status.example":
			http.Error(w, "gone", http.StatusGone)
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata/policies", domain+".txt"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		ct := "text/plain; charset=utf-8"
		if domain == "html.example" {
			ct = "text/html"
		}
		w.Header().Set("Content-Type", ct)
		w.Write(body)
	}), names...)
}

func zones(t *testing.T) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: zoneFile})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func fetchOpts(srv *httpfetchtest.Server) mtasts.Options {
	return mtasts.Options{Fetch: true, Roots: srv.Roots, Port: srv.Port, AllowPrivate: true}
}

func TestLookupFixtures(t *testing.T) {
	srv := policyServer(t)
	z := zones(t)
	fixture.Check(t, zoneFile, mtasts.Rules(), func(t *testing.T, name string) []lint.Finding {
		domain := strings.TrimPrefix(name, "_mta-sts.")
		opts := fetchOpts(srv)
		if domain == "idsame.example" {
			opts.Previous = &mtasts.Seen{ID: "17", SHA256: strings.Repeat("0", 64)}
		}
		_, fs, err := mtasts.Lookup(context.Background(), z, domain, opts)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	})
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(mtasts.Rules()); err != nil {
		t.Fatal(err)
	}
}

// The acceptance case: enforce mode, a policy that omits one MX.
func TestEnforceOmitsMX(t *testing.T) {
	srv := policyServer(t)
	rep, fs, err := mtasts.Lookup(context.Background(), zones(t), "missmx.example", fetchOpts(srv))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(fs), fs)
	}
	f := fs[0]
	if f.Rule != "mtasts.mx-not-covered" || f.Severity != lint.Error || f.Name != "missmx.example" || !strings.Contains(f.Message, "mx2.missmx.example") {
		t.Errorf("got %v", f)
	}
	if !strings.Contains(f.Message, "skip it") || f.Record != "20 mx2.missmx.example." {
		t.Errorf("message or record: %v (record %q)", f, f.Record)
	}
	want := []mtasts.MXHost{
		{Host: "mx1.missmx.example", Preference: 10, Pattern: "mx1.missmx.example", Covered: true},
		{Host: "mx2.missmx.example", Preference: 20},
	}
	if diff := cmp.Diff(want, rep.MX); diff != "" || rep.MXStatus != mtasts.MXChecked {
		t.Errorf("MX (-want +got):\n%s status %s", diff, rep.MXStatus)
	}
	// The fix: a new id, derived from the policy with the MX added.
	if len(f.Fixes) != 1 || len(f.Fixes[0].Edits) != 2 {
		t.Fatalf("fixes: %+v", f.Fixes)
	}
	e := f.Fixes[0].Edits
	if e[0].Op != lint.Delete || e[0].RR != "_mta-sts.missmx.example.\t3600\tIN\tTXT\t\"v=STSv1; id=2\"" ||
		e[1].Op != lint.Add || !strings.HasPrefix(e[1].RR, "_mta-sts.missmx.example.\t3600\tIN\tTXT\t\"v=STSv1; id=") {
		t.Errorf("edits: %+v", e)
	}
	if !strings.Contains(f.Fixes[0].Message, `"mx: mx2.missmx.example"`) {
		t.Errorf("fix message: %s", f.Fixes[0].Message)
	}
	// The fixed policy passes.
	policy := "version: STSv1\r\nmode: enforce\r\nmx: mx1.missmx.example\r\nmax_age: 1209600\r\nmx: mx2.missmx.example\r\n"
	_, fs, err = mtasts.Lookup(context.Background(), zones(t), "missmx.example", mtasts.Options{Policy: policy})
	if err != nil || len(fs) != 0 {
		t.Errorf("fixed policy: %v %v", fs, err)
	}
}

// All MX hosts uncovered in enforce mode: no mail at all.
func TestEnforceNoMXCovered(t *testing.T) {
	_, fs, err := mtasts.Lookup(context.Background(), zones(t), "missmx.example", mtasts.Options{Policy: "version: STSv1\nmode: enforce\nmx: other.example\nmax_age: 86400\n"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || !strings.Contains(fs[0].Message, "not deliver mail to the domain at all") {
		t.Errorf("got %v", fs)
	}
}

// Offline and without fetching: the record is checked, the policy is not
// fetched, nothing is an error.
func TestOffline(t *testing.T) {
	z := zones(t)
	ctx := context.Background()
	rep, fs, err := mtasts.Lookup(ctx, z, "missmx.example", mtasts.Options{})
	if err != nil || len(fs) != 0 || rep.Status != mtasts.StatusPublished || rep.Policy.Status != mtasts.NotFetched || rep.MXStatus != mtasts.MXNotChecked {
		t.Errorf("not fetched: %+v %v %v", rep, fs, err)
	}
	// A domain outside the zone file.
	rep, fs, err = mtasts.Lookup(ctx, z, "contoso.com", mtasts.Options{Fetch: true})
	if err != nil || len(fs) != 0 || rep.Status != mtasts.StatusUnverified {
		t.Errorf("outside: %+v %v %v", rep, fs, err)
	}
	// The policy host outside the zone file: not verified, no finding.
	z2, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@        IN SOA ns h 1 3600 600 86400 300
_mta-sts IN TXT "v=STSv1; id=1"
mta-sts  IN CNAME contoso.github.example.
@        IN MX 10 mx.contoso.example.
`})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err = mtasts.Lookup(ctx, z2, "contoso.example", mtasts.Options{Fetch: true})
	if err != nil || len(fs) != 0 || rep.Policy.Status != mtasts.Unverified {
		t.Errorf("policy host outside: %+v %v %v", rep.Policy, fs, err)
	}
	// A policy given instead of fetched; the MX outside the zone.
	z3, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@        IN SOA ns h 1 3600 600 86400 300
_mta-sts IN TXT "v=STSv1; id=1"
@        IN CNAME elsewhere.example.
`})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err = mtasts.Lookup(ctx, z3, "contoso.example", mtasts.Options{Policy: "version: STSv1\nmode: enforce\nmx: mx.contoso.example\nmax_age: 86400\n"})
	if err != nil || len(fs) != 0 || rep.Policy.Status != mtasts.Given || rep.MXStatus != mtasts.MXUnverified {
		t.Errorf("given policy, MX outside: %+v %+v %v %v", rep, rep.Policy, fs, err)
	}
}

// Non-global addresses are refused unless allowed.
func TestPrivateRefused(t *testing.T) {
	srv := policyServer(t)
	opts := fetchOpts(srv)
	opts.AllowPrivate = false
	rep, fs, err := mtasts.Lookup(context.Background(), zones(t), "clean.example", opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != "mtasts.policy-unreachable" || !strings.Contains(fs[0].Message, "non-global") || rep.Policy.Status != mtasts.FetchFailed {
		t.Errorf("got %v", fs)
	}
}

func TestErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := mtasts.Lookup(ctx, zones(t), "clean.example", mtasts.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, _, err := mtasts.Lookup(context.Background(), zones(t), "bad..name", mtasts.Options{}); !errors.Is(err, resolver.ErrInvalidName) {
		t.Errorf("invalid: %v", err)
	}
	if _, _, err := mtasts.Lookup(context.Background(), zones(t).WithFallback(resolver.Refused()), "contoso.com", mtasts.Options{}); !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("temporary: %v", err)
	}
}

// The id-change check across two runs: Seen from one is Previous for the
// next.
func TestSeen(t *testing.T) {
	srv := policyServer(t)
	z := zones(t)
	rep, _, err := mtasts.Lookup(context.Background(), z, "clean.example", fetchOpts(srv))
	if err != nil {
		t.Fatal(err)
	}
	seen := rep.Seen()
	if seen == nil || seen.ID != "20260101T000000" || len(seen.SHA256) != 64 {
		t.Fatalf("seen: %+v", seen)
	}
	opts := fetchOpts(srv)
	opts.Previous = seen
	if _, fs, _ := mtasts.Lookup(context.Background(), z, "clean.example", opts); len(fs) != 0 {
		t.Errorf("same policy, same id: %v", fs)
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, host string
		want          bool
	}{
		{"mail.example.com", "mail.example.com", true},
		{"mail.example.com", "MAIL.Example.COM.", true},
		{"*.example.com", "mx.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "a.mx.example.com", false},
		{"*.example.com", ".example.com", false},
		{"mail.example.com", "mail2.example.com", false},
		{"", "", false},
	} {
		if got := mtasts.Match(tc.pattern, tc.host); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.pattern, tc.host, got)
		}
	}
}

func TestParseRecord(t *testing.T) {
	for _, tc := range []struct {
		txt  string
		id   string
		fail bool
	}{
		{"v=STSv1; id=20160831085700Z", "20160831085700Z", false},
		{"v=STSv1;id=abc;", "abc", false},
		{"v=STSv1 ;  id=abc ; ext=val.ue", "abc", false},
		{"v=STSv1; id=", "", true},
		{"v=STSv1; id=" + strings.Repeat("a", 33), strings.Repeat("a", 33), true},
		{"v=STSv1; id=a; id=b", "a", false}, // the first counts (RFC 8461 §3.2)
		{"v=STSv1; id=a; id=", "a", true},   // neither sts-id nor sts-extension
		{"v=STSv1; id=a; ID=b", "a", false}, // an extension
		{"v=STSv1; id=a; v=STSv2", "a", false},
		{"v=STSv1; ID=a", "", true},
		{"v=STSv1; id=a ", "a", false}, // a warning: whitespace outside the grammar
		{"v=STSv1 id=a", "", true},
		{"v=STSv1; id=a;; x=y", "a", true},
		{"v=STSv1; id=a; x=", "a", true},
		{"v=STSv1", "", true},
	} {
		r, err := mtasts.ParseRecord(tc.txt)
		if (err != nil) != tc.fail || r == nil || r.ID != tc.id {
			t.Errorf("ParseRecord(%q) = %+v, %v", tc.txt, r, err)
		}
	}
	if _, err := mtasts.ParseRecord("v=spf1 -all"); !errors.Is(err, mtasts.ErrNotSTS) {
		t.Errorf("not STS: %v", err)
	}
}

func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		text string
		fail string // a part of the error, or ""
	}{
		{"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n", ""},
		{"version: STSv1\nmode: none\nmax_age: 0", ""},
		{"version: STSv1\nmode: testing\nmx: a.example\nmax_age: 31557600\nfoo: bar baz\n", ""},
		{"version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx"},
		{"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "more than"},
		{"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n", "not a number"},
		{"version: STSv1\nmode: enforce\nmx: a.example\n", "no max_age"},
		{"mode: enforce\nmx: a.example\nmax_age: 1\n", "no version"},
		{"version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "STSv2"},
		{"version: STSv1\nmode: ENFORCE\nmx: a.example\nmax_age: 1\n", "ENFORCE"},
		{"version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1\n", ""},
		{"version: STSv1\nmode: enforce\nmode:\nmx: a.example\nmax_age: 1\n", "no value"},
		{"version: STSv1\nmode: enforce\nmx: mail.*.example\nmax_age: 1\n", "wildcard"},
		{"version: STSv1\nmode: enforce\nmx: *.com\nmax_age: 1\n", "top-level"},
		{"version: STSv1\nmode: enforce\nmx: a.example.\nmax_age: 1\n", "trailing dot"},
		{"version: STSv1\nmode: enforce\nmx: a_b.example\nmax_age: 1\n", "not allowed"},
		{"version : STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", "not a valid key"},
		{"version: STSv1\nmode: enforce\nmx a.example\nmax_age: 1\n", "not \"key: value\""},
		{"Version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n", "no version"},
	} {
		p, err := mtasts.ParsePolicy(tc.text)
		switch {
		case tc.fail == "" && err != nil:
			t.Errorf("ParsePolicy(%q): %v", tc.text, err)
		case tc.fail != "" && (err == nil || !strings.Contains(err.Error(), tc.fail)):
			t.Errorf("ParsePolicy(%q) = %v, want an error with %q", tc.text, err, tc.fail)
		case p == nil:
			t.Errorf("ParsePolicy(%q): nil policy", tc.text)
		}
	}
	// A blank line is a warning, not an error.
	if _, err := mtasts.ParsePolicy("version: STSv1\n\nmode: none\nmax_age: 1\n"); err != nil {
		t.Errorf("blank line: %v", err)
	}
}

// TestRepeatedFields is issue 25's class 7. RFC 8461 §3.2: "Parsers MUST
// accept TXT records and policy files that are syntactically valid (i.e.,
// valid key/value pairs separated by semicolons for TXT records),
// possibly containing additional key/value pairs not specified in this
// document, in which case unknown fields SHALL be ignored. If any
// non-repeated field -- i.e., all fields excepting "mx" -- is duplicated,
// all entries except for the first SHALL be ignored." A repeat is a
// warning (mtasts.ignored-field), not an invalid record or policy.
func TestRepeatedFields(t *testing.T) {
	r, err := mtasts.ParseRecord("v=STSv1; id=first; id=second")
	if err != nil || r.ID != "first" {
		t.Errorf("repeated id=: %+v, %v; want id first", r, err)
	}
	p, err := mtasts.ParsePolicy("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 86400\nversion: STSv2\nmode: bogus\nmax_age: x\n")
	if err != nil || p.Version != "STSv1" || p.Mode != mtasts.Enforce || p.MaxAge != 86400 {
		t.Errorf("repeated fields: %+v, %v; want STSv1, enforce, 86400", p, err)
	}
	srv := policyServer(t)
	rep, fs, err := mtasts.Lookup(context.Background(), zones(t), "repeat.example", fetchOpts(srv))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != mtasts.StatusPublished || !rep.Policy.Valid || rep.Record.ID != "18" || rep.Policy.Policy.Mode != mtasts.Enforce || rep.Policy.Policy.MaxAge != 1209600 {
		t.Errorf("record %+v, policy %+v", rep.Record, rep.Policy.Policy)
	}
	var n int
	for _, f := range fs {
		if f.Rule != "mtasts.ignored-field" || f.Severity != lint.Warning {
			t.Errorf("finding %v; want only mtasts.ignored-field warnings", f)
		}
		n++
	}
	if n != 5 { // id=19, ID=20; mode, Mx:, max_age
		t.Errorf("%d findings, want 5: %v", n, fs)
	}
}

// TestExtensionNames is issue 25's class 8, for MTA-STS. The ABNF of RFC
// 8461 §3.2, "sts-policy-ext-name = (sts-policy-alphanum)
// *31(sts-policy-alphanum / "_" / "-" / ".")", makes "Mx" a valid
// extension name, and "unknown fields SHALL be ignored": a policy with
// "Mx:" is valid, its Mx: does nothing, and a warning says so. So for
// "ID=" in the TXT record (RFC 8461 §3.1, sts-ext-name).
func TestExtensionNames(t *testing.T) {
	p, err := mtasts.ParsePolicy("version: STSv1\nmode: enforce\nmx: a.example\nMx: b.example\nmax_age: 86400\n")
	if err != nil || len(p.MX) != 1 || len(p.Extensions) != 1 || p.Extensions[0].Name != "Mx" {
		t.Errorf("Mx: %+v, %v; want valid, mx a.example, extension Mx", p, err)
	}
	// With no mx field left, enforce mode has no pattern: that is the
	// error, not the name.
	if _, err := mtasts.ParsePolicy("version: STSv1\nmode: enforce\nMx: a.example\nmax_age: 86400\n"); err == nil || !strings.Contains(err.Error(), "no mx") {
		t.Errorf("only Mx: %v; want \"no mx\"", err)
	}
	r, err := mtasts.ParseRecord("v=STSv1; id=1; ID=2")
	if err != nil || r.ID != "1" || len(r.Extensions) != 1 {
		t.Errorf("ID=: %+v, %v", r, err)
	}
}
