package zonesrc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Format is a source format. The zero Format means "detect it".
type Format string

// The formats read.
const (
	// FormatZone is an RFC 1035 master file: not converted, load it
	// with resolver.NewZones.
	FormatZone Format = "zone"
	// FormatDNSControl is `dnscontrol print-ir` JSON.
	FormatDNSControl Format = "dnscontrol"
	// FormatOctoDNS is an octoDNS zone YAML file.
	FormatOctoDNS Format = "octodns"
	// FormatTerraform is Terraform HCL: a .tf file or a module's folder.
	FormatTerraform Format = "terraform"
	// FormatTerraformPlan is `terraform show -json` of a plan or state.
	FormatTerraformPlan Format = "terraform-plan"
	// FormatRoute53 is Route 53 record sets as JSON.
	FormatRoute53 Format = "route53"
)

// Formats lists the formats, for help texts.
func Formats() []Format {
	return []Format{FormatZone, FormatDNSControl, FormatOctoDNS, FormatTerraform, FormatTerraformPlan, FormatRoute53}
}

// ParseFormat parses a format's name; "" and "auto" are the zero Format.
func ParseFormat(s string) (Format, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "auto":
		return "", nil
	case "bind", "master":
		return FormatZone, nil
	case "tf", "hcl":
		return FormatTerraform, nil
	case "tfplan", "plan", "terraform-json":
		return FormatTerraformPlan, nil
	case "aws", "route-53":
		return FormatRoute53, nil
	case "dnscontrol-ir":
		return FormatDNSControl, nil
	}
	for _, f := range Formats() {
		if s == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("zonesrc: unknown format %q (want auto, %s)", s, strings.Join(formatNames(), ", "))
}

func formatNames() []string {
	var out []string
	for _, f := range Formats() {
		out = append(out, string(f))
	}
	return out
}

// String returns the format's name, "auto" for the zero Format.
func (f Format) String() string {
	if f == "" {
		return "auto"
	}
	return string(f)
}

// Set parses a flag value: *Format is a flag.Value (-zone-format).
func (f *Format) Set(s string) error {
	v, err := ParseFormat(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Detect tells a source's format from its name and its first bytes (a
// few kilobytes are enough); "" when it cannot tell. A folder's name
// (no extension, head nil) is not detected: call ReadTerraformFS for a
// Terraform module.
func Detect(name string, head []byte) Format {
	lower := strings.ToLower(name)
	ext := path.Ext(lower)
	trimmed := bytes.TrimSpace(head)
	switch {
	case ext == ".tf":
		return FormatTerraform
	case ext == ".yaml" || ext == ".yml":
		return FormatOctoDNS
	case ext == ".json" || (len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')):
		switch {
		case bytes.Contains(head, []byte(`"ResourceRecordSets"`)) || bytes.Contains(head, []byte(`"ResourceRecordSet"`)) ||
			bytes.Contains(head, []byte(`"ResourceRecords"`)) || bytes.Contains(head, []byte(`"AliasTarget"`)):
			// (a bare list of record sets: `--query ResourceRecordSets`)
			return FormatRoute53
		case bytes.Contains(head, []byte(`"format_version"`)) || bytes.Contains(head, []byte(`"planned_values"`)):
			return FormatTerraformPlan
		case bytes.Contains(head, []byte(`"domains"`)) || bytes.Contains(head, []byte(`"dns_providers"`)) || bytes.Contains(head, []byte(`"registrars"`)):
			return FormatDNSControl
		}
		return ""
	case ext == ".zone" || ext == ".db" || strings.HasPrefix(path.Base(lower), "db."):
		return FormatZone
	case bytes.Contains(head, []byte("$ORIGIN")) || bytes.Contains(head, []byte("$TTL")) || bytes.Contains(head, []byte(" SOA ")):
		return FormatZone
	}
	return ""
}

// ErrDNSControlJS is returned for a dnsconfig.js: it is JavaScript, run
// by DNSControl; convert it first with `dnscontrol print-ir --pretty
// --out dnsconfig.json` and read that.
var ErrDNSControlJS = errors.New("zonesrc: a DNSControl dnsconfig.js is a program: convert it with `dnscontrol print-ir --pretty --out ir.json` and read the IR")

// Read reads one source file of the given format (detected when zero):
// the zones it describes. origin is the zone for the formats that do not
// name it (octoDNS, Route 53: see their readers). DNSControl IR
// positions point into DefaultDNSControlConfig. A master file
// (FormatZone) is an error: load it with resolver.NewZones as it is.
func Read(r io.Reader, name string, format Format, origin string) ([]*Zone, error) {
	b, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %s: %w", name, err)
	}
	if format == "" {
		if strings.HasSuffix(strings.ToLower(name), ".js") {
			return nil, ErrDNSControlJS
		}
		format = Detect(name, b[:min(len(b), 8192)])
		if format == "" {
			return nil, fmt.Errorf("zonesrc: %s: cannot tell its format; name it (%s)", name, strings.Join(formatNames(), ", "))
		}
	}
	one := func(z *Zone, err error) ([]*Zone, error) {
		if err != nil {
			return nil, err
		}
		return []*Zone{z}, nil
	}
	switch format {
	case FormatDNSControl:
		return ReadDNSControlIR(bytes.NewReader(b), name, "")
	case FormatOctoDNS:
		return one(ReadOctoDNS(bytes.NewReader(b), name, origin))
	case FormatTerraform:
		return readTerraform(map[string][]byte{name: b}, origin)
	case FormatTerraformPlan:
		return ReadTerraformPlan(bytes.NewReader(b), name)
	case FormatRoute53:
		return one(ReadRoute53(bytes.NewReader(b), name, origin))
	case FormatZone:
		return nil, fmt.Errorf("zonesrc: %s is a master file: load it with resolver.NewZones", name)
	}
	return nil, fmt.Errorf("zonesrc: %s: unknown format %q", name, format)
}

// noTFFiles is the error for a folder without .tf files, named shown.
func noTFFiles(fsys fs.FS, dir, shown string) error {
	if m, _ := fs.Glob(fsys, path.Join(dir, "*.tf.json")); len(m) > 0 {
		return fmt.Errorf("zonesrc: %s: no .tf files: %s is Terraform's JSON syntax, which is not read; lint a plan (terraform show -json) instead", shown, path.Base(m[0]))
	}
	return fmt.Errorf("zonesrc: %s: no .tf files", shown)
}

// ReadTerraformFS reads the .tf files of one folder of fsys (a Terraform
// module) with ReadTerraform, and the modules they call from folders of
// fsys (source = "./impl"), with the arguments of each call that are
// literals. Positions name the files as dir/file.tf.
func ReadTerraformFS(fsys fs.FS, dir string) ([]*Zone, error) {
	return readTerraformFS(fsys, dir, "")
}

func readTerraformFS(fsys fs.FS, dir, domain string) ([]*Zone, error) {
	files, err := tfFiles(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("zonesrc: %w", err)
	}
	if len(files) == 0 {
		return nil, noTFFiles(fsys, dir, dir)
	}
	return readTerraformMods(files, domain, fsModules(fsys))
}
