// Package zonedb holds RFC 1035 master files in memory and answers
// questions about them with authoritative semantics: NXDOMAIN versus NODATA,
// empty non-terminals, wildcards (RFC 4592) and CNAMEs followed within one
// zone, as an authoritative server does. Chasing a CNAME into another zone is
// the caller's job.
package zonedb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/miekg/dns"
)

// DefaultMaxBytes bounds the size of one master file.
const DefaultMaxBytes = 32 << 20

// The bounds on what one master file expands to. The file-size bound does
// not bound memory: a $GENERATE line expands to 65,536 records, so 40 lines
// (2.4 KB) made 2.6 million (1.1 GB). Measured on plain files of
// DefaultMaxBytes: 1.65 million A records of distinct owners hold 350 MB
// (223 B a record), 550,000 SPF TXT records 143 MB (273 B). Real zones,
// even large ones, hold far fewer than a million records.
const (
	// DefaultMaxRecords bounds the records of one file, $GENERATE and
	// $INCLUDE expanded: 1,000,000 (~220 MB of small records).
	DefaultMaxRecords = 1_000_000
	// DefaultMaxRecordBytes bounds the estimated memory of one file's
	// records (see recordBytes): 256 MiB. It stops large records
	// repeated by $GENERATE before the record count does.
	DefaultMaxRecordBytes = 256 << 20
)

// Source is one master file to load.
type Source struct {
	// Origin is the zone apex. Empty means: take it from the file's SOA.
	Origin string
	// File names the file in errors, and is read when Text is nil.
	File string
	// Text is the file's content.
	Text []byte
	// AllowInclude permits $INCLUDE, resolved relative to File's folder.
	AllowInclude bool
	// MaxBytes bounds the file's size; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxRecords bounds the records the file expands to; 0 means
	// DefaultMaxRecords.
	MaxRecords int
	// MaxRecordBytes bounds their estimated memory; 0 means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int64
}

// Entry is one record with the comment that stood beside it.
type Entry struct {
	RR      dns.RR
	Comment string
}

// Zone is one loaded zone.
type Zone struct {
	Origin  string // lowercase FQDN with trailing dot
	Entries []Entry
	names   map[string][]dns.RR // lowercase owner → records
	ents    map[string]bool     // every name at or above an owner, up to the apex
	soa     *dns.SOA
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

// Parse reads one master file.
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
		f, err := os.Open(src.File)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		text, err = io.ReadAll(io.LimitReader(f, max+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if int64(len(text)) > max {
		return nil, fmt.Errorf("%s: zone file larger than %d bytes", name, max)
	}
	// A UTF-8 byte order mark, as editors on Windows write: not a TTL.
	text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
	maxRecords, maxRecordBytes := src.MaxRecords, src.MaxRecordBytes
	if maxRecords <= 0 {
		maxRecords = DefaultMaxRecords
	}
	if maxRecordBytes <= 0 {
		maxRecordBytes = DefaultMaxRecordBytes
	}
	origin := src.Origin
	if origin != "" {
		if _, ok := dns.IsDomainName(origin); !ok {
			return nil, fmt.Errorf("%s: invalid origin %q", name, origin)
		}
		origin = strings.ToLower(dns.Fqdn(origin))
	}
	parseOrigin := origin
	if parseOrigin == "" {
		parseOrigin = "."
	}
	lr := &lineReader{text: text}
	zp := dns.NewZoneParser(lr, parseOrigin, name)
	zp.SetDefaultTTL(3600)
	if src.AllowInclude {
		zp.SetIncludeAllowed(true)
		dir := "."
		if src.File != "" {
			dir = filepath.Dir(src.File)
		}
		zp.SetIncludeFS(os.DirFS(dir))
	}
	z := &Zone{Origin: origin, names: map[string][]dns.RR{}, ents: map[string]bool{}}
	var size int64
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		size += recordBytes(rr)
		if len(z.Entries) >= maxRecords || size > maxRecordBytes {
			what := fmt.Sprintf("%d records", maxRecords)
			if size > maxRecordBytes {
				what = fmt.Sprintf("%d MiB of records in memory", maxRecordBytes>>20)
			}
			return nil, fmt.Errorf("%s: line %d: the zone expands to more than %s (%s): is a $GENERATE range too wide?",
				name, lr.line(), what, lr.lineText())
		}
		rr.Header().Name = Canon(rr.Header().Name)
		z.Entries = append(z.Entries, Entry{RR: rr, Comment: zp.Comment()})
		if soa, isSOA := rr.(*dns.SOA); isSOA && z.soa == nil {
			z.soa = soa
		}
	}
	if err := zp.Err(); err != nil {
		var pe *dns.ParseError
		if errors.As(err, &pe) && !strings.Contains(pe.Error(), name) {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return nil, err
	}
	if z.Origin == "" {
		if z.soa == nil {
			return nil, fmt.Errorf("%s: no SOA record and no origin given: cannot tell the zone apex", name)
		}
		z.Origin = z.soa.Hdr.Name
	}
	if z.soa == nil {
		// A zone without SOA still needs one for negative answers (RFC 2308).
		z.soa = &dns.SOA{
			Hdr: dns.RR_Header{Name: z.Origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 3600},
			Ns:  "ns.invalid.", Mbox: "hostmaster.invalid.", Serial: 1,
			Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 300,
		}
	}
	for _, e := range z.Entries {
		owner := e.RR.Header().Name
		if !dns.IsSubDomain(z.Origin, owner) {
			return nil, fmt.Errorf("%s: record %q is outside the zone %s", name, strings.TrimSuffix(owner, "."), z.Origin)
		}
		if e.RR.Header().Class != dns.ClassINET {
			continue
		}
		z.names[owner] = append(z.names[owner], e.RR)
		for n := owner; ; {
			z.ents[n] = true
			if n == z.Origin {
				break
			}
			n = parent(n)
		}
	}
	return z, nil
}

// Find returns the zone that is authoritative for name (the closest
// enclosing apex), or nil.
func (db *DB) Find(name string) *Zone {
	name = Canon(dns.Fqdn(name))
	for off, end := 0, false; !end; off, end = dns.NextLabel(name, off) {
		if z, ok := db.zones[name[off:]]; ok {
			return z
		}
	}
	if z, ok := db.zones["."]; ok {
		return z
	}
	return nil
}

// Response is an authoritative answer from one zone.
type Response struct {
	Rcode  int
	Answer []dns.RR // CNAMEs followed within the zone, then the data
	Ns     []dns.RR // the SOA, on negative answers
}

// MaxInZoneHops bounds CNAMEs followed inside one zone.
const MaxInZoneHops = 16

// Query answers name/qtype as the zone's authoritative server would. ok is
// false when no loaded zone holds the name (a real server says REFUSED).
func (db *DB) Query(name string, qtype uint16) (resp Response, ok bool) {
	z := db.Find(name)
	if z == nil {
		return Response{}, false
	}
	cur := Canon(dns.Fqdn(name))
	seen := map[string]bool{}
	for hop := 0; ; hop++ {
		rrs, exists := z.lookup(cur)
		if !exists {
			resp.Rcode = dns.RcodeNameError
			resp.Ns = []dns.RR{z.soa}
			return resp, true
		}
		var cname *dns.CNAME
		var data []dns.RR
		for _, rr := range rrs {
			t := rr.Header().Rrtype
			if c, isC := rr.(*dns.CNAME); isC && qtype != dns.TypeCNAME {
				cname = c
			}
			if t == qtype || qtype == dns.TypeANY {
				data = append(data, rr)
			}
		}
		if cname != nil && len(data) == 0 {
			resp.Answer = append(resp.Answer, cname)
			target := Canon(cname.Target)
			if seen[target] || hop >= MaxInZoneHops || db.Find(target) != z {
				// A loop, a long chain or another zone: stop here and let
				// the client chase, as authoritative servers do.
				return resp, true
			}
			seen[cur] = true
			cur = target
			continue
		}
		resp.Answer = append(resp.Answer, data...)
		if len(data) == 0 {
			resp.Ns = []dns.RR{z.soa}
		}
		return resp, true
	}
}

// lookup returns the records at name, synthesised from a wildcard where RFC
// 4592 says so, and whether the name exists (an empty non-terminal exists
// with no records).
func (z *Zone) lookup(name string) ([]dns.RR, bool) {
	if rrs, ok := z.names[name]; ok {
		return rrs, true
	}
	if z.ents[name] {
		return nil, true
	}
	// The closest encloser is the longest existing ancestor; the wildcard
	// at "*.<closest encloser>" answers (RFC 4592 §3.3.1).
	for off, end := dns.NextLabel(name, 0); !end; off, end = dns.NextLabel(name, off) {
		anc := name[off:]
		if !z.ents[anc] {
			if anc == z.Origin {
				break
			}
			continue
		}
		wild, ok := z.names["*."+anc]
		if !ok {
			return nil, false
		}
		out := make([]dns.RR, len(wild))
		for i, rr := range wild {
			c := dns.Copy(rr)
			c.Header().Name = name
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

// recordBytes estimates the memory one record takes in a Zone: the
// Entry, the record's struct and its slots in the maps, its owner name,
// and its data by length on the wire, except that a TXT's character
// strings count 16 octets each beyond their text (a string header each).
func recordBytes(rr dns.RR) int64 {
	n := 160 + len(rr.Header().Name)
	var ss []string
	switch r := rr.(type) {
	case *dns.TXT:
		ss = r.Txt
	case *dns.SPF:
		ss = r.Txt
	default:
		return int64(n + dns.Len(rr))
	}
	for _, s := range ss {
		n += 16 + len(s)
	}
	return int64(n)
}

// lineReader feeds the zone parser byte by byte (it takes an
// io.ByteReader as is) and counts the lines it has read, so that a bound
// broken while a record is expanded can name the line that did it.
type lineReader struct {
	text  []byte
	off   int
	lines int // newlines read
	last  int // offset after the last newline read but one: the line the parser is on
	cur   int // offset after the last newline read
}

func (r *lineReader) ReadByte() (byte, error) {
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

// line returns the number of the line the parser last finished: a record
// is returned once its line's newline is read.
func (r *lineReader) line() int {
	if r.lines == 0 || r.off >= len(r.text) && r.text[len(r.text)-1] != '\n' {
		return r.lines + 1
	}
	return r.lines
}

// lineText returns that line, shortened for an error message.
func (r *lineReader) lineText() string {
	start, end := r.last, r.cur
	if r.lines == 0 || r.off >= len(r.text) && r.text[len(r.text)-1] != '\n' {
		start, end = r.cur, len(r.text)
	}
	s := strings.TrimSpace(string(r.text[start:end]))
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// SOA returns the zone's SOA record.
func (z *Zone) SOA() *dns.SOA { return z.soa }

// Canon returns name lowercased, with escapes in the one form miekg/dns
// writes when it unpacks a name from the wire (so "\\032" and "\\ " meet).
func Canon(name string) string {
	name = strings.ToLower(name)
	if strings.IndexByte(name, '\\') < 0 {
		return name
	}
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return name
	}
	out, _, err := dns.UnpackDomainName(buf[:n], 0)
	if err != nil {
		return name
	}
	return out
}

// parent returns the name one label up ("." above a top-level name).
func parent(name string) string {
	i, end := dns.NextLabel(name, 0)
	if end || i >= len(name) {
		return "."
	}
	return name[i:]
}
