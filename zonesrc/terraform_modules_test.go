package zonesrc_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/domainlint/domainlint/zonesrc"
)

// TestTerraformLocalModules: a module called from a local folder is read
// with the call's literal arguments as its variables (defaults for the
// others): its zone, for_each over an argument and a zone passed by
// reference; the values are placed where the call writes them. A module
// from elsewhere is a note saying why it is not read.
func TestTerraformLocalModules(t *testing.T) {
	fsys := fstest.MapFS{
		"dns/impl/main.tf": {Data: []byte(`resource "aws_route53_zone" "zone" {
  name = var.domain
}
resource "aws_route53_record" "txt" {
  for_each = var.TXT
  zone_id  = aws_route53_zone.zone.id
  name     = each.key == "@" ? "${var.domain}." : "${each.key}.${var.domain}."
  type     = "TXT"
  ttl      = var.ttl
  records  = each.value
}
`)},
		"dns/impl/variables.tf": {Data: []byte(`variable "domain" { type = string }
variable "ttl" {
  type    = number
  default = 3600
}
variable "TXT" {
  type    = map(list(string))
  default = {}
}
`)},
		"dns/contoso.tf": {Data: []byte(`module "contoso" {
  source = "./impl"
  domain = "contoso.example"
  TXT = {
    "@"      = ["v=spf1 -all"]
    "_dmarc" = ["v=DMARC1; p=reject"]
  }
}
`)},
		"dns/mail/main.tf": {Data: []byte(`resource "aws_route53_record" "mx" {
  zone_id = var.zone_id
  name    = "fabrikam.example"
  type    = "MX"
  ttl     = 300
  records = var.mx
}
variable "zone_id" {}
variable "mx" {}
`)},
		"dns/fabrikam.tf": {Data: []byte(`resource "aws_route53_zone" "f" {
  name = "fabrikam.example"
}
module "mail" {
  source  = "./mail"
  zone_id = aws_route53_zone.f.zone_id
  mx      = ["10 mx.fabrikam.example."]
}
module "registry" {
  source  = "terraform-aws-modules/route53/aws//modules/records"
  zone_id = aws_route53_zone.f.zone_id
}
`)},
	}
	zones, err := zonesrc.ReadTerraformFS(fsys, "dns")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	var notes []string
	for _, z := range zones {
		for _, r := range z.Records {
			have[r.Name+" "+r.Type+" "+r.Data] = r.Pos.String()
		}
		for _, n := range z.NotEvaluated {
			notes = append(notes, n.String())
		}
	}
	for rec, pos := range map[string]string{
		`contoso.example TXT "v=spf1 -all"`:               "dns/contoso.tf:5:16",
		`_dmarc.contoso.example TXT "v=DMARC1; p=reject"`: "dns/contoso.tf:6:16",
		"fabrikam.example MX 10 mx.fabrikam.example.":     "dns/fabrikam.tf:7:13",
	} {
		if got, ok := have[rec]; !ok || got != pos {
			t.Errorf("record %q at %q, want %q (records %v)", rec, got, pos, have)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "module registry") || !strings.Contains(notes[0], "its source is not a local folder") {
		t.Errorf("notes %q", notes)
	}
	for _, z := range zones {
		if z.Origin == "contoso.example" {
			for _, r := range z.Records {
				if r.TTL != 3600 {
					t.Errorf("%s TTL %d, want the default 3600", r.Name, r.TTL)
				}
			}
		}
	}
}

// TestTerraformModuleRecursion: a module that calls itself is read to a
// bounded depth and number of calls, not forever.
func TestTerraformModuleRecursion(t *testing.T) {
	fsys := fstest.MapFS{"m/main.tf": {Data: []byte(`module "a" {
  source = "./"
}
module "b" {
  source = "./"
}
module "c" {
  source = "./"
}
resource "aws_route53_zone" "z" { name = "contoso.example" }
`)}}
	zones, err := zonesrc.ReadTerraformFS(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	var notes int
	var deep, many bool
	for _, z := range zones {
		notes += len(z.NotEvaluated)
		for _, n := range z.NotEvaluated {
			deep = deep || strings.Contains(n.Message, "modules are read 8 deep at most")
			many = many || strings.Contains(n.Message, "256 module calls are read at most")
		}
	}
	// Both bounds SECURITY.md names are met: 3 calls a level, 8 deep,
	// would be 9,840 calls.
	if notes == 0 || !deep || !many {
		t.Errorf("%d notes for the module calls not read; depth bound said %v, calls bound said %v", notes, deep, many)
	}
}
