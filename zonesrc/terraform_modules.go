package zonesrc

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// maxModuleDepth bounds modules called by modules, and maxModuleCalls
// the module calls read in all (a module calling itself twice at each
// level would be read 2^depth times).
const (
	maxModuleDepth = 8
	maxModuleCalls = 256
	// maxRefRounds bounds the rounds of reading a module's instances
	// again as references to literal arguments make more values known:
	// a reference to a reference … deeper than this is noted as not
	// evaluated, and hostile input cannot make the reading quadratic.
	maxRefRounds = 16
)

// tfModules reads the .tf files of a local module's folder, dir a slash
// path in the names of the files read (the calling file's folder joined
// with the call's source), keyed by those names.
type tfModules func(dir string) (map[string][]byte, error)

// fsModules reads modules from fsys, as a folder's .tf files are read.
func fsModules(fsys fs.FS) tfModules {
	return func(dir string) (map[string][]byte, error) {
		if !fs.ValidPath(dir) {
			return nil, fmt.Errorf("%s is outside the folder read", dir)
		}
		files, err := tfFiles(fsys, dir)
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("%s has no .tf files", dir)
		}
		return files, err
	}
}

// tfFiles reads the .tf files of one folder of fsys, named dir/file.tf.
func tfFiles(fsys fs.FS, dir string) (map[string][]byte, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	total := 0
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		p := path.Join(dir, e.Name())
		b, err := readFSFile(fsys, p)
		if err != nil {
			return nil, err
		}
		total += len(b)
		if total > MaxInput {
			return nil, fmt.Errorf("%s: the .tf files are over %d bytes", dir, MaxInput)
		}
		files[p] = b
	}
	return files, nil
}

// readFSFile reads the regular file p of fsys, within MaxInput: a link
// to a device (/dev/zero) or a FIFO is refused, not read.
func readFSFile(fsys fs.FS, p string) ([]byte, error) {
	// Stat first: opening a FIFO waits for a writer.
	if fi, err := fs.Stat(fsys, p); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", p, fi.Mode().Type())
	}
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", p, fi.Mode().Type())
	}
	if fi.Size() > MaxInput {
		return nil, fmt.Errorf("%s: input over %d bytes", p, MaxInput)
	}
	b, err := readAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return b, nil
}

// parseTF parses .tf files: their top-level blocks, in the order of the
// files' names, and their comments by file.
func parseTF(files map[string][]byte) ([]*hclsyntax.Block, map[string]hclsyntax.Tokens, error) {
	var blocks []*hclsyntax.Block
	comments := map[string]hclsyntax.Tokens{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		src := files[name]
		if len(src) > MaxInput {
			return nil, nil, fmt.Errorf("%s: input over %d bytes", name, MaxInput)
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, nil, diags
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		blocks = append(blocks, body.Blocks...)
		toks, _ := hclsyntax.LexConfig(src, name, hcl.InitialPos)
		for _, t := range toks {
			if t.Type == hclsyntax.TokenComment {
				comments[name] = append(comments[name], t)
			}
		}
	}
	return blocks, comments, nil
}

// tfReader reads a configuration: the root module and the local modules
// it calls, each in its own scope.
type tfReader struct {
	load     tfModules // nil: module calls are not read
	files    map[string][]byte
	comments map[string]hclsyntax.Tokens
	total    int
	calls    int
	unread   []tfUnread
}

// tfUnread is a module call not read, and why.
type tfUnread struct {
	ev  *tfEval
	b   *hclsyntax.Block
	why string
}

// scope returns the resource and data source instances of one module's
// blocks, evaluated with ev (the root's, or a call's with its arguments
// as var), and those of the local modules they call. prefix is the
// module's address ("module.dns."), "" for the root.
func (r *tfReader) scope(ev *tfEval, blocks []*hclsyntax.Block, prefix string, depth int) []*tfBlock {
	// A literal argument of a resource is known when Terraform plans,
	// and so is a reference to it (aws_route53_zone.main.name): the
	// instances are read again while such references make more values
	// known.
	var all []*tfBlock
	for known, round := -1, 0; ; round++ {
		ev.evalLocals(blocks)
		all = all[:0]
		for _, b := range blocks {
			if (b.Type != "resource" && b.Type != "data") || len(b.Labels) != 2 {
				continue
			}
			for _, tb := range ev.instances(b, r.comments[b.Range().Filename]) {
				if prefix != "" {
					tb.addr, tb.module = prefix+tb.address(), prefix
				}
				all = append(all, tb)
			}
		}
		if round == maxRefRounds {
			break
		}
		n := ev.setResources(all)
		if n == known {
			break
		}
		known = n
	}
	for _, b := range blocks {
		if b.Type != "module" || len(b.Labels) != 1 {
			continue
		}
		sub, why := r.call(ev, b, prefix, depth)
		if why != "" {
			r.unread = append(r.unread, tfUnread{ev, b, why})
			continue
		}
		all = append(all, sub...)
	}
	return all
}

// call reads the module a module block calls, when its source is a local
// folder: its variables are the call's arguments that are literals (or
// their defaults), and its values are placed where the call writes them.
// why says why it is not read.
func (r *tfReader) call(ev *tfEval, b *hclsyntax.Block, prefix string, depth int) ([]*tfBlock, string) {
	file := b.Range().Filename
	src := ""
	if a, ok := b.Body.Attributes["source"]; ok {
		if v, ok := ev.value(a.Expr, nil); ok {
			src, _ = ctyString(v)
		}
	}
	switch {
	case r.load == nil:
		return nil, "modules are read only from a folder"
	case !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../"):
		return nil, "its source is not a local folder"
	case b.Body.Attributes["count"] != nil || b.Body.Attributes["for_each"] != nil:
		return nil, "it has count or for_each"
	case depth >= maxModuleDepth:
		return nil, fmt.Sprintf("modules are read %d deep at most", maxModuleDepth)
	case r.calls >= maxModuleCalls:
		return nil, fmt.Sprintf("%d module calls are read at most", maxModuleCalls)
	}
	r.calls++
	files, err := r.load(path.Join(path.Dir(file), src))
	if err != nil {
		return nil, err.Error()
	}
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if _, seen := r.files[n]; !seen {
			r.total += len(files[n])
		}
	}
	if r.total > MaxInput {
		return nil, fmt.Sprintf("the .tf files read are over %d bytes", MaxInput)
	}
	blocks, comments, err := parseTF(files)
	if err != nil {
		return nil, err.Error()
	}
	maps.Copy(r.files, files)
	maps.Copy(r.comments, comments)
	name := b.Labels[0]
	mev := &tfEval{files: r.files, locals: map[string]cty.Value{}, localPos: map[string]Position{},
		vars: map[string]cty.Value{}, varPos: map[string]Position{}, varWhy: map[string]string{}, varRefs: map[string][]string{},
		varKeyAt: map[string]map[string]Position{}, varValAt: map[string]map[string]Position{}}
	for _, vb := range blocks {
		if vb.Type != "variable" || len(vb.Labels) != 1 {
			continue
		}
		v := vb.Labels[0]
		if a, ok := b.Body.Attributes[v]; ok {
			val, ok := ev.value(a.Expr, nil)
			if !ok {
				why, refs := ev.why(a.Expr)
				mev.varWhy[v] = fmt.Sprintf("the argument %s of module.%s (%s) is %s", v, name, ev.text(a.Expr), why)
				for _, ref := range refs {
					if !strings.HasPrefix(ref, rootRef) {
						ref = rootRef + prefix + ref
					}
					mev.varRefs[v] = append(mev.varRefs[v], ref)
				}
				continue
			}
			mev.vars[v] = val
			mev.varPos[v] = ev.valuePos(a.Expr, file, inst{index: -1})
			mev.varKeyAt[v], mev.varValAt[v] = ev.objectPositions(a.Expr, file)
			continue
		}
		if d, ok := vb.Body.Attributes["default"]; ok {
			if val, ok := mev.value(d.Expr, nil); ok && !val.IsNull() {
				mev.vars[v] = val
				mev.varPos[v] = hpos(d.Expr.StartRange().Start, d.Expr.Range().Filename)
			}
		}
	}
	return r.scope(mev, blocks, prefix+"module."+name+".", depth+1), ""
}

// objectPositions are where the keys and values of a literal object are
// written, by key.
func (e *tfEval) objectPositions(expr hclsyntax.Expression, file string) (map[string]Position, map[string]Position) {
	oc, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil, nil
	}
	keyAt, valAt := map[string]Position{}, map[string]Position{}
	for _, item := range oc.Items {
		if k, ok := e.value(item.KeyExpr, nil); ok {
			if ks, ok := ctyString(k); ok {
				keyAt[ks] = hpos(item.KeyExpr.StartRange().Start, file)
				valAt[ks] = hpos(item.ValueExpr.StartRange().Start, file)
			}
		}
	}
	return keyAt, valAt
}
