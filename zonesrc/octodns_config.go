package zonesrc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// octoProvider is a YamlProvider of an octoDNS configuration: where it
// reads zone files, and how.
type octoProvider struct {
	dirs []string // the folders it may be, nearest the configuration first
	ttl  uint32
	raw  bool // escaped_semicolons: false
	ext  string
	miss bool // ignore_missing_zones
}

// openOctoDNSConfig reads the zones an octoDNS configuration (its
// providers: and zones:) has its YamlProviders read: each zone file as
// octoDNS reads it for that zone, with the zone's lenient and the
// provider's default_ttl and escaped_semicolons. A provider's directory
// is taken from the configuration's folder, or the first folder above it
// that holds it (octoDNS takes it from where it runs, usually the
// repository's root). A zone "*" is every zone file of the folder.
func openOctoDNSConfig(path string, b []byte) ([]*Zone, error) {
	cfgDir := filepath.Dir(path)
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("zonesrc: %s: %w", path, err)
	}
	x := &yamlExpander{budget: maxYAMLNodes, include: folderIncluder(cfgDir), files: map[*yaml.Node]string{}}
	root, err := x.expand(&doc, filepath.Base(path))
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: %w", path, err)
	}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	providers, _ := field(root, "providers")
	yamls := map[string]octoProvider{}
	for i := 0; i+1 < len(providers.Content); i += 2 {
		id, p := providers.Content[i].Value, providers.Content[i+1]
		class, _ := field(p, "class")
		if class == nil || !strings.HasSuffix(class.Value, "YamlProvider") {
			continue
		}
		dirNode, _ := field(p, "directory")
		if dirNode == nil {
			continue
		}
		dirs, err := providerDirs(cfgDir, dirNode.Value)
		if err != nil {
			return nil, fmt.Errorf("zonesrc: %s: provider %s: %w", path, id, err)
		}
		op := octoProvider{dirs: dirs}
		if t, _ := field(p, "default_ttl"); t != nil {
			v, err := strconv.ParseUint(t.Value, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("zonesrc: %s:%d: provider %s: default_ttl %q is not a number of seconds", path, t.Line, id, t.Value)
			}
			op.ttl = uint32(v)
		}
		if e, _ := field(p, "escaped_semicolons"); e != nil && e.Tag != "!!null" && !pyTruthy(e) {
			op.raw = true
		}
		if e, _ := field(p, "split_extension"); e != nil && e.Tag != "!!null" {
			op.ext = e.Value
		}
		if m, _ := field(p, "ignore_missing_zones"); pyTruthy(m) {
			op.miss = true
		}
		yamls[id] = op
	}
	zonesNode, _ := field(root, "zones")
	var out []*Zone
	for i := 0; i+1 < len(zonesNode.Content); i += 2 {
		name, zc := zonesNode.Content[i].Value, zonesNode.Content[i+1]
		lenient := false
		if l, _ := field(zc, "lenient"); pyTruthy(l) {
			lenient = true
		}
		sources, _ := field(zc, "sources")
		if sources == nil {
			continue
		}
		for _, s := range sources.Content {
			op, ok := yamls[s.Value]
			if !ok {
				continue // another kind of source
			}
			zs, err := readProviderZones(op, name, lenient)
			if err != nil {
				return nil, err
			}
			out = append(out, zs...)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("zonesrc: %s: an octoDNS configuration whose zones no YamlProvider reads from a folder here", path)
	}
	return out, nil
}

// providerDirs are the folders a YamlProvider's directory may be: from
// the configuration's folder or a folder above it (octoDNS takes it from
// where it runs), those that exist, nearest first.
func providerDirs(cfgDir, dir string) ([]string, error) {
	if filepath.IsAbs(dir) || slices.Contains(strings.Split(filepath.ToSlash(dir), "/"), "..") {
		return nil, fmt.Errorf("directory %s is not a folder of the repository (absolute, or with ..): not read", dir)
	}
	var out []string
	for d, n := cfgDir, 0; n < 4; d, n = filepath.Dir(d), n+1 {
		p := filepath.Join(d, dir)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			out = append(out, p)
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("directory %s is not found from %s or above", dir, cfgDir)
	}
	return out, nil
}

// readProviderZones reads zone name ("contoso.com." or "*": every zone
// octoDNS lists in the folder) from a YamlProvider's folder.
func readProviderZones(op octoProvider, name string, lenient bool) ([]*Zone, error) {
	opts := octoOpts{lenient: lenient, ttl: op.ttl, raw: op.raw}
	if name == "*" {
		for _, dir := range op.dirs {
			var out []*Zone
			for _, zone := range listOctoZones(dir, op.ext) {
				z, err := readProviderZone(op, dir, zone, opts)
				var ce *configError
				if errors.As(err, &ce) {
					continue // a configuration kept beside the zones
				}
				if err != nil {
					return nil, err
				}
				if z != nil {
					out = append(out, z)
				}
			}
			if len(out) > 0 {
				return out, nil
			}
		}
		return nil, nil
	}
	zone := strings.TrimSuffix(name, ".")
	for _, dir := range op.dirs {
		z, err := readProviderZone(op, dir, zone, opts)
		if err != nil {
			return nil, err
		}
		if z != nil {
			return []*Zone{z}, nil
		}
	}
	if op.miss {
		return nil, nil
	}
	return nil, fmt.Errorf("zonesrc: zone %s: no %s.yaml in %s", name, zone, strings.Join(op.dirs, " or "))
}

// readProviderFolder reads the zones of a YamlProvider's folder given
// as such (-zone zones/), each ZONE.yaml as octoDNS lists and reads it
// with the provider's defaults; none when it holds no ZONE.yaml.
func readProviderFolder(dir string) ([]*Zone, error) {
	var out []*Zone
	for _, zone := range listOctoZones(dir, "") {
		z, err := readZoneFile(filepath.Join(dir, zone+".yaml"), zone, octoOpts{})
		var ce *configError
		if errors.As(err, &ce) {
			continue // a configuration kept beside the zones
		}
		if err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, nil
}

// listOctoZones lists the zones of a YamlProvider's folder as octoDNS
// does (YamlProvider.list_zones): its split folders (named ZONE and the
// split_extension ext) and its files named ZONE.yaml (.yaml, with two
// dots or more: not a file kept beside them for !include). The zones
// have no trailing dot.
func listOctoZones(dir, ext string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	zones := map[string]bool{}
	for _, e := range ents {
		n := e.Name()
		fi, err := os.Stat(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		switch {
		case ext != "" && fi.IsDir() && strings.HasSuffix(n, ext):
			zones[strings.TrimSuffix(strings.TrimSuffix(n, ext), ".")] = true
		case fi.Mode().IsRegular() && strings.HasSuffix(n, ".yaml") && strings.Count(n, ".") >= 2:
			zones[strings.TrimSuffix(n, ".yaml")] = true
		}
	}
	return slices.Sorted(maps.Keys(zones))
}

// readProviderZone reads zone from a YamlProvider's folder dir as octoDNS
// does (YamlProvider.populate): the files of its split folder and its
// ZONE.yaml, both when both are there; nil when neither is.
func readProviderZone(op octoProvider, dir, zone string, opts octoOpts) (*Zone, error) {
	var out *Zone
	if op.ext != "" {
		split := filepath.Join(dir, zone+op.ext)
		if names := yamlFiles(split); len(names) > 0 {
			z, err := readOctoDNSSplitOpts(split, names, zone, opts)
			if err != nil {
				return nil, err
			}
			out = z
		}
	}
	p := filepath.Join(dir, zone+".yaml")
	if fi, err := os.Stat(p); err != nil || fi.IsDir() {
		return out, nil
	}
	z, err := readZoneFile(p, zone, opts)
	if err != nil || out == nil {
		return z, err
	}
	out.merge(z)
	return out, nil
}

// yamlFiles are the names of the .yaml files in folder dir, sorted (as
// octoDNS reads a split zone's files).
func yamlFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".yaml") && !e.IsDir() {
			names = append(names, n)
		}
	}
	return names
}

// readZoneFile reads one octoDNS zone file, its !include files beside it.
func readZoneFile(p, origin string, opts octoOpts) (*Zone, error) {
	b, err := readUnder(filepath.Dir(p), filepath.Base(p))
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: %w", p, err)
	}
	opts.include = folderIncluder(filepath.Dir(p))
	return readOctoDNS(bytes.NewReader(b), p, origin, opts)
}
