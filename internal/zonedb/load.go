package zonedb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// Source is one master file to load.
type Source struct {
	// Origin is the zone apex as the server's configuration names it
	// (BIND's zone statement, `kzonecheck -o`): relative names are
	// relative to it until a $ORIGIN line. Empty: see Domain.
	Origin string
	// Domain is the domain the file is loaded to check, for a file whose
	// origin is not configured. The apex is then the owner of the file's
	// SOA record when that is written absolute and is Domain or above it,
	// and Domain otherwise: a file with no $ORIGIN is read relative to
	// the domain, as BIND and Knot read it relative to the zone their
	// configuration names. Empty too: the SOA's owner.
	Domain string
	// File names the file in errors, and is read when Text is nil.
	File string
	// Text is the file's content.
	Text []byte
	// AllowInclude permits $INCLUDE of regular files under IncludeRoot
	// (symbolic links resolved: none leads out of it).
	AllowInclude bool
	// IncludeRoot is the folder $INCLUDE may read under; empty: File's
	// folder.
	IncludeRoot string
	// AnyNames accepts names with characters that servers' master-file
	// parsers refuse unescaped (Knot: "invalid domain name character"):
	// test suites whose names hold ':' or '/'.
	AnyNames bool
	// Unknown are records whose data the source does not tell ("owner
	// TYPE"): Query does not answer them.
	Unknown []string
	// MaxBytes bounds the file and the files it includes, together; 0
	// means DefaultMaxBytes.
	MaxBytes int64
	// MaxRecords bounds the records the file expands to; 0 means
	// DefaultMaxRecords.
	MaxRecords int
	// MaxRecordBytes bounds their estimated memory; 0 means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int64
}

// Entry is one record with the comment that stood beside it and where it
// was written.
type Entry struct {
	RR      dns.RR
	Comment string
	// File is the file the record was read from (an $INCLUDEd one, or the
	// source's), Line the line its text starts on.
	File string
	Line int
	// OutOfZone is set for a record whose owner is outside the zone:
	// servers ignore it, and so do answers.
	OutOfZone bool
}

// ProblemKind names what a server refuses or ignores in a zone.
type ProblemKind string

// The problems Load finds in a zone that loaded. A server refuses a zone
// with a CNAME beside other data or no SOA at its apex (Knot: "serious
// semantic error"; BIND: the zone is not loaded), ignores records outside
// the zone, and serves a zone without NS records at its apex that no
// resolver can be referred to.
const (
	CNAMEAndOtherData ProblemKind = "cname-and-other-data"
	MissingSOA        ProblemKind = "missing-soa"
	MissingNS         ProblemKind = "missing-ns"
	OutOfZone         ProblemKind = "out-of-zone"
	// TXTStringTooLong is a TXT or SPF string written longer than the 255
	// octets a character-string holds (RFC 1035 §3.3): BIND refuses the
	// zone, Knot (and this parser) split the string.
	TXTStringTooLong ProblemKind = "txt-string-too-long"
	// NSNoAddress is an NS record at the apex whose name server's name is
	// inside the zone, not delegated, and has no address there (often a
	// name written without its trailing dot), or is a CNAME or below a
	// DNAME: BIND refuses the zone ("has no address records", "is a CNAME
	// (illegal)", "is below a DNAME (illegal)").
	NSNoAddress ProblemKind = "ns-no-address"
	// ByteOrderMark is a file that starts with a UTF-8 byte order mark:
	// BIND and Knot refuse it; Load reads past it.
	ByteOrderMark ProblemKind = "byte-order-mark"
)

// Problem is one thing a server refuses or ignores in a zone.
type Problem struct {
	Kind ProblemKind
	// Zone is the apex of the zone concerned (lowercase FQDN).
	Zone string
	// Name is the owner concerned (lowercase FQDN).
	Name string
	// File and Line are where the record concerned was written (Line 0
	// for a record that is not there).
	File    string
	Line    int
	Message string
}

// Error is a zone file that could not be loaded: where, and why.
type Error struct {
	File string
	// Line is where the construct that failed starts (0: the whole file).
	Line int
	Msg  string
	Err  error // the parser's error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: line %d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Zone is one loaded zone.
type Zone struct {
	Origin     string // lowercase FQDN with trailing dot
	Entries    []Entry
	Problems   []Problem
	names      map[string][]dns.RR // lowercase owner → records
	ents       map[string]bool     // every name at or above an owner, up to the apex
	cuts       map[string]bool     // delegations: names below the apex with NS records
	unknown    map[string]bool     // "owner. TYPE" the source does not tell
	unknownSrc []string
	soa        *dns.SOA
}

// DB is a set of zones. It is read-only once built and safe for concurrent use.
type DB struct {
	zones map[string]*Zone
	order []string // origins in load order
}

// Index returns the position of origin among the loaded sources, or -1.
func (db *DB) Index(origin string) int {
	for i, o := range db.order {
		if o == origin {
			return i
		}
	}
	return -1
}

// Load parses the sources into a DB. A source whose origin repeats another's
// is an error.
func Load(srcs ...Source) (*DB, error) {
	db := &DB{zones: map[string]*Zone{}}
	for _, src := range srcs {
		z, err := Parse(src)
		if err != nil {
			return nil, err
		}
		if _, dup := db.zones[z.Origin]; dup {
			return nil, fmt.Errorf("zone %s loaded twice (%s)", z.Origin, src.File)
		}
		db.zones[z.Origin] = z
		db.order = append(db.order, z.Origin)
	}
	return db, nil
}

// Zones returns the loaded zones.
func (db *DB) Zones() []*Zone {
	out := make([]*Zone, 0, len(db.zones))
	for _, z := range db.zones {
		out = append(out, z)
	}
	return out
}

// Parse reads one master file as its server loads it: relative names
// against the configured origin (Source.Origin, or as Domain says), a
// CNAME beside other data or no SOA at the apex found and reported in
// Zone.Problems, records outside the zone ignored (and reported), names
// with characters servers refuse (a placeholder such as
// REPLACE&ME@NAMESERVER) an error. Errors are *Error values naming the
// file and the line where the construct that failed starts.
func Parse(src Source) (*Zone, error) {
	name := src.File
	if name == "" {
		name = "zone"
	}
	max := src.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	text := src.Text
	if text == nil {
		var err error
		if text, err = ReadRegular(src.File, max); err != nil {
			return nil, &Error{File: name, Msg: err.Error(), Err: err}
		}
	}
	if int64(len(text)) > max {
		return nil, &Error{File: name, Msg: fmt.Sprintf("zone file larger than %d bytes", max)}
	}
	// A UTF-8 byte order mark, as editors on Windows write: read past it,
	// and said (BIND and Knot refuse the file).
	bom := bytes.HasPrefix(text, []byte("\xef\xbb\xbf"))
	text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	finish := func(z *Zone, apex string) (*Zone, error) {
		err := z.finish(apex, name)
		if bom {
			z.Problems = append(z.Problems, Problem{Kind: ByteOrderMark, Zone: z.Origin, Name: z.Origin, File: name, Line: 1,
				Message: "the file starts with a UTF-8 byte order mark (the bytes EF BB BF, as editors on Windows write): BIND and Knot refuse the zone (BIND: \"unknown RR type\", Knot: \"owner is invalid\"), reading the mark as part of the first line's first word; this check reads past it. Save the file as UTF-8 without a byte order mark"})
		}
		return z, err
	}
	origin, err := fqdn(src.Origin)
	if err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("invalid origin %q", src.Origin)}
	}
	if origin != "" {
		z, err := parseText(src, name, text, origin, max)
		if err != nil {
			return nil, err
		}
		return finish(z, origin)
	}
	// No origin configured: find the apex.
	guess, err := fqdn(src.Domain)
	if err != nil {
		return nil, &Error{File: name, Msg: fmt.Sprintf("invalid domain %q", src.Domain)}
	}
	if d := domainOfFile(src.File); d != "" && guess != "" && d != guess && dns.IsSubDomain(d, guess) && !setsOriginFirst(text) {
		// The file is named for a zone above the domain checked
		// ("example.org.zone" for sub.example.org): read it relative to
		// that zone, as gdnsd names zones by their files.
		guess = d
	}
	if guess == "" {
		guess = "."
		// gdnsd names a zone by its file: "example.org.zone", "db.example.org".
		if d := domainOfFile(src.File); d != "" && !setsOriginFirst(text) {
			guess = d
			src.Domain = ""
		}
	}
	z, err := parseText(src, name, text, guess, max)
	if err != nil {
		return nil, err
	}
	apex := guess
	var soa *Entry
	for i := range z.Entries {
		if _, ok := z.Entries[i].RR.(*dns.SOA); ok {
			soa = &z.Entries[i]
			break
		}
	}
	if soa != nil && soa.RR.Header().Name != "." && soa.RR.Header().Name != doubled(guess) {
		// (An SOA owner that is the apex's name written without its dot,
		// as Cloudflare's export writes it, lands at the apex under
		// itself: the apex stays, and finish says why the zone has no
		// SOA.)
		apex = soa.RR.Header().Name
	}
	if apex == "." && !(soa != nil && src.Domain == "" && rootWritten(text, soa.Line)) {
		if soa == nil {
			return nil, &Error{File: name, Msg: "no SOA record and no origin given: cannot tell the zone apex (name the domain the file is for)"}
		}
		return nil, &Error{File: name, Line: soa.Line, Msg: "the SOA record's owner is the root (.): the file gives no origin ($ORIGIN, or $ORIGIN .) and writes the owner relative (@); name the domain the file is for, or write the owner absolute (example.org.)"}
	}
	if domain, _ := fqdn(src.Domain); domain != "" && !dns.IsSubDomain(apex, domain) {
		return nil, &Error{File: name, Line: soa.Line, Msg: fmt.Sprintf("the SOA record makes this the zone of %s, which does not hold %s", strings.TrimSuffix(apex, "."), strings.TrimSuffix(domain, "."))}
	}
	if apex != guess && !setsOriginFirst(text) {
		if z, err = parseText(src, name, text, apex, max); err != nil {
			return nil, err
		}
	}
	return finish(z, apex)
}

// doubled is the name an owner written as apex's name without its dot
// gets relative to apex ("example.com" under example.com.:
// example.com.example.com.); "" for the root.
func doubled(apex string) string {
	if apex == "." || apex == "" {
		return ""
	}
	return strings.TrimSuffix(apex, ".") + "." + apex
}

// doubledSOA returns the entry of an SOA record whose owner is the apex's
// name written relative (doubled), or nil.
func (z *Zone) doubledSOA(apex string) *Entry {
	d := doubled(apex)
	for i := range z.Entries {
		if _, ok := z.Entries[i].RR.(*dns.SOA); ok && d != "" && z.Entries[i].RR.Header().Name == d {
			return &z.Entries[i]
		}
	}
	return nil
}

// rootWritten reports whether the record on line n of text is written
// with the root's own name as its owner: a root zone, not an SOA written
// relative to no origin.
func rootWritten(text []byte, n int) bool {
	i := 0
	for l := range bytes.Lines(text) {
		if i++; i == n {
			f := strings.Fields(string(l))
			return len(f) > 0 && f[0] == "."
		}
	}
	return false
}

// domainOfFile returns the domain a file's name names ("example.org.zone",
// "db.example.org", "example.org"), or "".
func domainOfFile(path string) string {
	if path == "" {
		return ""
	}
	b := strings.ToLower(filepath.Base(path))
	for _, suf := range []string{".zone", ".db", ".hosts", ".txt"} {
		b = strings.TrimSuffix(b, suf)
	}
	b = strings.TrimPrefix(b, "db.")
	if !strings.Contains(b, ".") {
		return ""
	}
	d, err := fqdn(b)
	if err != nil {
		return ""
	}
	return d
}

// fqdn validates a name and returns it lowercase and fully qualified; ""
// stays "".
func fqdn(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return "", errors.New("invalid name")
	}
	return Canon(dns.Fqdn(name)), nil
}

// setsOriginFirst reports whether the file's first directive or record is
// a $ORIGIN with an absolute name: then the configured origin names
// nothing in it.
func setsOriginFirst(text []byte) bool {
	for line := range bytes.Lines(text) {
		t := strings.TrimSpace(string(line))
		if t == "" || t[0] == ';' || hasPrefixFold(t, "$TTL") {
			continue
		}
		f := strings.Fields(t)
		return len(f) >= 2 && strings.EqualFold(f[0], "$ORIGIN") && strings.HasSuffix(f[1], ".") && f[1] != "."
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// ReadRegular reads a regular file of at most max octets; a FIFO, a
// device or a folder is refused without being read.
func ReadRegular(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return b, nil
}

// parseText runs the master-file parser over text with origin as the
// initial $ORIGIN, and collects the records with their comments, files
// and lines.
func parseText(src Source, name string, text []byte, origin string, max int64) (*Zone, error) {
	maxRecords, maxRecordBytes := src.MaxRecords, src.MaxRecordBytes
	if maxRecords <= 0 {
		maxRecords = DefaultMaxRecords
	}
	if maxRecordBytes <= 0 {
		maxRecordBytes = DefaultMaxRecordBytes
	}
	t := &tracker{}
	lr := t.reader(name, text)
	// The parser joins an $INCLUDE's path to its file's folder and then
	// drops the leading "/": it is given the absolute path, so that every
	// path it asks for is absolute (an absolute $INCLUDE in a file named
	// relatively included is read where it says, within the root).
	parserName, abs := name, filepath.IsAbs(src.File)
	if src.AllowInclude && src.File != "" && !abs {
		if a, err := filepath.Abs(src.File); err == nil {
			parserName, abs = a, true
		}
	}
	zp := dns.NewZoneParser(lr, origin, parserName)
	zp.SetDefaultTTL(3600)
	if src.AllowInclude {
		root := src.IncludeRoot
		if root == "" {
			root = filepath.Dir(src.File)
		}
		ifs, err := newIncludeFS(root, abs, t, max-int64(len(text)))
		if err != nil {
			return nil, &Error{File: name, Msg: "$INCLUDE root: " + err.Error(), Err: err}
		}
		zp.SetIncludeAllowed(true)
		zp.SetIncludeFS(ifs)
	}
	z := &Zone{names: map[string][]dns.RR{}, ents: map[string]bool{}, cuts: map[string]bool{}, unknown: map[string]bool{}, unknownSrc: src.Unknown}
	var size int64
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		cur := t.cur
		raw := cur.text[cur.recOff:cur.off]
		line, comment := cur.record()
		if comment == "" {
			comment = zp.Comment()
		}
		size += recordBytes(rr)
		if len(z.Entries) >= maxRecords || size > maxRecordBytes {
			what := fmt.Sprintf("%d records", maxRecords)
			if size > maxRecordBytes {
				what = fmt.Sprintf("%d MiB of records in memory", maxRecordBytes>>20)
			}
			return nil, &Error{File: cur.file, Line: cur.line(), Msg: fmt.Sprintf("the zone expands to more than %s (%s): is a $GENERATE range too wide?", what, cur.lineText())}
		}
		if err := checkNames(rr); err != nil && !src.AnyNames {
			return nil, &Error{File: cur.file, Line: line, Msg: err.Error()}
		}
		rr.Header().Name = Canon(rr.Header().Name)
		if t := rr.Header().Rrtype; t == dns.TypeTXT || t == dns.TypeSPF {
			if n := longestString(raw); n > 255 {
				z.Problems = append(z.Problems, Problem{Kind: TXTStringTooLong, Name: rr.Header().Name, File: cur.file, Line: line,
					Message: fmt.Sprintf("%s %s is written with a string of %d octets: a character-string holds at most 255 (RFC 1035 §3.3). BIND refuses the whole zone (named-checkzone: \"syntax error\"); Knot and this check split the string at 255 octets. Split it yourself into quoted strings of at most 255 octets, \"first\" \"rest\" (a DKIM or SPF record is read joined, with no space added)",
						strings.TrimSuffix(rr.Header().Name, "."), dns.TypeToString[t], n)})
			}
		}
		z.Entries = append(z.Entries, Entry{RR: rr, Comment: comment, File: cur.file, Line: line})
	}
	if err := zp.Err(); err != nil {
		cur := t.cur
		msg := err.Error()
		// The parser names the file it read; the error names it once.
		msg = strings.TrimPrefix(msg, name+": ")
		msg = strings.TrimPrefix(msg, parserName+": ")
		msg = strings.TrimPrefix(msg, cur.file+": ")
		msg = strings.TrimPrefix(msg, "dns: ")
		start := cur.recordStart()
		return nil, &Error{File: cur.file, Line: start, Msg: msg, Err: err}
	}
	return z, nil
}

// finish sets the apex, sets aside what lies outside it, indexes the
// names and finds what a server refuses.
func (z *Zone) finish(apex, file string) error {
	z.Origin = apex
	for _, u := range z.unknownSrc {
		name, typ, _ := strings.Cut(u, " ")
		z.unknown[Canon(dns.Fqdn(name))+" "+strings.ToUpper(typ)] = true
	}
	var above []Entry // SOA records above the apex: "$ORIGIN ." then "@ SOA"
	for i := range z.Entries {
		e := &z.Entries[i]
		owner := e.RR.Header().Name
		if !dns.IsSubDomain(apex, owner) {
			e.OutOfZone = true
			if _, ok := e.RR.(*dns.SOA); ok && dns.IsSubDomain(owner, apex) {
				above = append(above, *e)
				continue
			}
			z.Problems = append(z.Problems, Problem{Kind: OutOfZone, Name: owner, File: e.File, Line: e.Line,
				Message: fmt.Sprintf("%s %s is outside the zone %s: servers ignore it (Knot: \"ignoring out-of-zone data\"), and so does this check", strings.TrimSuffix(owner, "."), dns.TypeToString[e.RR.Header().Rrtype], strings.TrimSuffix(apex, "."))})
			continue
		}
		if soa, ok := e.RR.(*dns.SOA); ok && owner == apex && z.soa == nil {
			z.soa = soa
		}
		if e.RR.Header().Class != dns.ClassINET {
			continue
		}
		// A record written twice is one record (RFC 2181 §5): servers
		// serve it once.
		if slices.ContainsFunc(z.names[owner], func(x dns.RR) bool { return dns.IsDuplicate(x, e.RR) }) {
			continue
		}
		if e.RR.Header().Rrtype == dns.TypeNS && owner != apex {
			z.cuts[owner] = true
		}
		z.names[owner] = append(z.names[owner], e.RR)
		for n := owner; ; {
			z.ents[n] = true
			if n == apex {
				break
			}
			n = parent(n)
		}
	}
	if z.soa == nil {
		p := Problem{Kind: MissingSOA, Name: apex, File: file,
			Message: fmt.Sprintf("no SOA record at the zone apex %s: servers refuse to load the zone (Knot: \"missing SOA at the zone apex\")", strings.TrimSuffix(apex, "."))}
		if e := z.doubledSOA(apex); e != nil {
			p.File, p.Line = e.File, e.Line
			p.Message = fmt.Sprintf("the SOA record's owner is written %s, without its trailing dot, and the file sets no $ORIGIN before it: servers read it relative to the zone, as %s, and refuse the zone (Knot: \"missing SOA at the zone apex\"). Write its owner as %s or @ (Cloudflare's export writes it without the dot)",
				strings.TrimSuffix(apex, "."), strings.TrimSuffix(doubled(apex), "."), apex)
		}
		if len(above) > 0 {
			a := above[0]
			p.File, p.Line = a.File, a.Line
			p.Message = fmt.Sprintf("the SOA record is at %s, above the zone apex %s: the file sets an origin above the domain (often `$ORIGIN .` in an export) before writing the SOA's owner relative (@); write its owner as %s, or put `$ORIGIN %s` before it. Servers refuse the zone as it is (Knot: \"missing SOA at the zone apex\")",
				orRoot(a.RR.Header().Name), strings.TrimSuffix(apex, "."), apex, apex)
		}
		z.Problems = append(z.Problems, p)
		// Negative answers still need an SOA (RFC 2308).
		z.soa = &dns.SOA{
			Hdr: dns.RR_Header{Name: apex, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 3600},
			Ns:  "ns.invalid.", Mbox: "hostmaster.invalid.", Serial: 1,
			Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 300,
		}
	} else if !slices.ContainsFunc(z.names[apex], func(rr dns.RR) bool { return rr.Header().Rrtype == dns.TypeNS }) {
		p := Problem{Kind: MissingNS, Name: apex, File: file,
			Message: fmt.Sprintf("no NS records at the zone apex %s: the zone names no nameservers (Knot: \"missing NS at the zone apex\")", strings.TrimSuffix(apex, "."))}
		if e := z.entryOf(z.soa); e != nil {
			p.File, p.Line = e.File, e.Line
		}
		z.Problems = append(z.Problems, p)
	}
	z.Problems = append(z.Problems, z.cnameProblems()...)
	z.Problems = append(z.Problems, z.nsProblems()...)
	for i := range z.Problems {
		z.Problems[i].Zone = apex
	}
	return nil
}

// Delegated reports whether name is at or below a delegation in the zone
// (a name below the apex with NS records): the zone's server answers it
// with a referral, not with data, so the zone does not hold it.
func (z *Zone) Delegated(name string) bool {
	if len(z.cuts) == 0 {
		return false
	}
	for n := name; n != z.Origin && dns.IsSubDomain(z.Origin, n); n = parent(n) {
		if z.cuts[n] {
			return true
		}
		if n == "." {
			break
		}
	}
	return false
}

func orRoot(name string) string {
	if name == "." {
		return "the root (.)"
	}
	return strings.TrimSuffix(name, ".")
}

// entryOf returns the entry of rr.
func (z *Zone) entryOf(rr dns.RR) *Entry {
	for i := range z.Entries {
		if z.Entries[i].RR == rr {
			return &z.Entries[i]
		}
	}
	return nil
}

// cnameProblems finds the names with a CNAME and other data, or more than
// one CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1): servers refuse the zone.
// DNSSEC's own records may stand beside a CNAME (RFC 4035 §2.5).
func (z *Zone) cnameProblems() []Problem {
	var out []Problem
	done := map[string]bool{}
	for i := range z.Entries {
		e := &z.Entries[i]
		c, ok := e.RR.(*dns.CNAME)
		if !ok || e.OutOfZone || done[c.Hdr.Name] {
			continue
		}
		owner := c.Hdr.Name
		done[owner] = true
		var others []string
		for _, rr := range z.names[owner] {
			switch rr.Header().Rrtype {
			case dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3:
			case dns.TypeCNAME:
				if rr != dns.RR(c) && !dns.IsDuplicate(rr, c) {
					others = append(others, "another CNAME")
				}
			default:
				others = append(others, dns.TypeToString[rr.Header().Rrtype])
			}
		}
		if len(others) == 0 {
			continue
		}
		slices.Sort(others)
		others = slices.Compact(others)
		out = append(out, Problem{Kind: CNAMEAndOtherData, Name: owner, File: e.File, Line: e.Line,
			Message: fmt.Sprintf("%s has a CNAME and other data (%s): a CNAME must stand alone; servers refuse the zone (Knot: \"another record exists beside CNAME\"), and DNS providers and octoDNS refuse the record", strings.TrimSuffix(owner, "."), strings.Join(others, ", "))})
	}
	return out
}

// nsProblems finds the apex's NS records whose name server the zone
// itself must give an address for and does not: a name inside the zone,
// not delegated, with no A or AAAA record (nor a wildcard that gives one),
// or a CNAME or below a DNAME (RFC 2181 §10.3). BIND refuses such a zone; Knot serves it
// (kzonecheck: "missing glue record"). NS records of delegations are left
// alone: BIND only warns of their missing glue.
func (z *Zone) nsProblems() []Problem {
	var out []Problem
	apex := z.Origin
	for _, rr := range z.names[apex] {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		target := Canon(ns.Ns)
		if !dns.IsSubDomain(apex, target) || z.Delegated(target) {
			continue
		}
		fault, dname := z.serverFault(target)
		if fault == "" {
			continue
		}
		at := strings.TrimSuffix(target, ".")
		why := fmt.Sprintf("has no address record (A or AAAA) in the zone: BIND refuses the zone (\"NS '%s' has no address records\"), and resolvers cannot reach that name server", at)
		switch fault {
		case "cname":
			why = fmt.Sprintf("is a CNAME: an NS record must name the server itself, not an alias (RFC 2181 §10.3); BIND refuses the zone (\"NS '%s' is a CNAME (illegal)\")", at)
		case "dname":
			why = fmt.Sprintf("is below the DNAME at %s, which redirects it: an NS record must name the server itself, not an alias (RFC 2181 §10.3, RFC 6672 §2.3); BIND refuses the zone (\"NS '%s' is below a DNAME (illegal)\")", strings.TrimSuffix(dname, "."), at)
		}
		msg := fmt.Sprintf("%s NS %s: the name server's name is inside the zone and %s", strings.TrimSuffix(apex, "."), at, why)
		if rel := strings.TrimSuffix(target, "."+apex); rel != target && strings.Contains(rel, ".") && len(z.names[target]) == 0 {
			msg += fmt.Sprintf(". If the server is %s., the name was written without its trailing dot, and is read relative to the zone: write it as %s.", rel, rel)
		}
		p := Problem{Kind: NSNoAddress, Name: apex, Message: msg}
		if e := z.entryOf(rr); e != nil {
			p.File, p.Line = e.File, e.Line
		}
		out = append(out, p)
	}
	return out
}

// serverFault says why the zone answers no address for target, a name
// inside it and not delegated, as BIND finds it (zone_check_ns): "" when
// the zone gives it an A or AAAA record (its own, or for a name the zone
// does not hold, the wildcard's at its closest encloser, RFC 4592
// §3.3.1); "cname" when it is a CNAME; "dname" when it is below a DNAME
// (at dname); else "none".
func (z *Zone) serverFault(target string) (fault, dname string) {
	for n := parent(target); dns.IsSubDomain(z.Origin, n); n = parent(n) {
		if slices.ContainsFunc(z.names[n], func(x dns.RR) bool { return x.Header().Rrtype == dns.TypeDNAME }) {
			return "dname", n
		}
		if n == z.Origin || n == "." {
			break
		}
	}
	rrs := z.names[target]
	if !z.ents[target] {
		rrs = nil
		for n := parent(target); dns.IsSubDomain(z.Origin, n); n = parent(n) {
			if z.ents[n] {
				rrs = z.names["*."+n]
				break
			}
			if n == z.Origin || n == "." {
				break
			}
		}
	}
	switch {
	case slices.ContainsFunc(rrs, func(x dns.RR) bool { t := x.Header().Rrtype; return t == dns.TypeA || t == dns.TypeAAAA }):
		return "", ""
	case slices.ContainsFunc(rrs, func(x dns.RR) bool { return x.Header().Rrtype == dns.TypeCNAME }):
		return "cname", ""
	}
	return "none", ""
}

// checkNames refuses names with characters a master file may hold only
// escaped: Knot refuses such a file ("invalid domain name character"),
// and a placeholder left in (REPLACE&ME$WITH^YOUR@NAMESERVER) is the
// usual cause.
func checkNames(rr dns.RR) error {
	names := []string{rr.Header().Name}
	switch r := rr.(type) {
	case *dns.NS:
		names = append(names, r.Ns)
	case *dns.MX:
		names = append(names, r.Mx)
	case *dns.CNAME:
		names = append(names, r.Target)
	case *dns.DNAME:
		names = append(names, r.Target)
	case *dns.PTR:
		names = append(names, r.Ptr)
	case *dns.SRV:
		names = append(names, r.Target)
	case *dns.SOA:
		names = append(names, r.Ns, r.Mbox)
	}
	for _, n := range names {
		for i := 0; i < len(n); i++ {
			c := n[i]
			switch {
			case c == '\\':
				i++ // an escape: whatever follows is taken as written
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
				c == '-', c == '_', c == '/', c == '*', c == '.':
			default:
				return fmt.Errorf("invalid character %q in the name %q of a %s record: servers refuse the file (Knot: \"invalid domain name character\"); is it a placeholder left in?",
					string(c), n, dns.TypeToString[rr.Header().Rrtype])
			}
		}
	}
	return nil
}

// tracker knows which file the parser is reading: the source's, or an
// $INCLUDEd one.
type tracker struct{ cur *lineReader }

func (t *tracker) reader(file string, text []byte) *lineReader {
	r := &lineReader{t: t, file: file, text: text, recLine: 1}
	if t.cur == nil {
		t.cur = r
	}
	return r
}

// lineReader feeds the zone parser byte by byte (it takes an
// io.ByteReader as is) and counts the lines it has read, so that a record
// and an error can name the line where they start.
type lineReader struct {
	t     *tracker
	file  string
	text  []byte
	off   int
	lines int // newlines read
	last  int // offset after the last newline read but one: the line the parser is on
	cur   int // offset after the last newline read
	// recOff is where the text after the last record returned starts,
	// recLine its line.
	recOff, recLine int
}

func (r *lineReader) ReadByte() (byte, error) {
	r.t.cur = r
	if r.off >= len(r.text) {
		return 0, io.EOF
	}
	c := r.text[r.off]
	r.off++
	if c == '\n' {
		r.lines++
		r.last, r.cur = r.cur, r.off
	}
	return c, nil
}

func (r *lineReader) Read(p []byte) (int, error) {
	if r.off >= len(r.text) {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.off < len(r.text) {
		p[n], _ = r.ReadByte()
		n++
	}
	return n, nil
}

// recordStart returns the line where the record (or the construct) just
// read starts: the first line since the last record that holds more than
// blanks, a comment or a directive; and moves past it.
func (r *lineReader) recordStart() int {
	start, _ := r.record()
	return start
}

// record returns the line where the record just read starts and the
// comments written on its lines (a parenthesised record may carry one on
// every line; the parser keeps only the last), and moves past it.
func (r *lineReader) record() (int, string) {
	start := 0
	line := r.recLine
	var comments []string
	for l := range bytes.Lines(r.text[r.recOff:r.off]) {
		t := bytes.TrimLeft(l, " \t\r")
		if start == 0 && len(t) > 0 && t[0] != ';' && t[0] != '$' && t[0] != '\n' {
			start = line
		}
		if start != 0 {
			if c := lineComment(l); c != "" {
				comments = append(comments, c)
			}
		}
		line++
	}
	r.recLine += bytes.Count(r.text[r.recOff:r.off], []byte("\n"))
	r.recOff = r.off
	if start == 0 {
		start = r.line() // a $GENERATE line's records
	}
	return start, strings.Join(comments, " ")
}

// longestString returns the length in octets of the longest string in
// a record's text, quoted or not (comments skipped; an escape, \X or
// \DDD, is one octet; the hex words of RFC 3597's \# form are no
// strings), or 0. Only the RDATA of a TXT record can be over
// 255 octets: an owner name is at most 255 octets, its other fields
// shorter.
func longestString(text []byte) int {
	longest, n, quoted := 0, 0, false
	start := 0       // where the word being read starts
	generic := false // past \# (RFC 3597): hex words of any length
	end := func(i int) {
		if n > 0 && !quoted && string(text[start:i]) == `\#` {
			generic = true
		}
		if quoted || !generic {
			longest = max(longest, n)
		}
		n = 0
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case !quoted && c == ';':
			end(i)
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '"':
			end(i)
			quoted = !quoted
		case !quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')'):
			end(i)
		case c == '\\':
			if n == 0 {
				start = i
			}
			if i+3 < len(text) && isDigit(text[i+1]) && isDigit(text[i+2]) && isDigit(text[i+3]) {
				i += 3
			} else {
				i++
			}
			n++
		default:
			if n == 0 {
				start = i
			}
			n++
		}
	}
	end(len(text))
	return longest
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lineComment returns a line's comment, from its ";" outside quotes, or "".
func lineComment(l []byte) string {
	if i := CommentIndex(l); i >= 0 {
		return strings.TrimRight(string(l[i:]), "\r\n")
	}
	return ""
}

// CommentIndex returns where a line's comment starts (its ";" outside
// quotes, a backslash escaping the byte after it), or -1. Package
// zoneedit finds the comments it keeps with it.
func CommentIndex[T string | []byte](line T) int {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			return i
		}
	}
	return -1
}

// line returns the number of the line the parser last finished: a record
// is returned once its line's newline is read.
func (r *lineReader) line() int {
	if r.lines == 0 || r.off >= len(r.text) && len(r.text) > 0 && r.text[len(r.text)-1] != '\n' {
		return r.lines + 1
	}
	return r.lines
}

// lineText returns that line, shortened for an error message.
func (r *lineReader) lineText() string {
	start, end := r.last, r.cur
	if r.lines == 0 || r.off >= len(r.text) && len(r.text) > 0 && r.text[len(r.text)-1] != '\n' {
		start, end = r.cur, len(r.text)
	}
	s := strings.TrimSpace(string(r.text[start:end]))
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// includeFS opens the files $INCLUDE names: regular files under root
// (links resolved), within what is left of the size bound.
type includeFS struct {
	root   string // with links resolved
	abs    bool   // the source's path is absolute: the parser's paths lost their "/"
	t      *tracker
	budget int64
}

func newIncludeFS(root string, abs bool, t *tracker, budget int64) (*includeFS, error) {
	r, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if r, err = filepath.EvalSymlinks(r); err != nil {
		return nil, err
	}
	return &includeFS{root: r, abs: abs, t: t, budget: budget}, nil
}

func (f *includeFS) Open(name string) (fs.File, error) {
	p := filepath.FromSlash(name)
	if f.abs {
		p = string(filepath.Separator) + p
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	if rel, err := filepath.Rel(f.root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%s is outside %s: $INCLUDE reads only files under the zone file's folder (the CLI's -include-root, ZoneSource.IncludeRoot, names another)", real, f.root)
	}
	if f.budget <= 0 {
		return nil, errors.New("the zone file and its includes are larger than the size bound")
	}
	text, err := ReadRegular(real, f.budget)
	if err != nil {
		return nil, err
	}
	f.budget -= int64(len(text))
	// Named as a person would name it: relative to the working folder
	// when under it, else in full.
	shown := p
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
			shown = rel
		}
	}
	return &includeFile{lineReader: f.t.reader(shown, text), name: name, size: int64(len(text))}, nil
}

// includeFile is an included file, read whole, as the parser reads it.
type includeFile struct {
	*lineReader
	name string
	size int64
}

func (i *includeFile) Stat() (fs.FileInfo, error) { return i, nil }
func (i *includeFile) Close() error               { return nil }
func (i *includeFile) Name() string               { return filepath.Base(i.name) }
func (i *includeFile) Size() int64                { return i.size }
func (i *includeFile) Mode() fs.FileMode          { return 0o444 }
func (i *includeFile) ModTime() time.Time         { return time.Time{} }
func (i *includeFile) IsDir() bool                { return false }
func (i *includeFile) Sys() any                   { return nil }
