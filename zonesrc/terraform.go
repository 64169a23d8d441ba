package zonesrc

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// ReadTerraform reads the DNS records of Terraform configuration files
// (HCL, .tf; files is file name to content, as a module's folder holds
// them) and returns one zone per DNS zone they put records in, in the
// order the zones first appear.
//
// Resources read: cloudflare_record (provider v4) and
// cloudflare_dns_record (v5), aws_route53_record, azurerm_dns_{a, aaaa,
// cname, mx, txt, ns, srv, caa}_record and google_dns_record_set. The zone
// of a record is found from the resource it references (zone_id =
// cloudflare_zone.x.id, aws_route53_zone, azurerm_dns_zone,
// google_dns_managed_zone, or a data source of those with a literal name),
// or from a literal zone_name (Azure) or managed_zone (Google).
//
// Values are taken literally and nothing else: a literal, a template of
// literals, a local value that is one, a literal argument of a resource
// or data source without count or for_each (aws_route53_zone.main.name,
// known when Terraform plans), and each.key, each.value and count.index
// of a literal for_each or count. Anything else — a variable, an
// attribute known only after apply (aws_route53_zone.main.zone_id), a
// function call — is a Note "not evaluated" and the record (or the resource, when its name, type or
// zone is such a value) is left out: never guessed. A module call is a
// Note too: ReadTerraform has no folder to read the module from (a plan
// holds its records; see ReadTerraformPlan), while ReadTerraformFS and
// Open read a module from a local folder (source = "./impl") with the
// call's literal arguments as its variables, and note the others. Each
// provider's own TXT handling is applied (see the Problems it reports).
func ReadTerraform(files map[string][]byte) ([]*Zone, error) { return readTerraform(files, "") }

// ReadTerraformIn is ReadTerraform for the records of domain: a record
// whose zone is not evaluated (zone_id = var.zone_id, as Cloudflare
// modules write it) is taken to be in domain's zone, and a note says so.
func ReadTerraformIn(files map[string][]byte, domain string) ([]*Zone, error) {
	return readTerraform(files, domain)
}

func readTerraform(files map[string][]byte, domain string) ([]*Zone, error) {
	return readTerraformMods(files, domain, nil)
}

// readTerraformMods is readTerraform reading the local modules the files
// call with load (nil: a module call is a note).
func readTerraformMods(files map[string][]byte, domain string, load tfModules) ([]*Zone, error) {
	blocks, comments, err := parseTF(files)
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %w", err)
	}
	rd := &tfReader{load: load, files: maps.Clone(files), comments: comments}
	for _, b := range files {
		rd.total += len(b)
	}
	ev := &tfEval{files: rd.files, locals: map[string]cty.Value{}, localPos: map[string]Position{}}
	// Every resource and data source instance, the modules' included.
	all := rd.scope(ev, blocks, "", 0)
	byAddr := map[string]*tfBlock{}
	for _, b := range all {
		byAddr[b.address()] = b
	}
	t := &tfRecords{zones: map[string]*Zone{}, groups: map[*Zone][]int{}}
	t.zoneOf = func(b *tfBlock, attr string) (string, *Note) {
		o, n := hclZoneOf(b, attr, byAddr, all)
		if o == "" && domain != "" {
			// The zone is not evaluated: the domain checked stands in,
			// and the record is read against it (a record of another
			// zone then falls outside it, as servers would have it).
			o = strings.ToLower(strings.TrimSuffix(domain, "."))
			if n != nil && !slices.ContainsFunc(t.notes, func(x Note) bool { return x.Expr == n.Expr }) {
				n.Message = fmt.Sprintf("the zone (%s) is not evaluated: the records that name it are read as %s's, the domain checked", n.Expr, o)
				t.notes = append(t.notes, *n)
			}
		}
		return o, n
	}
	for _, b := range all {
		if b.mode != "resource" || recordTypes[b.rtype] == "" || b.rtype == "" {
			continue
		}
		t.resource(b, b.pos.File+" (terraform)")
	}
	for _, u := range rd.unread {
		t.module(u.ev, u.b, byAddr, u.why)
	}
	return t.finish(), nil
}

// module notes a module call that is not read, and why: the records its
// module creates are not linted (a plan holds them evaluated). The note
// goes to the zone an argument of the call references, when that zone
// has records here.
func (t *tfRecords) module(ev *tfEval, b *hclsyntax.Block, byAddr map[string]*tfBlock, why string) {
	file := b.Range().Filename
	tb := ev.block(b.Body, file, inst{index: -1})
	tb.rtype, tb.name = "module", b.Labels[0]
	src := "?"
	if v, ok := tb.get("source"); ok && v.known {
		src, _ = ctyString(v.v)
	}
	n := Note{Pos: hpos(b.DefRange().Start, file), Field: "module." + b.Labels[0], Expr: src,
		Message: fmt.Sprintf("module %s (source %s) is not read (%s): the records it creates are not linted; lint a plan (terraform show -json) to read them", b.Labels[0], src, why)}
	for _, name := range slices.Sorted(maps.Keys(tb.attrs)) {
		if o, _ := zoneFromRefs(tb, name, tb.attrs[name], byAddr); o != "" {
			if z, ok := t.zones[o]; ok {
				z.NotEvaluated = append(z.NotEvaluated, n)
				return
			}
		}
	}
	t.notes = append(t.notes, n)
}

// finish orders the zones, runs the duplicate check and attaches the
// notes of resources in no zone to the first zone (or to a zone of
// their own, origin empty, when there is none).
func (t *tfRecords) finish() []*Zone {
	var out []*Zone
	for _, o := range t.order {
		z := t.zones[o]
		z.duplicates(true, t.groups[z], "two Terraform resources manage one record set, so the apply of the second fails or overwrites the first")
		z.sortProblems()
		sources := map[string]bool{}
		for _, r := range z.Records {
			sources[r.Pos.File] = true
		}
		if len(sources) > 1 {
			z.Source = strings.Join(slices.Sorted(maps.Keys(sources)), ", ") + " (terraform)"
		}
		out = append(out, z)
	}
	if len(t.notes) > 0 {
		if len(out) == 0 {
			out = append(out, &Zone{Source: "terraform"})
		}
		out[0].NotEvaluated = append(out[0].NotEvaluated, t.notes...)
	}
	for _, z := range out {
		slices.SortStableFunc(z.NotEvaluated, func(a, b Note) int {
			return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
		})
	}
	return out
}

// hclZoneOf finds a record's zone from the attribute naming it.
func hclZoneOf(b *tfBlock, attr string, byAddr map[string]*tfBlock, all []*tfBlock) (string, *Note) {
	v, ok := b.get(attr)
	if !ok {
		return "", &Note{Pos: b.pos, Field: b.address() + "." + attr, Message: "no " + attr + ": the record's zone is not known"}
	}
	if v.known {
		s, _ := ctyString(v.v)
		switch b.rtype {
		case "google_dns_record_set": // the managed zone's name, not its DNS name
			for _, z := range all {
				if z.rtype == "google_dns_managed_zone" && z.mode == "resource" {
					if n, _, ok := litStr(z, "name"); ok && n == s {
						if dn, _, ok := litStr(z, "dns_name"); ok {
							return zoneName(dn, b, attr, v)
						}
					}
				}
			}
		case "azurerm_dns_a_record", "azurerm_dns_aaaa_record", "azurerm_dns_cname_record", "azurerm_dns_mx_record",
			"azurerm_dns_txt_record", "azurerm_dns_ns_record", "azurerm_dns_srv_record", "azurerm_dns_caa_record":
			return zoneName(s, b, attr, v)
		}
		return "", &Note{Pos: v.pos, Field: b.address() + "." + attr, Expr: v.expr,
			Message: "the zone " + strconv.Quote(s) + " is named by an ID these files do not define: its records are not read"}
	}
	if z, n := zoneFromRefs(b, attr, v, byAddr); z != "" || n != nil {
		return z, n
	}
	msg := v.why
	if msg == "" {
		msg = "not known until apply"
	}
	return "", &Note{Pos: v.pos, Field: b.address() + "." + attr, Expr: v.expr, Message: msg + ": the record's zone is not known, so it is not read"}
}

// zoneFromRefs finds a record's zone from the zone resource (or data
// source) the attribute references.
func zoneFromRefs(b *tfBlock, attr string, v tfVal, byAddr map[string]*tfBlock) (string, *Note) {
	for _, ref := range v.refs {
		base := b.module
		if r, ok := strings.CutPrefix(ref, rootRef); ok {
			ref, base = r, "" // a module argument's reference, from the root
		}
		parts := strings.Split(ref, ".")
		if len(parts) < 3 {
			continue
		}
		addr := base + strings.Join(parts[:len(parts)-1], ".")
		z, ok := byAddr[addr]
		if !ok {
			continue
		}
		var field []string
		switch z.rtype {
		case "cloudflare_zone":
			field = []string{"zone", "name"}
		case "aws_route53_zone", "azurerm_dns_zone":
			field = []string{"name"}
		case "google_dns_managed_zone":
			field = []string{"dns_name"}
		default:
			continue
		}
		for _, f := range field {
			if s, fv, ok := litStr(z, f); ok {
				return zoneName(s, b, attr, fv)
			}
		}
		// data "cloudflare_zone" in v5: filter = { name = "…" }.
		if fb := z.nested("filter"); len(fb) > 0 {
			if s, fv, ok := litStr(fb[0], "name"); ok {
				return zoneName(s, b, attr, fv)
			}
		}
	}
	return "", nil
}

func zoneName(s string, b *tfBlock, attr string, v tfVal) (string, *Note) {
	n, err := normName(s)
	if err != nil {
		return "", &Note{Pos: v.pos, Field: b.address() + "." + attr, Expr: v.expr, Message: "zone " + strconv.Quote(s) + ": " + err.Error()}
	}
	return n, nil
}

func litStr(b *tfBlock, name string) (string, tfVal, bool) {
	v, ok := b.get(name)
	if !ok || !v.known {
		return "", v, false
	}
	s, ok := ctyString(v.v)
	return s, v, ok
}

// tfEval evaluates HCL expressions with literal values only.
type tfEval struct {
	files    map[string][]byte
	locals   map[string]cty.Value
	localPos map[string]Position // where each local's value is written
	// resources are the literal arguments of the resources and data
	// sources without count or for_each, as references name them:
	// "aws_route53_zone" → {main: {name: …}}, "data" → {type: {name: …}}.
	resources map[string]cty.Value
	// In a module called: its variables that are literals, where the
	// call (or the default) writes them, where the keys and values of
	// those that are literal objects are written, and why the others
	// are not known.
	vars               map[string]cty.Value
	varPos             map[string]Position
	varKeyAt, varValAt map[string]map[string]Position
	varWhy             map[string]string
	// varRefs are the references of the arguments that are not
	// literals, as rootRef and their address from the root (the zone
	// resource a var.zone_id stands for).
	varRefs map[string][]string
}

// rootRef marks a reference written from the root module, not the one
// whose expression holds it.
const rootRef = "::"

// varName is the variable a traversal var.name… names; "" for others.
func varName(tr hcl.Traversal) string {
	if tr.RootName() != "var" || len(tr) < 2 {
		return ""
	}
	if a, ok := tr[1].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// setResources makes the known arguments of the instances (those of
// resources without count or for_each) referable, and returns how many
// there are.
func (e *tfEval) setResources(all []*tfBlock) int {
	byType := map[string]map[string]cty.Value{}
	dataByType := map[string]map[string]cty.Value{}
	n := 0
	for _, b := range all {
		if b.key != "" || b.attrs["count"].expr != "" || b.attrs["for_each"].expr != "" {
			continue
		}
		attrs := map[string]cty.Value{}
		for name, v := range b.attrs {
			if v.known {
				attrs[name] = v.v
			}
		}
		if len(attrs) == 0 {
			continue
		}
		n += len(attrs)
		m := byType
		if b.mode == "data" {
			m = dataByType
		}
		if m[b.rtype] == nil {
			m[b.rtype] = map[string]cty.Value{}
		}
		m[b.rtype][b.name] = cty.ObjectVal(attrs)
	}
	e.resources = map[string]cty.Value{}
	for t, names := range byType {
		switch t {
		case "local", "var", "each", "count", "module", "path", "terraform", "self", "data":
			continue
		}
		e.resources[t] = cty.ObjectVal(names)
	}
	if len(dataByType) > 0 {
		data := map[string]cty.Value{}
		for t, names := range dataByType {
			data[t] = cty.ObjectVal(names)
		}
		e.resources["data"] = cty.ObjectVal(data)
	}
	return n
}

// inst is one instance of a resource with count or for_each: the values
// of each and count, and where they are written.
type inst struct {
	vars            map[string]cty.Value
	eachKey, eachAt Position // the for_each element's key and value
	index           int      // count.index; -1 without count
}

func hpos(p hcl.Pos, file string) Position {
	return Position{File: file, Line: p.Line, Column: p.Column}
}

// evalLocals evaluates the locals that are literals (or made of other
// such locals), in as many passes as it takes.
func (e *tfEval) evalLocals(blocks []*hclsyntax.Block) {
	type pending struct {
		name string
		expr hclsyntax.Expression
	}
	var todo []pending
	for _, b := range blocks {
		if b.Type != "locals" {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(b.Body.Attributes)) {
			a := b.Body.Attributes[name]
			todo = append(todo, pending{name, a.Expr})
			e.localPos[name] = hpos(a.Expr.StartRange().Start, a.Expr.Range().Filename)
		}
	}
	for progress := true; progress && len(todo) > 0; {
		progress = false
		var next []pending
		for _, p := range todo {
			v, ok := e.value(p.expr, nil)
			if ok {
				e.locals[p.name] = v
				progress = true
			} else {
				next = append(next, p)
			}
		}
		todo = next
	}
}

// value evaluates expr; ok only when it is wholly known from literals.
func (e *tfEval) value(expr hclsyntax.Expression, extra map[string]cty.Value) (cty.Value, bool) {
	if hasCall(expr) {
		return cty.NilVal, false
	}
	// Only what expr references: copying every local or resource type
	// for each expression made reading quadratic in them.
	vars := map[string]cty.Value{}
	locals, mvars := map[string]cty.Value{}, map[string]cty.Value{}
	for _, tr := range expr.Variables() {
		name := ""
		if len(tr) > 1 {
			if a, ok := tr[1].(hcl.TraverseAttr); ok {
				name = a.Name
			}
		}
		switch root := tr.RootName(); root {
		case "local":
			if v, ok := e.locals[name]; ok {
				locals[name] = v
			}
		case "var":
			if v, ok := e.vars[name]; ok {
				mvars[name] = v
			}
		default:
			if v, ok := e.resources[root]; ok {
				vars[root] = v
			}
		}
	}
	vars["local"] = cty.ObjectVal(locals)
	if e.vars != nil {
		vars["var"] = cty.ObjectVal(mvars)
	}
	maps.Copy(vars, extra)
	v, diags := expr.Value(&hcl.EvalContext{Variables: vars})
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

func hasCall(expr hclsyntax.Expression) bool {
	found := false
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			found = true
		}
		return nil
	})
	return found
}

// why says why an expression could not be taken literally.
func (e *tfEval) why(expr hclsyntax.Expression) (string, []string) {
	var refs []string
	var why string
	for _, tr := range expr.Variables() {
		s := traversalString(tr)
		if vr := e.varRefs[varName(tr)]; vr != nil {
			refs = append(refs, vr...) // what the module's caller references
		} else {
			refs = append(refs, s)
		}
		if why != "" {
			continue
		}
		switch root := tr.RootName(); root {
		case "var":
			why = "a variable (" + s + "): its value is set outside these files"
			if w := e.varWhy[varName(tr)]; w != "" {
				why = "a variable (" + s + "): " + w
			}
		case "local":
			why = "a local value (" + s + ") that is not a literal"
		case "each", "count":
			why = s + " of a for_each or count that is not a literal"
		case "data":
			why = "a reference to " + s + ": known only when Terraform runs"
		case "module", "path", "terraform":
			why = "a reference to " + s + ": known only when Terraform runs"
		default:
			why = "a reference to " + s + ": known only after apply"
		}
	}
	if why == "" && hasCall(expr) {
		why = "a function call: its result is not computed here"
	}
	if why == "" {
		why = "not a literal value"
	}
	return why, refs
}

func traversalString(tr hcl.Traversal) string {
	var b strings.Builder
	for i, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if str, ok := ctyString(s.Key); ok && s.Key.Type() == cty.String {
				b.WriteString("[" + strconv.Quote(str) + "]")
			} else if ok {
				b.WriteString("[" + str + "]")
			} else {
				b.WriteString("[?]")
			}
		default:
			if i == 0 {
				b.WriteString("?")
			}
		}
	}
	return b.String()
}

// instances expands a resource block by its count or for_each, when they
// are literals; otherwise the block is one instance whose each/count
// references are not evaluated.
func (e *tfEval) instances(b *hclsyntax.Block, comments hclsyntax.Tokens) []*tfBlock {
	file := b.Range().Filename
	mode := b.Type
	base := func(key string, in inst) *tfBlock {
		tb := e.block(b.Body, file, in)
		tb.mode, tb.rtype, tb.name, tb.key = mode, b.Labels[0], b.Labels[1], key
		tb.pos = hpos(b.DefRange().Start, file)
		tb.comment = blockComment(b, comments)
		return tb
	}
	if fe, ok := b.Body.Attributes["for_each"]; ok {
		v, known := e.value(fe.Expr, nil)
		if !known || !(v.Type().IsObjectType() || v.Type().IsMapType() || v.Type().IsSetType()) {
			tb := base("", inst{index: -1})
			why, _ := e.why(fe.Expr)
			tb.attrs["for_each"] = tfVal{pos: hpos(fe.Expr.StartRange().Start, file), expr: e.text(fe.Expr), why: why}
			return []*tfBlock{tb}
		}
		// Where each element is written, for a literal map (or a
		// module's variable that the call writes as one).
		keyAt, valAt := map[string]Position{}, map[string]Position{}
		if st, ok := fe.Expr.(*hclsyntax.ScopeTraversalExpr); ok {
			if s := traversalString(st.Traversal); strings.HasPrefix(s, "var.") && e.varKeyAt[s[len("var."):]] != nil {
				keyAt, valAt = e.varKeyAt[s[len("var."):]], e.varValAt[s[len("var."):]]
			}
		}
		if oc, ok := fe.Expr.(*hclsyntax.ObjectConsExpr); ok {
			for _, item := range oc.Items {
				if k, ok := e.value(item.KeyExpr, nil); ok {
					if ks, ok := ctyString(k); ok {
						keyAt[ks] = hpos(item.KeyExpr.StartRange().Start, file)
						valAt[ks] = hpos(item.ValueExpr.StartRange().Start, file)
					}
				}
			}
		}
		var out []*tfBlock
		for k, ev := range v.Elements() {
			key, _ := ctyString(k)
			if v.Type().IsSetType() {
				key, _ = ctyString(ev)
			}
			each := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": ev})
			in := inst{vars: map[string]cty.Value{"each": each}, eachKey: keyAt[key], eachAt: valAt[key], index: -1}
			out = append(out, base("["+strconv.Quote(key)+"]", in))
		}
		return out
	}
	if c, ok := b.Body.Attributes["count"]; ok {
		v, known := e.value(c.Expr, nil)
		n, isNum := uint64(0), false
		if known {
			n, isNum = ctyUint(v, 1000)
		}
		if !isNum {
			tb := base("", inst{index: -1})
			why, _ := e.why(c.Expr)
			tb.attrs["count"] = tfVal{pos: hpos(c.Expr.StartRange().Start, file), expr: e.text(c.Expr), why: why}
			return []*tfBlock{tb}
		}
		var out []*tfBlock
		for i := range n {
			idx := cty.ObjectVal(map[string]cty.Value{"index": cty.NumberUIntVal(i)})
			in := inst{vars: map[string]cty.Value{"count": idx}, index: int(i)}
			out = append(out, base("["+strconv.FormatUint(i, 10)+"]", in))
		}
		return out
	}
	return []*tfBlock{base("", inst{index: -1})}
}

// blockComment joins the comments written inside or beside a block.
func blockComment(b *hclsyntax.Block, comments hclsyntax.Tokens) string {
	r := b.Range()
	var parts []string
	for _, t := range comments {
		if t.Range.Start.Line >= r.Start.Line && t.Range.Start.Line <= r.End.Line {
			c := strings.TrimSpace(string(t.Bytes))
			c = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(c, "#"), "//"), "/*")
			c = strings.TrimSpace(strings.TrimSuffix(c, "*/"))
			if c != "" {
				parts = append(parts, c)
			}
		}
	}
	return strings.Join(parts, " ")
}

// text returns an expression's source text, on one line.
func (e *tfEval) text(expr hclsyntax.Expression) string {
	r := expr.Range()
	src := e.files[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return clip(strings.Join(strings.Fields(string(src[r.Start.Byte:r.End.Byte])), " "))
}

// block reads a body's attributes and nested blocks.
func (e *tfEval) block(body *hclsyntax.Body, file string, in inst) *tfBlock {
	tb := &tfBlock{attrs: map[string]tfVal{}, blocks: map[string][]*tfBlock{}, pos: hpos(body.SrcRange.Start, file)}
	for name, a := range body.Attributes {
		tv := tfVal{pos: e.valuePos(a.Expr, file, in), expr: e.text(a.Expr)}
		objFields := func(x hclsyntax.Expression) map[string]Position {
			oc, ok := x.(*hclsyntax.ObjectConsExpr)
			if !ok {
				return nil
			}
			m := map[string]Position{}
			for _, item := range oc.Items {
				if k, ok := e.value(item.KeyExpr, in.vars); ok {
					if ks, ok := ctyString(k); ok {
						m[ks] = e.valuePos(item.ValueExpr, file, in)
					}
				}
			}
			return m
		}
		if f := objFields(a.Expr); f != nil {
			tv.fields = []map[string]Position{f}
		}
		if tc, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok {
			for _, el := range tc.Exprs {
				tv.elems = append(tv.elems, e.valuePos(el, file, in))
				tv.fields = append(tv.fields, objFields(el))
			}
		}
		if v, ok := e.value(a.Expr, in.vars); ok {
			tv.known, tv.v = true, v
		} else {
			tv.why, tv.refs = e.why(a.Expr)
		}
		tb.attrs[name] = tv
	}
	for _, nb := range body.Blocks {
		child := e.block(nb.Body, file, in)
		child.pos = hpos(nb.DefRange().Start, file)
		tb.blocks[nb.Type] = append(tb.blocks[nb.Type], child)
	}
	return tb
}

// valuePos is where the value of expr is written: the expression itself,
// or, when it only names a value written elsewhere, that place — the
// local's definition, the for_each element, the element of a literal
// list that count.index picks.
func (e *tfEval) valuePos(expr hclsyntax.Expression, file string, in inst) Position {
	at := hpos(expr.StartRange().Start, file)
	for {
		tw, ok := expr.(*hclsyntax.TemplateWrapExpr)
		if !ok {
			break
		}
		expr = tw.Wrapped
	}
	switch x := expr.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		s := traversalString(x.Traversal)
		switch {
		case strings.HasPrefix(s, "local.") && !strings.ContainsAny(s[len("local."):], ".["):
			if p, ok := e.localPos[s[len("local."):]]; ok {
				return p
			}
		case strings.HasPrefix(s, "var.") && !strings.ContainsAny(s[len("var."):], ".["):
			if p, ok := e.varPos[s[len("var."):]]; ok {
				return p
			}
		case s == "each.value" && !in.eachAt.IsZero():
			return in.eachAt
		case s == "each.key" && !in.eachKey.IsZero():
			return in.eachKey
		}
	case *hclsyntax.IndexExpr:
		tc, ok := x.Collection.(*hclsyntax.TupleConsExpr)
		if ok && in.index >= 0 && in.index < len(tc.Exprs) {
			if k, ok := e.value(x.Key, in.vars); ok {
				if i, ok := ctyUint(k, uint64(len(tc.Exprs))); ok && int(i) == in.index {
					return e.valuePos(tc.Exprs[i], file, in)
				}
			}
		}
	}
	return at
}
