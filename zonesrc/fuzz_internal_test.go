package zonesrc

import (
	"bytes"
	"testing"
	"testing/fstest"

	"github.com/domainlint/domainlint/resolver"
)

// loadsAll checks the readers' promise for the shapes read only with a
// folder: whatever the input, each zone's master file loads.
func loadsAll(t *testing.T, zones []*Zone) {
	t.Helper()
	for _, z := range zones {
		if z == nil || z.Origin == "" {
			continue
		}
		text, _ := z.MasterFile()
		if _, err := resolver.NewZones(resolver.ZoneSource{Origin: z.Origin, Text: text}); err != nil {
			t.Fatalf("the master file of %s does not load: %v\n%s", z.Origin, err, text)
		}
	}
}

// FuzzReadOctoDNSInclude: a zone file and the file its !include names
// (aliases, merge keys, value lists, YAML 1.1 keys, lenient records,
// provider types, a configuration given as a zone).
func FuzzReadOctoDNSInclude(f *testing.F) {
	f.Add([]byte("'':\n  - !include mx.yaml\n  - type: TXT\n    value: v=spf1 -all\n"), []byte("type: MX\nvalues:\n  - exchange: mx.example.net.\n    preference: 10\n"))
	f.Add([]byte("base: &b\n  type: A\n  value: 192.0.2.1\nwww:\n  <<: *b\n  ttl: 60\nold:\n  <<: [*b, {type: AAAA}]\n"), []byte(""))
	f.Add([]byte("'':\n  type: MX\n  value:\n    - exchange: a.example.\n      preference: 1\n    - exchange: b.example.\n      preference: 2\n"), []byte("x"))
	f.Add([]byte("null:\n  type: A\n  value: 192.0.2.1\nyes:\n  type: TXT\n  value: a\n010:\n  type: TXT\n  value: b\n1.10:\n  type: TXT\n  value: c\n"), []byte(""))
	f.Add([]byte("www:\n  type: CNAME\n  value: x.example\n  octodns:\n    lenient: true\n    cloudflare:\n      proxied: true\n"), []byte(""))
	f.Add([]byte("'':\n  type: Route53Provider/ALIAS\n  value:\n    type: A\n    name: www\n"), []byte(""))
	f.Add([]byte("providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\nzones:\n  contoso.example.:\n    sources: [config]\n"), []byte(""))
	f.Add([]byte("_443._tcp:\n  type: TLSA\n  value:\n    certificate_usage: 3\n    selector: 1\n    matching_type: 1\n    certificate_association_data: ABCDEF\n"), []byte(""))
	f.Add([]byte("a: &a [*a]\n"), []byte("- &x !include z.yaml\n"))
	f.Fuzz(func(t *testing.T, zone, inc []byte) {
		include := func(rel string) ([]byte, string, error) { return inc, "inc.yaml", nil }
		for _, opts := range []octoOpts{{include: include}, {include: include, lenient: true, ttl: 600, raw: true}} {
			z, err := readOctoDNS(bytes.NewReader(zone), "contoso.example.yaml", "sub.contoso.example", opts)
			if err == nil {
				loadsAll(t, []*Zone{z})
			}
		}
	})
}

// FuzzReadTerraformModules: a root module and the local module it calls.
func FuzzReadTerraformModules(f *testing.F) {
	f.Add([]byte(`resource "aws_route53_zone" "z" { name = "contoso.example" }
module "mail" {
  source  = "./mail"
  zone_id = aws_route53_zone.z.zone_id
  domain  = aws_route53_zone.z.name
  dkim    = { s1 = "v=DKIM1; p=AAAA" }
}
module "again" {
  source = "./mail"
  zone_id = aws_route53_zone.z.zone_id
}
module "remote" {
  source = "terraform-aws-modules/route53/aws"
}
`), []byte(`variable "zone_id" {}
variable "domain" { default = "contoso.example" }
variable "dkim" { default = {} }
resource "aws_route53_record" "spf" {
  zone_id = var.zone_id
  name    = var.domain
  type    = "TXT"
  records = ["v=spf1 -all"]
}
resource "aws_route53_record" "dkim" {
  for_each = var.dkim
  zone_id  = var.zone_id
  name     = "${each.key}._domainkey.${var.domain}"
  type     = "TXT"
  records  = [each.value]
}
module "self" {
  source = "../mail"
  zone_id = var.zone_id
}
`))
	f.Fuzz(func(t *testing.T, root, mod []byte) {
		fsys := fstest.MapFS{"main.tf": {Data: root}, "mail/mail.tf": {Data: mod}}
		zones, err := readTerraformMods(map[string][]byte{"main.tf": root}, "contoso.example", fsModules(fsys))
		if err == nil {
			loadsAll(t, zones)
		}
	})
}
