package zonesrc

import (
	"fmt"
	"io"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// ReadTerraformPlan reads the JSON of `terraform show -json` — of a saved
// plan (its planned values: the records as they will be after apply) or
// of the state (its values) — and returns the DNS zones of the record
// resources ReadTerraform reads, with values as Terraform evaluated them.
// Values known only after apply are Notes. A record's zone is the zone
// resource or data source whose ID its zone attribute holds, or, when the
// ID is not known yet, the one the configuration references. Positions
// point into the JSON; messages name the resource addresses.
func ReadTerraformPlan(r io.Reader, name string) ([]*Zone, error) {
	f, root, err := readJSON(r, name)
	if err != nil {
		return nil, err
	}
	values := root.get("planned_values")
	if values == nil {
		values = root.get("values")
	}
	if root.kind != 'o' || values == nil {
		return nil, fmt.Errorf("zonesrc: %s: not `terraform show -json` output (no planned_values or values)", name)
	}
	// after_unknown and the configuration's references, by address.
	unknown := map[string]*jnode{}
	for _, rc := range root.get("resource_changes").elems() {
		unknown[rc.get("address").text()] = rc.get("change").get("after_unknown")
	}
	refs := map[string]*jnode{}
	var config func(m *jnode, prefix string)
	config = func(m *jnode, prefix string) {
		for _, res := range m.get("resources").elems() {
			refs[prefix+res.get("address").text()] = res.get("expressions")
		}
		if mc := m.get("module_calls"); mc != nil && mc.kind == 'o' {
			for i, k := range mc.keys {
				config(mc.vals[i].get("module"), prefix+"module."+k+".")
			}
		}
	}
	config(root.get("configuration").get("root_module"), "")

	var all []*tfBlock
	var walk func(m *jnode)
	walk = func(m *jnode) {
		for _, res := range m.get("resources").elems() {
			all = append(all, planBlock(f, res, unknown, refs))
		}
		for _, c := range m.get("child_modules").elems() {
			walk(c)
		}
	}
	walk(values.get("root_module"))
	if ps := root.get("prior_state").get("values"); ps != nil {
		// Data sources read during the plan are in the prior state.
		var data func(m *jnode)
		data = func(m *jnode) {
			for _, res := range m.get("resources").elems() {
				if res.get("mode").text() == "data" {
					all = append(all, planBlock(f, res, unknown, refs))
				}
			}
			for _, c := range m.get("child_modules").elems() {
				data(c)
			}
		}
		data(ps.get("root_module"))
	}
	byAddr := map[string]*tfBlock{}
	for _, b := range all {
		byAddr[b.address()] = b
	}
	t := &tfRecords{zones: map[string]*Zone{}, groups: map[*Zone][]int{}}
	t.zoneOf = func(b *tfBlock, attr string) (string, *Note) { return planZoneOf(b, attr, byAddr, all) }
	for _, b := range all {
		if b.mode == "managed" && recordTypes[b.rtype] != "" {
			b.mode = "resource"
			t.resource(b, name+" (terraform plan)")
		}
	}
	return t.finish(), nil
}

// planBlock turns one resource of the plan's values into a tfBlock.
func planBlock(f *jfile, res *jnode, unknown, refs map[string]*jnode) *tfBlock {
	addr := res.get("address").text()
	b := &tfBlock{mode: res.get("mode").text(), rtype: res.get("type").text(), name: res.get("name").text(),
		addr: addr, attrs: map[string]tfVal{}, pos: f.pos(res)}
	if i := strings.LastIndex(configAddress(addr), b.rtype+"."+b.name); i > 0 {
		b.module = configAddress(addr)[:i]
		b.module = strings.TrimSuffix(b.module, "data.")
	}
	vals := res.get("values")
	if vals == nil {
		vals = &jnode{}
	}
	for i, k := range vals.keys {
		n := vals.vals[i]
		tv := tfVal{known: true, v: jnodeCty(n), pos: f.pos(n), expr: ""}
		fieldsOf := func(o *jnode) map[string]Position {
			m := map[string]Position{}
			for j, k := range o.keys {
				m[k] = f.pos(o.vals[j])
			}
			return m
		}
		if n.kind == 'o' {
			tv.fields = []map[string]Position{fieldsOf(n)}
		}
		for _, e := range n.elems() {
			tv.elems = append(tv.elems, f.pos(e))
			tv.fields = append(tv.fields, fieldsOf(e))
		}
		b.attrs[k] = tv
	}
	cfg := refs[configAddress(addr)]
	if au := unknown[addr]; au != nil && au.kind == 'o' {
		for i, k := range au.keys {
			if au.vals[i].kind == 'b' && au.vals[i].b {
				tv := tfVal{pos: f.pos(au.vals[i]), why: "known only after apply"}
				for _, r := range cfg.get(k).get("references").elems() {
					tv.refs = append(tv.refs, r.text())
				}
				b.attrs[k] = tv
			}
		}
	}
	return b
}

// configAddress drops instance keys: module.a["x"].cloudflare_record.b[0]
// is module.a.cloudflare_record.b in the configuration.
func configAddress(addr string) string {
	var b strings.Builder
	depth := 0
	inStr := false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
			continue
		case c == '"' && depth > 0:
			inStr = true
			continue
		case c == '[':
			depth++
			continue
		case c == ']':
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func jnodeCty(n *jnode) cty.Value {
	switch n.kind {
	case 's':
		return cty.StringVal(n.str)
	case 'n':
		v, err := cty.ParseNumberVal(n.num.String())
		if err != nil {
			return cty.NullVal(cty.Number)
		}
		return v
	case 'b':
		return cty.BoolVal(n.b)
	case 'a':
		if len(n.vals) == 0 {
			return cty.EmptyTupleVal
		}
		vs := make([]cty.Value, len(n.vals))
		for i, e := range n.vals {
			vs[i] = jnodeCty(e)
		}
		return cty.TupleVal(vs)
	case 'o':
		if len(n.keys) == 0 {
			return cty.EmptyObjectVal
		}
		m := make(map[string]cty.Value, len(n.keys))
		for i, k := range n.keys {
			m[k] = jnodeCty(n.vals[i])
		}
		return cty.ObjectVal(m)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// planZoneOf finds a record's zone in a plan: the zone whose ID (or, for
// Azure, name; for Google, managed-zone name) the attribute holds, else
// the one the configuration references.
func planZoneOf(b *tfBlock, attr string, byAddr map[string]*tfBlock, all []*tfBlock) (string, *Note) {
	v, ok := b.get(attr)
	if !ok {
		return "", &Note{Pos: b.pos, Field: b.address() + "." + attr, Message: "no " + attr + ": the record's zone is not known"}
	}
	if v.known {
		s, _ := ctyString(v.v)
		if strings.HasPrefix(b.rtype, "azurerm_dns_") {
			return zoneName(s, b, attr, v)
		}
		for _, z := range all {
			switch z.rtype {
			case "cloudflare_zone":
				if id, _, ok := litStr(z, "id"); ok && id == s {
					for _, f := range []string{"zone", "name"} {
						if n, fv, ok := litStr(z, f); ok {
							return zoneName(n, b, attr, fv)
						}
					}
				}
			case "aws_route53_zone":
				for _, f := range []string{"zone_id", "id"} {
					if id, _, ok := litStr(z, f); ok && id == s {
						if n, fv, ok := litStr(z, "name"); ok {
							return zoneName(n, b, attr, fv)
						}
					}
				}
			case "google_dns_managed_zone":
				if n, _, ok := litStr(z, "name"); ok && n == s {
					if dn, fv, ok := litStr(z, "dns_name"); ok {
						return zoneName(dn, b, attr, fv)
					}
				}
			}
		}
		return "", &Note{Pos: v.pos, Field: b.address() + "." + attr,
			Message: fmt.Sprintf("the zone %q is not among the plan's zone resources and data sources: its records are not read", s)}
	}
	if z, n := zoneFromRefs(b, attr, v, byAddr); z != "" || n != nil {
		return z, n
	}
	return "", &Note{Pos: v.pos, Field: b.address() + "." + attr, Message: "known only after apply, and the configuration references no zone in the plan: the record's zone is not known, so it is not read"}
}
