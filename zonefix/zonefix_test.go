package zonefix_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonefix"
	"github.com/miekg/dns"
)

const base = `$TTL 3600
example.org. IN SOA ns.example.net. h.example.org. ( 2024010101 3600 600 1209600 300 )
example.org. IN NS ns.example.net.
example.org. IN MX 0 .
example.org. IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc.example.org. IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.org"
_smtp._tls.example.org. IN CNAME tlsrpt.example.net.
`

var ruleCustom = lint.Rule{ID: "custom.fixme", Severity: lint.Error, Summary: "A finding whose fix the test chooses.", Citation: "none"}

// custom is a check that reports one error while www.example.org has no
// A record, with the fix given: the fixes a buggy or hostile check could
// offer, which zonefix must prove before it writes them.
func custom(edits ...lint.Edit) *analysis.Check {
	return &analysis.Check{Name: "custom", Doc: "test", Rules: []lint.Rule{ruleCustom}, Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
		a, err := p.Resolver.Lookup(ctx, "www."+p.Domain, dns.TypeA)
		if err == nil && len(a.Records) > 0 {
			return nil, nil
		}
		f := ruleCustom.New(p.Domain, "www has no address")
		f.Fixes = []lint.Fix{lint.EditFix("", edits...)}
		p.Report(f)
		return nil, nil
	}}
}

func fix(t *testing.T, c *analysis.Check) *zonefix.Result {
	t.Helper()
	res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{{File: "example.org.zone", Text: base, Domain: "example.org"}}, "example.org",
		zonefix.Options{Check: check.Options{Checks: append(check.Checks(), c)}, Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func add(rr string) lint.Edit { return lint.Edit{Op: lint.Add, RR: rr} }
func del(rr string) lint.Edit { return lint.Edit{Op: lint.Delete, RR: rr} }

const (
	spfRR   = `example.org. 3600 IN TXT "v=spf1 ip4:192.0.2.1 -all"`
	dmarcRR = `_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.org"`
	wwwRR   = `www.example.org. 3600 IN A 192.0.2.80`
)

// TestUnsafeFixesRefused: each invariant of the package doc, a fix that
// breaks it, refused with the reason, and the file left as it was.
func TestUnsafeFixesRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits []lint.Edit
		why   string
	}{
		{"a second DMARC record beside p=reject", []lint.Edit{add(wwwRR), add(`_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=none"`)}, "second DMARC record"},
		{"SPF +all", []lint.Edit{add(wwwRR), del(spfRR), add(`example.org. 3600 IN TXT "v=spf1 ip4:192.0.2.1 +all"`)}, ""},
		{"SPF ~all for -all", []lint.Edit{add(wwwRR), del(spfRR), add(`example.org. 3600 IN TXT "v=spf1 ip4:192.0.2.1 ~all"`)}, ""},
		{"SPF sender dropped", []lint.Edit{add(wwwRR), del(spfRR), add(`example.org. 3600 IN TXT "v=spf1 -all"`)}, "drops ip4:192.0.2.1"},
		{"DMARC p=reject to p=none", []lint.Edit{add(wwwRR), del(dmarcRR), add(`_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=none; rua=mailto:d@example.org"`)}, "weakens the DMARC p from reject to none"},
		{"DMARC report address dropped", []lint.Edit{add(wwwRR), del(dmarcRR), add(`_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=reject"`)}, "drops the report address"},
		{"DMARC removed", []lint.Edit{add(wwwRR), del(dmarcRR)}, ""},
		{"TXT beside a CNAME (Knot refuses the file)", []lint.Edit{add(wwwRR), add(`_smtp._tls.example.org. 3600 IN TXT "v=TLSRPTv1; rua=mailto:t@example.org"`)}, "zone.cname-and-other-data"},
		{"a record outside the zone", []lint.Edit{add(wwwRR), add(`x.example.net. 3600 IN A 192.0.2.1`)}, "outside the zone"},
		{"deleting what is not there", []lint.Edit{add(wwwRR), del(`example.org. 3600 IN TXT "v=spf1 ?all"`)}, "holds no"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := fix(t, custom(tc.edits...))
			if res.Changed() || res.After != base {
				t.Errorf("applied: %+v\n%s", res.Applied, zonefix.Diff("z", res.Before, res.After))
			}
			var why string
			for _, r := range res.Refused {
				if r.Finding.Rule == ruleCustom.ID {
					why = r.Why
				}
			}
			if why == "" || !strings.Contains(why, tc.why) {
				t.Errorf("refused because %q, want %q", why, tc.why)
			}
		})
	}
}

// TestSafeFixApplied: a fix that only adds what is missing is applied in
// the file's style (absolute owners here), the serial raised as a date,
// and the result checks clean of the finding.
func TestSafeFixApplied(t *testing.T) {
	res := fix(t, custom(add(wwwRR)))
	if len(res.Applied) != 1 || res.Serial != 2026120400 {
		t.Fatalf("applied %+v, serial %d, refused %+v", res.Applied, res.Serial, res.Refused)
	}
	if !strings.Contains(res.After, "\nwww.example.org. IN A 192.0.2.80\n") || !strings.Contains(res.After, "( 2026120400 3600") {
		t.Errorf("after:\n%s", res.After)
	}
	for _, f := range res.Report.Findings {
		if f.Rule == ruleCustom.ID {
			t.Errorf("still there: %s", f)
		}
	}
	d := zonefix.Diff("example.org.zone", res.Before, res.After)
	if !strings.HasPrefix(d, "--- example.org.zone\n+++ example.org.zone\n@@ -1,") || !strings.Contains(d, "\n+www.example.org.") {
		t.Errorf("diff:\n%s", d)
	}
}

// TestIncludedRecordNotEdited: a record that lives in an $INCLUDEd file is
// not edited through the zone file; the refusal names the file.
func TestIncludedRecordNotEdited(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "mail.inc")
	os.WriteFile(inc, []byte("msoid IN CNAME clientconfig.microsoftonline-p.net.\n"), 0o644)
	file := filepath.Join(dir, "example.org.zone")
	text := "$TTL 3600\n@ IN SOA ns.example.net. h.example.org. 1 3600 600 86400 300\n@ IN NS ns.example.net.\n$INCLUDE mail.inc\n"
	os.WriteFile(file, []byte(text), 0o644)
	c := custom(add(wwwRR), del("msoid.example.org. 3600 IN CNAME clientconfig.microsoftonline-p.net."))
	res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{{File: file, Domain: "example.org", AllowInclude: true}}, "example.org",
		zonefix.Options{Check: check.Options{Checks: append(check.Checks(), c)}})
	if err != nil {
		t.Fatal(err)
	}
	var why string
	for _, r := range res.Refused {
		if r.Finding.Rule == ruleCustom.ID {
			why = r.Why
		}
	}
	for _, a := range res.Applied {
		if a.Finding.Rule == ruleCustom.ID {
			t.Errorf("applied through the zone file: %v", a)
		}
	}
	if !strings.Contains(why, filepath.Join(dir, "mail.inc")) {
		t.Errorf("applied %v; refused because %q", res.Applied, why)
	}
}

// TestMXRouteNotRemoved: deleting an MX host (a second provider, a
// gateway, the other side of a migration) drops a route mail may take:
// advice, never an edit. A verification MX under .invalid is no route:
// its deletion is applied.
func TestMXRouteNotRemoved(t *testing.T) {
	const zone = `$TTL 3600
example.org. IN SOA ns.example.net. h.example.org. ( 2024010101 3600 600 1209600 300 )
example.org. IN NS ns.example.net.
example.org. IN MX 10 mx1.example.net.
example.org. IN MX 20 mx2.example.net.
example.org. IN MX 30 ms12345678.msv1.invalid.
example.org. IN TXT "v=spf1 ip4:192.0.2.1 -all"
_dmarc.example.org. IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.org"
`
	for _, tc := range []struct {
		del     string
		refused string
	}{
		{`example.org. 3600 IN MX 20 mx2.example.net.`, "it removes the MX host mx2.example.net"},
		{`example.org. 3600 IN MX 30 ms12345678.msv1.invalid.`, ""},
	} {
		res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{{File: "example.org.zone", Text: zone, Domain: "example.org"}}, "example.org",
			zonefix.Options{Check: check.Options{Checks: append(check.Checks(), custom(add(wwwRR), del(tc.del)))}, Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		var why string
		for _, r := range res.Refused {
			if r.Finding.Rule == ruleCustom.ID {
				why = r.Why
			}
		}
		switch {
		case tc.refused != "" && (res.Changed() || !strings.Contains(why, tc.refused)):
			t.Errorf("deleting %s: applied %v, refused because %q, want %q", tc.del, res.Applied, why, tc.refused)
		case tc.refused == "" && !res.Changed():
			t.Errorf("deleting %s: refused because %q, want it applied", tc.del, why)
		}
	}
}

// TestFileReadBounded: the file Fix edits is read as the loader reads a
// zone file: a FIFO is refused at once, unread (a read would block until
// a writer came), and a file over the zone-file bound is refused before
// it is read whole.
func TestFileReadBounded(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.zone")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	big := filepath.Join(dir, "big.zone")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(33 << 20); err != nil { // sparse: no room taken
		t.Fatal(err)
	}
	f.Close()
	for _, path := range []string{fifo, big} {
		done := make(chan error, 1)
		go func() {
			_, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{{File: path, Domain: "example.org"}}, "example.org", zonefix.Options{})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), filepath.Base(path)) {
				t.Errorf("%s: err %v, want a refusal naming the file", filepath.Base(path), err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Fix still reading after 5 s", filepath.Base(path))
		}
	}
}

// TestByteOrderMarkRemoved: a zone file saved with a UTF-8 byte order mark,
// which BIND and Knot refuse (zone.byte-order-mark), is written without
// it and nothing else changed: the mark is no record, so the zone loads
// the same, and the result is one both servers load (checked with
// named-checkzone and kzonecheck where installed).
func TestByteOrderMarkRemoved(t *testing.T) {
	text := "\ufeff$ORIGIN bom.example.\n$TTL 3600\n@ IN SOA ns1 hostmaster 2026120401 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n" +
		"@ IN MX 10 mail\nmail IN A 192.0.2.25\n@ IN TXT \"v=spf1 mx -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@bom.example\"\n"
	src := resolver.ZoneSource{File: "db.bom.example", Text: text, Domain: "bom.example"}
	res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{src}, "bom.example", zonefix.Options{KeepSerial: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.After != strings.TrimPrefix(text, "\ufeff") {
		t.Errorf("written:\n%q\nwant the file without its first three bytes", res.After)
	}
	if len(res.Applied) != 1 || res.Applied[0].Finding.Rule != "zone.byte-order-mark" {
		t.Errorf("applied %+v, want the zone.byte-order-mark fix", res.Applied)
	}
	for _, f := range res.Report.Findings {
		if f.Rule == "zone.byte-order-mark" {
			t.Errorf("the written zone still has %s", f)
		}
	}
	out := filepath.Join(t.TempDir(), "db.bom.example")
	if err := os.WriteFile(out, []byte(res.After), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, server := range [][]string{{"named-checkzone", "bom.example", out}, {"kzonecheck", "-o", "bom.example", out}} {
		if path, err := exec.LookPath(server[0]); err == nil {
			if b, err := exec.Command(path, server[1:]...).CombinedOutput(); err != nil {
				t.Errorf("%s refuses the written zone: %v\n%s", server[0], err, b)
			}
		}
	}
}
