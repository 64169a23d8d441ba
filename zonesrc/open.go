package zonesrc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// detectBytes is how much of a file Detect is shown.
const detectBytes = 8192

// Open reads the source at path: a Terraform module when path is a
// folder of .tf files, an octoDNS split zone (its YamlProvider's
// split_extension: the folder zones/contoso.com./ of files NAME.yaml)
// when it is a folder of .yaml files named for a zone, a YamlProvider's
// zones when it is their folder (zones/, of files ZONE.yaml), the zones an octoDNS configuration
// lists when it is one (read as octoDNS reads them: see
// openOctoDNSConfig), else a file of format (detected from its name and content when
// empty). A file detected as an RFC 1035 zone file returns
// FormatZone and no zones: load it as such (resolver.NewZones).
func Open(path string, format Format, origin string) ([]*Zone, Format, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", err
	}
	if fi.IsDir() {
		// Through an os.Root: a link in the folder leads nowhere out of it.
		root, err := os.OpenRoot(path)
		if err != nil {
			return nil, "", err
		}
		defer root.Close()
		fsys := root.FS()
		if m, _ := fs.Glob(fsys, "*.tf"); len(m) == 0 {
			if y, _ := fs.Glob(fsys, "*.yaml"); len(y) > 0 && (format == "" || format == FormatOctoDNS) {
				// A YamlProvider's folder (zones/) rather than a split
				// zone's (contoso.com./): each ZONE.yaml its zone.
				if base := strings.TrimRight(filepath.Base(filepath.Clean(path)), "."); !strings.Contains(base, ".") {
					if zs, err := readProviderFolder(path); err != nil || len(zs) > 0 {
						return zs, FormatOctoDNS, err
					}
				}
				z, err := readOctoDNSSplit(path, y, origin)
				if err != nil {
					return nil, FormatOctoDNS, err
				}
				return []*Zone{z}, FormatOctoDNS, nil
			}
			return nil, FormatTerraform, noTFFiles(fsys, ".", path)
		}
		zs, err := readTerraformFS(fsys, ".", origin)
		if err != nil {
			return nil, FormatTerraform, err
		}
		inFolder(zs, path)
		return zs, FormatTerraform, nil
	}
	if !fi.Mode().IsRegular() {
		return nil, "", fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	// The format is told from the first 8 KB: a zone file, which the
	// caller loads itself, is not read whole here first.
	head := make([]byte, detectBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, "", err
	}
	head = head[:n]
	if format == "" {
		if strings.HasSuffix(strings.ToLower(path), ".js") {
			return nil, "", ErrDNSControlJS
		}
		format = Detect(path, head)
		if format == "" {
			if err := undetected(path, head); err != nil {
				return nil, "", err
			}
			format = FormatZone // what -zone always read
		}
	}
	if format == FormatZone {
		return nil, FormatZone, nil
	}
	r := io.MultiReader(bytes.NewReader(head), f)
	if format == FormatTerraform {
		// The modules it calls are read from its folder.
		b, err := readAll(r)
		if err != nil {
			return nil, format, fmt.Errorf("zonesrc: %s: %w", path, err)
		}
		dir := filepath.Dir(path)
		root, err := os.OpenRoot(dir)
		if err != nil {
			return nil, format, err
		}
		defer root.Close()
		zs, err := readTerraformMods(map[string][]byte{filepath.Base(path): b}, origin, fsModules(root.FS()))
		if err != nil {
			return nil, format, err
		}
		inFolder(zs, dir)
		return zs, format, nil
	}
	if format == FormatOctoDNS {
		// Its !include files are read beside it.
		b, err := readAll(r)
		if err != nil {
			return nil, format, fmt.Errorf("zonesrc: %s: %w", path, err)
		}
		z, err := readOctoDNS(bytes.NewReader(b), path, origin, octoOpts{include: folderIncluder(filepath.Dir(path))})
		var ce *configError
		if errors.As(err, &ce) {
			// octoDNS's configuration: the zones it lists.
			zs, err := openOctoDNSConfig(path, b)
			return zs, format, err
		}
		if err != nil {
			return nil, format, err
		}
		return []*Zone{z}, format, nil
	}
	zs, err := Read(r, path, format, origin)
	return zs, format, err
}

// undetected is the error for a file whose format Detect cannot tell
// and which is no zone file either: JSON of another kind, Terraform's
// JSON syntax. nil for anything else, read as a zone file.
func undetected(name string, head []byte) error {
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".tf.json") {
		return fmt.Errorf("zonesrc: %s is Terraform's JSON syntax, which is not read: lint a plan (terraform show -json) instead", name)
	}
	trimmed := bytes.TrimSpace(head)
	if strings.HasSuffix(lower, ".tfstate") || bytes.Contains(head, []byte(`"lineage"`)) && bytes.Contains(head, []byte(`"terraform_version"`)) {
		return fmt.Errorf("zonesrc: %s is a Terraform state file, which is not read as it is: read `terraform show -json` of it (-zone-format terraform-plan)", name)
	}
	if filepath.Ext(lower) == ".json" || len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return fmt.Errorf("zonesrc: %s: JSON that is none of the formats read (Route 53 record sets, terraform show -json, dnscontrol print-ir): if it is one, name it with -zone-format (%s)", name, strings.Join(formatNames(), ", "))
	}
	return nil
}

// inFolder names the files of a Terraform source read from folder dir
// (as names relative to it) by their paths.
func inFolder(zs []*Zone, dir string) {
	for _, z := range zs {
		for i := range z.Records {
			z.Records[i].Pos.File = filepath.Join(dir, z.Records[i].Pos.File)
		}
		for i := range z.Problems {
			z.Problems[i].Pos.File = filepath.Join(dir, z.Problems[i].Pos.File)
		}
		for i := range z.NotEvaluated {
			if p := &z.NotEvaluated[i].Pos; p.File != "" {
				p.File = filepath.Join(dir, p.File)
			}
		}
		if len(z.Records) > 0 {
			files := map[string]bool{}
			for _, r := range z.Records {
				files[r.Pos.File] = true
			}
			z.Source = strings.Join(slices.Sorted(maps.Keys(files)), ", ") + " (terraform)"
		}
	}
}

// readOctoDNSSplit reads an octoDNS split zone: the records of each of
// the .yaml files of folder dir (names, relative to it), all of one zone:
// the folder's name without its trailing dot when origin is empty or a
// domain inside that zone (see octoZone), else origin.
func readOctoDNSSplit(dir string, names []string, origin string) (*Zone, error) {
	return readOctoDNSSplitOpts(dir, names, origin, octoOpts{})
}

// readOctoDNSSplitOpts is readOctoDNSSplit as opts say.
func readOctoDNSSplitOpts(dir string, names []string, origin string, opts octoOpts) (*Zone, error) {
	origin = octoZone(origin, strings.TrimSuffix(filepath.Base(dir), "."))
	total := 0
	var out *Zone
	for _, n := range names {
		p := filepath.Join(dir, n)
		b, err := readUnder(dir, n)
		if err != nil {
			return nil, fmt.Errorf("zonesrc: %s: %w", p, err)
		}
		if total += len(b); total > MaxInput {
			return nil, fmt.Errorf("zonesrc: %s: the .yaml files are over %d bytes", dir, MaxInput)
		}
		opts.include = folderIncluder(dir)
		z, err := readOctoDNS(bytes.NewReader(b), p, origin, opts)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = z
			out.Source = dir + " (octodns, split)"
			continue
		}
		out.merge(z)
	}
	return out, nil
}

// merge adds the records, notes and problems of z, another file of the
// same zone.
func (out *Zone) merge(z *Zone) {
	out.Records = append(out.Records, z.Records...)
	out.NotEvaluated = append(out.NotEvaluated, z.NotEvaluated...)
	out.Problems = append(out.Problems, z.Problems...)
}
