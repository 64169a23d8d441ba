package zonesrc_test

import (
	"os"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonesrc"
)

// loads checks the readers' promise: whatever the input, each zone's
// master file loads as a server loads it.
func loads(t *testing.T, zones []*zonesrc.Zone) {
	t.Helper()
	for _, z := range zones {
		if z.Origin == "" {
			continue
		}
		text, lines := z.MasterFile()
		if _, err := resolver.NewZones(resolver.ZoneSource{Origin: z.Origin, Text: text}); err != nil {
			t.Fatalf("the master file of %s does not load: %v\n%s", z.Origin, err, text)
		}
		if len(lines) > len(z.Records) {
			t.Fatalf("%d lines mapped for %d records", len(lines), len(z.Records))
		}
	}
}

func seed(f *testing.F, files ...string) {
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadOctoDNS(f *testing.F) {
	seed(f, "testdata/octodns/contoso.example.yaml")
	f.Add([]byte("'':\n  type: TXT\n  value: '\"'\n"))
	f.Add([]byte("a:\n  - type: MX\n    values:\n      - priority: 1\n        value: x.\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		z, err := zonesrc.ReadOctoDNS(strings.NewReader(string(b)), "z.yaml", "contoso.example")
		if err == nil {
			loads(t, []*zonesrc.Zone{z})
		}
	})
}

func FuzzReadDNSControlIR(f *testing.F) {
	seed(f, "testdata/dnscontrol/ir-v3.json", "testdata/dnscontrol/ir-v4.json")
	f.Add([]byte(`{"domains": [{"name": "a.example", "records": [{"type": "TXT", "name": "@", "txtstrings": ["a", ""]}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		zones, err := zonesrc.ReadDNSControlIR(strings.NewReader(string(b)), "ir.json", "")
		if err == nil {
			loads(t, zones)
		}
	})
}

func FuzzReadRoute53(f *testing.F) {
	seed(f, "testdata/route53/contoso.example.json")
	f.Add([]byte(`[{"Name": "\\052.a.example.", "Type": "TXT", "ResourceRecords": [{"Value": "\"a\\\"b\" c"}]}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		z, err := zonesrc.ReadRoute53(strings.NewReader(string(b)), "r.json", "")
		if err == nil {
			loads(t, []*zonesrc.Zone{z})
		}
	})
}

func FuzzReadTerraform(f *testing.F) {
	seed(f, "testdata/terraform/cloudflare/main.tf", "testdata/terraform/aws/mail.tf", "testdata/terraform/azure/main.tf", "testdata/terraform/google/main.tf")
	zone, err := os.ReadFile("testdata/terraform/aws/zone.tf")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		zones, err := zonesrc.ReadTerraform(map[string][]byte{"zone.tf": zone, "x.tf": b})
		if err == nil {
			loads(t, zones)
		}
	})
}

func FuzzReadTerraformPlan(f *testing.F) {
	seed(f, "testdata/terraform/plan/cloudflare-v5.json")
	f.Add([]byte(`{"values": {"root_module": {"resources": [{"address": "x", "mode": "managed", "type": "aws_route53_record", "values": {"zone_id": "Z", "name": "a", "type": "A", "records": ["192.0.2.1"]}}]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		zones, err := zonesrc.ReadTerraformPlan(strings.NewReader(string(b)), "plan.json")
		if err == nil {
			loads(t, zones)
		}
	})
}
