package zonesrc

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// maxYAMLNodes bounds the nodes an octoDNS file expands to once its
// aliases are followed: a few aliases nested can stand for billions.
const maxYAMLNodes = 1 << 20

var errYAMLTooLarge = errors.New("its aliases expand to over a million YAML nodes")

// expandYAML returns n with YAML's aliases (*name) replaced by what they
// name and merge keys (<<: *base) merged into their mapping, as PyYAML,
// octoDNS's loader, reads them: keys written in the mapping win over
// merged ones, and of separate merge keys the later wins. Anchored nodes
// are shared, not copied, and never changed.
func expandYAML(n *yaml.Node, budget *int) (*yaml.Node, error) {
	if n == nil {
		return nil, nil
	}
	if *budget--; *budget < 0 {
		return nil, errYAMLTooLarge
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: an alias to nothing", n.Line)
		}
		return expandYAML(n.Alias, budget)
	case yaml.DocumentNode, yaml.SequenceNode:
		c := *n
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, e := range n.Content {
			x, err := expandYAML(e, budget)
			if err != nil {
				return nil, err
			}
			c.Content[i] = x
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
				v, err := expandYAML(v, budget)
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
			x, err := expandYAML(v, budget)
			if err != nil {
				return nil, err
			}
			c.Content = append(c.Content, k, x)
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
