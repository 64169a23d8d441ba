// Package zonedb holds RFC 1035 master files in memory and answers
// questions about them with authoritative semantics: NXDOMAIN versus NODATA,
// empty non-terminals, wildcards (RFC 4592) and CNAMEs followed within one
// zone, as an authoritative server does. Chasing a CNAME into another zone is
// the caller's job.
package zonedb

import (
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

// Unknown reports whether the zone holding name writes a record of qtype
// there whose data its source does not tell.
func (db *DB) Unknown(name string, qtype uint16) bool {
	z := db.Find(name)
	if z == nil || len(z.unknown) == 0 {
		return false
	}
	cur := Canon(dns.Fqdn(name))
	return z.unknown[cur+" "+dns.TypeToString[qtype]] || qtype == dns.TypeANY && z.unknownAt(cur)
}

// unknownAt reports whether the source leaves any record at name unknown.
func (z *Zone) unknownAt(name string) bool {
	for k := range z.unknown {
		if strings.HasPrefix(k, name+" ") {
			return true
		}
	}
	return false
}

// Holds reports whether a loaded zone answers name with data: it is at or
// below a zone's apex and not at or below a delegation in it.
func (db *DB) Holds(name string) bool {
	z := db.Find(name)
	return z != nil && !z.Delegated(Canon(dns.Fqdn(name)))
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
	if z.Delegated(cur) {
		// A referral: the data is in the child zone, not here.
		return Response{}, false
	}
	if len(z.unknown) > 0 && (z.unknown[cur+" "+dns.TypeToString[qtype]] || qtype == dns.TypeANY && z.unknownAt(cur)) {
		// The source writes the record but does not tell its data.
		return Response{}, false
	}
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
			if seen[target] || hop >= MaxInZoneHops || db.Find(target) != z || z.Delegated(target) {
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
