package bimi_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/bimi"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/internal/httpfetch/httpfetchtest"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const zoneFile = "testdata/bimi.zone"

// logoServer serves testdata/svg at https://logos.example/ on 127.0.0.1,
// and a 40 KiB big.svg.
func logoServer(t *testing.T) *httpfetchtest.Server {
	t.Helper()
	return httpfetchtest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "big.svg" {
			w.Header().Set("Content-Type", "image/svg+xml")
			w.Write([]byte(`<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title>x</title><desc>` + strings.Repeat("x", 40<<10) + `</desc></svg>`))
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata/svg", filepath.Base(name)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write(body)
	}), "logos.example")
}

func zones(t *testing.T) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: zoneFile})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// check runs what check.Domain would: dmarc.Lookup, then bimi.Lookup with
// its discovery.
func check(t *testing.T, r resolver.Resolver, domain string, opts bimi.Options) (*bimi.Report, []lint.Finding) {
	t.Helper()
	ctx := context.Background()
	d, _, err := dmarc.Lookup(ctx, r, domain)
	if err != nil {
		t.Fatal(err)
	}
	opts.DMARC = d
	rep, fs, err := bimi.Lookup(ctx, r, domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep, fs
}

func fetchOpts(srv *httpfetchtest.Server) bimi.Options {
	return bimi.Options{Fetch: true, Roots: srv.Roots, Port: srv.Port, AllowPrivate: true}
}

func TestLookupFixtures(t *testing.T) {
	srv := logoServer(t)
	z := zones(t)
	fixture.Check(t, zoneFile, bimi.Rules(), func(t *testing.T, name string) []lint.Finding {
		_, fs := check(t, z, strings.TrimPrefix(name, "default._bimi."), fetchOpts(srv))
		return fs
	})
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(bimi.Rules()); err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	srv := logoServer(t)
	z := zones(t)
	rep, fs := check(t, z, "clean.example", fetchOpts(srv))
	if len(fs) != 0 || rep.Status != bimi.StatusPublished || rep.DMARC != bimi.DMARCEnforced ||
		rep.Indicator.Status != bimi.Fetched || rep.Indicator.SVG.BaseProfile != "tiny-ps" || !rep.Indicator.SVG.Title {
		t.Errorf("clean: %+v %+v %v", rep, rep.Indicator, fs)
	}
	rep, _ = check(t, z, "news.inh.example", bimi.Options{})
	if !rep.Inherited || rep.Name != "default._bimi.inh.example" || rep.DMARC != bimi.DMARCEnforced || rep.Indicator.Status != bimi.NotFetched {
		t.Errorf("inherited: %+v", rep)
	}
	rep, fs = check(t, z, "spnone.example", bimi.Options{})
	if rep.DMARC != bimi.DMARCNotEnforced || !slices.Equal(rep.DMARCWhy, []string{"sp=none at _dmarc.spnone.example"}) || fs[0].Name != "_dmarc.spnone.example" {
		t.Errorf("sp=none: %+v %v", rep, fs)
	}
	rep, _ = check(t, z, "pct.example", bimi.Options{})
	if !slices.Equal(rep.DMARCWhy, []string{"pct=50 at _dmarc.pct.example"}) {
		t.Errorf("pct: %v", rep.DMARCWhy)
	}
	rep, _ = check(t, z, "declined.example", bimi.Options{})
	if rep.Status != bimi.StatusDeclined {
		t.Errorf("declined: %+v", rep)
	}
	// Without a DMARC discovery the requirement is not checked.
	rep, fs, err := bimi.Lookup(context.Background(), z, "weak.example", bimi.Options{})
	if err != nil || rep.DMARC != bimi.DMARCNotChecked || len(fs) != 0 {
		t.Errorf("no DMARC given: %+v %v %v", rep, fs, err)
	}
}

// A subdomain with its own enforced policy: the organizational domain's
// record is checked only when given.
func TestOrgDMARC(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@                   IN SOA ns h 1 3600 600 86400 300
_dmarc              IN TXT "v=DMARC1; p=none; rua=mailto:d@contoso.example"
_dmarc.mail         IN TXT "v=DMARC1; p=reject; rua=mailto:d@contoso.example"
default._bimi.mail  IN TXT "v=BIMI1; l=https://logos.contoso.example/l.svg; a=https://logos.contoso.example/a.pem"
`}, resolver.ZoneSource{Origin: "example", Text: "@ IN SOA ns h 1 3600 600 86400 300\n"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, _, err := dmarc.Lookup(ctx, z, "mail.contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := bimi.Lookup(ctx, z, "mail.contoso.example", bimi.Options{DMARC: d})
	if err != nil || rep.DMARC != bimi.DMARCOrgNotChecked || len(fs) != 0 {
		t.Errorf("org not given: %+v %v %v", rep, fs, err)
	}
	od, _, err := dmarc.Lookup(ctx, z, "contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err = bimi.Lookup(ctx, z, "mail.contoso.example", bimi.Options{DMARC: d, OrgDMARC: od})
	if err != nil || rep.DMARC != bimi.DMARCNotEnforced || len(fs) != 1 || !strings.Contains(fs[0].Message, "p=none at _dmarc.contoso.example") {
		t.Errorf("org given: %+v %v %v", rep, fs, err)
	}
}

func TestOffline(t *testing.T) {
	z := zones(t)
	ctx := context.Background()
	rep, fs, err := bimi.Lookup(ctx, z, "contoso.com", bimi.Options{Fetch: true})
	if err != nil || rep.Status != bimi.StatusUnverified || len(fs) != 0 {
		t.Errorf("outside: %+v %v %v", rep, fs, err)
	}
	// The indicator's host outside the zone: not verified, no finding.
	z2, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.example", Text: `
@                   IN SOA ns h 1 3600 600 86400 300
default._bimi       IN TXT "v=BIMI1; l=https://cdn.elsewhere.example/l.svg; a=https://cdn.elsewhere.example/a.pem"
`})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err = bimi.Lookup(ctx, z2, "contoso.example", bimi.Options{Fetch: true})
	if err != nil || rep.Indicator.Status != bimi.Unverified || len(fs) != 0 {
		t.Errorf("host outside: %+v %v %v", rep.Indicator, fs, err)
	}
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := bimi.Lookup(c, z, "clean.example", bimi.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, _, err := bimi.Lookup(ctx, z, "clean.example", bimi.Options{Selector: "a..b"}); err == nil {
		t.Error("bad selector: no error")
	}
	if _, _, err := bimi.Lookup(ctx, z.WithFallback(resolver.Refused()), "contoso.com", bimi.Options{}); !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("temporary: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		txt  string
		fail string
	}{
		{"v=BIMI1; l=https://x.example/l.svg; a=https://x.example/a.pem", ""},
		{"v=BIMI1;l=https://x.example/l.svg;a=;", ""},
		{"v=BIMI1; l=; a=;", ""},
		{"v = BIMI1; l=https://x.example/l.svg; lps=true; avp=personal; s=x", ""},
		{"v=BIMI1; a=https://x.example/a.pem", "no l="},
		{"v=BIMI1; l=https://x.example/a.svg,https://x.example/b.svg", "single URI"},
		{"v=BIMI1; l=http://x.example/l.svg", "https:"},
		{"v=BIMI1; l=https://localhost/l.svg", "fully qualified"},
		{"v=BIMI1; l=https://x.example/l.png", "SVG"},
		{"v=BIMI1; l=; lps=yes", "lps="},
		{"v=BIMI1; l=; l=", "more than once"},
	} {
		r, err := bimi.Parse(tc.txt)
		switch {
		case r == nil:
			t.Errorf("Parse(%q): nil record (%v)", tc.txt, err)
		case tc.fail == "" && err != nil:
			t.Errorf("Parse(%q): %v", tc.txt, err)
		case tc.fail != "" && (err == nil || !strings.Contains(err.Error(), tc.fail)):
			t.Errorf("Parse(%q) = %v, want an error with %q", tc.txt, err, tc.fail)
		}
	}
	for _, txt := range []string{"v=BIMI2; l=", "v=bimi1; l=", "l=; v=BIMI1", " v=BIMI1; l="} {
		if _, err := bimi.Parse(txt); !errors.Is(err, bimi.ErrNotBIMI) {
			t.Errorf("Parse(%q) = %v, want ErrNotBIMI", txt, err)
		}
	}
}

func TestCheckSVG(t *testing.T) {
	good, err := os.ReadFile("testdata/svg/good.svg")
	if err != nil {
		t.Fatal(err)
	}
	if _, probs := bimi.CheckSVG(good); len(probs) != 0 {
		t.Errorf("good.svg: %v", probs)
	}
	bad, err := os.ReadFile("testdata/svg/script.svg")
	if err != nil {
		t.Fatal(err)
	}
	_, probs := bimi.CheckSVG(bad)
	for _, want := range []string{"baseProfile", "not square", "x=", "event handler", "<script>", "<image>", "outside the document", "<foreignObject>", "no <title>"} {
		if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("script.svg: no problem with %q in %q", want, probs)
		}
	}
	for _, tc := range []struct{ svg, want string }{
		{`<html/>`, "not <svg>"},
		{`not xml`, "no <svg>"},
		{`<svg`, "well-formed"},
		{`<!DOCTYPE svg [<!ENTITY a "b">]><svg/>`, "entity"},
		{`<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" width="10" height="10"><title>t</title><style>a{fill:url(https://x.example/p)}</style></svg>`, "stylesheet"},
	} {
		_, probs := bimi.CheckSVG([]byte(tc.svg))
		if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, tc.want) }) {
			t.Errorf("CheckSVG(%q) = %q, want a problem with %q", tc.svg, probs, tc.want)
		}
	}
}
