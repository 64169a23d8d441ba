package zonesrc_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonesrc"
)

func TestRules(t *testing.T) {
	if err := lint.Validate(zonesrc.Rules()); err != nil {
		t.Error(err)
	}
	for _, r := range zonesrc.Rules() {
		if !strings.HasPrefix(r.ID, "zonesrc.") {
			t.Errorf("rule %s is not in the zonesrc namespace", r.ID)
		}
	}
	f := zonesrc.Problem{Rule: "zonesrc.txt-too-long", Message: "m", Pos: zonesrc.Position{File: "a.tf", Line: 3, Column: 5}, Name: "s1.contoso.example", Type: "TXT"}.Finding()
	if f.Severity != lint.Error || f.Name != "s1.contoso.example" || f.Type != "TXT" || f.Message != "a.tf:3:5: m" || f.Citation == "" {
		t.Errorf("finding %+v", f)
	}
}

func TestMasterFile(t *testing.T) {
	z := &zonesrc.Zone{Origin: "contoso.example", Source: "t", Records: []zonesrc.Record{
		{Name: "contoso.example", Type: "TXT", TTL: 300, Data: `"v=spf1 -all"`, Pos: zonesrc.Position{File: "a", Line: 7}, Comment: `want "x"` + "\n$INCLUDE /etc/passwd"},
		{Name: "bad.contoso.example", Type: "MX", TTL: 300, Data: "not a number", Pos: zonesrc.Position{File: "a", Line: 8}},
		{Name: "www.contoso.example", Type: "A", TTL: 300, Data: "192.0.2.1", Pos: zonesrc.Position{File: "a", Line: 9}},
	}}
	text, lines := z.MasterFile()
	want := `; zone contoso.example from t, written by domainlint/zonesrc
$ORIGIN contoso.example.
contoso.example. 3600 IN SOA ns.zonesrc.invalid. hostmaster.zonesrc.invalid. 1 3600 600 86400 300 ; zonesrc: the provider's own SOA, not in the source
contoso.example. 3600 IN NS ns.zonesrc.invalid. ; zonesrc: the provider's own nameservers, not in the source
contoso.example. 300 IN TXT "v=spf1 -all" ; want "x" $INCLUDE /etc/passwd
www.contoso.example. 300 IN A 192.0.2.1
`
	if text != want {
		t.Errorf("master file:\n%s\nwant:\n%s", text, want)
	}
	if len(lines) != 2 || lines[5].Line != 7 || lines[6].Line != 9 {
		t.Errorf("lines %v", lines)
	}
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: z.Origin, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	if len(zones.Problems()) != 0 {
		t.Errorf("zone problems: %v", zones.Problems())
	}
}

// A source's comment reaches the master file, where checktest reads its
// want and ignore directives.
func TestComments(t *testing.T) {
	z, err := zonesrc.ReadOctoDNS(strings.NewReader("_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=none # want \"dmarc.policy-none\"\n"), "z.yaml", "contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := z.MasterFile()
	if !strings.Contains(text, `"v=DMARC1; p=none" ; want "dmarc.policy-none"`) {
		t.Errorf("octoDNS comment lost:\n%s", text)
	}
	zs, err := zonesrc.ReadTerraform(map[string][]byte{"a.tf": []byte(`resource "azurerm_dns_txt_record" "dmarc" {
  name      = "_dmarc"
  zone_name = "contoso.example"
  ttl       = 300
  record {
    value = "v=DMARC1; p=none" # want "dmarc.policy-none"
  }
}`)})
	if err != nil {
		t.Fatal(err)
	}
	text, _ = zs[0].MasterFile()
	if !strings.Contains(text, `"v=DMARC1; p=none" ; want "dmarc.policy-none"`) {
		t.Errorf("Terraform comment lost:\n%s", text)
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       zonesrc.Format
	}{
		{"dns/main.tf", "", zonesrc.FormatTerraform},
		{"contoso.com.yaml", "---\n", zonesrc.FormatOctoDNS},
		{"ir.json", `{"registrars": [], "dns_providers": [], "domains": []}`, zonesrc.FormatDNSControl},
		{"sets.json", `{"ResourceRecordSets": []}`, zonesrc.FormatRoute53},
		{"batch.json", `{"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {}}]}`, zonesrc.FormatRoute53},
		{"plan.json", `{"format_version": "1.2", "planned_values": {}}`, zonesrc.FormatTerraformPlan},
		{"sets.json", `[{"Name": "contoso.com.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": "\"v=spf1 -all\""}]}]`, zonesrc.FormatRoute53},
		{"contoso.com.zone", "", zonesrc.FormatZone},
		{"db.contoso", "", zonesrc.FormatZone},
		{"-", "$ORIGIN contoso.com.\n", zonesrc.FormatZone},
		{"x.json", `{"a": 1}`, ""},
		{"notes.txt", "hello", ""},
	} {
		if got := zonesrc.Detect(tc.name, []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestFormatFlag(t *testing.T) {
	var f zonesrc.Format
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Var(&f, "zone-format", "")
	if err := fs.Parse([]string{"-zone-format", "Terraform-Plan"}); err != nil || f != zonesrc.FormatTerraformPlan {
		t.Errorf("got %q, %v", f, err)
	}
	if err := f.Set("yaml-ish"); err == nil {
		t.Error("an unknown format was accepted")
	}
	if err := f.Set("auto"); err != nil || f != "" || f.String() != "auto" {
		t.Errorf("auto: %q %v", f, err)
	}
	for _, name := range zonesrc.Formats() {
		if g, err := zonesrc.ParseFormat(string(name)); err != nil || g != name {
			t.Errorf("ParseFormat(%q) = %q, %v", name, g, err)
		}
	}
}

func TestReadDispatch(t *testing.T) {
	zones, err := zonesrc.Read(strings.NewReader(`{"ResourceRecordSets": [{"Name": "contoso.example.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}]}`), "sets.json", "", "contoso.example")
	if err != nil || len(zones) != 1 || len(zones[0].Records) != 1 {
		t.Errorf("Read: %v %+v", err, zones)
	}
	if _, err := zonesrc.Read(strings.NewReader("D()"), "dnsconfig.js", "", ""); err != zonesrc.ErrDNSControlJS {
		t.Errorf("dnsconfig.js: %v", err)
	}
	if _, err := zonesrc.Read(strings.NewReader("$ORIGIN a.\n"), "a.zone", "", ""); err == nil {
		t.Error("a master file was converted")
	}
}

// octoDNS names a zone by its file (contoso.example.yaml holds
// contoso.example): checking a domain inside it (sub.contoso.example, a
// name in that file) reads the file as that zone, with ” its apex, not
// as the zone of the domain checked, which would put the apex's MX, SPF
// and DKIM keys at the subdomain.
func TestOctoDNSSubdomainOfTheFilesZone(t *testing.T) {
	path := t.TempDir() + "/contoso.example.yaml"
	src := "'':\n  type: MX\n  value:\n    exchange: apex-mx.example.net.\n    preference: 10\nsub:\n  type: MX\n  value:\n    exchange: sub-mx.example.net.\n    preference: 20\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, domain := range []string{"contoso.example", "sub.contoso.example", ""} {
		srcs, loaded, err := zonesrc.Sources([]string{path}, zonesrc.FormatOctoDNS, domain, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != 1 || loaded[0].Zone.Origin != "contoso.example" || len(srcs) != 1 {
			t.Fatalf("domain %q: zone %+v", domain, loaded)
		}
		for _, want := range []string{"contoso.example. 3600 IN MX 10 apex-mx.example.net.", "sub.contoso.example. 3600 IN MX 20 sub-mx.example.net."} {
			if !strings.Contains(loaded[0].Text, want) {
				t.Errorf("domain %q: the zone lacks %q:\n%s", domain, want, loaded[0].Text)
			}
		}
	}
	// A file not named for a zone is read as the domain's.
	other := t.TempDir() + "/records.yaml"
	if err := os.WriteFile(other, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, loaded, err := zonesrc.Sources([]string{other}, zonesrc.FormatOctoDNS, "sub.contoso.example", ""); err != nil || loaded[0].Zone.Origin != "sub.contoso.example" {
		t.Errorf("records.yaml for sub.contoso.example: %v, %v", loaded, err)
	}
}

// A Route 53 export holds its hosted zone's SOA: checking a domain inside
// it reads the export as that zone, not as the domain's (which left the
// apex's records outside the zone, a false zone.out-of-zone).
func TestRoute53SubdomainOfTheHostedZone(t *testing.T) {
	path := t.TempDir() + "/export.json"
	src := `{"ResourceRecordSets": [
 {"Name": "contoso.example.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns-1.example.net. hostmaster.example.net. 1 7200 900 1209600 86400"}]},
 {"Name": "contoso.example.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 apex-mx.example.net."}]},
 {"Name": "sub.contoso.example.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "20 sub-mx.example.net."}]}]}`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, domain := range []string{"contoso.example", "sub.contoso.example", ""} {
		_, loaded, err := zonesrc.Sources([]string{path}, zonesrc.FormatRoute53, domain, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != 1 || loaded[0].Zone.Origin != "contoso.example" {
			t.Fatalf("domain %q: zone %+v", domain, loaded[0].Zone)
		}
	}
}
