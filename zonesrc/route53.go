package zonesrc

import (
	"fmt"
	"io"
	"strings"

	"github.com/miekg/dns"
)

// ReadRoute53 reads Route 53 record sets as JSON: the output of `aws
// route53 list-resource-record-sets` ({"ResourceRecordSets": [...]}), a
// change batch for `change-resource-record-sets` ({"Changes": [...]},
// DELETE changes left out, or wrapped in "ChangeBatch"), or a bare list
// of record sets. origin is the hosted zone; when empty, the owner of
// the SOA record set is.
//
// Values are Route 53's presentation text: names absolute with or without
// the trailing dot, \NNN escapes octal (as Route 53 writes them, where a
// master file's are decimal). TXT and SPF values must be quoted strings of
// at most 255 octets each (Route 53 refuses others: an unquoted value is a
// zonesrc.txt-unquoted problem, a long string zonesrc.txt-too-long).
// Alias record sets are Notes: they answer with their target's records.
// origin is the hosted zone, or a domain inside the one whose SOA the sets
// hold; when empty it is taken from the SOA.
func ReadRoute53(r io.Reader, name, origin string) (*Zone, error) {
	f, root, err := readJSON(r, name)
	if err != nil {
		return nil, err
	}
	var sets []*jnode
	switch {
	case root.kind == 'a':
		sets = root.elems()
	case root.get("ResourceRecordSets") != nil:
		sets = root.get("ResourceRecordSets").elems()
	default:
		changes := root.get("Changes")
		if cb := root.get("ChangeBatch"); cb != nil {
			changes = cb.get("Changes")
		}
		if changes == nil {
			return nil, fmt.Errorf("zonesrc: %s: not Route 53 record sets (no ResourceRecordSets or Changes)", name)
		}
		for _, c := range changes.elems() {
			if strings.EqualFold(c.get("Action").text(), "DELETE") {
				continue
			}
			if s := c.get("ResourceRecordSet"); s != nil {
				sets = append(sets, s)
			}
		}
	}
	soa := "" // the hosted zone's apex, when the sets hold its SOA
	for _, s := range sets {
		if strings.EqualFold(s.get("Type").text(), "SOA") {
			soa = octalName(s.get("Name").text())
			break
		}
	}
	switch {
	case origin == "" && soa == "":
		return nil, fmt.Errorf("zonesrc: %s: no origin given and no SOA record set to take it from", name)
	case origin == "":
		origin = soa
	case soa != "":
		// A domain inside the hosted zone (sub.contoso.com, checked with
		// contoso.com's export): the records are that zone's.
		o, err1 := normName(origin)
		a, err2 := normName(soa)
		if err1 == nil && err2 == nil && dns.IsSubDomain(dns.Fqdn(a), dns.Fqdn(o)) {
			origin = a
		}
	}
	origin, err = normName(origin)
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: origin: %w", name, err)
	}
	z := &Zone{Origin: origin, Source: name + " (route53)"}
	var groups []int
	for i, s := range sets {
		n := len(z.Records)
		route53Set(z, f, s)
		g := i
		if s.get("SetIdentifier").text() != "" {
			g = -1
		}
		for range len(z.Records) - n {
			groups = append(groups, g)
		}
	}
	z.duplicates(true, groups, "Route 53 holds one record set per name and type")
	z.sortProblems()
	return z, nil
}

// octalName decodes Route 53's \NNN (octal) escapes in a name, so that
// normName can escape the octets again as a master file does.
func octalName(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			if v, n, ok := escapeDigits(s[i+1:], true); ok {
				b.WriteByte(v)
				i += n
				continue
			}
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func route53Set(z *Zone, f *jfile, s *jnode) {
	pos := f.pos(s)
	typ := strings.ToUpper(s.get("Type").text())
	raw := octalName(s.get("Name").text())
	owner, err := normName(raw)
	if err != nil {
		z.problem("zonesrc.bad-value", pos, raw, typ, "Name %q: %v", raw, err)
		return
	}
	if a := s.get("AliasTarget"); a != nil {
		z.note(Note{Pos: f.pos(a), Field: "AliasTarget", Expr: a.get("DNSName").text(),
			Message: owner + " " + typ + " is an alias: it answers with the records of its target"})
		return
	}
	if s.get("SetIdentifier").text() != "" {
		z.note(Note{Pos: pos, Field: "SetIdentifier", Expr: s.get("SetIdentifier").text(),
			Message: owner + " " + typ + " has a routing policy: which of its record sets answers depends on the query; all are linted together"})
	}
	ttl := uint32(300)
	if t, ok := s.get("TTL").uint(1<<31 - 1); ok {
		ttl = uint32(t)
	}
	for _, rr := range s.get("ResourceRecords").elems() {
		vn := rr.get("Value")
		vpos := f.pos(vn)
		data, ok := route53Value(z, vpos, owner, typ, vn.text())
		if !ok {
			continue
		}
		rec := Record{Name: owner, Type: typ, TTL: ttl, Data: data, Pos: vpos}
		if recordLine(rec) == "" {
			z.problem("zonesrc.bad-value", vpos, owner, typ, "%s %s %q is not valid %s data", owner, typ, clip(vn.text()), typ)
			continue
		}
		z.add(rec)
	}
}

// route53Value converts one Route 53 value to master-file RDATA.
func route53Value(z *Zone, pos Position, owner, typ, v string) (string, bool) {
	abs := func(n string) (string, bool) {
		t, err := targetName(octalName(n), z.Origin, false)
		if err != nil {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s %q: %v", owner, typ, n, err)
			return "", false
		}
		return t, true
	}
	f := strings.Fields(v)
	switch typ {
	case "TXT", "SPF":
		return txtPresentation(z, pos, owner, typ, v, true, "Route 53")
	case "CNAME", "NS", "PTR":
		if len(f) != 1 {
			break
		}
		return abs(f[0])
	case "MX":
		if len(f) != 2 {
			break
		}
		t, ok := abs(f[1])
		return f[0] + " " + t, ok
	case "SRV":
		if len(f) != 4 {
			break
		}
		t, ok := abs(f[3])
		return strings.Join(f[:3], " ") + " " + t, ok
	case "SOA":
		if len(f) != 7 {
			break
		}
		ns, ok1 := abs(f[0])
		mbox, ok2 := abs(f[1])
		return ns + " " + mbox + " " + strings.Join(f[2:], " "), ok1 && ok2
	default:
		return v, true
	}
	z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s %q is not valid %s data", owner, typ, clip(v), typ)
	return "", false
}

// txtPresentation reads a TXT value a provider takes as presentation
// text (Route 53's values, Google Cloud DNS's rrdatas): quoted strings,
// each at most 255 octets. tool names the provider in messages. An
// unquoted value is what Route 53 refuses (linted as the one string
// meant); Google Cloud DNS splits it at spaces (linted so).
func txtPresentation(z *Zone, pos Position, owner, typ, v string, octal bool, tool string) (string, bool) {
	toks, err := parseStrings(v, octal)
	if err != nil {
		z.problem("zonesrc.txt-quoting", pos, owner, typ, "%s value %s: %v, so %s refuses it", typ, clip(v), err, tool)
		return "", false
	}
	if len(toks) == 0 {
		toks = []token{{}}
	}
	var unquoted []token
	for _, t := range toks {
		if !t.quoted {
			unquoted = append(unquoted, t)
		}
	}
	strs := tokenStrings(toks)
	if len(unquoted) > 0 {
		if tool == "Route 53" {
			z.problem("zonesrc.txt-unquoted", pos, owner, typ,
				"%s value %s is not quoted: Route 53 refuses it (InvalidTXTRDATA); write it in double quotes, each string at most 255 octets", typ, clip(v))
			if len(unquoted) == len(toks) {
				strs = chunk(v, maxString) // the one string meant
			}
		} else if len(toks) > 1 {
			z.problem("zonesrc.txt-unquoted", pos, owner, typ,
				"%s value %s is not quoted: %s splits it at each space into %d strings, which SPF and DMARC read joined without the spaces; write it in escaped double quotes (\\\"...\\\")", typ, clip(v), tool, len(toks))
		}
	}
	for _, s := range strs {
		if len(s) > maxString {
			z.problem("zonesrc.txt-too-long", pos, owner, typ,
				"a TXT string of %d octets: %s refuses strings over 255 octets (CharacterStringTooLong); split it into quoted strings, \"first 255\" \"rest\" (linted as if split so)", len(s), tool)
			var split []string
			for _, s := range strs {
				split = append(split, chunk(s, maxString)...)
			}
			strs = split
			break
		}
	}
	return quoteTXT(strs), true
}
