package zonesrc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/miekg/dns"
	"gopkg.in/yaml.v3"
)

// MaxInput bounds what a reader reads from one source: a zone's
// configuration is kilobytes, and a hostile one must not exhaust memory.
const MaxInput = 32 << 20

func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxInput {
		return nil, fmt.Errorf("input over %d bytes", MaxInput)
	}
	return b, nil
}

// octoDNS's validators (octodns/record/chunked.py): a word character
// before ';', and "\\;".
var (
	octoUnescaped = regexp.MustCompile(`\w;`)
	octoDouble    = regexp.MustCompile(`\\\\;`)
)

// octoDNSDefaultTTL is the TTL octoDNS gives a record that names none.
const octoDNSDefaultTTL = 3600

// octoData are the fields of octoDNS values read in RDATA order:
// numbers, then a hex string (its to_rdata_text).
var octoData = map[string][]string{
	"TLSA":  {"certificate_usage", "selector", "matching_type", "certificate_association_data"},
	"SSHFP": {"algorithm", "fingerprint_type", "fingerprint"},
	"DS":    {"key_tag", "algorithm", "digest_type", "digest"},
}

// octoSingleValue are the types octoDNS gives one value (its ValueMixin):
// a list under their value is refused, not read as values.
var octoSingleValue = map[string]bool{"CNAME": true, "DNAME": true, "ALIAS": true}

// ReadOctoDNS reads an octoDNS zone file (the YAML of its YamlProvider:
// names relative to the zone, the empty name "" the apex, each a record or a list of
// records with type, ttl and value or values). name names the file in
// positions; origin is the zone, and when empty is taken from the file's
// name as octoDNS does (contoso.com.yaml holds contoso.com). An origin
// inside the zone the file is named for (sub.contoso.com, the domain to
// check, given with contoso.com.yaml) is read as that zone, as octoDNS
// reads the file. YAML
// aliases and merge keys are followed as octoDNS's loader follows them;
// its !include is read by Open, from the zone file's folder, and is an
// error here, where there is no folder.
//
// TXT and SPF values are read as octoDNS reads them: \; is a semicolon,
// a value quoted whole has its quotes and `" "` joins removed, and the
// text is split into 255-octet strings. Values octoDNS refuses are
// Problems: an unescaped or double-escaped ';', non-ASCII text, a target
// without its trailing dot (but not in a lenient record, octodns:
// {lenient: true}, which octoDNS publishes as it is). So is an unquoted
// name that octoDNS's YAML 1.1 loader reads as no string (null, yes, 010:
// it publishes None, True, 8); the record is read under the name written. Records of types
// with no DNS meaning of their own (ALIAS, URLFWD, a provider's own such
// as Route53Provider/ALIAS) and records octoDNS is told to ignore are
// Notes.
func ReadOctoDNS(r io.Reader, name, origin string) (*Zone, error) {
	return readOctoDNS(r, name, origin, octoOpts{})
}

// octoZone is the zone octoDNS reads a file or split-zone folder named
// for zone named as, given origin: named when origin is empty or a
// domain inside it (sub.contoso.com, the domain to check, given with
// contoso.com.yaml or contoso.com./: octoDNS reads it as that zone, ""
// its apex), else origin.
func octoZone(origin, named string) string {
	if origin == "" {
		return named
	}
	n, err := normName(named)
	if err != nil || !strings.Contains(strings.TrimSuffix(named, "."), ".") {
		return origin
	}
	if o, err := normName(origin); err == nil && dns.IsSubDomain(dns.Fqdn(n), dns.Fqdn(o)) {
		return n
	}
	return origin
}

// octoOpts are how octoDNS's configuration has a zone file read.
type octoOpts struct {
	include includer // reads !include files; nil: an include is an error
	// The zone's lenient, and its YamlProvider's default_ttl (0: 3600)
	// and escaped_semicolons: false (raw).
	lenient bool
	ttl     uint32
	raw     bool
}

// readOctoDNS is ReadOctoDNS as opts say.
func readOctoDNS(r io.Reader, name, origin string, opts octoOpts) (*Zone, error) {
	b, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: %w", name, err)
	}
	named := "" // the zone the file is named for
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	for _, ext := range []string{".yaml", ".yml"} {
		if strings.HasSuffix(base, ext) {
			named = strings.TrimSuffix(base, ext)
		}
	}
	if origin == "" && named == "" {
		return nil, fmt.Errorf("zonesrc: %s: no origin given, and the file is not named ZONE.yaml", name)
	}
	origin, err = normName(octoZone(origin, named))
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: origin: %w", name, err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("zonesrc: %s: %w", name, err)
	}
	z := &Zone{Origin: origin, Source: name + " (octodns)"}
	if doc.Kind == 0 {
		return z, nil
	}
	x := &yamlExpander{budget: maxYAMLNodes, include: opts.include, files: map[*yaml.Node]string{}}
	root, err := x.expand(&doc, path.Base(strings.ReplaceAll(name, `\`, "/")))
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: %w", name, err)
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("zonesrc: %s:%d: the zone is not a mapping of names to records", name, root.Line)
	}
	if err := octoConfig(root, name); err != nil {
		return nil, err
	}
	o := octo{z: z, file: name, x: x, opts: opts}
	var groups []int
	// A key written twice: PyYAML keeps the later value without a word,
	// so octoDNS publishes only the later key's records.
	last := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode {
			last[k.Value] = i
		}
	}
	group := 0
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		pos := o.pos(k)
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("zonesrc: %s: a name that is not a string", pos)
		}
		if j := last[k.Value]; j != i {
			z.problem("zonesrc.duplicate-rrset", pos, k.Value, "",
				"%q is a key again at %s: octoDNS's YAML loader keeps the later value, so the records written here are dropped without a word (linted as octoDNS publishes it: without them); write them all under one key", k.Value, o.pos(root.Content[j]))
			continue
		}
		owner, err := ownerName(k.Value, origin)
		if k.Value == "" {
			owner = origin
		}
		if err != nil {
			z.problem("zonesrc.bad-value", pos, k.Value, "", "name %q: %v", k.Value, err)
			continue
		}
		if read, changed := octoKeyName(k); changed {
			published := read + "." + origin
			if p, err := ownerName(read, origin); err == nil {
				published = p
			}
			z.problem("zonesrc.octodns-yaml-key", pos, owner, "",
				"key %s is not a string to octoDNS's YAML 1.1 loader: it names the record %s, not %s; quote it ('%s')", k.Value, published, owner, k.Value)
		}
		recs := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			recs = v.Content
		}
		for _, rec := range recs {
			group++
			n := len(z.Records)
			if err := o.record(owner, rec); err != nil {
				return nil, err
			}
			for range len(z.Records) - n {
				groups = append(groups, group)
			}
		}
	}
	z.duplicates(true, groups, "octoDNS takes one entry per name and type")
	z.sortProblems()
	return z, nil
}

// octoConfig returns an error for octoDNS's own configuration file
// (providers: and zones:), which names the zone files rather than being
// one: read as a zone, its keys would be records without a type.
func octoConfig(root *yaml.Node, name string) error {
	providers, _ := field(root, "providers")
	zones, _ := field(root, "zones")
	if providers == nil || zones == nil || providers.Kind != yaml.MappingNode || zones.Kind != yaml.MappingNode {
		return nil
	}
	where := "the zone files (ZONE.yaml) its YamlProvider reads"
	for i := 1; i < len(providers.Content); i += 2 {
		p := providers.Content[i]
		class, _ := field(p, "class")
		dir, _ := field(p, "directory")
		if class != nil && dir != nil && strings.HasSuffix(class.Value, "YamlProvider") {
			where = "the zone files its YamlProvider reads (" + path.Join(path.Dir(strings.ReplaceAll(name, `\`, "/")), dir.Value, "ZONE.yaml") + ")"
			break
		}
	}
	return &configError{fmt.Errorf("zonesrc: %s is an octoDNS configuration (providers:, zones:), not a zone: give %s, or read it with Open (-zone), which reads the zones it lists", name, where)}
}

// configError is the error for an octoDNS configuration read as a zone.
type configError struct{ error }

func (e *configError) Unwrap() error { return e.error }

type octo struct {
	z    *Zone
	file string
	x    *yamlExpander // the files of included nodes
	// lenient is the record's octodns.lenient: octoDNS takes what
	// its validators refuse (a target without its dot, a ';').
	lenient bool
	opts    octoOpts
}

func (o *octo) pos(n *yaml.Node) Position {
	return Position{File: o.x.file(n, o.file), Line: n.Line, Column: n.Column}
}

// field returns the value node of key in a mapping, and its key node.
func field(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], m.Content[i]
		}
	}
	return nil, nil
}

func comment(nodes ...*yaml.Node) string {
	var parts []string
	for _, n := range nodes {
		if n == nil {
			continue
		}
		for _, c := range []string{n.LineComment} {
			c = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c), "#"))
			if c != "" {
				parts = append(parts, c)
			}
		}
	}
	return strings.Join(parts, " ")
}

func (o *octo) record(owner string, rec *yaml.Node) error {
	o.lenient = o.opts.lenient
	z := o.z
	pos := o.pos(rec)
	if rec.Kind != yaml.MappingNode {
		return fmt.Errorf("zonesrc: %s: a record that is not a mapping", pos)
	}
	tn, _ := field(rec, "type")
	if tn == nil || tn.Kind != yaml.ScalarNode {
		return fmt.Errorf("zonesrc: %s: a record without a type", pos)
	}
	typ := strings.ToUpper(tn.Value)
	if provider, ptype, ok := strings.Cut(tn.Value, "/"); ok {
		// A provider's own type (octodns-route53's
		// Route53Provider/ALIAS): its value says what it answers.
		answers := ptype
		if v, _ := field(rec, "value"); v != nil {
			if t, _ := field(v, "type"); t != nil && t.Kind == yaml.ScalarNode {
				answers = strings.ToUpper(t.Value)
			}
		}
		z.note(Note{Pos: o.pos(tn), Field: "type", Expr: tn.Value, Name: owner, Type: answers,
			Message: owner + " " + tn.Value + " is " + provider + "'s own kind of record: what it answers depends on the provider"})
		return nil
	}
	if typ != tn.Value {
		z.problem("zonesrc.bad-value", o.pos(tn), owner, typ,
			"type %q: octoDNS knows record types in upper case and refuses the zone (linted as %s)", tn.Value, typ)
	}
	// Notes name the record: what they say is not known stands for it
	// (an ignored TXT is not a missing one).
	z.at(owner, typ)
	defer z.at("", "")
	ttl := uint32(octoDNSDefaultTTL)
	if o.opts.ttl != 0 {
		ttl = o.opts.ttl
	}
	if t, _ := field(rec, "ttl"); t != nil {
		v, err := strconv.ParseUint(t.Value, 10, 32)
		if err != nil {
			z.problem("zonesrc.bad-value", o.pos(t), owner, typ, "ttl %q is not a number of seconds", t.Value)
		} else {
			ttl = uint32(v)
		}
	}
	if meta, _ := field(rec, "octodns"); meta != nil {
		if ig, _ := field(meta, "ignored"); pyTruthy(ig) {
			z.note(Note{Pos: o.pos(ig), Field: "octodns.ignored", Message: owner + " " + typ + " is ignored by octoDNS: it manages whatever the provider holds there"})
			return nil
		}
		if l, _ := field(meta, "lenient"); pyTruthy(l) {
			o.lenient = true
		}
		// octodns-cloudflare's proxied record.
		cf, _ := field(meta, "cloudflare")
		if p, _ := field(cf, "proxied"); pyTruthy(p) {
			z.problem("zonesrc.cloudflare-proxied", o.pos(p), owner, typ,
				"%s %s is proxied by Cloudflare (octodns.cloudflare.proxied): it answers with Cloudflare's addresses, not this record", owner, typ)
		}
	}
	for _, k := range []string{"dynamic", "geo"} {
		if d, _ := field(rec, k); d != nil {
			z.note(Note{Pos: o.pos(d), Field: k, Message: owner + " " + typ + " answers by the resolver's location; its default values are linted"})
		}
	}
	var values []*yaml.Node
	vkey := (*yaml.Node)(nil)
	if v, k := field(rec, "values"); v != nil {
		vkey = k
		if v.Kind == yaml.SequenceNode {
			values = v.Content
		} else {
			values = []*yaml.Node{v}
		}
	} else if v, k := field(rec, "value"); v != nil {
		// octoDNS reads a list under value as values, for every type
		// that takes several (all but CNAME, DNAME and ALIAS).
		vkey = k
		if v.Kind == yaml.SequenceNode && !octoSingleValue[typ] {
			values = v.Content
		} else {
			values = []*yaml.Node{v}
		}
	}
	if len(values) == 0 {
		z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s has no value", owner, typ)
		return nil
	}
	for _, v := range values {
		data, ok := o.data(owner, typ, v)
		if !ok {
			continue
		}
		c := comment(v)
		if len(values) == 1 {
			c = comment(vkey, v)
		}
		z.add(Record{Name: owner, Type: typ, TTL: ttl, Data: data, Pos: o.pos(v), Comment: c})
	}
	return nil
}

// data renders one octoDNS value as RDATA; false when it is left out (a
// Note or a Problem says why).
func (o *octo) data(owner, typ string, v *yaml.Node) (string, bool) {
	z := o.z
	pos := o.pos(v)
	target := func(n *yaml.Node, key string) (string, bool) {
		if n == nil || n.Kind != yaml.ScalarNode || n.Value == "" {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s: missing %s", owner, typ, key)
			return "", false
		}
		if !strings.HasSuffix(n.Value, ".") && !o.lenient {
			z.problem("zonesrc.octodns-missing-dot", o.pos(n), owner, typ,
				"%s %s %q is missing its trailing dot: octoDNS refuses it unless the zone is lenient (linted as %s.)", typ, key, n.Value, n.Value)
		}
		t, err := targetName(n.Value, z.Origin, false)
		if err != nil {
			z.problem("zonesrc.bad-value", o.pos(n), owner, typ, "%s: %v", key, err)
			return "", false
		}
		return t, true
	}
	num := func(key string, dflt string) (string, bool) {
		n, _ := field(v, key)
		if n == nil {
			if dflt != "" {
				return dflt, true
			}
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s: missing %s", owner, typ, key)
			return "", false
		}
		if _, err := strconv.ParseUint(n.Value, 10, 16); err != nil {
			z.problem("zonesrc.bad-value", o.pos(n), owner, typ, "%s %s: %s %q is not a number", owner, typ, key, n.Value)
			return "", false
		}
		return n.Value, true
	}
	switch typ {
	case "A", "AAAA":
		if v.Kind != yaml.ScalarNode {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s: a value that is not an address", owner, typ)
			return "", false
		}
		return v.Value, true
	case "CNAME", "NS", "PTR", "DNAME":
		return target(v, "value")
	case "MX":
		key := "preference"
		if p, _ := field(v, key); p == nil {
			if p, _ := field(v, "priority"); p != nil {
				key = "priority" // the legacy name
			}
		}
		pref, ok := num(key, "")
		ex, _ := field(v, "exchange")
		if ex == nil {
			ex, _ = field(v, "value")
		}
		t, ok2 := target(ex, "exchange")
		return pref + " " + t, ok && ok2
	case "SRV":
		p, ok1 := num("priority", "")
		w, ok2 := num("weight", "")
		port, ok3 := num("port", "")
		tn, _ := field(v, "target")
		t, ok4 := target(tn, "target")
		return p + " " + w + " " + port + " " + t, ok1 && ok2 && ok3 && ok4
	case "CAA":
		flags, ok := num("flags", "0")
		tag, _ := field(v, "tag")
		val, _ := field(v, "value")
		if tag == nil || val == nil {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s CAA: missing tag or value", owner)
			return "", false
		}
		return flags + " " + tag.Value + " " + quoteString(val.Value), ok
	case "TLSA", "SSHFP", "DS":
		fields := octoData[typ]
		parts := make([]string, 0, len(fields))
		ok := true
		for _, f := range fields[:len(fields)-1] {
			n, ok1 := num(f, "")
			parts, ok = append(parts, n), ok && ok1
		}
		last := fields[len(fields)-1]
		s, _ := field(v, last)
		if s == nil || s.Kind != yaml.ScalarNode || s.Value == "" {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s: missing %s", owner, typ, last)
			return "", false
		}
		return strings.Join(append(parts, s.Value), " "), ok
	case "TXT", "SPF":
		if v.Kind != yaml.ScalarNode {
			z.problem("zonesrc.bad-value", pos, owner, typ, "%s %s: a value that is not a string", owner, typ)
			return "", false
		}
		return o.txt(owner, typ, v), true
	case "ALIAS", "URLFWD":
		z.note(Note{Pos: pos, Field: "type", Expr: typ, Message: owner + " " + typ + " is the provider's own kind of record: what it answers depends on the provider"})
		return "", false
	default:
		z.note(Note{Pos: pos, Field: "type", Expr: typ, Message: "records of type " + typ + " are not read"})
		return "", false
	}
}

// txt checks an octoDNS TXT value as octoDNS validates it and renders it
// as octoDNS publishes it.
func (o *octo) txt(owner, typ string, v *yaml.Node) string {
	z := o.z
	s := v.Value
	pos := o.pos(v)
	if o.opts.raw {
		// escaped_semicolons: false: octoDNS escapes every ; itself.
		s = strings.ReplaceAll(s, ";", `\;`)
	}
	if loc := octoUnescaped.FindStringIndex(s); loc != nil && !o.lenient {
		z.problem("zonesrc.octodns-unescaped-semicolon", pos, owner, typ,
			"unescaped ; in %q: octoDNS refuses the zone unless it is lenient; write \\; (in a YAML double-quoted string, \\\\;), or set escaped_semicolons: false on its YamlProvider (the default planned for octoDNS 2.0)", clip(s))
	}
	if octoDouble.MatchString(s) && !o.lenient {
		z.problem("zonesrc.octodns-double-escaped-semicolon", pos, owner, typ,
			"double-escaped ; in %q: octoDNS refuses the zone unless the record or the zone is lenient; write \\; once", clip(s))
	}
	for _, c := range s {
		if c >= 0x80 && !o.lenient {
			z.problem("zonesrc.octodns-non-ascii", pos, owner, typ, "non-ASCII character %q in %q: octoDNS refuses it unless the record or zone is lenient", c, clip(s))
			break
		}
	}
	// _ChunkedValue.process, then to_rdata_text.
	if s != "" && s[0] == '"' {
		s = s[1:max(1, len(s)-1)]
	}
	s = strings.ReplaceAll(s, `" "`, "")
	s = strings.ReplaceAll(s, `\;`, ";")
	return quoteTXT(chunk(s, maxString))
}

// clip shortens a long value for a message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
