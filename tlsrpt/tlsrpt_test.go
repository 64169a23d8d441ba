package tlsrpt_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/tlsrpt"
	"github.com/miekg/dns"
)

const zoneFile = "testdata/tlsrpt.zone"

func zones(t *testing.T) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: zoneFile})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// options finds what the caller (check.Domain) would pass: MTA-STS from
// mtasts.Lookup, DANE from TLSA records at the first MX host.
func options(t *testing.T, r resolver.Resolver, domain string) tlsrpt.Options {
	t.Helper()
	ctx := context.Background()
	sts, _, err := mtasts.Lookup(ctx, r, domain, mtasts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts := tlsrpt.Options{MTASTS: sts.Published()}
	if a, err := r.Lookup(ctx, domain, dns.TypeMX); err == nil {
		for _, rr := range a.Records {
			if mx, ok := rr.(*dns.MX); ok && mx.Mx != "." {
				if t, err := r.Lookup(ctx, "_25._tcp."+mx.Mx, dns.TypeTLSA); err == nil && len(t.Records) > 0 {
					opts.DANE = true
				}
			}
		}
	}
	return opts
}

func TestLookupFixtures(t *testing.T) {
	z := zones(t)
	fixture.Check(t, zoneFile, tlsrpt.Rules(), func(t *testing.T, name string) []lint.Finding {
		domain := strings.TrimPrefix(strings.TrimPrefix(name, "_smtp._tls."), "_mta-sts.")
		_, fs, err := tlsrpt.Lookup(context.Background(), z, domain, options(t, z, domain))
		if err != nil {
			t.Fatal(err)
		}
		return fs
	})
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(tlsrpt.Rules()); err != nil {
		t.Fatal(err)
	}
}

func TestMissingFix(t *testing.T) {
	_, fs, err := tlsrpt.Lookup(context.Background(), zones(t), "nortp.example", tlsrpt.Options{MTASTS: true})
	if err != nil || len(fs) != 1 {
		t.Fatalf("%v %v", fs, err)
	}
	// Advice, no edit: which mailbox reads the reports is not guessed.
	if len(fs[0].Fixes) != 1 || len(fs[0].Fixes[0].Edits) > 0 || !strings.Contains(fs[0].FixText(), "a mailbox of yours") || !strings.Contains(fs[0].Message, "MTA-STS") {
		t.Errorf("got %q, %s", fs[0].FixText(), fs[0].Message)
	}
	// The fix is a valid record.
	if _, err := tlsrpt.Parse("v=TLSRPTv1; rua=mailto:tls-reports@nortp.example"); err != nil {
		t.Error(err)
	}
}

func TestStatus(t *testing.T) {
	z := zones(t)
	ctx := context.Background()
	for domain, want := range map[string]tlsrpt.Status{
		"clean.example": tlsrpt.StatusPublished,
		"nortp.example": tlsrpt.StatusNone,
		"multi.example": tlsrpt.StatusInvalid,
		"norua.example": tlsrpt.StatusInvalid,
		"http.example":  tlsrpt.StatusInvalid,
		"contoso.com":   tlsrpt.StatusUnverified,
	} {
		rep, fs, err := tlsrpt.Lookup(ctx, z, domain, tlsrpt.Options{MTASTS: true})
		if err != nil || rep.Status != want {
			t.Errorf("%s: status %s, want %s (%v)", domain, rep.Status, want, err)
		}
		if want == tlsrpt.StatusUnverified && len(fs) != 0 {
			t.Errorf("%s: unverified gives findings %v", domain, fs)
		}
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := tlsrpt.Lookup(ctx2, z, "clean.example", tlsrpt.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, _, err := tlsrpt.Lookup(ctx, z.WithFallback(resolver.Refused()), "contoso.com", tlsrpt.Options{}); !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("temporary: %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		txt  string
		uris []string // scheme:host of each usable URI
		fail bool
	}{
		{"v=TLSRPTv1; rua=mailto:reports@example.com", []string{"mailto:example.com"}, false},
		{"v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", []string{"https:reporting.example.com"}, false},
		{"v=TLSRPTv1; rua=mailto:a@x.example , https://r.example/ ;", []string{"mailto:x.example", "https:r.example"}, false},
		{"v=TLSRPTv1; rua=mailto:a@x.example; ext.1=val", []string{"mailto:x.example"}, false},
		{"v=TLSRPTv1; rua=mailto:a%40x.example", []string{"mailto:x.example"}, false},
		{"v=TLSRPTv1; rua=mailto:a@x.example,", []string{"mailto:x.example"}, true},
		{"v=TLSRPTv1; rua=ftp://x.example/", nil, true},
		{"v=TLSRPTv1; rua=https:///path", nil, true},
		{"v=TLSRPTv1; rua=mailto:", nil, true},
		{"v=TLSRPTv1; rua=mailto:a@x.example; rua=mailto:b@x.example", []string{"mailto:x.example"}, true},
		{"v=TLSRPTv1; RUA=mailto:a@x.example", nil, true},
		{"v=TLSRPTv1; rua=mailto:a@x.example; x=", []string{"mailto:x.example"}, true},
	} {
		r, err := tlsrpt.Parse(tc.txt)
		if (err != nil) != tc.fail || r == nil {
			t.Errorf("Parse(%q) = %+v, %v", tc.txt, r, err)
			continue
		}
		var got []string
		for _, u := range r.RUA {
			if u.Err == "" {
				got = append(got, u.Scheme+":"+u.Host)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.uris, " ") {
			t.Errorf("Parse(%q): URIs %v, want %v", tc.txt, got, tc.uris)
		}
	}
	if _, err := tlsrpt.Parse("v=spf1 -all"); !errors.Is(err, tlsrpt.ErrNotTLSRPT) {
		t.Errorf("not TLS-RPT: %v", err)
	}
}

// lookupOne looks up the TLS-RPT record txt published for t.example.
func lookupOne(t *testing.T, txt string) (*tlsrpt.Report, []lint.Finding) {
	t.Helper()
	var b strings.Builder
	b.WriteString("@ IN SOA ns h 1 2 3 4 5\n_smtp._tls IN TXT")
	for _, s := range resolver.EncodeTXT(txt) {
		b.WriteString(` "` + s + `"`)
	}
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "t.example", Text: b.String() + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	rep, fs, err := tlsrpt.Lookup(context.Background(), z, "t.example", tlsrpt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep, fs
}

// TestRuaExtensionName is issue 25's class 8, for TLS-RPT. RFC 8460 §3:
// "tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" /
// ".")", and "Parsers MUST accept TXT records which are syntactically
// valid (i.e., valid key-value pairs separated by semicolons) and
// implementing a superset of this specification, in which case unknown
// fields SHALL be ignored." Rua= is such a field: the record is valid,
// Rua= does nothing, and a warning says so.
func TestRuaExtensionName(t *testing.T) {
	const txt = "v=TLSRPTv1; rua=mailto:a@t.example; Rua=mailto:b@t.example"
	r, err := tlsrpt.Parse(txt)
	if err != nil || len(r.RUA) != 1 || len(r.Extensions) != 1 || r.Extensions[0].Name != "Rua" {
		t.Errorf("Parse(%q) = %+v, %v; want valid, one rua, the extension Rua", txt, r, err)
	}
	rep, fs := lookupOne(t, txt)
	if rep.Status != tlsrpt.StatusPublished || len(fs) != 1 || fs[0].Rule != "tlsrpt.ignored-field" || fs[0].Severity != lint.Warning {
		t.Errorf("status %s, findings %v; want published, one tlsrpt.ignored-field warning", rep.Status, fs)
	}
	// Rua= alone leaves the record without rua=: that is the error.
	if _, err := tlsrpt.Parse("v=TLSRPTv1; Rua=mailto:b@t.example"); err == nil || !strings.Contains(err.Error(), "no rua=") {
		t.Errorf("Rua= alone: %v; want \"no rua=\"", err)
	}
}

// TestWhitespaceOutsideGrammar is issue 25's class 9. RFC 8460 §3:
// "tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field)
// [field-delim]", "field-delim = *WSP ";" *WSP" and "tlsrpt-rua =
// %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)": no whitespace after
// "rua=", none after the last field unless a ";" follows. Each is a
// finding (tlsrpt.syntax, a warning: lenient reporters trim it).
func TestWhitespaceOutsideGrammar(t *testing.T) {
	for _, tc := range []struct {
		txt     string
		finding bool
	}{
		{"v=TLSRPTv1; rua= mailto:a@t.example", true},
		{"v=TLSRPTv1; rua=\tmailto:a@t.example", true},
		{"v=TLSRPTv1; rua=mailto:a@t.example ", true},
		{"v=TLSRPTv1; rua=mailto:a@t.example\t", true},
		{"v=TLSRPTv1; rua=mailto:a@t.example; x=y ", true},
		{"v=TLSRPTv1; rua=mailto:a@t.example; ", false},
		{"v=TLSRPTv1 ;rua=mailto:a@t.example ; x=y ;", false},
		{"v=TLSRPTv1; rua=mailto:a@t.example , mailto:b@t.example", false},
	} {
		rep, fs := lookupOne(t, tc.txt)
		got := len(fs) == 1 && fs[0].Rule == "tlsrpt.syntax" && fs[0].Severity == lint.Warning
		if got != tc.finding || (!tc.finding && len(fs) > 0) || rep.Status != tlsrpt.StatusPublished {
			t.Errorf("%q: status %s, findings %v; want a tlsrpt.syntax warning: %v", tc.txt, rep.Status, fs, tc.finding)
		}
	}
}
