package aggregate

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"iter"
	"os"
	"strings"
	"syscall"
)

// Read reads the reports in r: XML, gzip, zip, a message carrying them
// as attachments, or an mbox file of such messages. name labels the
// reports' Source.Path and errors. A zip archive from r is held in
// memory (at most MaxMessageBytes); everything else is streamed.
//
// Each report is yielded with a nil error; each report, message or
// archive entry that cannot be read is yielded as a nil report and an
// *Error, and reading goes on. When ctx is done, its error is yielded
// and reading stops.
func Read(ctx context.Context, r io.Reader, name string, opts Options) iter.Seq2[*Report, error] {
	return func(yield func(*Report, error) bool) {
		w := newWalker(ctx, opts, yield)
		w.stream(r, Source{Path: name}, nil, 0)
	}
}

// ReadFile reads the reports in the file at path, as Read does; a zip
// archive is read from the file, not held in memory. A FIFO, a device or
// a folder is refused without being read (ErrNotRegular).
func ReadFile(ctx context.Context, path string, opts Options) iter.Seq2[*Report, error] {
	return func(yield func(*Report, error) bool) {
		w := newWalker(ctx, opts, yield)
		w.file(path)
	}
}

// walker is one read: its options, where it yields, the reports seen.
type walker struct {
	ctx   context.Context
	o     Options
	yield func(*Report, error) bool
	seen  *dedupe
	stop  bool
}

func newWalker(ctx context.Context, opts Options, yield func(*Report, error) bool) *walker {
	o := opts.withDefaults()
	return &walker{ctx: ctx, o: o, yield: yield, seen: newDedupe(o.MaxDedupe)}
}

// done reports whether reading must stop: the consumer stopped, or the
// context is done (its error is yielded once).
func (w *walker) done() bool {
	if w.stop {
		return true
	}
	if err := w.ctx.Err(); err != nil {
		w.stop = true
		w.yield(nil, err)
		return true
	}
	return false
}

// report yields a report, unless it ends before Since or was seen.
func (w *walker) report(rep *Report) {
	if w.done() {
		return
	}
	if !w.o.Since.IsZero() && rep.DateRange.End.Before(w.o.Since) {
		return
	}
	if !w.o.KeepDuplicates && w.seen.add(rep) {
		w.fail(&Error{Source: rep.Source, OrgName: rep.OrgName, ReportID: rep.ReportID, Err: ErrDuplicate})
		return
	}
	if !w.yield(rep, nil) {
		w.stop = true
	}
}

// fail yields an error. A context error ends the read.
func (w *walker) fail(err *Error) {
	if w.done() {
		return
	}
	if !w.yield(nil, err) {
		w.stop = true
	}
}

func (w *walker) failf(src Source, err error) { w.fail(&Error{Source: src, Err: err}) }

// kind is what a stream holds, by its first bytes.
type kind int

const (
	kindUnknown kind = iota
	kindEmpty
	kindXML
	kindGzip
	kindZip
	kindMessage
	kindMbox
)

// sniffLen is how much is peeked to decide.
const sniffLen = 1024

// sniff decides what b, the start of a stream, is.
func sniff(b []byte) kind {
	switch {
	case bytes.HasPrefix(b, []byte("\x1f\x8b")):
		return kindGzip
	case bytes.HasPrefix(b, []byte("PK\x03\x04")), bytes.HasPrefix(b, []byte("PK\x05\x06")),
		bytes.HasPrefix(b, []byte("PK\x07\x08")):
		return kindZip
	case bytes.HasPrefix(b, []byte("\xff\xfe")), bytes.HasPrefix(b, []byte("\xfe\xff")):
		return kindXML // UTF-16 with a byte order mark
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	t := bytes.TrimLeft(b, " \t\r\n")
	switch {
	case len(t) == 0:
		if len(b) < sniffLen {
			return kindEmpty
		}
		return kindUnknown
	case t[0] == '<':
		return kindXML
	case bytes.HasPrefix(b, []byte("From ")):
		return kindMbox
	case isHeaderStart(b):
		return kindMessage
	}
	return kindUnknown
}

// isHeaderStart reports whether b starts with a header field: a name of
// printable ASCII but ':' (RFC 5322 §3.6.8) and a colon, within the
// first line.
func isHeaderStart(b []byte) bool {
	for i, c := range b {
		switch {
		case c == ':':
			return i > 0
		case c < 33 || c > 126:
			return false
		}
	}
	return false
}

// file reads one file by path.
func (w *walker) file(path string) {
	src := Source{Path: path}
	if w.done() {
		return
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		w.failf(src, err)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		w.failf(src, err)
		return
	}
	if !fi.Mode().IsRegular() {
		w.failf(src, fmt.Errorf("%w (%s)", ErrNotRegular, fi.Mode().Type()))
		return
	}
	w.stream(f, src, f, fi.Size())
}

// stream reads a whole input: a file, or Read's reader. ra, when not
// nil, is the same input for random access (a zip is read from it).
func (w *walker) stream(r io.Reader, src Source, ra io.ReaderAt, size int64) {
	if w.done() {
		return
	}
	br := bufio.NewReaderSize(ctxReader{w.ctx, r}, 64<<10)
	head, _ := br.Peek(sniffLen)
	switch k := sniff(head); k {
	case kindMbox:
		w.mbox(br, src)
	case kindMessage:
		w.message(br, src, 0)
	case kindZip:
		if ra != nil {
			if size > w.o.MaxMessageBytes {
				w.failf(src, boundError(ErrTooLarge, "zip archive of %d bytes, over %d", size, w.o.MaxMessageBytes))
				return
			}
			w.zip(ra, size, src)
			return
		}
		fallthrough
	default:
		w.sniffed(br, k, src)
	}
}

// blob reads an attachment or a file that must be XML, gzip or zip.
func (w *walker) blob(r io.Reader, src Source) {
	br := bufio.NewReaderSize(ctxReader{w.ctx, r}, 64<<10)
	head, _ := br.Peek(sniffLen)
	w.sniffed(br, sniff(head), src)
}

// sniffed reads what blob reads, br's head already sniffed as k.
func (w *walker) sniffed(br *bufio.Reader, k kind, src Source) {
	switch k {
	case kindGzip:
		w.gzip(br, src)
	case kindZip:
		data, err := readAll(br, w.o.MaxMessageBytes, "zip archive")
		if err != nil {
			w.failf(src, err)
			return
		}
		w.zip(bytes.NewReader(data), int64(len(data)), src)
	case kindXML:
		w.xml(br, src)
	case kindEmpty:
		w.failf(src, fmt.Errorf("%w: empty", ErrNotReport))
	default:
		w.failf(src, fmt.Errorf("%w: neither XML, gzip nor zip", ErrNotReport))
	}
}

// inner reads what an archive holds: it must be the XML, not another
// archive.
func (w *walker) inner(r io.Reader, src Source) {
	br := bufio.NewReaderSize(r, 32<<10)
	head, err := br.Peek(sniffLen)
	if len(head) == 0 && err != nil && err != io.EOF {
		w.failf(src, err)
		return
	}
	switch sniff(head) {
	case kindGzip, kindZip:
		w.failf(src, boundError(ErrNested, "an archive inside an archive (at most %d level)", MaxArchiveDepth))
	case kindEmpty:
		w.failf(src, fmt.Errorf("%w: empty", ErrNotReport))
	case kindXML:
		w.xml(br, src)
	default:
		if err != nil && err != io.EOF {
			// Not read so far as to tell (a stream cut short, a bound):
			// that is the error.
			w.failf(src, err)
			return
		}
		// Not XML: an SMTP TLS report's JSON (RFC 8460), a text file.
		w.failf(src, fmt.Errorf("%w: not XML", ErrNotReport))
	}
}

// xml parses one report and yields it.
func (w *walker) xml(r io.Reader, src Source) {
	if w.done() {
		return
	}
	rep, err := parse(r, &w.o)
	if err != nil {
		e := &Error{Source: src, Err: err}
		if rep != nil {
			e.OrgName, e.ReportID = rep.OrgName, rep.ReportID
		}
		if ctxErr := w.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			w.done()
			return
		}
		w.fail(e)
		return
	}
	rep.Source = src
	w.report(rep)
}

// gzip reads a gzip stream: one member, or several concatenated; bytes
// after the last member that do not start another (some generators
// append a line break) are ignored.
func (w *walker) gzip(r *bufio.Reader, src Source) {
	cr := &countReader{r: r}
	br := bufio.NewReader(cr)
	zr, err := gzip.NewReader(br)
	if err != nil {
		w.failf(src, err)
		return
	}
	zr.Multistream(false)
	members := &gzipMembers{zr: zr, br: br}
	w.inner(&ratioReader{r: members, max: w.o.MaxRatio, compressed: func() int64 { return cr.n }}, src)
}

// gzipMembers reads concatenated gzip members.
type gzipMembers struct {
	zr *gzip.Reader
	br *bufio.Reader
}

func (g *gzipMembers) Read(p []byte) (int, error) {
	for {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		if next, _ := g.br.Peek(2); !bytes.Equal(next, []byte("\x1f\x8b")) {
			return n, io.EOF
		}
		if rerr := g.zr.Reset(g.br); rerr != nil {
			return n, rerr
		}
		g.zr.Multistream(false)
		if n > 0 {
			return n, nil
		}
	}
}

// zipBudget is what zip.NewReader may read: the end of central
// directory record (archive/zip reads at most 65 KiB + 1 KiB for it,
// twice if it tries the zip64 locator), the directory, and read-ahead.
func zipBudget(entries int) int64 { return 2*(66<<10) + int64(entries)*1024 + 8<<10 }

// zip reads the entries of a zip archive.
func (w *walker) zip(ra io.ReaderAt, size int64, src Source) {
	view := &budgetReaderAt{r: ra, budget: zipBudget(w.o.MaxEntries), on: true}
	zr, err := zip.NewReader(view, size)
	view.on = false
	if view.exhausted {
		w.failf(src, boundError(ErrTooManyEntries, "central directory over %d entries' worth", w.o.MaxEntries))
		return
	}
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		w.failf(src, err)
		return
	}
	if len(zr.File) > w.o.MaxEntries {
		w.failf(src, boundError(ErrTooManyEntries, "%d entries, over %d", len(zr.File), w.o.MaxEntries))
		return
	}
	found := false
	for _, f := range zr.File {
		if w.done() {
			return
		}
		if strings.HasSuffix(f.Name, "/") {
			continue // a folder
		}
		found = true
		esrc := src
		esrc.Entry = f.Name
		if f.UncompressedSize64 > uint64(w.o.MaxReportBytes) {
			w.failf(esrc, boundError(ErrTooLarge, "entry of %d bytes, over %d", f.UncompressedSize64, w.o.MaxReportBytes))
			continue
		}
		w.entry(f, esrc)
	}
	if !found {
		w.failf(src, fmt.Errorf("%w: the zip archive is empty", ErrNotReport))
	}
}

// entry reads one zip entry. It inflates the raw data itself, to count
// the compressed bytes consumed for the ratio bound (the declared
// compressed size is the whole entry's), and checks what archive/zip's
// own reader does: the declared size, and the CRC-32 at the end.
func (w *walker) entry(f *zip.File, src Source) {
	raw, err := f.OpenRaw()
	if err != nil {
		w.failf(src, err)
		return
	}
	cr := &countReader{r: raw}
	var data io.Reader
	switch f.Method {
	case zip.Store:
		data = cr
	case zip.Deflate:
		fr := flate.NewReader(cr)
		defer fr.Close()
		data = fr
	default:
		w.failf(src, fmt.Errorf("%w: zip compression method %d", zip.ErrAlgorithm, f.Method))
		return
	}
	data = &crcReader{r: data, size: f.UncompressedSize64, crc: f.CRC32, h: crc32.NewIEEE()}
	w.inner(&ratioReader{r: ctxReader{w.ctx, data}, max: w.o.MaxRatio, compressed: func() int64 { return cr.n }}, src)
}

// crcReader ends an entry's data as archive/zip does: no more than its
// declared size, and the CRC-32 checked at the end.
type crcReader struct {
	r    io.Reader
	n    uint64
	size uint64
	crc  uint32
	h    hash.Hash32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += uint64(n)
	if c.n > c.size {
		return 0, fmt.Errorf("%w: entry larger than its declared %d bytes", zip.ErrFormat, c.size)
	}
	if err == io.EOF {
		if c.n != c.size {
			return n, io.ErrUnexpectedEOF
		}
		if c.crc != 0 && c.h.Sum32() != c.crc {
			return n, zip.ErrChecksum
		}
	}
	return n, err
}
