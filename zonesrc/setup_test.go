package zonesrc_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonesrc"
	"github.com/miekg/dns"
)

// TestLoad: the sources answer for themselves; a name outside them is
// asked of the snapshot, of Config.Outside, or of nothing; the snapshot's
// and the sources' errors come back as they are.
func TestLoad(t *testing.T) {
	ctx := context.Background()
	snap := filepath.Join(t.TempDir(), "outside.snapshot")
	err := os.WriteFile(snap, []byte("; domainlint snapshot 1\n;? spf.protection.outlook.com. TXT NOERROR\nspf.protection.outlook.com. 3600 IN TXT \"v=spf1 -all\"\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	zone := []string{"testdata/contoso.example.zone"}
	for _, tc := range []struct {
		name    string
		cfg     zonesrc.Config
		outside bool // the outside name is answered
	}{
		{"offline", zonesrc.Config{Domain: "contoso.example"}, false},
		{"snapshot", zonesrc.Config{Domain: "contoso.example", Snapshot: snap}, true},
		{"outside", zonesrc.Config{Domain: "contoso.example", Outside: resolver.Refused()}, false},
		{"snapshot over outside", zonesrc.Config{Domain: "contoso.example", Snapshot: snap, Outside: resolver.Refused()}, true},
	} {
		set, err := zonesrc.Load(zone, tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(set.Sources) != 1 || len(set.Loaded) != 0 {
			t.Errorf("%s: %d sources, %d loaded, want 1 and 0", tc.name, len(set.Sources), len(set.Loaded))
		}
		if (set.Outside == nil) != (tc.cfg.Snapshot == "" && tc.cfg.Outside == nil) {
			t.Errorf("%s: Outside %v", tc.name, set.Outside)
		}
		if a, err := set.Zones.Lookup(ctx, "contoso.example.", dns.TypeMX); err != nil || len(a.Records) == 0 {
			t.Errorf("%s: the zone's own MX: %v, %v", tc.name, a, err)
		}
		a, err := set.Zones.Lookup(ctx, "spf.protection.outlook.com.", dns.TypeTXT)
		if got := err == nil && len(a.Records) == 1; got != tc.outside {
			t.Errorf("%s: outside name answered %v (%v, %v), want %v", tc.name, got, a, err, tc.outside)
		}
	}
	if _, err := zonesrc.Load(zone, zonesrc.Config{Snapshot: "testdata/none.snapshot"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing snapshot: %v", err)
	}
	if _, err := zonesrc.Load([]string{"testdata/none.zone"}, zonesrc.Config{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing zone: %v", err)
	}
}

// TestOpenFolderPositions: everything read from a module's folder —
// records, problems and notes — names its file under the folder as given.
func TestOpenFolderPositions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dns")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := `resource "aws_route53_zone" "z" { name = "contoso.example" }
resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "contoso.example"
  type    = "TXT"
  records = ["\"v=spf1 -all\""]
}
resource "aws_route53_record" "dkim" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "s1._domainkey"
  type    = "TXT"
  records = [var.dkim]
}
`
	if err := os.WriteFile(filepath.Join(dir, "records.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	zones, _, err := zonesrc.Open(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "records.tf")
	var n int
	for _, z := range zones {
		for _, r := range z.Records {
			n++
			if r.Pos.File != want {
				t.Errorf("record %s %s at %s, want %s", r.Name, r.Type, r.Pos, want)
			}
		}
		for _, p := range z.Problems {
			n++
			if p.Pos.File != want {
				t.Errorf("problem %s at %s, want %s", p.Rule, p.Pos, want)
			}
		}
		for _, note := range z.NotEvaluated {
			n++
			if note.Pos.File != want {
				t.Errorf("note %q at %s, want %s", note.Message, note.Pos, want)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d records, problems and notes, want 3: %+v", n, zones)
	}
	if len(zones) != 1 || zones[0].Source != want+" (terraform)" {
		t.Errorf("zones %+v, want one from %s", zones, want)
	}
}

// TestOctoDNSInclude: an octoDNS !include is read beside the zone file,
// relative to the file that names it, with positions in the file it
// comes from; a file outside the zone's folder is not read, and a zone
// read without its path says why its includes are not.
func TestOctoDNSInclude(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeUnder(t, dir, name, text) }
	write("zones/contoso.example.yaml", "'':\n  - !include common/mx.yaml\n  - type: TXT\n    value: v=spf1 -all\n")
	write("zones/common/mx.yaml", "type: MX\nvalues: !include hosts.yaml\n")
	write("zones/common/hosts.yaml", "- exchange: mx.example.net.\n  preference: 10\n")
	write("zones/other.example.yaml", "'': !include ../outside.yaml\n")
	write("outside.yaml", "type: TXT\nvalue: secret\n")

	zones, _, err := zonesrc.Open(filepath.Join(dir, "zones", "contoso.example.yaml"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"MX 10 mx.example.net.": filepath.Join(dir, "zones", "common", "hosts.yaml") + ":1",
		`TXT "v=spf1 -all"`:     filepath.Join(dir, "zones", "contoso.example.yaml") + ":4",
	}
	for _, r := range zones[0].Records {
		k := r.Type + " " + r.Data
		if w, ok := want[k]; !ok || fmt.Sprintf("%s:%d", r.Pos.File, r.Pos.Line) != w {
			t.Errorf("record %s at %s, want %q", k, r.Pos, w)
		}
		delete(want, k)
	}
	if len(want) > 0 {
		t.Errorf("records missing: %v", want)
	}
	if _, _, err := zonesrc.Open(filepath.Join(dir, "zones", "other.example.yaml"), "", ""); err == nil || !strings.Contains(err.Error(), "under the zone file's folder") {
		t.Errorf("include out of the folder: %v", err)
	}
	if _, err := zonesrc.ReadOctoDNS(strings.NewReader("'': !include common/mx.yaml\n"), "contoso.example.yaml", ""); err == nil || !strings.Contains(err.Error(), "!include common/mx.yaml") {
		t.Errorf("include without a path: %v", err)
	}
}

// TestOpenUnknownJSON: JSON of no format read, and Terraform's JSON
// syntax, say so rather than fail as a zone file.
func TestOpenUnknownJSON(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"records.json":      `{"result": [{"type": "TXT", "name": "contoso.example", "content": "v=spf1 -all"}]}`,
		"main.tf.json":      `{"resource": {"aws_route53_zone": {"z": {"name": "contoso.example"}}}}`,
		"terraform.tfstate": `{"version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "x", "outputs": {}, "resources": []}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := zonesrc.Open(p, "", "contoso.example")
		if err == nil || !strings.Contains(err.Error(), "JSON") && !strings.Contains(err.Error(), "terraform show -json") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := zonesrc.Open(dir, "", "contoso.example"); err == nil || !strings.Contains(err.Error(), "main.tf.json is Terraform's JSON syntax") {
		t.Errorf("folder: %v", err)
	}
}

// TestOctoDNSSplit: a folder of octoDNS split-zone files is one zone,
// named by the folder.
func TestOctoDNSSplit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "contoso.example.")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"$contoso.example.yaml": "'':\n  type: TXT\n  value: v=spf1 -all\n",
		"_dmarc.yaml":           "_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=reject\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zones, f, err := zonesrc.Open(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if f != zonesrc.FormatOctoDNS || len(zones) != 1 || zones[0].Origin != "contoso.example" || len(zones[0].Records) != 2 {
		t.Fatalf("%s %+v", f, zones)
	}
	for _, r := range zones[0].Records {
		if filepath.Dir(r.Pos.File) != dir {
			t.Errorf("%s at %s", r.Name, r.Pos)
		}
	}
}

// TestOctoDNSConfigZones: octoDNS's configuration, given as a source,
// is read as the zones its YamlProvider reads, as it has them read: its
// directory from the repository's root, default_ttl, escaped_semicolons
// and each zone's lenient.
func TestOctoDNSConfigZones(t *testing.T) {
	repo := t.TempDir()
	write := func(name, text string) { t.Helper(); writeUnder(t, repo, name, text) }
	write("config/octodns.yaml", `providers:
  config:
    class: octodns.provider.yaml.YamlProvider
    directory: ./zones
    default_ttl: 600
    escaped_semicolons: false
  route53:
    class: octodns_route53.Route53Provider
zones:
  contoso.example.:
    lenient: true
    sources: [config]
    targets: [route53]
  fabrikam.example.:
    sources: [config]
    targets: [route53]
`)
	write("zones/contoso.example.yaml", "'':\n  type: TXT\n  value: v=spf1 -all\nwww:\n  type: CNAME\n  value: contoso.example\n")
	write("zones/fabrikam.example.yaml", "_dmarc:\n  type: TXT\n  values:\n    - v=DMARC1; p=reject\n    - v=DMARC1\\; p=none\n")
	zones, f, err := zonesrc.Open(filepath.Join(repo, "config", "octodns.yaml"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if f != zonesrc.FormatOctoDNS || len(zones) != 2 || zones[0].Origin != "contoso.example" || zones[1].Origin != "fabrikam.example" {
		t.Fatalf("%s %+v", f, zones)
	}
	for _, z := range zones {
		for _, r := range z.Records {
			if r.TTL != 600 {
				t.Errorf("%s %s TTL %d, want default_ttl 600", r.Name, r.Type, r.TTL)
			}
		}
	}
	if p := zones[0].Problems; len(p) != 0 {
		t.Errorf("a lenient zone's problems: %v", p)
	}
	if p := zones[1].Problems; len(p) != 1 || p[0].Rule != "zonesrc.octodns-double-escaped-semicolon" || p[0].Pos.Line != 5 {
		t.Errorf("escaped_semicolons: false: problems %v, want the \\; doubled at line 5", p)
	}
}

// TestOctoDNSSplitDomainInside: a split-zone folder checked for a domain
// inside its zone (sub.contoso.example with contoso.example./) is read as
// the folder's zone, as octoDNS reads it, as a zone file named for its
// zone is.
func TestOctoDNSSplitDomainInside(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "contoso.example.")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"$contoso.example.yaml": "'':\n  type: TXT\n  value: v=spf1 -all\n",
		"sub.yaml":              "sub:\n  type: TXT\n  value: v=spf1 include:spf.example.net -all\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zones, _, err := zonesrc.Open(dir, "", "sub.contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 1 || zones[0].Origin != "contoso.example" {
		t.Fatalf("zones %+v, want contoso.example", zones)
	}
	got := map[string]bool{}
	for _, r := range zones[0].Records {
		got[r.Name] = true
	}
	if !got["contoso.example"] || !got["sub.contoso.example"] {
		t.Errorf("records at %v, want contoso.example and sub.contoso.example", got)
	}
}

// TestOctoDNSConfigSources: the zone files of a YamlProvider are those
// octoDNS reads (provider/yaml.py): for a zone, its split folder's files
// and its ZONE.yaml both; for "*", the files named ZONE.yaml (a name of
// two dots or more, .yaml) and the split folders — not a file kept
// beside them for !include, nor a .yml file.
func TestOctoDNSConfigSources(t *testing.T) {
	repo := t.TempDir()
	write := func(name, text string) { t.Helper(); writeUnder(t, repo, name, text) }
	provider := "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\n    split_extension: .\n"
	write("one.yaml", provider+"zones:\n  contoso.example.:\n    sources: [config]\n")
	write("all.yaml", provider+"zones:\n  '*':\n    sources: [config]\n")
	write("zones/contoso.example./www.yaml", "www:\n  type: A\n  value: 192.0.2.1\n")
	write("zones/contoso.example.yaml", "'':\n  type: MX\n  values: !include mx.yaml\n")
	write("zones/mx.yaml", "- exchange: mx.example.net.\n  preference: 10\n")
	write("zones/old.yml", "- not a zone\n")
	write("zones/fabrikam.example./_dmarc.yaml", "_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=reject\n")
	for _, tc := range []struct {
		config string
		want   map[string]int // records of each zone
	}{
		{"one.yaml", map[string]int{"contoso.example": 2}},
		{"all.yaml", map[string]int{"contoso.example": 2, "fabrikam.example": 1}},
	} {
		zones, _, err := zonesrc.Open(filepath.Join(repo, tc.config), "", "")
		if err != nil {
			t.Errorf("%s: %v", tc.config, err)
			continue
		}
		got := map[string]int{}
		for _, z := range zones {
			got[z.Origin] += len(z.Records)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: records of each zone %v, want %v", tc.config, got, tc.want)
		}
	}
}

// TestOctoDNSProviderFolder: a YamlProvider's folder of zone files
// (zones/contoso.example.yaml, zones/fabrikam.example.yaml) is each file
// its zone, as octoDNS lists them, not one split zone whose records are
// all the domain's.
func TestOctoDNSProviderFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "zones")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"contoso.example.yaml":  "'':\n  type: TXT\n  value: v=spf1 -all\n",
		"fabrikam.example.yaml": "'':\n  type: TXT\n  value: v=spf1 include:spf.example.net -all\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zones, f, err := zonesrc.Open(dir, "", "contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, z := range zones {
		got[z.Origin] += len(z.Records)
	}
	if f != zonesrc.FormatOctoDNS || fmt.Sprint(got) != "map[contoso.example:1 fabrikam.example:1]" {
		t.Errorf("%s: records of each zone %v, want one in each of contoso.example and fabrikam.example", f, got)
	}
}

// writeUnder writes text to the file name (a slash path) under root,
// making its folders.
func writeUnder(t *testing.T, root, name, text string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
