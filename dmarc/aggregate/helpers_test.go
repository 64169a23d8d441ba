package aggregate_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"iter"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

var update = flag.Bool("update", false, "rewrite the golden files and the generated fixtures in testdata")

// collect runs a read to its end.
func collect(seq iter.Seq2[*aggregate.Report, error]) (reps []*aggregate.Report, errs []error) {
	for rep, err := range seq {
		if (rep == nil) == (err == nil) {
			panic(fmt.Sprintf("a yield must carry a report or an error, not both or neither: %v %v", rep, err))
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		reps = append(reps, rep)
	}
	return reps, errs
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gz compresses b as gzip, deterministically (no name, no time).
func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

type zipEntry struct {
	name string
	data []byte
}

// zipOf builds a zip archive, deterministically.
func zipOf(entries ...zipEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			panic(err)
		}
		w.Write(e.data)
	}
	zw.Close()
	return buf.Bytes()
}

// part is one MIME part of a built message.
type part struct {
	header string // Content-Type and the rest, without Content-Transfer-Encoding
	cte    string // "base64", "quoted-printable" or "" (as is)
	body   []byte
}

// message builds a message. One part: a single-part message; several:
// multipart/mixed.
func message(header string, parts ...part) []byte {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(strings.TrimSpace(header), "\n", "\r\n") + "\r\nMIME-Version: 1.0\r\n")
	writePart := func(p part) {
		b.WriteString(strings.ReplaceAll(strings.TrimSpace(p.header), "\n", "\r\n") + "\r\n")
		if p.cte != "" {
			b.WriteString("Content-Transfer-Encoding: " + p.cte + "\r\n")
		}
		b.WriteString("\r\n")
		switch p.cte {
		case "base64":
			s := base64.StdEncoding.EncodeToString(p.body)
			for len(s) > 76 {
				b.WriteString(s[:76] + "\r\n")
				s = s[76:]
			}
			b.WriteString(s + "\r\n")
		case "quoted-printable":
			qw := quotedprintable.NewWriter(&b)
			qw.Write(p.body)
			qw.Close()
			b.WriteString("\r\n")
		default:
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(string(p.body), "\r\n", "\n"), "\n", "\r\n"))
		}
	}
	if len(parts) == 1 {
		writePart(parts[0])
		return []byte(b.String())
	}
	const boundary = "=_report_boundary_7"
	b.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n")
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n")
		writePart(p)
	}
	b.WriteString("--" + boundary + "--\r\n")
	return []byte(b.String())
}

// writeGenerated writes a generated fixture under testdata with
// -update, and otherwise checks the checked-in copy is what the
// generator makes.
func writeGenerated(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGeneratedFixtures -update)", err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("testdata/%s is not what the generator makes (run go test -run TestGeneratedFixtures -update)", name)
	}
}

// dump renders a report for golden files: every field, one per line.
func dump(rep *aggregate.Report) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("source %s", rep.Source)
	p("namespace %q version %q", rep.Namespace, rep.Version)
	p("org %q email %q extra %q id %q", rep.OrgName, rep.Email, rep.ExtraContactInfo, rep.ReportID)
	p("range %s .. %s", rep.DateRange.Begin.Format(time.RFC3339), rep.DateRange.End.Format(time.RFC3339))
	for _, e := range rep.Errors {
		p("error %q", e)
	}
	if rep.Generator != "" {
		p("generator %q", rep.Generator)
	}
	pp := rep.Policy
	p("policy domain=%s p=%q sp=%q np=%q adkim=%q aspf=%q pct=%d(%v) fo=%q testing=%q discovery=%q",
		pp.Domain, pp.P, pp.SP, pp.NP, pp.ADKIM, pp.ASPF, pp.Pct, pp.HasPct, pp.FO, pp.Testing, pp.DiscoveryMethod)
	for _, x := range rep.Extensions {
		p("extension %s %q", x.Name.Local, x.Text)
	}
	for i, r := range rep.Records {
		p("record %d: %s x%d disposition=%q dkim=%q spf=%q", i+1, r.SourceIP, r.Count, r.Evaluated.Disposition, r.Evaluated.DKIM, r.Evaluated.SPF)
		for _, rs := range r.Evaluated.Reasons {
			p("  reason %q %q", rs.Type, rs.Comment)
		}
		p("  from=%q envelope_from=%q envelope_to=%q", r.Identifiers.HeaderFrom, r.Identifiers.EnvelopeFrom, r.Identifiers.EnvelopeTo)
		for _, d := range r.DKIM {
			p("  dkim d=%q s=%q %q %q valid=%v", d.Domain, d.Selector, d.Result, d.HumanResult, d.Result.Valid())
		}
		for _, s := range r.SPF {
			p("  spf %q scope=%q %q %q valid=%v", s.Domain, s.Scope, s.Result, s.HumanResult, s.Result.Valid())
		}
		for _, x := range r.Extensions {
			p("  extension %s %q", x.Name.Local, x.Text)
		}
	}
	return b.String()
}

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

var ctx = context.Background()
