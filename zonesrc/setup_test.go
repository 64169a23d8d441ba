package zonesrc_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
