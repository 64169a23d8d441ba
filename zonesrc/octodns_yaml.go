package zonesrc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// maxYAMLNodes bounds the nodes an octoDNS file expands to once its
// aliases are followed: a few aliases nested can stand for billions.
const maxYAMLNodes = 1 << 20

var errYAMLTooLarge = errors.New("its aliases expand to over a million YAML nodes")

// maxYAMLDepth bounds the nesting of an expanded octoDNS file, as
// Python's recursion limit bounds PyYAML's: a chain of aliases nests as
// deep as it is long.
const maxYAMLDepth = 512

// maxIncludeDepth bounds !include within !include.
const maxIncludeDepth = 16

// includer reads the file an octoDNS !include names, rel a slash path
// from the folder of the zone file: its content and its name for
// positions.
type includer func(rel string) ([]byte, string, error)

// folderIncluder reads includes under dir, the zone file's folder (as
// octoDNS resolves them, but no further: not an absolute path, nor one
// out of the folder, as zone files' $INCLUDE are kept).
func folderIncluder(dir string) includer {
	return func(rel string) ([]byte, string, error) {
		b, err := readUnder(dir, filepath.FromSlash(rel))
		return b, filepath.Join(dir, filepath.FromSlash(rel)), err
	}
}

// readUnder reads the regular file rel of folder dir, within MaxInput,
// through an os.Root: a link leads nowhere out of dir, and a FIFO or a
// device is refused, not waited on nor read.
func readUnder(dir, rel string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return readFSFile(root.FS(), filepath.ToSlash(rel))
}

// yamlExpander follows aliases, merge keys and !include in an octoDNS
// file.
type yamlExpander struct {
	budget  int
	include includer // nil: !include is an error
	depth   int
	// files names the file of each node read from an included file.
	files map[*yaml.Node]string
	// nest is how deep expand is; within are the anchored nodes being
	// expanded, so that an alias within its own anchor is refused.
	nest   int
	within map[*yaml.Node]bool
}

func (x *yamlExpander) file(n *yaml.Node, dflt string) string {
	if f, ok := x.files[n]; ok {
		return f
	}
	return dflt
}

// includeFile reads and expands the file a !include node names, rel to
// the folder of the file cur (a slash path from the zone file's folder).
func (x *yamlExpander) includeFile(n *yaml.Node, cur string) (*yaml.Node, error) {
	if x.include == nil {
		return nil, fmt.Errorf("line %d: !include %s: an include is read only with the zone file's path (as -zone reads it)", n.Line, n.Value)
	}
	if x.depth >= maxIncludeDepth {
		return nil, fmt.Errorf("line %d: !include %s: over %d includes deep", n.Line, n.Value, maxIncludeDepth)
	}
	rel := n.Value
	if !path.IsAbs(rel) && !filepath.IsAbs(rel) {
		rel = path.Join(path.Dir(cur), rel)
	}
	b, name, err := x.include(rel)
	if err != nil {
		return nil, fmt.Errorf("line %d: !include %s: %w (only files under the zone file's folder are read)", n.Line, n.Value, err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc.Kind == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: n.Line, Column: n.Column}, nil
	}
	x.depth++
	out, err := x.expand(&doc, rel)
	x.depth--
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if out.Kind == yaml.DocumentNode && len(out.Content) == 1 {
		out = out.Content[0]
	}
	var mark func(*yaml.Node)
	mark = func(m *yaml.Node) {
		if _, ok := x.files[m]; ok {
			return // an include within, already named
		}
		x.files[m] = name
		for _, c := range m.Content {
			mark(c)
		}
	}
	mark(out)
	return out, nil
}

// expand returns n with YAML's aliases (*name) replaced by what they
// name and merge keys (<<: *base) merged into their mapping, as PyYAML,
// octoDNS's loader, reads them: keys written in the mapping win over
// merged ones, and of separate merge keys the later wins. Anchored nodes
// are shared, not copied, and never changed.
//
// A !include names a file (cur is the one read, as includeFile takes
// it) whose content stands in its place, as octoDNS's loader reads it.
func (x *yamlExpander) expand(n *yaml.Node, cur string) (*yaml.Node, error) {
	if n == nil {
		return nil, nil
	}
	if x.budget--; x.budget < 0 {
		return nil, errYAMLTooLarge
	}
	if x.nest >= maxYAMLDepth {
		return nil, fmt.Errorf("line %d: nested over %d deep", n.Line, maxYAMLDepth)
	}
	x.nest++
	defer func() { x.nest-- }()
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!include" {
			return x.includeFile(n, cur)
		}
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: an alias to nothing", n.Line)
		}
		if x.within[n.Alias] {
			return nil, fmt.Errorf("line %d: the alias *%s is within its own anchor: a structure that holds itself is no record", n.Line, n.Value)
		}
		if x.within == nil {
			x.within = map[*yaml.Node]bool{}
		}
		x.within[n.Alias] = true
		defer delete(x.within, n.Alias)
		return x.expand(n.Alias, cur)
	case yaml.DocumentNode, yaml.SequenceNode:
		c := *n
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, e := range n.Content {
			y, err := x.expand(e, cur)
			if err != nil {
				return nil, err
			}
			c.Content[i] = y
		}
		return &c, nil
	case yaml.MappingNode:
		c := *n
		c.Content = nil
		have := map[string]bool{}
		var merged [][]*yaml.Node // the pairs of each merge key, in order
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				v, err := x.expand(v, cur)
				if err != nil {
					return nil, err
				}
				pairs, err := mergePairs(v)
				if err != nil {
					return nil, err
				}
				merged = append(merged, pairs)
				continue
			}
			y, err := x.expand(v, cur)
			if err != nil {
				return nil, err
			}
			c.Content = append(c.Content, k, y)
			if k.Kind == yaml.ScalarNode {
				have[k.Value] = true
			}
		}
		for i := len(merged) - 1; i >= 0; i-- {
			for j := 0; j+1 < len(merged[i]); j += 2 {
				k := merged[i][j]
				if k.Kind == yaml.ScalarNode && !have[k.Value] {
					have[k.Value] = true
					c.Content = append(c.Content, k, merged[i][j+1])
				}
			}
		}
		return &c, nil
	}
	return n, nil
}

// mergePairs are the key and value nodes a merge key's (expanded) value
// brings: a mapping's, or those of a list of mappings, the first of the
// list winning.
func mergePairs(v *yaml.Node) ([]*yaml.Node, error) {
	switch v.Kind {
	case yaml.MappingNode:
		return v.Content, nil
	case yaml.SequenceNode:
		var out []*yaml.Node
		have := map[string]bool{}
		for _, m := range v.Content {
			if m.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("line %d: a merge of something other than a mapping", m.Line)
			}
			for j := 0; j+1 < len(m.Content); j += 2 {
				if k := m.Content[j]; !have[k.Value] {
					have[k.Value] = true
					out = append(out, k, m.Content[j+1])
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: a merge of something other than a mapping", v.Line)
}
