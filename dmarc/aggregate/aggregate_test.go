package aggregate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

// render lists what a read yields, a line per report or error.
func render(seq iter.Seq2[*aggregate.Report, error]) string {
	var b strings.Builder
	for rep, err := range seq {
		if err != nil {
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		fmt.Fprintf(&b, "report %q from %q: %d records, %d messages, policy %s p=%s (%s)\n",
			rep.ReportID, rep.OrgName, len(rep.Records), rep.Messages(), rep.Policy.Domain, rep.Policy.P, rep.Source)
	}
	return b.String()
}

// TestReports reads every hand-written report, in the shapes Google,
// Microsoft, Yahoo, Mail.ru, Amazon SES, OpenDMARC and Mail::DMARC send
// and RFC 9990's, and pins every field.
func TestReports(t *testing.T) {
	var b strings.Builder
	for rep, err := range aggregate.ReadDir(ctx, "testdata/reports", aggregate.Options{}) {
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		b.WriteString(dump(rep) + "\n")
	}
	golden(t, "golden/reports.txt", b.String())
}

// TestSources reads the same reports from every kind of place.
func TestSources(t *testing.T) {
	var b strings.Builder
	section := func(title string, seq iter.Seq2[*aggregate.Report, error]) {
		fmt.Fprintf(&b, "== %s\n%s", title, render(seq))
	}
	o := aggregate.Options{}
	section("ReadDir testdata/bad", aggregate.ReadDir(ctx, "testdata/bad", o))
	section("ReadDir testdata/archives", aggregate.ReadDir(ctx, "testdata/archives", o))
	section("ReadDir testdata/messages", aggregate.ReadDir(ctx, "testdata/messages", o))
	section("ReadFile testdata/mbox/reports.mbox", aggregate.ReadFile(ctx, "testdata/mbox/reports.mbox", o))
	section("ReadMaildir testdata/maildir", aggregate.ReadMaildir(ctx, "testdata/maildir", o))
	for _, loc := range []string{"testdata/maildir", "testdata/archives", "testdata/mbox/reports.mbox", "testdata/messages/google.eml", "testdata/missing"} {
		section("Open "+loc, aggregate.Open(ctx, loc, o))
	}
	f, err := os.Open("testdata/messages/forwarded.eml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	section("Read forwarded.eml", aggregate.Read(ctx, f, "forwarded.eml", o))
	golden(t, "golden/sources.txt", b.String())
}

func TestQuirks(t *testing.T) {
	reps, errs := collect(aggregate.ReadDir(ctx, "testdata/reports", aggregate.Options{}))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	by := map[string]*aggregate.Report{}
	for _, r := range reps {
		by[r.OrgName] = r
	}
	y := by["Yahoo"]
	if y.Policy.Domain != "contoso.example" || y.Policy.P != aggregate.PolicyReject || y.Policy.ADKIM != aggregate.AlignRelaxed {
		t.Errorf("Yahoo's mixed case and trailing dot: %+v", y.Policy)
	}
	if r := y.Records[0]; r.Evaluated.DKIM != aggregate.DMARCPass || r.Evaluated.SPF != aggregate.DMARCFail ||
		r.DKIM[0].Result != aggregate.DKIMPass || r.SPF[0].Result != aggregate.SPFSoftFail || r.SourceIP != netip.MustParseAddr("198.51.100.25") {
		t.Errorf("Yahoo's mixed-case results, padded IP: %+v", r)
	}
	if got := y.Records[1].SourceIP; got != netip.MustParseAddr("192.0.2.44") {
		t.Errorf("IPv4-mapped source: %v", got)
	}
	if got := by["mx.wingtip.example"].Records[0].SourceIP; !got.Is6() {
		t.Errorf("IPv6 source: %v", got)
	}
	if d := by["Outlook.com"].Records[1].DKIM; len(d) != 2 || d[1].Selector != "selector2" {
		t.Errorf("several DKIM results: %+v", d)
	}
	if h := by["Mail.Ru"].Records[0].DKIM[0].HumanResult; h != "clé de 2048 bits" {
		t.Errorf("ISO-8859-1 human_result: %q", h)
	}
	if s := by["AMAZON-SES"]; s.Namespace != aggregate.NamespaceDraft || s.ReportID == "" {
		t.Errorf("BOM and the draft namespace: %+v", s)
	}
	x := by["Receiver Example"]
	if x.Namespace != aggregate.NamespaceRFC9990 || x.Policy.NP != aggregate.PolicyReject || x.Policy.Testing != aggregate.TestingYes ||
		x.Policy.DiscoveryMethod != aggregate.DiscoveryTreeWalk || x.Policy.HasPct || x.Policy.Pct != 100 || x.Generator == "" ||
		len(x.Extensions) != 1 || len(x.Records[1].Extensions) != 1 || x.Records[0].Evaluated.Disposition != aggregate.DispositionPass ||
		x.Records[1].Evaluated.Reasons[0].Type != aggregate.ReasonPolicyTestMode || x.Records[0].SPF[0].HumanResult == "" {
		t.Errorf("RFC 9990 fields: %s", dump(x))
	}
	m := by["mx.northwind.example"]
	if m.Policy.Pct != 50 || len(m.Records[0].SPF) != 2 || m.Records[0].SPF[0].Scope != aggregate.ScopeHELO {
		t.Errorf("Mail::DMARC's pct and two SPF results: %s", dump(m))
	}
	if !aggregate.SPFPolicy.Valid() || aggregate.SPFResult("hardfail").Valid() {
		t.Error("Valid")
	}
}

// TestErrorsSayWhere: an error names the file, message, attachment,
// entry and report, and wraps its reason.
func TestErrorsSayWhere(t *testing.T) {
	bad := readFixture(t, "bad/bad-ip.xml")
	msg := message("From: a@fabrikam.example\nMessage-ID: <m1@fabrikam.example>",
		part{header: `Content-Type: application/zip; name="r.zip"`, cte: "base64", body: zipOf(zipEntry{"bad.xml", bad})})
	_, errs := collect(aggregate.Read(ctx, bytes.NewReader(msg), "inbox/1.eml", aggregate.Options{}))
	if len(errs) != 1 {
		t.Fatalf("errors: %v", errs)
	}
	var e *aggregate.Error
	if !errors.As(errs[0], &e) || !errors.Is(errs[0], aggregate.ErrInvalid) {
		t.Fatalf("%T %v", errs[0], errs[0])
	}
	want := aggregate.Source{Path: "inbox/1.eml", MessageID: "m1@fabrikam.example", Attachment: "r.zip", Entry: "bad.xml"}
	if e.Source != want || e.ReportID != "bad-ip-1" || e.OrgName != "broken.example" {
		t.Errorf("%+v", e)
	}
	const text = `inbox/1.eml: message <m1@fabrikam.example>: attachment r.zip: entry bad.xml: report bad-ip-1 from broken.example: record 2: invalid report: source_ip "not-an-ip" is not an IP address`
	if e.Error() != text {
		t.Errorf("got  %s\nwant %s", e.Error(), text)
	}
}

// TestBadReportDoesNotStopTheRest: errors come between reports.
func TestBadReportDoesNotStopTheRest(t *testing.T) {
	good := readFixture(t, "reports/google.xml")
	msg := message("From: a@fabrikam.example",
		part{header: `Content-Type: application/xml; name="bad.xml"`, body: readFixture(t, "bad/truncated.xml")},
		part{header: `Content-Type: application/gzip; name="broken.xml.gz"`, cte: "base64", body: gz(good)[:40]},
		part{header: `Content-Type: application/gzip; name="good.xml.gz"`, cte: "base64", body: gz(good)})
	reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(msg), "m.eml", aggregate.Options{}))
	if len(reps) != 1 || len(errs) != 2 {
		t.Errorf("reports %d, errors %v", len(reps), errs)
	}
}

func TestDuplicates(t *testing.T) {
	reps, errs := collect(aggregate.ReadMaildir(ctx, "testdata/maildir", aggregate.Options{}))
	if len(reps) != 3 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrDuplicate) {
		t.Fatalf("reports %d, errors %v", len(reps), errs)
	}
	reps, errs = collect(aggregate.ReadMaildir(ctx, "testdata/maildir", aggregate.Options{KeepDuplicates: true}))
	if len(reps) != 4 || len(errs) != 0 {
		t.Fatalf("KeepDuplicates: reports %d, errors %v", len(reps), errs)
	}
}

// TestDedupeBound: the set of reports seen holds MaxDedupe keys; the
// oldest is forgotten first.
func TestDedupeBound(t *testing.T) {
	report := func(org, id string) []byte {
		return fmt.Appendf(nil, `<feedback><report_metadata><org_name>%s</org_name><report_id>%s</report_id>`+
			`<date_range><begin>1</begin><end>2</end></date_range></report_metadata>`+
			`<policy_published><domain>contoso.example</domain></policy_published></feedback>`, org, id)
	}
	var entries []zipEntry
	for i, id := range []string{"a", "b", "a", "c", "a", "A"} {
		entries = append(entries, zipEntry{fmt.Sprint(i), report("Org", id)})
	}
	entries = append(entries, zipEntry{"org case", report("ORG", "A")})
	// MaxDedupe 2: a, b, a (dup), c (forgets a), a (read again: it was
	// forgotten; forgets b), A (another ID: IDs are compared as sent;
	// forgets c), ORG/A (dup:
	// org names are compared in any case).
	reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(zipOf(entries...)), "z", aggregate.Options{MaxDedupe: 2}))
	var ids []string
	for _, r := range reps {
		ids = append(ids, r.ReportID)
	}
	if got := strings.Join(ids, ","); got != "a,b,c,a,A" || len(errs) != 2 {
		t.Errorf("read %s, errors %v", got, errs)
	}
}

func TestSince(t *testing.T) {
	all, _ := collect(aggregate.ReadDir(ctx, "testdata/reports", aggregate.Options{}))
	// google.xml, rfc9990.xml and yahoo.xml end at 23:59:59 on the 1st;
	// the others at midnight.
	since := time.Date(2025, 12, 2, 0, 0, 0, 0, time.UTC)
	some, _ := collect(aggregate.ReadDir(ctx, "testdata/reports", aggregate.Options{Since: since}))
	if len(all) != 8 || len(some) != 5 {
		t.Errorf("all %d, since %d", len(all), len(some))
	}
	for _, r := range some {
		if r.DateRange.End.Before(since) {
			t.Errorf("%s ends before Since", r.ReportID)
		}
	}
}

func TestNoReport(t *testing.T) {
	_, errs := collect(aggregate.ReadFile(ctx, "testdata/messages/no-report.eml", aggregate.Options{}))
	if len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrNoReport) {
		t.Errorf("%v", errs)
	}
	_, errs = collect(aggregate.Read(ctx, strings.NewReader("\x00\x01 binary"), "x", aggregate.Options{}))
	if len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrNotReport) {
		t.Errorf("%v", errs)
	}
}

// TestCancel: a done context ends the read, its error yielded once.
func TestCancel(t *testing.T) {
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	var last error
	for _, err := range aggregate.ReadDir(c, "testdata/reports", aggregate.Options{}) {
		n++
		last = err
		cancel()
	}
	if n != 2 || !errors.Is(last, context.Canceled) {
		t.Errorf("%d yields, last %v", n, last)
	}
	// Stopping the loop stops the read.
	n = 0
	for range aggregate.ReadDir(ctx, "testdata/reports", aggregate.Options{}) {
		n++
		break
	}
	if n != 1 {
		t.Error(n)
	}
}

// TestNotRegular: a FIFO is refused without blocking on it.
func TestNotRegular(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan []error)
	go func() { _, errs := collect(aggregate.ReadFile(ctx, fifo, aggregate.Options{})); done <- errs }()
	select {
	case errs := <-done:
		if len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrNotRegular) {
			t.Errorf("%v", errs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("blocked on a FIFO")
	}
}

// TestEncodings: UTF-16 with a byte order mark, windows-1252 declared.
func TestEncodings(t *testing.T) {
	doc := `<?xml version="1.0" encoding="%s"?><feedback><report_metadata><org_name>Ré</org_name><report_id>e1</report_id>` +
		`<date_range><begin>1</begin><end>2</end></date_range></report_metadata><policy_published><domain>contoso.example</domain></policy_published></feedback>`
	utf16 := func(s string, big bool) []byte {
		b := []byte{0xff, 0xfe}
		if big {
			b = []byte{0xfe, 0xff}
		}
		for _, r := range s {
			if big {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return b
	}
	cp1252 := bytes.ReplaceAll(fmt.Appendf(nil, doc, "windows-1252"), []byte("é"), []byte{0xe9})
	for name, in := range map[string][]byte{
		"UTF-16LE":     utf16(fmt.Sprintf(doc, "UTF-16"), false),
		"UTF-16BE":     utf16(fmt.Sprintf(doc, "UTF-16"), true),
		"windows-1252": cp1252,
		"gzip UTF-16":  gz(utf16(fmt.Sprintf(doc, "UTF-16"), false)),
	} {
		reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(in), name, aggregate.Options{}))
		if len(errs) != 0 || len(reps) != 1 || reps[0].OrgName != "Ré" {
			t.Errorf("%s: %v %v", name, reps, errs)
		}
	}
}
