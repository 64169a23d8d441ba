package zonesrc

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// DefaultDNSControlConfig is the file DNSControl reads when not told
// otherwise; the positions its IR records carry point into it.
const DefaultDNSControlConfig = "dnsconfig.js"

// filepos is DNSControl's record position: "[line:5:5]" (the top-level
// config, as its JavaScript engine names it) or "[file.js:5:5]".
var fileposRE = regexp.MustCompile(`^\[?\s*(?:at\s+)?(.*?):(\d+):(\d+)(?:\(\d+\))?\s*\]?$`)

// ReadDNSControlIR reads the JSON that `dnscontrol print-ir` writes (its
// intermediate representation after normalization, or with --raw
// before it) and returns every domain in it as a zone, in order; a
// domain given twice with split-horizon tags is two zones.
//
// name names the IR file; config names the dnsconfig.js its records'
// "filepos" positions point into (DNSControl 4 writes them; "" means
// DefaultDNSControlConfig). Records without one point into the IR.
//
// TXT records are read as DNSControl publishes them: one string is split
// into 255-octet strings, as DNSControl does (v3: most providers;
// v4: all), and the strings of TXTMulti (v3's "txtstrings") are kept
// apart; one of those over 255 octets is a zonesrc.txt-too-long problem,
// since DNSControl does not split them. Pseudo-records (ALIAS, URL,
// CF_REDIRECT, R53_ALIAS…) are Notes.
func ReadDNSControlIR(r io.Reader, name, config string) ([]*Zone, error) {
	f, root, err := readJSON(r, name)
	if err != nil {
		return nil, err
	}
	if config == "" {
		config = DefaultDNSControlConfig
	}
	doms := root.get("domains")
	if root.kind != 'o' || doms == nil || doms.kind != 'a' {
		return nil, fmt.Errorf("zonesrc: %s: not DNSControl IR (no \"domains\" list)", name)
	}
	var zones []*Zone
	for _, d := range doms.elems() {
		origin, err := normName(d.get("name").text())
		if err != nil {
			return nil, fmt.Errorf("zonesrc: %s: domain: %w", f.pos(d), err)
		}
		src := name + " (dnscontrol)"
		if tag := d.get("tag").text(); tag != "" {
			src = name + " (dnscontrol, tag " + tag + ")"
		}
		z := &Zone{Origin: origin, Source: src}
		for _, rec := range d.get("records").elems() {
			dnscontrolRecord(z, f, config, rec)
		}
		z.duplicates(false, nil, "")
		z.sortProblems()
		zones = append(zones, z)
	}
	return zones, nil
}

func dnscontrolRecord(z *Zone, f *jfile, config string, rec *jnode) {
	pos := f.pos(rec)
	if m := fileposRE.FindStringSubmatch(rec.get("filepos").text()); m != nil {
		file := m[1]
		if file == "line" || file == "<anonymous>" || file == "" {
			file = config
		}
		l, _ := strconv.Atoi(m[2])
		c, _ := strconv.Atoi(m[3])
		pos = Position{File: file, Line: l, Column: c}
	}
	typ := strings.ToUpper(rec.get("type").text())
	label := rec.get("name").text()
	owner, err := ownerName(label, z.Origin)
	if err != nil {
		z.problem("zonesrc.bad-value", pos, label, typ, "name %q: %v", label, err)
		return
	}
	ttl := uint32(300) // DNSControl's default
	if t, ok := rec.get("ttl").uint(1<<31 - 1); ok && rec.get("ttl") != nil {
		ttl = uint32(t)
	}
	meta := rec.get("meta")
	if p := strings.ToLower(meta.get("cloudflare_proxy").text()); p == "on" || p == "full" || p == "true" {
		z.problem("zonesrc.cloudflare-proxied", pos, owner, typ,
			"%s %s is proxied by Cloudflare: it answers with Cloudflare's addresses, not this record", owner, typ)
	}
	target := rec.get("target").text()
	// DNSControl 4's RecordConfig v2 types (RP, …) carry their RDATA as
	// presentation text, its key spelt so, and "target" empty.
	partial := rec.get("zonfefilepartial").text()
	if partial == "" {
		partial = rec.get("zonefilepartial").text()
	}
	tgt := func() (string, bool) {
		t, err := targetName(target, z.Origin, true)
		if err != nil {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s target %q: %v", owner, typ, target, err)
			return "", false
		}
		return t, true
	}
	u := func(key string) string {
		v, _ := rec.get(key).uint(65535)
		return strconv.FormatUint(v, 10)
	}
	var data string
	switch typ {
	case "A", "AAAA":
		data = target
	case "CNAME", "NS", "PTR", "DNAME", "ANAME":
		if typ == "ANAME" {
			z.note(Note{Pos: pos, Field: "type", Expr: typ, Message: owner + " ANAME is the provider's own kind of record: what it answers depends on the provider"})
			return
		}
		t, ok := tgt()
		if !ok {
			return
		}
		data = t
	case "MX":
		t, ok := tgt()
		if !ok {
			return
		}
		data = u("mxpreference") + " " + t
	case "SRV":
		t, ok := tgt()
		if !ok {
			return
		}
		data = u("srvpriority") + " " + u("srvweight") + " " + u("srvport") + " " + t
	case "CAA":
		data = u("caaflag") + " " + rec.get("caatag").text() + " " + quoteString(target)
	case "TLSA":
		data = u("tlsausage") + " " + u("tlsaselector") + " " + u("tlsamatchingtype") + " " + target
	case "SSHFP":
		data = u("sshfpalgorithm") + " " + u("sshfpfingerprint") + " " + target
	case "DS":
		data = u("dskeytag") + " " + u("dsalgorithm") + " " + u("dsdigesttype") + " " + rec.get("dsdigest").text()
	case "TXT", "SPF":
		strs := []string{target}
		if ts := rec.get("txtstrings"); ts != nil && len(ts.elems()) > 0 {
			strs = strs[:0]
			for _, s := range ts.elems() {
				strs = append(strs, s.text())
			}
		}
		if len(strs) == 1 {
			strs = chunk(strs[0], maxString)
		} else {
			for _, s := range strs {
				if len(s) > maxString {
					z.problem("zonesrc.txt-too-long", pos, owner, typ,
						"a string of %d octets in a TXT with several strings (TXTMulti): DNSControl splits only a TXT of one string, so the provider refuses this (linted as if split at 255)", len(s))
					break
				}
			}
			var split []string
			for _, s := range strs {
				split = append(split, chunk(s, maxString)...)
			}
			strs = split
		}
		data = quoteTXT(strs)
	case "SOA":
		return // the provider's
	default:
		if partial != "" && dnsTypeKnown(typ) {
			data = partial
			break
		}
		z.note(Note{Pos: pos, Field: "type", Expr: typ, Message: owner + " " + typ + " is not read (a DNSControl pseudo-record or a type zonesrc does not render)"})
		return
	}
	if recordLine(Record{Name: owner, Type: typ, TTL: ttl, Data: data}) == "" {
		z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s %q is not valid %s data", owner, typ, clip(data), typ)
		return
	}
	z.add(Record{Name: owner, Type: typ, TTL: ttl, Data: data, Pos: pos})
}

// dnsTypeKnown reports whether typ is a DNS record type (not one of
// DNSControl's pseudo-records).
func dnsTypeKnown(typ string) bool {
	_, ok := dns.StringToType[typ]
	return ok
}
