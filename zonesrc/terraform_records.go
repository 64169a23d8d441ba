package zonesrc

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// tfVal is one attribute of a Terraform resource: its value when it
// could be taken literally, else why not.
type tfVal struct {
	known bool
	v     cty.Value
	pos   Position
	elems []Position // positions of a literal list's elements
	// fields are where an object's attributes are written, one map for
	// an object, one per element for a list of objects.
	fields []map[string]Position
	expr   string   // source text
	why    string   // when not known
	refs   []string // the references it makes, "cloudflare_zone.contoso.id"
}

// tfBlock is a resource (or data source, or nested block) with its
// attributes.
type tfBlock struct {
	mode    string // "resource", "data", "" for a nested block
	rtype   string // "cloudflare_record"
	name    string // "spf"
	key     string // the instance key for count or for_each: `["spf"]`, `[0]`
	addr    string // the whole address, when known (a plan's)
	module  string // the module path the references are relative to: "module.dns."
	attrs   map[string]tfVal
	blocks  map[string][]*tfBlock
	pos     Position
	comment string
}

// address is the resource's Terraform address: cloudflare_record.spf["a"].
func (b *tfBlock) address() string {
	if b.addr != "" {
		return b.addr
	}
	s := b.rtype + "." + b.name + b.key
	if b.mode == "data" {
		s = "data." + s
	}
	return s
}

func (b *tfBlock) get(name string) (tfVal, bool) {
	v, ok := b.attrs[name]
	if ok && v.known && v.v.IsNull() {
		return v, false
	}
	return v, ok
}

// nested returns the nested blocks of a kind: blocks written as blocks,
// or an attribute holding an object or a list of objects (a plan's
// values; Cloudflare v5's `data = {...}`).
func (b *tfBlock) nested(name string) []*tfBlock {
	if bs, ok := b.blocks[name]; ok {
		return bs
	}
	v, ok := b.get(name)
	if !ok || !v.known {
		return nil
	}
	var objs []cty.Value
	var poss []Position
	var fields []map[string]Position
	field := func(i int) map[string]Position {
		if i < len(v.fields) {
			return v.fields[i]
		}
		return nil
	}
	switch {
	case v.v.Type().IsObjectType() || v.v.Type().IsMapType():
		objs, poss, fields = []cty.Value{v.v}, []Position{v.pos}, []map[string]Position{field(0)}
	case v.v.CanIterateElements():
		i := 0
		for _, e := range v.v.Elements() {
			if e.IsKnown() && !e.IsNull() && (e.Type().IsObjectType() || e.Type().IsMapType()) {
				objs = append(objs, e)
				p := v.pos
				if i < len(v.elems) {
					p = v.elems[i]
				}
				poss = append(poss, p)
				fields = append(fields, field(i))
			}
			i++
		}
	}
	var out []*tfBlock
	for i, o := range objs {
		nb := &tfBlock{attrs: map[string]tfVal{}, pos: poss[i]}
		for k, e := range o.Elements() {
			p, ok := fields[i][k.AsString()]
			if !ok {
				p = poss[i]
			}
			nb.attrs[k.AsString()] = tfVal{known: e.IsWhollyKnown(), v: e, pos: p}
		}
		out = append(out, nb)
	}
	return out
}

// ctyString renders a known string, number or bool value as text.
func ctyString(v cty.Value) (string, bool) {
	if !v.IsWhollyKnown() || v.IsNull() {
		return "", false
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), true
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), true
	case cty.Bool:
		return strconv.FormatBool(v.True()), true
	}
	return "", false
}

func ctyUint(v cty.Value, max uint64) (uint64, bool) {
	if !v.IsWhollyKnown() || v.IsNull() {
		return 0, false
	}
	if v.Type() == cty.String {
		u, err := strconv.ParseUint(v.AsString(), 10, 64)
		return u, err == nil && u <= max
	}
	if v.Type() != cty.Number {
		return 0, false
	}
	f := v.AsBigFloat()
	if !f.IsInt() || f.Sign() < 0 || f.Cmp(new(big.Float).SetUint64(max)) > 0 {
		return 0, false
	}
	u, _ := f.Uint64()
	return u, true
}

// tfRecords turns record resources into records. It is shared by the
// HCL and plan readers, which differ in how values and zones are found.
type tfRecords struct {
	zones map[string]*Zone
	order []string
	// zoneOf finds the zone a record resource belongs to from the
	// attribute that names it; "" and a note when it cannot.
	zoneOf func(b *tfBlock, attr string) (string, *Note)
	notes  []Note // notes for resources in no zone
	groups map[*Zone][]int
	group  int
}

func (t *tfRecords) zone(origin, source string) *Zone {
	if z, ok := t.zones[origin]; ok {
		return z
	}
	z := &Zone{Origin: origin, Source: source}
	t.zones[origin] = z
	t.order = append(t.order, origin)
	return z
}

// recordTypes are the resources read, with the attribute that names
// their zone.
var recordTypes = map[string]string{
	"cloudflare_record":        "zone_id",
	"cloudflare_dns_record":    "zone_id",
	"aws_route53_record":       "zone_id",
	"azurerm_dns_a_record":     "zone_name",
	"azurerm_dns_aaaa_record":  "zone_name",
	"azurerm_dns_cname_record": "zone_name",
	"azurerm_dns_mx_record":    "zone_name",
	"azurerm_dns_txt_record":   "zone_name",
	"azurerm_dns_ns_record":    "zone_name",
	"azurerm_dns_srv_record":   "zone_name",
	"azurerm_dns_caa_record":   "zone_name",
	"google_dns_record_set":    "managed_zone",
}

// notKnown records a note for a value that was not evaluated.
func notKnown(z *Zone, b *tfBlock, field string, v tfVal) {
	msg := v.why
	if msg == "" {
		msg = "not known until apply"
	}
	z.note(Note{Pos: v.pos, Field: b.address() + "." + field, Expr: v.expr, Message: msg})
}

// resource reads one record resource instance.
func (t *tfRecords) resource(b *tfBlock, source string) {
	zattr := recordTypes[b.rtype]
	origin, n := t.zoneOf(b, zattr)
	if origin == "" {
		if n != nil {
			t.notes = append(t.notes, *n)
		}
		return
	}
	z := t.zone(origin, source)
	before := len(z.Records)
	r := tfRecord{t: t, z: z, b: b}
	switch {
	case strings.HasPrefix(b.rtype, "cloudflare_"):
		r.cloudflare()
	case b.rtype == "aws_route53_record":
		r.route53()
	case strings.HasPrefix(b.rtype, "azurerm_dns_"):
		r.azure(strings.ToUpper(strings.TrimSuffix(strings.TrimPrefix(b.rtype, "azurerm_dns_"), "_record")))
	case b.rtype == "google_dns_record_set":
		r.google()
	}
	t.group++
	g := t.group
	if strings.HasPrefix(b.rtype, "cloudflare_") || r.routing {
		g = -1 // one record a resource; or one of a routing policy's sets
	}
	for i := before; i < len(z.Records); i++ {
		z.Records[i].Comment = b.comment
		t.groups[z] = append(t.groups[z], g)
	}
}

type tfRecord struct {
	t       *tfRecords
	z       *Zone
	b       *tfBlock
	routing bool
}

// str returns a string attribute; ok false when it is absent or not
// known (then noted, when required).
func (r *tfRecord) str(name string, required bool) (string, Position, bool) {
	v, ok := r.b.get(name)
	if !ok {
		if required {
			r.z.problem("zonesrc.bad-value", r.b.pos, "", "", "%s has no %s", r.b.address(), name)
		}
		return "", r.b.pos, false
	}
	if !v.known {
		if required {
			notKnown(r.z, r.b, name, v)
		}
		return "", v.pos, false
	}
	s, ok := ctyString(v.v)
	if !ok && required {
		r.z.problem("zonesrc.bad-value", v.pos, "", "", "%s.%s is not a string", r.b.address(), name)
	}
	return s, v.pos, ok
}

// list returns a list of strings and the position of each.
func (r *tfRecord) list(name string) ([]string, []Position, bool) {
	v, ok := r.b.get(name)
	if !ok {
		r.z.problem("zonesrc.bad-value", r.b.pos, "", "", "%s has no %s", r.b.address(), name)
		return nil, nil, false
	}
	if !v.known {
		notKnown(r.z, r.b, name, v)
		return nil, nil, false
	}
	if !v.v.CanIterateElements() || v.v.Type().IsObjectType() || v.v.Type().IsMapType() {
		r.z.problem("zonesrc.bad-value", v.pos, "", "", "%s.%s is not a list", r.b.address(), name)
		return nil, nil, false
	}
	var out []string
	var poss []Position
	i := 0
	for _, e := range v.v.Elements() {
		s, ok := ctyString(e)
		if !ok {
			r.z.problem("zonesrc.bad-value", v.pos, "", "", "%s.%s holds a value that is not a string", r.b.address(), name)
			return nil, nil, false
		}
		out = append(out, s)
		p := v.pos
		if i < len(v.elems) {
			p = v.elems[i]
		}
		poss = append(poss, p)
		i++
	}
	return out, poss, true
}

func (r *tfRecord) ttl(dflt uint32) uint32 {
	v, ok := r.b.get("ttl")
	if !ok {
		return dflt
	}
	if !v.known {
		notKnown(r.z, r.b, "ttl", v)
		return dflt
	}
	u, ok := ctyUint(v.v, 1<<31-1)
	if !ok {
		r.z.problem("zonesrc.bad-value", v.pos, "", "", "%s.ttl is not a number of seconds", r.b.address())
		return dflt
	}
	return uint32(u)
}

func (r *tfRecord) add(owner, typ string, ttl uint32, data string, pos Position) {
	rec := Record{Name: owner, Type: typ, TTL: ttl, Data: data, Pos: pos}
	if recordLine(rec) == "" {
		r.z.problem("zonesrc.bad-value", pos, owner, typ, "%s: %s %s %q is not valid %s data", r.b.address(), owner, typ, clip(data), typ)
		return
	}
	r.z.add(rec)
}

func (r *tfRecord) target(owner, typ, name string, pos Position) (string, bool) {
	t, err := targetName(name, r.z.Origin, false)
	if err != nil {
		r.z.problem("zonesrc.bad-value", pos, owner, typ, "%s: target %q: %v", r.b.address(), name, err)
		return "", false
	}
	return t, true
}

func (r *tfRecord) owner(name string, pos Position) (string, bool) {
	o, err := ownerName(name, r.z.Origin)
	if err != nil {
		r.z.problem("zonesrc.bad-value", pos, name, "", "%s: name %q: %v", r.b.address(), name, err)
		return "", false
	}
	return o, true
}

// nestedUint reads a number from a nested block, as text.
func (r *tfRecord) nestedUint(nb *tfBlock, name string, dflt string) (string, bool) {
	v, ok := nb.get(name)
	if !ok {
		if dflt != "" {
			return dflt, true
		}
		r.z.problem("zonesrc.bad-value", nb.pos, "", "", "%s: a block without %s", r.b.address(), name)
		return "", false
	}
	if !v.known {
		notKnown(r.z, r.b, name, v)
		return "", false
	}
	u, ok := ctyUint(v.v, 65535)
	if !ok {
		r.z.problem("zonesrc.bad-value", v.pos, "", "", "%s: %s is not a number", r.b.address(), name)
		return "", false
	}
	return strconv.FormatUint(u, 10), true
}

func (r *tfRecord) nestedStr(nb *tfBlock, name string) (string, Position, bool) {
	v, ok := nb.get(name)
	if !ok {
		return "", nb.pos, false
	}
	if !v.known {
		notKnown(r.z, r.b, name, v)
		return "", v.pos, false
	}
	s, ok := ctyString(v.v)
	return s, v.pos, ok
}

// nameType reads a record-set resource's required name and type (the
// type in upper case, as master files and the readers compare it).
func (r *tfRecord) nameType() (name string, npos Position, typ string, ok bool) {
	name, npos, ok = r.str("name", true)
	if !ok {
		return "", npos, "", false
	}
	typ, _, ok = r.str("type", true)
	return name, npos, strings.ToUpper(typ), ok
}

// cloudflare reads cloudflare_record (provider v4) and
// cloudflare_dns_record (v5): one record a resource.
func (r *tfRecord) cloudflare() {
	name, npos, typ, ok := r.nameType()
	if !ok {
		return
	}
	ttl := r.ttl(1)
	if ttl == 1 {
		ttl = 300 // "automatic"
	}
	data := r.b.nested("data")
	var d *tfBlock
	if len(data) > 0 {
		d = data[0]
	}
	// SRV in v4: the owner is data's service.proto.name.
	if d != nil && typ == "SRV" {
		svc, _, ok1 := r.nestedStr(d, "service")
		proto, _, ok2 := r.nestedStr(d, "proto")
		if ok1 && ok2 {
			if dn, _, ok := r.nestedStr(d, "name"); ok {
				name = dn
			}
			name = svc + "." + proto + "." + name
		}
	}
	owner, ok := r.cloudflareName(name, npos)
	if !ok {
		return
	}
	r.z.at(owner, typ)
	defer r.z.at("", "")
	if v, ok := r.b.get("proxied"); ok && v.known && v.v.Type() == cty.Bool && v.v.True() {
		r.z.problem("zonesrc.cloudflare-proxied", v.pos, owner, typ,
			"%s (%s %s) is proxied: Cloudflare answers with its own addresses, not this record", r.b.address(), owner, typ)
	}
	content, cpos, hasContent := r.str("content", false)
	if !hasContent {
		content, cpos, hasContent = r.str("value", false)
	}
	if !hasContent && d == nil {
		for _, f := range []string{"content", "value"} {
			if v, ok := r.b.get(f); ok && !v.known {
				notKnown(r.z, r.b, f, v)
				return
			}
		}
		r.z.problem("zonesrc.bad-value", r.b.pos, owner, typ, "%s has no content", r.b.address())
		return
	}
	prio := func() (string, bool) {
		if d != nil {
			if _, ok := d.get("priority"); ok {
				return r.nestedUint(d, "priority", "")
			}
		}
		return r.nestedUint(r.b, "priority", "")
	}
	switch typ {
	case "TXT", "SPF":
		var strs []string
		if strings.HasPrefix(content, `"`) {
			toks, err := parseStrings(content, false)
			if err != nil {
				r.z.problem("zonesrc.txt-quoting", cpos, owner, typ, "%s: %v in %s, so Cloudflare refuses it", r.b.address(), err, clip(content))
				return
			}
			for _, t := range toks {
				strs = append(strs, chunk(t.s, maxString)...) // Cloudflare splits long strings
			}
		} else {
			strs = chunk(content, maxString)
		}
		r.add(owner, typ, ttl, quoteTXT(strs), cpos)
	case "MX":
		p, ok := prio()
		if !ok {
			return
		}
		t, ok := r.target(owner, typ, content, cpos)
		if ok {
			r.add(owner, typ, ttl, p+" "+t, cpos)
		}
	case "CNAME", "NS", "PTR":
		if t, ok := r.target(owner, typ, content, cpos); ok {
			r.add(owner, typ, ttl, t, cpos)
		}
	case "SRV":
		if d == nil {
			r.add(owner, typ, ttl, content, cpos)
			return
		}
		p, ok := prio()
		r.addSRV(owner, typ, ttl, d, p, ok)
	case "CAA":
		if d == nil {
			r.add(owner, typ, ttl, content, cpos)
			return
		}
		r.addCAA(owner, typ, ttl, d)
	case "TLSA", "SMIMEA", "SSHFP", "DS":
		if d == nil {
			r.add(owner, typ, ttl, content, cpos)
			return
		}
		r.addData(owner, typ, ttl, d, cloudflareData[typ])
	case "HTTPS", "SVCB":
		if d == nil {
			r.add(owner, typ, ttl, content, cpos)
			return
		}
		p, ok := r.nestedUint(d, "priority", "")
		tn, tpos, ok2 := r.nestedStr(d, "target")
		val, _, _ := r.nestedStr(d, "value")
		if !ok || !ok2 {
			return
		}
		t := "."
		if tn != "." {
			if t, ok = r.target(owner, typ, tn, tpos); !ok {
				return
			}
		}
		r.add(owner, typ, ttl, strings.TrimSpace(p+" "+t+" "+val), tpos)
	default:
		if d != nil && !hasContent {
			// Cloudflare's data for a type not rendered here (LOC,
			// NAPTR, URI, CERT…): not read, rather than read as empty.
			r.z.note(Note{Pos: d.pos, Field: r.b.address() + ".data", Message: owner + " " + typ + " given by data is not read"})
			return
		}
		r.add(owner, typ, ttl, content, cpos)
	}
}

// cloudflareData are the fields of Cloudflare's data for the types read
// from it, in RDATA order: numbers, then the hex string.
var cloudflareData = map[string][]string{
	"TLSA":   {"usage", "selector", "matching_type", "certificate"},
	"SMIMEA": {"usage", "selector", "matching_type", "certificate"},
	"SSHFP":  {"algorithm", "type", "fingerprint"},
	"DS":     {"key_tag", "algorithm", "digest_type", "digest"},
}

// addData adds a record of block nb whose RDATA is the numbers of fields
// but the last, then the last, a string.
func (r *tfRecord) addData(owner, typ string, ttl uint32, nb *tfBlock, fields []string) {
	parts := make([]string, 0, len(fields))
	for _, f := range fields[:len(fields)-1] {
		n, ok := r.nestedUint(nb, f, "")
		if !ok {
			return
		}
		parts = append(parts, n)
	}
	last := fields[len(fields)-1]
	s, pos, ok := r.nestedStr(nb, last)
	if !ok || s == "" {
		r.z.problem("zonesrc.bad-value", pos, owner, typ, "%s: a block without %s", r.b.address(), last)
		return
	}
	r.add(owner, typ, ttl, strings.Join(append(parts, s), " "), pos)
}

// addSRV adds the SRV record of block nb (Cloudflare's data, Azure's
// record) at priority p, read first by the caller (ok: it was read).
func (r *tfRecord) addSRV(owner, typ string, ttl uint32, nb *tfBlock, p string, ok bool) {
	w, ok2 := r.nestedUint(nb, "weight", "")
	port, ok3 := r.nestedUint(nb, "port", "")
	tn, pos, ok4 := r.nestedStr(nb, "target")
	if !(ok && ok2 && ok3 && ok4) {
		return
	}
	if t, ok := r.target(owner, typ, tn, pos); ok {
		r.add(owner, typ, ttl, p+" "+w+" "+port+" "+t, pos)
	}
}

// addCAA adds the CAA record of block nb (Cloudflare's data, Azure's
// record).
func (r *tfRecord) addCAA(owner, typ string, ttl uint32, nb *tfBlock) {
	flags, ok1 := r.nestedUint(nb, "flags", "0")
	tag, _, ok2 := r.nestedStr(nb, "tag")
	val, pos, ok3 := r.nestedStr(nb, "value")
	if ok1 && ok2 && ok3 {
		r.add(owner, typ, ttl, flags+" "+tag+" "+quoteString(val), pos)
	}
}

// cloudflareName: "@" is the apex, a name at or under the zone is
// absolute, any other is relative to the zone (as Cloudflare's API
// takes it).
func (r *tfRecord) cloudflareName(name string, pos Position) (string, bool) {
	name = strings.TrimSuffix(name, ".")
	if name != "@" && name != "" && inZone(name, r.z.Origin) {
		name += "."
	}
	return r.owner(name, pos)
}

// route53 reads aws_route53_record: one record set a resource.
func (r *tfRecord) route53() {
	name, npos, typ, ok := r.nameType()
	if !ok {
		return
	}
	// expandRecordName: a name not ending in the zone's is relative.
	rn := strings.ToLower(strings.TrimSuffix(name, "."))
	if !strings.HasSuffix(rn, r.z.Origin) {
		if rn == "" {
			rn = r.z.Origin
		} else {
			rn += "." + r.z.Origin
		}
	}
	owner, ok := r.owner(rn+".", npos)
	if !ok {
		return
	}
	r.z.at(owner, typ)
	defer r.z.at("", "")
	if a := r.b.nested("alias"); len(a) > 0 {
		tn, _, _ := r.nestedStr(a[0], "name")
		r.z.note(Note{Pos: a[0].pos, Field: r.b.address() + ".alias", Expr: tn,
			Message: owner + " " + typ + " is an alias: it answers with the records of its target"})
		return
	}
	if sid, _, ok := r.str("set_identifier", false); ok && sid != "" {
		r.routing = true
		r.z.note(Note{Pos: r.b.pos, Field: r.b.address() + ".set_identifier", Expr: sid,
			Message: owner + " " + typ + " has a routing policy: which record set answers depends on the query; all are linted together"})
	}
	ttl := r.ttl(300)
	vals, poss, ok := r.list("records")
	if !ok {
		return
	}
	for i, v := range vals {
		pos := poss[i]
		var data string
		var ok bool
		if typ == "TXT" || typ == "SPF" {
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && !strings.Contains(v[1:len(v)-1], `"`) {
				r.z.problem("zonesrc.txt-quoting", pos, owner, typ,
					"%s: the value is quoted, and the AWS provider quotes TXT values itself, so Route 53 gets %s: leave the quotes out (linted without them)", r.b.address(), clip(`"`+v+`"`))
				v = v[1 : len(v)-1]
			}
			// The provider sends "%s": \"\" inside splits strings.
			data, ok = txtPresentation(r.z, pos, owner, typ, `"`+v+`"`, true, "Route 53")
		} else {
			data, ok = route53Value(r.z, pos, owner, typ, v)
		}
		if ok {
			r.add(owner, typ, ttl, data, pos)
		}
	}
}

// azure reads azurerm_dns_*_record: one record set a resource, names
// relative to the zone ("@" the apex).
func (r *tfRecord) azure(typ string) {
	name, npos, ok := r.str("name", true)
	if !ok {
		return
	}
	owner, ok := r.owner(name, npos)
	if !ok {
		return
	}
	r.z.at(owner, typ)
	defer r.z.at("", "")
	ttl := r.ttl(3600)
	switch typ {
	case "A", "AAAA", "NS":
		vals, poss, ok := r.list("records")
		if !ok {
			return
		}
		for i, v := range vals {
			if typ == "NS" {
				t, ok := r.target(owner, typ, v, poss[i])
				if !ok {
					continue
				}
				v = t
			}
			r.add(owner, typ, ttl, v, poss[i])
		}
	case "CNAME":
		v, pos, ok := r.str("record", false)
		if !ok {
			if tr, ok := r.b.get("target_resource_id"); ok {
				r.z.note(Note{Pos: tr.pos, Field: r.b.address() + ".target_resource_id", Expr: tr.expr,
					Message: owner + " CNAME is an alias to an Azure resource: it answers with that resource's records"})
				return
			}
			r.str("record", true)
			return
		}
		if t, ok := r.target(owner, typ, v, pos); ok {
			r.add(owner, typ, ttl, t, pos)
		}
	case "MX", "SRV", "CAA", "TXT":
		blocks := r.b.nested("record")
		if len(blocks) == 0 {
			if v, ok := r.b.get("record"); ok && !v.known {
				notKnown(r.z, r.b, "record", v)
				return
			}
			r.z.problem("zonesrc.bad-value", r.b.pos, owner, typ, "%s has no record block", r.b.address())
		}
		for _, nb := range blocks {
			r.azureRecord(owner, typ, ttl, nb)
		}
	}
}

func (r *tfRecord) azureRecord(owner, typ string, ttl uint32, nb *tfBlock) {
	switch typ {
	case "MX":
		p, ok1 := r.nestedUint(nb, "preference", "")
		ex, pos, ok2 := r.nestedStr(nb, "exchange")
		if !ok1 || !ok2 {
			return
		}
		if t, ok := r.target(owner, typ, ex, pos); ok {
			r.add(owner, typ, ttl, p+" "+t, pos)
		}
	case "SRV":
		p, ok := r.nestedUint(nb, "priority", "")
		r.addSRV(owner, typ, ttl, nb, p, ok)
	case "CAA":
		r.addCAA(owner, typ, ttl, nb)
	case "TXT":
		// value: the provider splits it into 255-octet strings; values:
		// the strings as given, each at most 255 octets.
		if vs, ok := nb.get("values"); ok {
			if !vs.known {
				notKnown(r.z, r.b, "values", vs)
				return
			}
			var strs []string
			for _, e := range vs.v.Elements() {
				s, ok := ctyString(e)
				if !ok {
					continue
				}
				if len(s) > maxString {
					r.z.problem("zonesrc.txt-too-long", vs.pos, owner, typ,
						"%s: a string of %d octets in values: the provider takes at most 255 octets each, and does not split them as it splits value (linted as if split)", r.b.address(), len(s))
				}
				strs = append(strs, chunk(s, maxString)...)
			}
			r.add(owner, typ, ttl, quoteTXT(strs), vs.pos)
			return
		}
		val, pos, ok := r.nestedStr(nb, "value")
		if ok {
			r.add(owner, typ, ttl, quoteTXT(chunk(val, maxString)), pos)
		}
	}
}

// google reads google_dns_record_set: one record set a resource, name
// absolute, rrdatas in presentation form.
func (r *tfRecord) google() {
	name, npos, typ, ok := r.nameType()
	if !ok {
		return
	}
	if !strings.HasSuffix(name, ".") {
		r.z.problem("zonesrc.bad-value", npos, name, typ, "%s: name %q must end with a dot: Cloud DNS refuses it", r.b.address(), name)
		name += "."
	}
	owner, ok := r.owner(name, npos)
	if !ok {
		return
	}
	r.z.at(owner, typ)
	defer r.z.at("", "")
	if _, ok := r.b.get("routing_policy"); ok || len(r.b.blocks["routing_policy"]) > 0 {
		r.z.note(Note{Pos: r.b.pos, Field: r.b.address() + ".routing_policy",
			Message: owner + " " + typ + " has a routing policy: its answers depend on the query, and are not read"})
		return
	}
	ttl := r.ttl(300)
	vals, poss, ok := r.list("rrdatas")
	if !ok {
		return
	}
	for i, v := range vals {
		var data string
		var ok bool
		if typ == "TXT" || typ == "SPF" {
			data, ok = txtPresentation(r.z, poss[i], owner, typ, v, false, "Google Cloud DNS")
		} else {
			data, ok = route53Value(r.z, poss[i], owner, typ, v)
		}
		if ok {
			r.add(owner, typ, ttl, data, poss[i])
		}
	}
}
