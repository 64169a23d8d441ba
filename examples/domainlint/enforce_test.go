package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/check/checktest"
)

// reportsFolder writes the fixture reports as they arrive: Google's
// gzipped, Outlook's zipped, and Google's again inside a message (a
// duplicate: counted once).
func reportsFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	g, err := os.ReadFile("testdata/reports/google.contoso.test.xml")
	if err != nil {
		t.Fatal(err)
	}
	o, err := os.ReadFile("testdata/reports/outlook.contoso.test.xml")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(g)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "google.com!contoso.test!1764547200!1764633599.xml.gz"), gz.Bytes(), 0o644)
	var zb bytes.Buffer
	w := zip.NewWriter(&zb)
	f, _ := w.Create("outlook.com!contoso.test!1764547200!1764633600.xml")
	f.Write(o)
	w.Close()
	os.WriteFile(filepath.Join(dir, "outlook.com!contoso.test!1764547200!1764633600.zip"), zb.Bytes(), 0o644)
	b64 := base64.StdEncoding.EncodeToString(gz.Bytes())
	msg := "From: noreply-dmarc-support@google.com\r\nTo: dmarc@contoso.test\r\nSubject: Report domain: contoso.test Submitter: google.com Report-ID: 12345678901234567890\r\nMessage-ID: <r1@google.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate report from google.com.\r\n--b\r\nContent-Type: application/gzip; name=\"google.com!contoso.test!1764547200!1764633599.xml.gz\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"google.com!contoso.test!1764547200!1764633599.xml.gz\"\r\n\r\n" + b64 + "\r\n--b--\r\n"
	os.WriteFile(filepath.Join(dir, "report.eml"), []byte(msg), 0o644)
	return dir
}

// TestEnforcementFromReports: a folder of reports (.xml.gz, .zip, .eml)
// and a zone moving p=none to p=reject: the CLI says which sources would
// be rejected, how many messages, and what to add; the same in JSON and
// SARIF (at the DMARC record's line); checktest fails on it.
func TestEnforcementFromReports(t *testing.T) {
	dir := reportsFolder(t)
	args := []string{"-offline", "-zone", "testdata/contoso.test.zone", "-zone", "../../enforce/testdata/world.zone", "-reports", dir}
	code, out, errs := runCLI(t, "", append(args, "contoso.test")...)
	for _, want := range []string{
		"DMARC reports under p=reject: 6520 messages",
		"203.0.113.9: 1180 messages, 0 quarantined, 1180 rejected",
		"set up DKIM signing with d=contoso.test at mailer.test",
		"233.252.0.1: 300 messages, 0 quarantined, 300 rejected (300 pass today)",
		"keep the DKIM key at s2019._domainkey.contoso.test",
		"enforce.breaks",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s\n%s", want, out, errs)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1 (mail that passes today would be rejected)", code)
	}
	_, out, _ = runCLI(t, "", append(append([]string{"-format", "json"}, args...), "contoso.test")...)
	var rep struct {
		Enforcement struct {
			Messages, Rejected, Breaks int
			Policy                     string
		} `json:"enforcement"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Enforcement.Messages != 6520 || rep.Enforcement.Rejected != 1480 || rep.Enforcement.Breaks != 300 || rep.Enforcement.Policy != "reject" {
		t.Errorf("JSON enforcement %+v, %v", rep.Enforcement, err)
	}
	_, out, _ = runCLI(t, "", append(append([]string{"-format", "sarif"}, args...), "contoso.test")...)
	if !strings.Contains(out, `"ruleId": "enforce.breaks"`) || !strings.Contains(out, `"startLine": 10`) {
		t.Errorf("SARIF does not place enforce.breaks at the DMARC record (line 10):\n%s", out)
	}
	// In go test: the pull request that removes s2019 fails.
	rec := &tbRecorder{}
	checktest.Config{Zones: []string{"../../enforce/testdata/world.zone"}, Reports: dir}.Zone(rec, "testdata/contoso.test.zone", "contoso.test", check.Options{})
	if !strings.Contains(strings.Join(rec.errors, "\n"), "enforce.breaks") {
		t.Errorf("checktest passed a zone that breaks mail: %v", rec.errors)
	}
}

type tbRecorder struct{ errors []string }

func (r *tbRecorder) Helper() {}
func (r *tbRecorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
func (r *tbRecorder) Logf(string, ...any) {}
