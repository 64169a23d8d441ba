package aggregate_test

// The bounds, each proven here and named in SECURITY.md.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

const reportHead = `<?xml version="1.0"?><feedback><report_metadata><org_name>big.example</org_name>` +
	`<email>r@big.example</email><report_id>%s</report_id><date_range><begin>1764547200</begin>` +
	`<end>1764633600</end></date_range></report_metadata><policy_published><domain>contoso.example</domain>` +
	`<adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct></policy_published>`

// rowsReader streams a report of n records without holding it.
type rowsReader struct {
	id     string
	n, i   int
	buf    []byte
	header bool
	footer bool
}

func newRowsReader(id string, n int) *rowsReader { return &rowsReader{id: id, n: n} }

func row(i int) string {
	return fmt.Sprintf(`<record><row><source_ip>10.%d.%d.%d</source_ip><count>%d</count><policy_evaluated>`+
		`<disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>`+
		`<identifiers><header_from>contoso.example</header_from></identifiers><auth_results><dkim>`+
		`<domain>contoso.example</domain><selector>s%d</selector><result>pass</result></dkim><spf>`+
		`<domain>bounce.contoso.example</domain><result>softfail</result></spf></auth_results></record>`+"\n",
		i>>16&255, i>>8&255, i&255, 1+i%7, i%3)
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch {
		case !r.header:
			r.header = true
			r.buf = fmt.Appendf(nil, reportHead, r.id)
		case r.i < r.n:
			r.buf = append(r.buf, row(r.i)...)
			r.i++
		case !r.footer:
			r.footer = true
			r.buf = []byte("</feedback>\n")
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// heapReader passes reads on and, every mib MiB, samples the live heap.
type heapReader struct {
	r         io.Reader
	n, next   int64
	peak      uint64
	base      uint64
	every     int64
	countOnly bool
}

func newHeapReader(r io.Reader) *heapReader {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &heapReader{r: r, base: m.HeapAlloc, every: 1 << 20, next: 1 << 20}
}

func (h *heapReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.n >= h.next && !h.countOnly {
		h.next += h.every
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, m.HeapAlloc)
	}
	return n, err
}

func (h *heapReader) held() int64 { return int64(h.peak) - int64(h.base) }

// one reads r and expects exactly one error wrapping want.
func one(t *testing.T, r io.Reader, o aggregate.Options, want error) time.Duration {
	t.Helper()
	start := time.Now()
	reps, errs := collect(aggregate.Read(ctx, r, "hostile", o))
	elapsed := time.Since(start)
	if len(reps) != 0 || len(errs) != 1 || !errors.Is(errs[0], want) {
		t.Fatalf("want one error wrapping %q; got %d reports, errors %v", want, len(reps), errs)
	}
	t.Logf("%v in %v", errs[0], elapsed)
	return elapsed
}

// allocs measures the bytes allocated by f.
func allocs(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// TestBillionLaughs: a DOCTYPE is refused before anything in it is
// expanded, so nine levels of entities tenfold each cost nothing (64 µs
// and 30 KB; bounded here at 1 s, for loaded machines, and 1 MiB).
func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString(`]><feedback><report_metadata><org_name>&lol9;</org_name></report_metadata></feedback>`)
	doc := strings.ReplaceAll(b.String(), "&lol0;", "&lol;")
	var elapsed time.Duration
	n := allocs(func() { elapsed = one(t, strings.NewReader(doc), aggregate.Options{}, aggregate.ErrDoctype) })
	t.Logf("billion laughs: %v, %d bytes allocated", elapsed, n)
	if elapsed > time.Second || n > 1<<20 {
		t.Errorf("took %v and %d bytes", elapsed, n)
	}
	// An external entity, inside a gzip inside a message, is refused too.
	xxe := `<?xml version="1.0"?><!DOCTYPE feedback [<!ENTITY x SYSTEM "file:///etc/passwd">]><feedback>&x;</feedback>`
	msg := message("From: a@fabrikam.example", part{header: `Content-Type: application/gzip`, cte: "base64", body: gz([]byte(xxe))})
	one(t, bytes.NewReader(msg), aggregate.Options{}, aggregate.ErrDoctype)
}

// bombXML compresses a well-formed report of n bytes, but for its end:
// one tag repeated, which the parser skips cheaply, so only a bound
// stops it.
func bombXML(n int, w io.WriteCloser) {
	io.WriteString(w, "<feedback>")
	chunk := bytes.Repeat([]byte("<a/>"), 1<<18)
	for ; n > 0; n -= len(chunk) {
		w.Write(chunk[:min(n, len(chunk))])
	}
	w.Close()
}

// TestGzipBomb: 1 GiB of XML in 1 MB of gzip (64 members) stops at the
// ratio bound, just past RatioFloor, having read a few KB.
func TestGzipBomb(t *testing.T) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	bombXML(16<<20, zw)
	bomb := bytes.Repeat(member.Bytes(), 64)
	// Each member after the first starts another <feedback>: the XML is
	// broken there, but the bound stops it long before.
	src := &heapReader{r: bytes.NewReader(bomb), countOnly: true}
	elapsed := one(t, src, aggregate.Options{}, aggregate.ErrRatio)
	t.Logf("read %d of %d compressed bytes", src.n, len(bomb))
	if elapsed > 5*time.Second || src.n > 256<<10 {
		t.Errorf("took %v, read %d bytes", elapsed, src.n)
	}
	// Under the size bound alone (the ratio bound lifted), the report's
	// size stops it.
	one(t, bytes.NewReader(bomb), aggregate.Options{MaxRatio: 1 << 40, MaxReportBytes: 2 << 20}, aggregate.ErrTooLarge)
}

// TestZipBomb: a zip entry declaring its true size is refused unread; one
// lying about it stops at the ratio bound.
func TestZipBomb(t *testing.T) {
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	bombXML(64<<20, fw)
	build := func(declared uint64) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "bomb.xml", Method: zip.Deflate,
			CompressedSize64: uint64(raw.Len()), UncompressedSize64: declared, CRC32: 0})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw.Bytes())
		zw.Close()
		return buf.Bytes()
	}
	var elapsed time.Duration
	n := allocs(func() { elapsed = one(t, bytes.NewReader(build(256<<20)), aggregate.Options{}, aggregate.ErrTooLarge) })
	if elapsed > 5*time.Second || n > 8<<20 {
		t.Errorf("declared: %v, %d bytes allocated", elapsed, n)
	}
	// archive/zip stops at the declared size.
	n = allocs(func() { elapsed = one(t, bytes.NewReader(build(1000)), aggregate.Options{}, zip.ErrFormat) })
	if elapsed > 5*time.Second || n > 8<<20 {
		t.Errorf("lying: %v, %d bytes allocated", elapsed, n)
	}
	// Declaring the size bound exactly, the ratio bound stops it first,
	// past RatioFloor (what is allocated is the parser's garbage for
	// 1.6 MB of XML).
	elapsed = one(t, bytes.NewReader(build(aggregate.DefaultMaxReportBytes)), aggregate.Options{}, aggregate.ErrRatio)
	if elapsed > 5*time.Second {
		t.Errorf("at the size bound: %v", elapsed)
	}
}

// TestRatioAllowsRealReports: the most compressible reports seen, whose
// records differ only in their source address (an OpenDMARC-style
// report of 20,000 addresses), inflate far less than DefaultMaxRatio.
func TestRatioAllowsRealReports(t *testing.T) {
	var raw bytes.Buffer
	fmt.Fprintf(&raw, reportHead, "ratio")
	for i := range 20000 {
		fmt.Fprintf(&raw, " <record>\n  <row>\n   <source_ip>12.%d.%d.%d</source_ip>\n   <count>1</count>\n   <policy_evaluated>\n"+
			"    <disposition>none</disposition>\n    <dkim>fail</dkim>\n    <spf>fail</spf>\n   </policy_evaluated>\n  </row>\n"+
			"  <identifiers>\n   <header_from>example.com</header_from>\n  </identifiers>\n  <auth_results>\n   <spf>\n"+
			"    <domain></domain>\n    <result>none</result>\n   </spf>\n  </auth_results>\n </record>\n", i>>16&255, i>>8&255, i&255)
	}
	raw.WriteString("</feedback>\n")
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	n, _ := io.Copy(zw, &raw)
	zw.Close()
	ratio := n / int64(buf.Len())
	t.Logf("%d bytes gzipped to %d: %d:1", n, buf.Len(), ratio)
	if ratio*3 > aggregate.DefaultMaxRatio {
		t.Errorf("a plain report inflates %d:1, within 3x of the bound", ratio)
	}
	reps, errs := collect(aggregate.Read(ctx, &buf, "ok.xml.gz", aggregate.Options{}))
	if len(reps) != 1 || len(errs) != 0 {
		t.Fatal(errs)
	}
}

// TestZipEntries: more than MaxEntries entries are refused; so is a
// central directory larger than MaxEntries entries need, however many
// entries the archive's end record declares, before archive/zip has
// parsed it.
func TestZipEntries(t *testing.T) {
	var entries []zipEntry
	for i := range aggregate.DefaultMaxEntries + 1 {
		entries = append(entries, zipEntry{fmt.Sprintf("r%d.xml", i), []byte("<feedback/>")})
	}
	one(t, bytes.NewReader(zipOf(entries...)), aggregate.Options{}, aggregate.ErrTooManyEntries)

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range 100_000 {
		zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprint(i), Method: zip.Store})
	}
	zw.Close()
	big := buf.Bytes()
	n := allocs(func() { one(t, bytes.NewReader(big), aggregate.Options{}, aggregate.ErrTooManyEntries) })
	// Read() holds the archive (growing a buffer to hold it): allocations
	// are that, and little more.
	t.Logf("100,000 entries, %d bytes: %d bytes allocated", len(big), n)
	if n > 4*uint64(len(big)) {
		t.Errorf("%d bytes allocated", n)
	}
	// The end record lies: it declares one entry.
	eocd := bytes.LastIndex(big, []byte("PK\x05\x06"))
	binary.LittleEndian.PutUint16(big[eocd+8:], 1)
	binary.LittleEndian.PutUint16(big[eocd+10:], 1)
	n = allocs(func() { one(t, bytes.NewReader(big), aggregate.Options{}, aggregate.ErrTooManyEntries) })
	if n > 4*uint64(len(big)) {
		t.Errorf("lying end record: %d bytes allocated", n)
	}
	// Read from a file, the archive is not held: far less is allocated.
	path := filepath.Join(t.TempDir(), "many.zip")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	n = allocs(func() {
		_, errs := collect(aggregate.ReadFile(ctx, path, aggregate.Options{}))
		if len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrTooManyEntries) {
			t.Errorf("%v", errs)
		}
	})
	t.Logf("from a file: %d bytes allocated", n)
	if n > 2<<20 {
		t.Errorf("from a file: %d bytes allocated", n)
	}
}

// TestNested: an archive inside an archive is refused (MaxArchiveDepth);
// a message inside a message inside a message is not read
// (MaxMessageDepth).
func TestNested(t *testing.T) {
	report := readFixture(t, "reports/google.xml")
	one(t, bytes.NewReader(zipOf(zipEntry{"r.xml.gz", gz(report)})), aggregate.Options{}, aggregate.ErrNested)
	one(t, bytes.NewReader(gz(zipOf(zipEntry{"r.xml", report}))), aggregate.Options{}, aggregate.ErrNested)
	one(t, bytes.NewReader(gz(gz(report))), aggregate.Options{}, aggregate.ErrNested)

	inner := message("From: a@b.example", part{header: `Content-Type: application/gzip`, cte: "base64", body: gz(report)})
	fwd := message("From: c@d.example", part{header: "Content-Type: message/rfc822", body: inner})
	if reps, errs := collect(aggregate.Read(ctx, bytes.NewReader(fwd), "fwd", aggregate.Options{})); len(reps) != 1 || len(errs) != 0 {
		t.Errorf("forwarded once: %d reports, %v", len(reps), errs)
	}
	fwd2 := message("From: e@f.example", part{header: "Content-Type: message/rfc822", body: fwd})
	one(t, bytes.NewReader(fwd2), aggregate.Options{}, aggregate.ErrNoReport)
}

// TestXMLBounds: depth, text, attributes and elements per record.
func TestXMLBounds(t *testing.T) {
	deep := `<feedback>` + strings.Repeat("<a>", 100_000)
	n := allocs(func() { one(t, strings.NewReader(deep), aggregate.Options{}, aggregate.ErrTooDeep) })
	if n > 1<<20 {
		t.Errorf("depth: %d bytes allocated", n)
	}

	// Endless text: stopped after MaxTextBytes, before the decoder holds
	// it.
	endless := io.MultiReader(strings.NewReader("<feedback><report_metadata><org_name>"), zeroText{})
	src := &heapReader{r: endless, countOnly: true}
	n = allocs(func() { one(t, src, aggregate.Options{}, aggregate.ErrTooMuchText) })
	if src.n > 1<<20 || n > 2<<20 {
		t.Errorf("text: read %d bytes, allocated %d", src.n, n)
	}
	// An endless tag (attributes) likewise.
	tag := io.MultiReader(strings.NewReader(`<feedback a="1"`), zeroText{})
	one(t, tag, aggregate.Options{}, aggregate.ErrTooMuchText)
	// Many attributes in a short tag.
	var attrs strings.Builder
	for i := range aggregate.MaxAttrs + 1 {
		fmt.Fprintf(&attrs, ` a%d="1"`, i)
	}
	one(t, strings.NewReader("<feedback"+attrs.String()+"/>"), aggregate.Options{}, aggregate.ErrTooMuchText)
	// Text split by comments, so no run is long: the element's text is
	// still bounded.
	split := "<feedback><report_metadata><org_name>" + strings.Repeat(strings.Repeat("x", 1000)+"<!---->", 100) + "</org_name>"
	one(t, strings.NewReader(split), aggregate.Options{}, aggregate.ErrTooMuchText)

	// A record of 2,000 DKIM results.
	rec := fmt.Sprintf(reportHead, "many-dkim") + "<record><row><source_ip>192.0.2.1</source_ip><count>1</count></row><auth_results>" +
		strings.Repeat("<dkim><domain>x</domain></dkim>", 2000) + "</auth_results></record></feedback>"
	one(t, strings.NewReader(rec), aggregate.Options{}, aggregate.ErrTooManyElements)
}

// zeroText is endless 'a's.
type zeroText struct{}

func (zeroText) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestMillionRows: a report of a million records is refused at
// DefaultMaxRecords, streaming: what it holds is the records read so far.
func TestMillionRows(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 records")
	}
	src := newHeapReader(newRowsReader("million", 1_000_000))
	start := time.Now()
	one(t, src, aggregate.Options{}, aggregate.ErrTooManyRecords)
	elapsed := time.Since(start)
	t.Logf("read %d MB in %v; held at most %d MB", src.n>>20, elapsed, src.held()>>20)
	if src.n > 64<<20 || src.held() > 96<<20 {
		t.Errorf("read %d bytes, held %d", src.n, src.held())
	}
	// A smaller bound, in Options.
	one(t, newRowsReader("ten", 10), aggregate.Options{MaxRecords: 9}, aggregate.ErrTooManyRecords)
	if reps, _ := collect(aggregate.Read(ctx, newRowsReader("nine", 9), "nine", aggregate.Options{MaxRecords: 9})); len(reps) != 1 {
		t.Error("nine records under a bound of nine")
	}
}

// TestReportSize: a report over MaxReportBytes, uncompressed.
func TestReportSize(t *testing.T) {
	one(t, newRowsReader("size", 10_000), aggregate.Options{MaxReportBytes: 1 << 20}, aggregate.ErrTooLarge)
}

// TestMessageBounds: message size, MIME depth and parts, messages per
// mbox and files per folder.
func TestMessageBounds(t *testing.T) {
	report := readFixture(t, "reports/google.xml")
	msg := message("From: a@b.example", part{header: `Content-Type: application/gzip`, cte: "base64", body: gz(report)})
	one(t, bytes.NewReader(msg), aggregate.Options{MaxMessageBytes: 512}, aggregate.ErrTooLarge)

	// An mbox: a message over the bound, then one under it, both seen.
	big := message("From: big@b.example", part{header: `Content-Type: application/xml; name="big.xml"`,
		body: append(report, bytes.Repeat([]byte("<!-- padding -->\n"), 4096)...)})
	mbox := "From a Wed Dec  3 10:00:00 2025\n" + string(big) + "\nFrom b Wed Dec  3 10:00:00 2025\n" + string(msg) + "\n"
	reps, errs := collect(aggregate.Read(ctx, strings.NewReader(mbox), "mbox", aggregate.Options{MaxMessageBytes: 64 << 10}))
	if len(reps) != 1 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrTooLarge) {
		t.Errorf("mbox: %d reports, %v", len(reps), errs)
	}

	// Messages per mbox.
	var many strings.Builder
	for i := range 5 {
		fmt.Fprintf(&many, "From x Wed Dec  3 10:00:0%d 2025\n", i)
		many.Write(message(fmt.Sprintf("From: a@b.example\nMessage-ID: <%d@b.example>", i),
			part{header: `Content-Type: application/xml`, body: bytes.Replace(report, []byte("11842306129877432201"), fmt.Appendf(nil, "id-%d", i), 1)}))
		many.WriteString("\n")
	}
	reps, errs = collect(aggregate.Read(ctx, strings.NewReader(many.String()), "many", aggregate.Options{MaxMessages: 3}))
	if len(reps) != 3 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrTooManyMessages) {
		t.Errorf("messages per mbox: %d reports, %v", len(reps), errs)
	}

	// Files per folder, and messages per Maildir.
	dir := t.TempDir()
	for i := range 5 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.xml", i)), bytes.Replace(report, []byte("11842306129877432201"), fmt.Appendf(nil, "id-%d", i), 1), 0o644)
	}
	reps, errs = collect(aggregate.ReadDir(ctx, dir, aggregate.Options{MaxMessages: 3}))
	if len(reps) != 3 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrTooManyMessages) {
		t.Errorf("files per folder: %d reports, %v", len(reps), errs)
	}
	reps, errs = collect(aggregate.ReadMaildir(ctx, "testdata/maildir", aggregate.Options{MaxMessages: 2}))
	if len(reps) != 2 || len(errs) != 1 || !errors.Is(errs[0], aggregate.ErrTooManyMessages) {
		t.Errorf("messages per Maildir: %d reports, %v", len(reps), errs)
	}

	// MIME nesting.
	nested := message("From: a@b.example", part{header: `Content-Type: application/gzip`, cte: "base64", body: gz(report)})
	for i := range aggregate.MaxMIMEDepth + 1 {
		b := fmt.Sprintf("b%d", i)
		nested = []byte("Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + string(nested) + "\r\n--" + b + "--\r\n")
	}
	one(t, bytes.NewReader(append([]byte("From: top@b.example\r\n"), nested...)), aggregate.Options{}, aggregate.ErrTooDeep)

	// MIME parts.
	var parts []part
	for range aggregate.MaxMIMEParts + 1 {
		parts = append(parts, part{header: "Content-Type: text/plain", body: []byte("x\n")})
	}
	one(t, bytes.NewReader(message("From: a@b.example", parts...)), aggregate.Options{}, aggregate.ErrTooManyElements)
}
