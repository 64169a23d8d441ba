package zonesrc_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/zonesrc"
)

// TestDNSAsCodeFileBounds: the files a DNS-as-code source leads to (a
// Terraform folder's .tf files and its local modules', an octoDNS
// !include, the zone files an octoDNS configuration names, a split zone's
// files) are read only when regular, within MaxInput, and only under the
// folder read: a link to /dev/zero, a FIFO or a link out of the folder is
// refused at once, neither read without end nor waited on.
func TestDNSAsCodeFileBounds(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.tf"), []byte(`resource "aws_route53_zone" "z" { name = "outside.example" }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "outside.yaml"), []byte("outside:\n  type: TXT\n  value: secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const zoneTF = `resource "aws_route53_zone" "z" { name = "contoso.example" }
resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = ""
  type    = "TXT"
  records = ["v=spf1 -all"]
}
`
	const moduleCall = `module "mail" {
  source  = "./mail"
  zone_id = aws_route53_zone.z.zone_id
}
`
	for name, tt := range map[string]struct {
		files map[string]string // name → text; "->X": a link to X; "fifo": a FIFO
		open  string            // what Open is given, under the folder
		want  string            // in the error, or in a note; "" for no error
	}{
		"a .tf linked to /dev/zero":       {files: map[string]string{"main.tf": zoneTF, "zero.tf": "->/dev/zero"}, open: ".", want: "escapes"},
		"a .tf that is a FIFO":            {files: map[string]string{"main.tf": zoneTF, "pipe.tf": "fifo"}, open: ".", want: "not a regular file"},
		"a .tf linked out of the folder":  {files: map[string]string{"main.tf": zoneTF, "x.tf": "->" + filepath.Join(outside, "secret.tf")}, open: ".", want: "escapes"},
		"a module's .tf linked to a FIFO": {files: map[string]string{"main.tf": zoneTF + moduleCall, "mail/p.tf": "fifo"}, open: ".", want: "not a regular file"},
		"a module folder linked outside":  {files: map[string]string{"main.tf": zoneTF + moduleCall, "mail": "->" + outside}, open: ".", want: "module mail"},
		"an octoDNS !include of a FIFO": {files: map[string]string{"contoso.example.yaml": "'': !include spf.yaml\n", "spf.yaml": "fifo"},
			open: "contoso.example.yaml", want: "not a regular file"},
		"an octoDNS !include linked out": {files: map[string]string{"contoso.example.yaml": "'': !include spf.yaml\n", "spf.yaml": "->" + filepath.Join(outside, "secret.tf")},
			open: "contoso.example.yaml", want: "escapes"},
		"a split zone's file linked to /dev/zero": {files: map[string]string{"contoso.example./a.yaml": "'':\n  type: TXT\n  value: x\n", "contoso.example./b.yaml": "->/dev/zero"},
			open: "contoso.example.", want: "escapes"},
		"a split zone's file that is a FIFO": {files: map[string]string{"contoso.example./a.yaml": "'':\n  type: TXT\n  value: x\n", "contoso.example./b.yaml": "fifo"},
			open: "contoso.example.", want: "not a regular file"},
		"a split zone's file linked out of the folder": {files: map[string]string{"contoso.example./a.yaml": "'':\n  type: TXT\n  value: x\n", "contoso.example./b.yaml": "->" + filepath.Join(outside, "outside.yaml")},
			open: "contoso.example.", want: "escapes"},
		"an octoDNS configuration's zone file linked out": {files: map[string]string{
			"config.yaml":                "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\nzones:\n  contoso.example.:\n    sources: [config]\n",
			"zones/contoso.example.yaml": "->" + filepath.Join(outside, "outside.yaml")}, open: "config.yaml", want: "escapes"},
		"an octoDNS configuration's zone file that is a FIFO": {files: map[string]string{
			"config.yaml":                "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\nzones:\n  contoso.example.:\n    sources: [config]\n",
			"zones/contoso.example.yaml": "fifo"}, open: "config.yaml", want: "not a regular file"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for n, text := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(n))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				var err error
				switch {
				case text == "fifo":
					err = syscall.Mkfifo(p, 0o644)
				case strings.HasPrefix(text, "->"):
					err = os.Symlink(text[2:], p)
				default:
					err = os.WriteFile(p, []byte(text), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			type result struct {
				zones []*zonesrc.Zone
				err   error
			}
			done := make(chan result, 1)
			go func() {
				zs, _, err := zonesrc.Open(filepath.Join(dir, tt.open), "", "contoso.example")
				done <- result{zs, err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Open did not return in 10 s: it waits on, or reads without end, a file it should refuse")
			}
			said := ""
			if r.err != nil {
				said = r.err.Error()
			}
			for _, z := range r.zones {
				for _, n := range z.NotEvaluated {
					said += "\n" + n.Message
				}
				for _, rec := range z.Records {
					if strings.Contains(rec.Name, "outside") {
						t.Errorf("read a record from outside the folder: %+v", rec)
					}
				}
			}
			if !strings.Contains(said, tt.want) {
				t.Errorf("Open says %q; want it to say %q", said, tt.want)
			}
		})
	}
}

// TestTerraformReferenceChain: references to resources' literal arguments
// are followed a bounded number of rounds, each linear in the blocks: a
// chain of thousands of resources, each naming the one before, is read
// at once (it took minutes, quadratic in the chain), its records past
// the bound noted, not guessed.
func TestTerraformReferenceChain(t *testing.T) {
	var b strings.Builder
	b.WriteString(`resource "aws_route53_zone" "z" { name = "contoso.example" }` + "\n")
	b.WriteString(`resource "null_resource" "r0" { name = "a" }` + "\n")
	const n = 5000
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "resource \"null_resource\" \"r%d\" { name = null_resource.r%d.name }\n", i, i-1)
	}
	fmt.Fprintf(&b, "resource \"aws_route53_record\" \"near\" {\n  zone_id = aws_route53_zone.z.zone_id\n  name = null_resource.r2.name\n  type = \"TXT\"\n  records = [\"v=spf1 -all\"]\n}\n")
	fmt.Fprintf(&b, "resource \"aws_route53_record\" \"far\" {\n  zone_id = aws_route53_zone.z.zone_id\n  name = null_resource.r%d.name\n  type = \"TXT\"\n  records = [\"v=spf1 -all\"]\n}\n", n-1)
	oneRecordWithin(t, b.String(), "the near record")
}

// TestTerraformManyNames: an expression is evaluated with what it
// references, not a copy of every resource type, local and variable:
// 20,000 of each were read in minutes, quadratic.
func TestTerraformManyNames(t *testing.T) {
	var b strings.Builder
	const n = 20000
	b.WriteString(`resource "aws_route53_zone" "z" { name = "contoso.example" }` + "\nlocals {\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  l%d = \"a\"\n", i)
	}
	b.WriteString("}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "resource \"t%d\" \"r\" { name = local.l%d }\n", i, i)
	}
	b.WriteString("resource \"aws_route53_record\" \"spf\" {\n  zone_id = aws_route53_zone.z.zone_id\n  name = t7.r.name\n  type = \"TXT\"\n  records = [\"v=spf1 -all\"]\n}\n")
	oneRecordWithin(t, b.String(), "the record")
}

// oneRecordWithin reads src as main.tf within 10 s, and wants one zone
// holding one record, what at a.contoso.example.
func oneRecordWithin(t *testing.T, src, what string) {
	t.Helper()
	done := make(chan []*zonesrc.Zone, 1)
	go func() {
		zones, err := zonesrc.ReadTerraform(map[string][]byte{"main.tf": []byte(src)})
		if err != nil {
			t.Error(err)
		}
		done <- zones
	}()
	select {
	case zones := <-done:
		if len(zones) != 1 || len(zones[0].Records) != 1 || zones[0].Records[0].Name != "a.contoso.example" {
			t.Errorf("zones %+v, want %s at a.contoso.example", zones, what)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadTerraform did not return in 10 s")
	}
}
