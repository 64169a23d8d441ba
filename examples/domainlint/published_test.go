package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Zone files as real repositories publish them, tried as a new user
// would: each written to a folder of its own and linted offline, as
// `domainlint -offline -zone FILE DOMAIN`.

const soaNS = "$TTL 1800\n@ IN SOA ns.example.org. h.example.org. ( 1 3600 600 1209600 3600 )\n@ IN NS ns.example.net.\n"

func writeZone(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type cliReport struct {
	Domain   string `json:"domain"`
	NXDomain bool   `json:"nxdomain"`
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Name     string `json:"name"`
		Message  string `json:"message"`
	} `json:"findings"`
}

func lintJSON(t *testing.T, args ...string) (int, cliReport, string) {
	t.Helper()
	code, out, errs := runCLI(t, "", append([]string{"-format", "json"}, args...)...)
	var rep cliReport
	if code != 2 {
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("exit %d, output %q: %v (stderr %s)", code, out, err, errs)
		}
	}
	return code, rep, errs
}

func (r cliReport) rules() map[string]string {
	m := map[string]string{}
	for _, f := range r.Findings {
		m[f.Rule] = f.Message
	}
	return m
}

// TestNoOriginLintsItsDomain: a file with no $ORIGIN is read relative to
// the domain, as `kzonecheck -o example.org` reads it; it used to lint an
// empty domain (spf.missing, dmarc.missing).
func TestNoOriginLintsItsDomain(t *testing.T) {
	z := writeZone(t, "example.org.zone", soaNS+"@ IN MX 10 mail.example.org.\nmail IN A 192.0.2.25\n@ IN TXT \"v=spf1 mx -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.org\"\n")
	code, rep, errs := lintJSON(t, "-offline", "-zone", z, "example.org")
	if code != 0 {
		t.Errorf("exit %d, want 0; findings %v; stderr %s", code, rep.Findings, errs)
	}
	for _, never := range []string{"spf.missing", "dmarc.missing"} {
		if _, ok := rep.rules()[never]; ok {
			t.Errorf("%s on a zone that publishes it", never)
		}
	}
	// Absolute SOA, then @: the same zone.
	z2 := writeZone(t, "zone.txt", "$TTL 1800\nexample.org. IN SOA ns.example.org. h.example.org. ( 1 3600 600 1209600 3600 )\n@ IN NS ns.example.net.\n@ IN TXT \"v=spf1 -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n@ IN MX 0 .\n")
	if code, rep, errs := lintJSON(t, "-offline", "-zone", z2, "example.org"); code == 2 || rep.Domain != "example.org" {
		t.Errorf("absolute SOA then @: exit %d, %+v, %s", code, rep, errs)
	}
	// Without the domain, the absolute SOA names it.
	if code, rep, errs := lintJSON(t, "-offline", "-zone", z2); code == 2 || rep.Domain != "example.org" {
		t.Errorf("absolute SOA, no domain given: exit %d, %+v, %s", code, rep, errs)
	}
}

// TestRegistrarExport: `$ORIGIN .` then `@ IN SOA` puts the SOA on the
// root. Knot refuses the file ("missing SOA at the zone apex"); the lint
// says exactly that, how to repair it, and never answers above the apex
// (no NXDOMAIN for the providers the zone names).
func TestRegistrarExport(t *testing.T) {
	z := writeZone(t, "export.zone", "$ORIGIN .\n$TTL 3600\n@ IN SOA ns1.example.net. admin.example.org. ( 2024010101 3600 600 1209600 3600 )\n$ORIGIN example.org.\n@ IN NS ns1.example.net.\n@ IN MX 1 aspmx.l.google.com.\n@ IN TXT \"v=spf1 include:_spf.google.com ~all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n")
	code, rep, errs := lintJSON(t, "-offline", "-zone", z, "example.org")
	if code != 1 {
		t.Errorf("exit %d, want 1 (Knot refuses the file); stderr %s", code, errs)
	}
	rules := rep.rules()
	msg, ok := rules["zone.missing-soa"]
	if !ok || !strings.Contains(msg, "$ORIGIN") || !strings.Contains(msg, "example.org.") {
		t.Errorf("zone.missing-soa not explained: %q (%v)", msg, rules)
	}
	for _, never := range []string{"mx.missing-target", "spf.include-missing", "dmarc.missing", "spf.missing"} {
		if m, ok := rules[never]; ok {
			t.Errorf("%s: %s", never, m)
		}
	}
}

// TestNoDMARCExitsOne: a zone without _dmarc has no DMARC record:
// dmarc.missing, an error, offline (28 of 38 real files exited 0).
func TestNoDMARCExitsOne(t *testing.T) {
	z := writeZone(t, "example.org.zone", soaNS+"@ IN MX 10 mail.example.org.\nmail IN A 192.0.2.25\n@ IN TXT \"v=spf1 mx -all\"\n")
	code, rep, errs := lintJSON(t, "-offline", "-zone", z, "example.org")
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr %s", code, errs)
	}
	msg, ok := rep.rules()["dmarc.missing"]
	if !ok || !strings.Contains(msg, "_dmarc.org") {
		t.Errorf("dmarc.missing %q, want it (with the note on _dmarc.org); findings %v", msg, rep.Findings)
	}
	if _, ok := rep.rules()["dmarc.org-undetermined"]; ok {
		t.Errorf("dmarc.org-undetermined is noise offline")
	}
}

// TestServerRefuses: what Knot refuses, the lint refuses: a CNAME beside
// other data at any name, a placeholder name.
func TestServerRefuses(t *testing.T) {
	for _, tc := range []struct{ name, extra, rule string }{
		{"shop CNAME + A", "shop IN CNAME shops.example.net.\nshop IN A 192.0.2.1\n", "zone.cname-and-other-data"},
		{"_dmarc CNAME + TXT", "_dmarc IN CNAME d.example.net.\n_dmarc IN TXT \"v=DMARC1; p=none\"\n", "zone.cname-and-other-data"},
		{"SendGrid CNAME + TXT", "em4821 IN CNAME u123.wl.sendgrid.net.\nem4821 IN TXT \"v=spf1 -all\"\n", "zone.cname-and-other-data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			z := writeZone(t, "example.org.zone", soaNS+"@ IN TXT \"v=spf1 -all\"\n@ IN MX 0 .\n"+tc.extra)
			code, rep, errs := lintJSON(t, "-offline", "-zone", z, "example.org")
			if _, ok := rep.rules()[tc.rule]; code != 1 || !ok {
				t.Errorf("exit %d, findings %v, want 1 and %s; stderr %s", code, rep.Findings, tc.rule, errs)
			}
		})
	}
	z := writeZone(t, "example.org.zone", "$TTL 1800\n@ IN SOA ns.example.org. h.example.org. ( 1 3600 600 1209600 3600 )\n@ IN NS REPLACE&ME$WITH^YOUR@NAMESERVER.\n")
	code, _, errs := runCLI(t, "", "-offline", "-zone", z, "example.org")
	if code != 2 || !strings.Contains(errs, "line 3") || !strings.Contains(errs, "invalid character") {
		t.Errorf("placeholder NS: exit %d, %s", code, errs)
	}
}

// TestIncludeUnderTheZone: $INCLUDE of a sibling file works; one above
// the zone's folder is refused with a message that names -include-root.
func TestIncludeUnderTheZone(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dkim.inc"), []byte("s1._domainkey IN TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "zones")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	body := soaNS + "@ IN TXT \"v=spf1 -all\"\n@ IN MX 0 .\n_dmarc IN TXT \"v=DMARC1; p=reject\"\n"
	ok := filepath.Join(dir, "example.org.zone")
	os.WriteFile(ok, []byte(body+"$INCLUDE dkim.inc\n"), 0o644)
	if code, _, errs := runCLI(t, "", "-offline", "-zone", ok, "example.org"); code == 2 {
		t.Errorf("sibling $INCLUDE: exit 2: %s", errs)
	}
	above := filepath.Join(sub, "example.org.zone")
	os.WriteFile(above, []byte(body+"$INCLUDE ../dkim.inc\n"), 0o644)
	code, _, errs := runCLI(t, "", "-offline", "-zone", above, "example.org")
	if code != 2 || !strings.Contains(errs, "-include-root") {
		t.Errorf("$INCLUDE above the zone's folder: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "-offline", "-include-root", dir, "-zone", above, "example.org"); code == 2 {
		t.Errorf("-include-root: exit 2: %s", errs)
	}
}

// TestParseErrorWhereItStarts: an unterminated string is reported on the
// line it opens, not where the parser gives up.
func TestParseErrorWhereItStarts(t *testing.T) {
	var b strings.Builder
	b.WriteString(soaNS)                                      // lines 1-3
	b.WriteString("@ IN TXT \"v=spf1 -all\"\n")               // 4
	b.WriteString("broken IN TXT \"never closed\n")           // 5
	b.WriteString("www IN A 192.0.2.1\nftp IN A 192.0.2.2\n") // 6-7
	z := writeZone(t, "example.org.zone", b.String())
	code, _, errs := runCLI(t, "", "-offline", "-zone", z, "example.org")
	if code != 2 || !strings.Contains(errs, "line 5:") {
		t.Errorf("exit %d, %s; want line 5", code, errs)
	}
}

// TestNXDomainSaidOnce: a domain that does not exist is said once, not as
// every record missing.
func TestNXDomainSaidOnce(t *testing.T) {
	z := writeZone(t, "example.org.zone", soaNS+"@ IN TXT \"v=spf1 -all\"\n")
	code, rep, errs := lintJSON(t, "-offline", "-zone", z, "nope.example.org")
	if code != 1 || !rep.NXDomain || len(rep.Findings) != 0 {
		t.Errorf("exit %d, nxdomain %v, findings %v; stderr %s", code, rep.NXDomain, rep.Findings, errs)
	}
	_, out, _ := runCLI(t, "", "-offline", "-zone", z, "nope.example.org")
	if !strings.Contains(out, "does not exist (NXDOMAIN)") {
		t.Errorf("text output: %s", out)
	}
}

// TestFixAbsoluteOwners: a file with no $ORIGIN and full owner names is
// fixed (it used to exit 2: "record \"_dmarc\" is outside the zone"), in
// its own style, with the serial raised, and the written zone loads in
// Knot when kzonecheck is installed.
func TestFixAbsoluteOwners(t *testing.T) {
	z := writeZone(t, "example.org.zone", "$TTL 3600\nexample.org. IN SOA ns.example.net. h.example.org. ( 2024010101 3600 600 1209600 300 )\nexample.org. IN NS ns.example.net.\nexample.org. IN MX 0 .\nexample.org. IN TXT \"v=spf1 -all\"\n")
	out := filepath.Join(filepath.Dir(z), "fixed.zone")
	code, stdout, errs := runCLI(t, "", "-offline", "-zone", z, "-fix", out, "example.org")
	if code == 2 {
		t.Fatalf("exit 2: %s", errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// A null MX: the domain is parked, so its DMARC record is p=reject.
	if !strings.Contains(string(b), "\n_dmarc.example.org. IN TXT \"v=DMARC1; p=reject\"") || strings.Contains(string(b), "rua=") || strings.Contains(string(b), "2024010101") {
		t.Errorf("written:\n%s", b)
	}
	if !strings.Contains(stdout, "fixed: error dmarc.missing") || !strings.Contains(stdout, "+_dmarc.example.org.") {
		t.Errorf("-fix did not say what it fixed, with the diff:\n%s", stdout)
	}
	if _, err := exec.LookPath("kzonecheck"); err == nil {
		if msg, err := exec.Command("kzonecheck", "-o", "example.org", out).CombinedOutput(); err != nil {
			t.Errorf("Knot refuses the fixed zone: %v\n%s", err, msg)
		}
	}
	// -diff writes nothing and prints the same diff.
	code, stdout, _ = runCLI(t, "", "-offline", "-zone", z, "-diff", "example.org")
	if code == 2 || !strings.Contains(stdout, "+_dmarc.example.org.") {
		t.Errorf("-diff: exit %d\n%s", code, stdout)
	}
}

// TestSMTPReplay: the SMTP probe replayed from a recording, offline, as a
// test or CI job runs it: STARTTLS missing on one MX host, TLS 1.0 only on
// the other, each a finding.
func TestSMTPReplay(t *testing.T) {
	z := writeZone(t, "example.test.zone", "$TTL 3600\n@ IN SOA ns.example.net. h.example.test. 1 3600 600 86400 300\n@ IN NS ns.example.net.\n@ IN MX 10 mx1\n@ IN MX 20 mx2\nmx1 IN A 192.0.2.1\nmx2 IN A 192.0.2.2\n@ IN TXT \"v=spf1 mx -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.test\"\n")
	code, rep, errs := lintJSON(t, "-offline", "-zone", z, "-smtp-replay", "../../smtpprobe/testdata/example.rec", "example.test")
	rules := rep.rules()
	if code == 2 || rules["smtp.no-starttls"] == "" || rules["smtp.tls-version"] == "" {
		t.Errorf("exit %d, findings %v; stderr %s", code, rep.Findings, errs)
	}
	if code, _, errs := runCLI(t, "", "-offline", "-zone", z, "-smtp", "example.test"); code != 2 || !strings.Contains(errs, "-smtp connects to live servers") {
		t.Errorf("-smtp offline: exit %d: %s", code, errs)
	}
}

// TestDNSAsCode: an octoDNS zone, a DNSControl IR and a Terraform module
// are linted with -zone as the zone they describe; findings point at the
// source's lines, and a source trap (an unescaped ";" in octoDNS) is a
// finding of its own, at its line.
func TestDNSAsCode(t *testing.T) {
	for _, tc := range []struct{ path, at string }{
		{"../../zonesrc/testdata/octodns/contoso.example.yaml", "contoso.example.yaml:9"},
		{"../../zonesrc/testdata/dnscontrol/ir-v4.json", "dnsconfig.js:11"},
		{"../../zonesrc/testdata/terraform/aws", "mail.tf:14"},
	} {
		code, out, errs := runCLI(t, "", "-offline", "-zone", tc.path, "contoso.example")
		if code == 2 || !strings.Contains(out, "spf.softfail-all") || !strings.Contains(out, tc.at+")") {
			t.Errorf("%s: exit %d, want spf.softfail-all at %s:\n%s\n%s", tc.path, code, tc.at, out, errs)
		}
	}
	dir := t.TempDir()
	y := filepath.Join(dir, "example.org.yaml")
	os.WriteFile(y, []byte("'':\n  - type: TXT\n    value: v=spf1 -all\n  - type: MX\n    value:\n      exchange: .\n      preference: 0\n_dmarc:\n  type: TXT\n  value: v=DMARC1; p=reject\n"), 0o644)
	code, out, _ := runCLI(t, "", "-offline", "-zone", y, "example.org")
	if code != 1 || !strings.Contains(out, "zonesrc.octodns-unescaped-semicolon") || !strings.Contains(out, "example.org.yaml:10)") {
		t.Errorf("unescaped ';': exit %d\n%s", code, out)
	}
	// SARIF places the findings in the source.
	_, out, _ = runCLI(t, "", "-offline", "-format", "sarif", "-zone", "../../zonesrc/testdata/octodns/contoso.example.yaml", "contoso.example")
	if !strings.Contains(out, `"uri": "../../zonesrc/testdata/octodns/contoso.example.yaml"`) || !strings.Contains(out, `"startLine": 9`) {
		t.Errorf("SARIF:\n%s", out)
	}
	// -fix edits zone files only.
	if code, _, errs := runCLI(t, "", "-offline", "-zone", y, "-diff", "example.org"); code != 2 || !strings.Contains(errs, "advice to make in the source") {
		t.Errorf("-diff on octoDNS: exit %d: %s", code, errs)
	}
}

// TestNotEvaluatedIsNotMissing: a Terraform record whose value is a
// variable is not verified, never missing (it was a false dmarc.missing).
func TestNotEvaluatedIsNotMissing(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dns.tf"), []byte(`variable "dmarc_rua" { type = string }
resource "aws_route53_zone" "main" { name = "brightpath.test" }
resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "brightpath.test"
  type    = "TXT"
  ttl     = 300
  records = ["v=spf1 -all"]
}
resource "aws_route53_record" "mx" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "brightpath.test"
  type    = "MX"
  ttl     = 300
  records = ["0 ."]
}
resource "aws_route53_record" "dmarc" {
  zone_id = aws_route53_zone.main.zone_id
  name    = "_dmarc.brightpath.test"
  type    = "TXT"
  ttl     = 300
  records = ["v=DMARC1; p=reject; rua=mailto:${var.dmarc_rua}"]
}
`), 0o644)
	code, rep, errs := lintJSON(t, "-offline", "-zone", filepath.Join(dir, "dns.tf"), "brightpath.test")
	if _, ok := rep.rules()["dmarc.missing"]; ok || code != 0 || !strings.Contains(errs, "not evaluated") {
		t.Errorf("exit %d, findings %v; stderr %s", code, rep.Findings, errs)
	}
}

// TestTerraformZoneVariable: Cloudflare's usual module writes zone_id =
// var.zone_id; the records are read as the domain checked's (they were
// all left out, and the domain said not to exist).
func TestTerraformZoneVariable(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`variable "zone_id" { type = string }
resource "cloudflare_record" "spf" {
  zone_id = var.zone_id
  name    = "@"
  type    = "TXT"
  content = "v=spf1 -all"
}
resource "cloudflare_record" "mx" {
  zone_id  = var.zone_id
  name     = "@"
  type     = "MX"
  content  = "."
  priority = 0
}
`), 0o644)
	code, rep, errs := lintJSON(t, "-offline", "-zone", dir, "brightpath.test")
	if rep.NXDomain || !strings.Contains(errs, "read as brightpath.test's") {
		t.Errorf("exit %d, %+v; stderr %s", code, rep, errs)
	}
	if _, ok := rep.rules()["dmarc.missing"]; !ok {
		t.Errorf("the zone publishes no DMARC record: want dmarc.missing, got %v", rep.Findings)
	}
}
