package checktest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/check/checktest"
)

// recorder is a TB that keeps what the check said.
type recorder struct {
	errors, logs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, sprintf(format, args...))
}
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, sprintf(format, args...))
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

const head = "$TTL 3600\n@ IN SOA ns.example.net. h.example.org. 1 3600 600 86400 300\n@ IN NS ns.example.net.\n@ IN MX 0 .\n@ IN TXT \"v=spf1 -all\"\n"

func write(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func zone(t *testing.T, text string, cfg checktest.Config) *recorder {
	t.Helper()
	rec := &recorder{}
	cfg.Zone(rec, write(t, "example.org.zone", text), "example.org", check.Options{})
	return rec
}

func TestGoodZonePasses(t *testing.T) {
	if rec := zone(t, head+"_dmarc IN TXT \"v=DMARC1; p=reject\"\n", checktest.Config{}); len(rec.errors) > 0 {
		t.Errorf("a parked, correct zone failed: %v", rec.errors)
	}
}

// TestAnnotationsChecked: a malformed want, an unknown rule, and an ignore
// that waives nothing each fail the test (as nolintlint reports unused
// directives).
func TestAnnotationsChecked(t *testing.T) {
	for _, tc := range []struct{ name, line, want string }{
		{"unquoted want", "_dmarc IN TXT \"v=DMARC1; p=none\" ; want dmarc.policy-none\n", "malformed want"},
		{"unterminated", "_dmarc IN TXT \"v=DMARC1; p=none\" ; want \"dmarc.policy-none\n", "malformed want"},
		{"unknown rule", "_dmarc IN TXT \"v=DMARC1; p=none\" ; want \"dmarc.policy-nnone\"\n", "names no rule"},
		{"unused ignore", "_dmarc IN TXT \"v=DMARC1; p=reject\" ; ignore \"dmarc.policy-none\"\n", "waives no finding"},
		{"unknown ignore", "_dmarc IN TXT \"v=DMARC1; p=reject\" ; ignore \"dmarcc\"\n", "names no rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := zone(t, head+tc.line, checktest.Config{})
			if !strings.Contains(strings.Join(rec.errors, "\n"), tc.want) {
				t.Errorf("errors %q, want %q", rec.errors, tc.want)
			}
		})
	}
	// A used ignore passes.
	if rec := zone(t, head+"_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@example.org\" ; ignore \"dmarc.policy-none\"\n", checktest.Config{}); len(rec.errors) > 0 {
		t.Errorf("used ignore: %v", rec.errors)
	}
}

// TestBrokenZonesFail: go test fails on each broken zone.
func TestBrokenZonesFail(t *testing.T) {
	for name, extra := range map[string]string{
		"no DMARC":         "",
		"CNAME beside TXT": "_dmarc IN TXT \"v=DMARC1; p=reject\"\nshop IN CNAME shops.example.net.\nshop IN A 192.0.2.1\n",
	} {
		t.Run(name, func(t *testing.T) {
			if rec := zone(t, head+extra, checktest.Config{}); len(rec.errors) == 0 {
				t.Errorf("passed")
			}
		})
	}
}

// TestStaleSnapshot: a zone that now needs a name the snapshot does not
// hold fails, even without FailUnverified; the DNSSEC probe never does.
func TestStaleSnapshot(t *testing.T) {
	snap := write(t, "snap.txt", "; domainlint snapshot 1\n;? _spf.old.example.net. TXT NOERROR\n_spf.old.example.net. 3600 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n;? _dmarc.org. TXT NXDOMAIN\n;? default._bimi.example.org. TXT NXDOMAIN\n")
	text := "$TTL 3600\n@ IN SOA ns.example.net. h.example.org. 1 3600 600 86400 300\n@ IN NS ns.example.net.\n@ IN MX 0 .\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n"
	if rec := zone(t, text+"@ IN TXT \"v=spf1 include:_spf.old.example.net -all\"\n", checktest.Config{Snapshot: snap}); len(rec.errors) > 0 {
		t.Errorf("snapshot holds every name: %v", rec.errors)
	}
	rec := zone(t, text+"@ IN TXT \"v=spf1 include:_spf.old.example.net include:_spf.new.example.net -all\"\n", checktest.Config{Snapshot: snap})
	if !strings.Contains(strings.Join(rec.errors, "\n"), "does not hold names the zone now needs") {
		t.Errorf("stale snapshot passed: %v", rec.errors)
	}
	// An MX host answered from the snapshot makes the DNSSEC check probe
	// the resolver (". DNSKEY", not in the snapshot): that concerns the
	// resolver, not the zone, and fails nothing.
	snap = write(t, "snap-mx.txt", "; domainlint snapshot 1\n;? _spf.old.example.net. TXT NOERROR\n_spf.old.example.net. 3600 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n;? _dmarc.org. TXT NXDOMAIN\n;? default._bimi.example.org. TXT NXDOMAIN\n"+
		";? mx.example.net. A NOERROR\nmx.example.net. 3600 IN A 192.0.2.25\n;? _25._tcp.mx.example.net. TLSA NXDOMAIN\n")
	mx := strings.Replace(text, "@ IN MX 0 .", "@ IN MX 10 mx.example.net.", 1)
	if rec := zone(t, mx+"@ IN TXT \"v=spf1 include:_spf.old.example.net -all\"\n", checktest.Config{Snapshot: snap}); len(rec.errors) > 0 {
		t.Errorf("the DNSSEC probe failed the test: %v", rec.errors)
	}
}

// TestDNSAsCodeSources: checktest takes an octoDNS zone as it takes a zone
// file; its wants (YAML comments) count, and a source trap fails the test.
func TestDNSAsCodeSources(t *testing.T) {
	rec := &recorder{}
	checktest.Config{}.Zone(rec, "../../zonesrc/testdata/octodns/contoso.example.yaml", "contoso.example", check.Options{})
	if len(rec.errors) > 0 {
		t.Errorf("octoDNS fixture: %v", rec.errors)
	}
	bad := write(t, "example.org.yaml", "'':\n  - type: TXT\n    value: v=spf1 -all\n  - type: MX\n    value:\n      exchange: .\n      preference: 0\n_dmarc:\n  type: TXT\n  value: v=DMARC1; p=reject\n")
	rec = &recorder{}
	checktest.Config{}.Zone(rec, bad, "example.org", check.Options{})
	if !strings.Contains(strings.Join(rec.errors, "\n"), "zonesrc.octodns-unescaped-semicolon") {
		t.Errorf("unescaped ';' passed: %v", rec.errors)
	}
}

// TestSMTPRecording: a recording of the mail servers makes the SMTP
// findings part of go test: a host without STARTTLS fails it.
func TestSMTPRecording(t *testing.T) {
	z := write(t, "example.test.zone", "$TTL 3600\n@ IN SOA ns.example.net. h.example.test. 1 3600 600 86400 300\n@ IN NS ns.example.net.\n@ IN MX 10 mx1\n@ IN MX 20 mx2\nmx1 IN A 192.0.2.1\nmx2 IN A 192.0.2.2\n@ IN TXT \"v=spf1 mx -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.test\"\n")
	rec := &recorder{}
	checktest.Config{SMTP: "../../smtpprobe/testdata/example.rec"}.Zone(rec, z, "example.test", check.Options{})
	if !strings.Contains(strings.Join(rec.errors, "\n"), "smtp.") {
		t.Errorf("errors %v", rec.errors)
	}
}

// TestFailurePlacesFindings: an error finding in a failed test names the
// zone file and the line of its record, as the CLI's text output does.
func TestFailurePlacesFindings(t *testing.T) {
	rec := zone(t, head+"_dmarc IN TXT \"v=DMARC1; p=rejct\"\n", checktest.Config{})
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "example.org.zone:6: error dmarc.") {
		t.Errorf("the failure does not place the finding at line 6: %v", rec.errors)
	}
}
