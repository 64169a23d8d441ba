package aggregate_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

// Shapes of reports real generators send that strict XML readers
// refuse; each fixture is written here, with example domains and
// documentation addresses.

// minimal is a one-record report; wrap puts text around <feedback>.
func minimal(before, after string) string {
	return before + `<feedback>
  <report_metadata>
    <org_name>receiver.example</org_name>
    <email>dmarc@receiver.example</email>
    <report_id>rw-1</report_id>
    <date_range><begin>1700000000</begin><end>1700086400</end></date_range>
  </report_metadata>
  <policy_published><domain>contoso.example</domain><p>none</p></policy_published>
  <record>
    <row><source_ip>192.0.2.10</source_ip><count>3</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
    <identifiers><header_from>contoso.example</header_from></identifiers>
    <auth_results><dkim><domain>contoso.example</domain><result>pass</result></dkim></auth_results>
  </record>
</feedback>` + after
}

func parseString(t *testing.T, s string) *aggregate.Report {
	t.Helper()
	rep, err := aggregate.Parse(strings.NewReader(s), aggregate.Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rep
}

// TestSchemaWrapper: a generator (seen from a large retailer's mail
// system) puts the report inside an <xs:schema> element it never
// closes. The <feedback> in it is the report.
func TestSchemaWrapper(t *testing.T) {
	for name, s := range map[string]string{
		"unclosed": minimal(`<?xml version="1.0"?> <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://dmarc.org/dmarc-xml/0.1">`+"\n", ""),
		"closed":   minimal(`<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">`, "</xs:schema>"),
	} {
		rep, err := aggregate.Parse(strings.NewReader(s), aggregate.Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if rep.ReportID != "rw-1" || rep.Messages() != 3 || rep.Policy.Domain != "contoso.example" {
			t.Errorf("%s: %+v", name, rep)
		}
	}
	// Any other root, or a schema without a report, is still not one.
	for name, s := range map[string]string{
		"other root":    minimal(`<report>`, `</report>`),
		"bare schema":   `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="feedback"/></xs:schema>`,
		"schema no ns":  minimal(`<schema>`, `</schema>`),
		"deeper inside": minimal(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><x>`, `</x></xs:schema>`),
	} {
		if _, err := aggregate.Parse(strings.NewReader(s), aggregate.Options{}); err == nil {
			t.Errorf("%s: read as a report", name)
		}
	}
}

// TestInvalidUTF8: a receiver copies the From domain it saw into
// <header_from>, bytes and all; a byte that is not UTF-8 there must not
// cost the report's other records. It reads as U+FFFD, as a UTF-8
// decoder replaces it; a report that declares another encoding is
// decoded by it, untouched.
func TestInvalidUTF8(t *testing.T) {
	bad := strings.Replace(minimal(`<?xml version="1.0" encoding="UTF-8"?>`+"\n", ""),
		"<identifiers><header_from>contoso.example</header_from>",
		"<identifiers><header_from>contoso.example\x91</header_from>", 1)
	rep := parseString(t, bad)
	if got := rep.Records[0].Identifiers.HeaderFrom; got != "contoso.example\uFFFD" || rep.Messages() != 3 {
		t.Errorf("header_from %q, %d messages", got, rep.Messages())
	}
	// No declaration: UTF-8 too. A sequence cut short at the end of the
	// text, and valid multi-byte text around it, are kept apart.
	nodecl := strings.Replace(minimal("", ""), "<org_name>receiver.example</org_name>",
		"<org_name>réceiver \xe2\x82 ✓</org_name>", 1)
	if got := parseString(t, nodecl).OrgName; got != "réceiver \uFFFD ✓" {
		t.Errorf("org_name %q", got)
	}
	// Declared ISO-8859-1: 0xE9 is é.
	latin := strings.Replace(minimal(`<?xml version="1.0" encoding="ISO-8859-1"?>`, ""),
		"<org_name>receiver.example</org_name>", "<org_name>r\xe9ceiver</org_name>", 1)
	if got := parseString(t, latin).OrgName; got != "réceiver" {
		t.Errorf("ISO-8859-1 org_name %q", got)
	}
}

// tlsReport is an SMTP TLS report (RFC 8460): JSON, often sent to the
// same mailbox as DMARC reports, and named like one (.json.gz).
const tlsReport = `{"organization-name":"Receiver Example","date-range":{"start-datetime":"2025-12-01T00:00:00Z","end-datetime":"2025-12-01T23:59:59Z"},"contact-info":"tls@receiver.example","report-id":"tls-1","policies":[]}`

// TestTLSReportIsNotOne: a TLS report, in a message, a .json.gz file or
// a zip, is said to be no DMARC report (ErrNoReport, ErrNotReport), not
// an XML syntax error; the DMARC report beside it is read.
func TestTLSReportIsNotOne(t *testing.T) {
	msg := message(`
From: noreply-smtp-tls-reporting@receiver.example
To: tls@contoso.example
Subject: Report Domain: contoso.example Submitter: receiver.example Report-ID: <tls-1@receiver.example>
Message-ID: <tls-1@receiver.example>`,
		part{header: `Content-Type: text/plain`, body: []byte("This is an aggregate TLS report from receiver.example\n")},
		part{header: `Content-Type: application/tlsrpt+gzip;
	name="receiver.example!contoso.example!1764547200!1764633599!001.json.gz"
Content-Disposition: attachment;
	filename="receiver.example!contoso.example!1764547200!1764633599!001.json.gz"`, cte: "base64", body: gz([]byte(tlsReport))})
	_, errs := collect(aggregate.Read(ctx, bytes.NewReader(msg), "tls.eml", aggregate.Options{}))
	if len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrNoReport) {
		t.Errorf("TLS report message: %v", errs)
	}
	for name, data := range map[string][]byte{
		"tls.json.gz": gz([]byte(tlsReport)),
		"tls.zip":     zipOf(zipEntry{"tls.json", []byte(tlsReport)}, zipEntry{"dmarc.xml", []byte(minimal("", ""))}),
	} {
		reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(data), name, aggregate.Options{}))
		if len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrNotReport) {
			t.Errorf("%s: %v", name, errs)
		}
		if want := strings.Count(name, ".zip"); len(reps) != want {
			t.Errorf("%s: %d reports, want %d", name, len(reps), want)
		}
	}
}

// TestReadDirSubFolders: reports filed by month are in sub-folders,
// which ReadDir does not read; each is said, not silently passed over
// (a what-if weighed against the top folder alone would be weighed
// against nothing). Dot folders (a Maildir++ folder's) stay unsaid.
func TestReadDirSubFolders(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"top.xml":              minimal("", ""),
		"2025-11/a.xml":        strings.Replace(minimal("", ""), "rw-1", "rw-2", 1),
		".Archive/cur/x:2,S":   "",
		"2025-12/google/b.xml": strings.Replace(minimal("", ""), "rw-1", "rw-3", 1),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reps, errs := collect(aggregate.ReadDir(ctx, dir, aggregate.Options{}))
	if len(reps) != 1 || len(errs) != 2 {
		t.Fatalf("%d reports, errors %v", len(reps), errs)
	}
	for i, want := range []string{"2025-11", "2025-12"} {
		var e *aggregate.Error
		if !errors.As(errs[i], &e) || !errors.Is(errs[i], aggregate.ErrNotRegular) || e.Source.Path != filepath.Join(dir, want) {
			t.Errorf("error %d: %v", i, errs[i])
		}
	}
	// The bound counts folders too.
	if _, errs := collect(aggregate.ReadDir(ctx, dir, aggregate.Options{MaxMessages: 2})); len(errs) == 0 ||
		!errors.Is(errs[len(errs)-1], aggregate.ErrTooManyMessages) {
		t.Errorf("MaxMessages 2: %v", errs)
	}
}

// TestAngleBracketAddress: generators have written the reporter's
// address in angle brackets, unescaped (<email><postmaster@x></email>),
// which is not well-formed XML; the report is read, the address kept as
// sent. Anything else unescaped is still a syntax error.
func TestAngleBracketAddress(t *testing.T) {
	s := strings.Replace(minimal(`<?xml version="1.0" encoding="UTF-8" ?>`+"\r\n", ""),
		"<email>dmarc@receiver.example</email>", "<email><dmarc@receiver.example></email>\r\n    <extra_contact_info> <https://receiver.example/dmarc> </extra_contact_info>", 1)
	rep := parseString(t, s)
	if rep.Email != "<dmarc@receiver.example>" || rep.ExtraContactInfo != "<https://receiver.example/dmarc>" || rep.Messages() != 3 {
		t.Errorf("email %q, extra_contact_info %q, %d messages", rep.Email, rep.ExtraContactInfo, rep.Messages())
	}
	for name, s := range map[string]string{
		"in a record":  strings.Replace(minimal("", ""), "<header_from>contoso.example</header_from>", "<header_from><contoso.example></header_from>", 1),
		"another name": strings.Replace(minimal("", ""), "<email>dmarc@receiver.example</email>", "<email><dmarc@receiver.example></mail>", 1),
	} {
		if _, err := aggregate.Parse(strings.NewReader(s), aggregate.Options{}); err == nil {
			t.Errorf("%s: read", name)
		}
	}
}

// TestZipCompressedType: a receiver types its zip application/zip-compressed
// and names it nowhere; the type alone marks the report.
func TestZipCompressedType(t *testing.T) {
	msg := message(`
From: noreply@receiver.example
To: dmarc@contoso.example
Subject: Report Domain: contoso.example Submitter: receiver.example Report-ID: <rw-1>`,
		part{header: `Content-Type: text/plain`, body: []byte("DMARC aggregate report\n")},
		part{header: `Content-Type: application/zip-compressed
Content-Disposition: attachment`, cte: "base64", body: zipOf(zipEntry{"report.xml", []byte(minimal("", ""))})})
	reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(msg), "zip-compressed.eml", aggregate.Options{}))
	if len(reps) != 1 || len(errs) != 0 {
		t.Errorf("%d reports, errors %v", len(reps), errs)
	}
}

// TestNullRecord: some receivers send a daily report for a domain they
// saw no mail from, with one record of count 0 and every field empty
// (<source_ip/>, <disposition/>). The report is read, without that
// record; a record with messages and no source_ip is still invalid.
func TestNullRecord(t *testing.T) {
	null := `<record><row><source_ip/><count>0</count><policy_evaluated><disposition/><dkim/><spf/></policy_evaluated></row>` +
		`<identifiers><header_from/></identifiers><auth_results><spf><domain/><result/></spf></auth_results></record>`
	s := strings.Replace(minimal("", ""), "</policy_published>", "</policy_published>"+null, 1)
	rep := parseString(t, s)
	if len(rep.Records) != 1 || rep.Messages() != 3 {
		t.Errorf("%d records, %d messages", len(rep.Records), rep.Messages())
	}
	only := strings.Replace(s, minimal("", "")[strings.Index(minimal("", ""), "<record>"):strings.Index(minimal("", ""), "</feedback>")], "", 1)
	if rep := parseString(t, only); len(rep.Records) != 0 {
		t.Errorf("null report: %d records", len(rep.Records))
	}
	for name, rec := range map[string]string{
		"messages, no address": strings.Replace(null, "<count>0</count>", "<count>2</count>", 1),
		"no count, no address": strings.Replace(null, "<count>0</count>", "", 1),
	} {
		s := strings.Replace(minimal("", ""), "</policy_published>", "</policy_published>"+rec, 1)
		if _, err := aggregate.Parse(strings.NewReader(s), aggregate.Options{}); !errors.Is(err, aggregate.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSameIDOtherReport: one organization's several mail systems send
// different reports under one org_name with the same report_id (seen
// from a hosting company whose report_id is a domain and the period):
// each is read. The same report received twice is still one.
func TestSameIDOtherReport(t *testing.T) {
	base := strings.Replace(minimal("", ""), "<report_id>rw-1</report_id>", "<report_id>contoso.example.1700000000.1700086400</report_id>", 1)
	other := strings.NewReplacer("dmarc@receiver.example", "dmarc@brand2.receiver.example", "<count>3</count>", "<count>5</count>").Replace(base)
	dir := t.TempDir()
	for name, data := range map[string]string{"a.xml": base, "b.xml": other, "c.xml": base} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reps, errs := collect(aggregate.ReadDir(ctx, dir, aggregate.Options{}))
	var n int64
	for _, r := range reps {
		n += r.Messages()
	}
	if len(reps) != 2 || n != 8 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrDuplicate) {
		t.Errorf("%d reports, %d messages, errors %v", len(reps), n, errs)
	}
}

// TestSameIDSameCounts: two mail systems of one organization report
// under one org_name, email and report_id (a domain and the period), each
// a record of 3 messages, from different sources: the counts agree, the
// reports do not, and both are read. A copy of either is still one.
func TestSameIDSameCounts(t *testing.T) {
	base := strings.Replace(minimal("", ""), "<report_id>rw-1</report_id>", "<report_id>contoso.example.1700000000.1700086400</report_id>", 1)
	other := strings.Replace(base, "<source_ip>192.0.2.10</source_ip>", "<source_ip>198.51.100.20</source_ip>", 1)
	dir := t.TempDir()
	for name, data := range map[string]string{"a.xml": base, "b.xml": other, "c.xml": base, "d.xml": other} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reps, errs := collect(aggregate.ReadDir(ctx, dir, aggregate.Options{}))
	var ips []string
	for _, r := range reps {
		ips = append(ips, r.Records[0].SourceIP.String())
	}
	if len(reps) != 2 || ips[0] == ips[1] || len(errs) != 2 || !errors.Is(errs[0], aggregate.ErrDuplicate) || !errors.Is(errs[1], aggregate.ErrDuplicate) {
		t.Errorf("reports from %v, errors %v", ips, errs)
	}
}

// TestAngleBracketAddressPretty: the address in angle brackets with
// white space around it, in a report written one element a line (no "><"
// anywhere in it), is read as well.
func TestAngleBracketAddressPretty(t *testing.T) {
	s := `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
 <report_metadata>
  <org_name>receiver.example</org_name>
  <email> <dmarc@receiver.example> </email>
  <report_id>rw-2</report_id>
  <date_range>
   <begin>1700000000</begin>
   <end>1700086400</end>
  </date_range>
 </report_metadata>
 <policy_published>
  <domain>contoso.example</domain>
 </policy_published>
 <record>
  <row>
   <source_ip>192.0.2.10</source_ip>
   <count>3</count>
  </row>
  <identifiers>
   <header_from>contoso.example</header_from>
  </identifiers>
 </record>
</feedback>
`
	if strings.Contains(s, "><") {
		t.Fatal("the fixture has ><")
	}
	if rep := parseString(t, s); rep.Email != "<dmarc@receiver.example>" || rep.Messages() != 3 {
		t.Errorf("email %q, %d messages", rep.Email, rep.Messages())
	}
}

// TestDuplicateRecordOrder: the same report sent again with its records
// in another order (generated anew from the receiver's store) is the same
// report, counted once.
func TestDuplicateRecordOrder(t *testing.T) {
	base := minimal("", "")
	i, j := strings.Index(base, "<record>"), strings.Index(base, "</feedback>")
	rec := base[i:j]
	second := strings.NewReplacer("192.0.2.10", "198.51.100.20", "<count>3</count>", "<count>4</count>").Replace(rec)
	a := base[:i] + rec + second + base[j:]
	b := base[:i] + second + rec + base[j:]
	reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(zipOf(zipEntry{"a.xml", []byte(a)}, zipEntry{"b.xml", []byte(b)})), "z.zip", aggregate.Options{}))
	if len(reps) != 1 || reps[0].Messages() != 7 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrDuplicate) {
		t.Errorf("%d reports, errors %v", len(reps), errs)
	}
}

// TestInnerReadError: an archive whose data cannot be read to the end of
// its first bytes (a gzip cut short) says so, not that what it holds is
// "not XML".
func TestInnerReadError(t *testing.T) {
	data := gz(bytes.Repeat([]byte(tlsReport), 8))
	data = data[:len(data)/2]
	_, errs := collect(aggregate.Read(ctx, bytes.NewReader(data), "cut.json.gz", aggregate.Options{}))
	if len(errs) != 1 || errors.Is(errs[0], aggregate.ErrNotReport) || !errors.Is(errs[0], io.ErrUnexpectedEOF) {
		t.Errorf("errors %v", errs)
	}
}
