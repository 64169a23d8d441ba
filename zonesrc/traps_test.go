package zonesrc_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonesrc"
)

var long300 = strings.Repeat("a", 300)

// trap is a small source with the problems, notes and records it gives.
type trap struct {
	name string
	read func() ([]*zonesrc.Zone, error)
	// problems are "rule@line", in order.
	problems []string
	// notes are substrings of the notes, in order.
	notes []string
	// records are "name TYPE data" lines the zone must hold.
	records []string
	// absent are "name TYPE" the zone must not hold.
	absent []string
	// line, when set, is the line of the first record.
	line int
	// unknown, when set, is what the zones' Unknown returns, in order.
	unknown []string
}

func octo(src string) func() ([]*zonesrc.Zone, error) {
	return func() ([]*zonesrc.Zone, error) {
		z, err := zonesrc.ReadOctoDNS(strings.NewReader(src), "z.yaml", "contoso.example")
		if err != nil {
			return nil, err
		}
		return []*zonesrc.Zone{z}, nil
	}
}

func r53(src string) func() ([]*zonesrc.Zone, error) {
	return func() ([]*zonesrc.Zone, error) {
		z, err := zonesrc.ReadRoute53(strings.NewReader(src), "z.json", "contoso.example")
		if err != nil {
			return nil, err
		}
		return []*zonesrc.Zone{z}, nil
	}
}

func dnsc(records string) func() ([]*zonesrc.Zone, error) {
	return func() ([]*zonesrc.Zone, error) {
		return zonesrc.ReadDNSControlIR(strings.NewReader(`{"domains": [{"name": "contoso.example", "records": [`+records+`]}]}`), "ir.json", "")
	}
}

func tf(files ...string) func() ([]*zonesrc.Zone, error) {
	return func() ([]*zonesrc.Zone, error) {
		m := map[string][]byte{}
		for i, f := range files {
			m[fmt.Sprintf("f%d.tf", i+1)] = []byte(f)
		}
		return zonesrc.ReadTerraform(m)
	}
}

func plan(src string) func() ([]*zonesrc.Zone, error) {
	return func() ([]*zonesrc.Zone, error) {
		return zonesrc.ReadTerraformPlan(strings.NewReader(src), "plan.json")
	}
}

const awsZone = `resource "aws_route53_zone" "z" { name = "contoso.example" }
`

// TestOctoDNSAliasBomb: aliases that expand without bound are an error,
// not a hang.
func TestOctoDNSAliasBomb(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'k'; i++ {
		p := string(i - 1)
		src += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", i, i, p, p, p, p, p, p, p, p, p, p)
	}
	_, err := zonesrc.ReadOctoDNS(strings.NewReader(src), "z.yaml", "contoso.example")
	if err == nil || !strings.Contains(err.Error(), "expand") {
		t.Errorf("err %v", err)
	}
}

// TestOctoDNSAliasCycle: an alias within what it names, or a file nested
// past what PyYAML reads, is an error, not a fatal stack overflow.
func TestOctoDNSAliasCycle(t *testing.T) {
	for _, src := range []string{
		"a: &a [*a]\n",
		"a: &a {b: *a}\n",
		"a: &a\n  <<: *a\n",
		"a: &a\n  type: TXT\n  value: [*a]\n",
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
	} {
		_, err := zonesrc.ReadOctoDNS(strings.NewReader(src), "z.yaml", "contoso.example")
		if err == nil {
			t.Errorf("%.40q: no error", src)
		}
	}
}

// TestOctoDNSConfig: octoDNS's configuration is not read as a zone; the
// error names the zone files it points at.
func TestOctoDNSConfig(t *testing.T) {
	src := "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\n  route53:\n    class: octodns_route53.Route53Provider\nzones:\n  contoso.example.:\n    sources: [config]\n    targets: [route53]\n"
	_, err := zonesrc.ReadOctoDNS(strings.NewReader(src), "dns/config.yaml", "contoso.example")
	if err == nil || !strings.Contains(err.Error(), "is an octoDNS configuration") || !strings.Contains(err.Error(), "dns/zones/ZONE.yaml") {
		t.Errorf("err %v", err)
	}
}

func TestTraps(t *testing.T) {
	for _, tc := range []trap{
		{name: "octodns/unescaped-semicolon", read: octo("_dmarc:\n  type: TXT\n  value: v=DMARC1; p=reject\n"),
			problems: []string{"zonesrc.octodns-unescaped-semicolon@3"},
			records:  []string{`_dmarc.contoso.example TXT "v=DMARC1; p=reject"`}},
		{name: "octodns/escaped-semicolon", read: octo("_dmarc:\n  type: TXT\n  value: v=DMARC1\\; p=reject\n"),
			records: []string{`_dmarc.contoso.example TXT "v=DMARC1; p=reject"`}},
		{name: "octodns/double-escaped", read: octo("_dmarc:\n  type: TXT\n  value: \"v=DMARC1\\\\\\\\; p=reject\"\n"),
			problems: []string{"zonesrc.octodns-double-escaped-semicolon@3"}},
		{name: "octodns/missing-dot", read: octo("www:\n  type: CNAME\n  value: contoso.example\n"),
			problems: []string{"zonesrc.octodns-missing-dot@3"},
			records:  []string{"www.contoso.example CNAME contoso.example."}},
		// A lenient record (octodns: {lenient: true}) fails validation
		// with a warning, and octoDNS publishes it (octodns/record/base.py,
		// Record.new): nothing here is refused.
		{name: "octodns/lenient-missing-dot", read: octo("www:\n  type: CNAME\n  value: contoso.example\n  octodns:\n    lenient: true\n"),
			records: []string{"www.contoso.example CNAME contoso.example."}},
		// PyYAML reads yes as True: octoDNS's "lenient |=" takes it.
		{name: "octodns/lenient-yes", read: octo("www:\n  type: CNAME\n  value: contoso.example\n  octodns:\n    lenient: yes\n"),
			records: []string{"www.contoso.example CNAME contoso.example."}},
		{name: "octodns/lenient-unescaped-semicolon", read: octo("_dmarc:\n  octodns:\n    lenient: true\n  type: TXT\n  value: v=DMARC1; p=reject\n"),
			records: []string{`_dmarc.contoso.example TXT "v=DMARC1; p=reject"`}},
		{name: "octodns/lenient-in-a-list", read: octo("'':\n  - type: MX\n    octodns:\n      lenient: true\n    value:\n      exchange: mx.contoso.example\n      preference: 10\n  - type: CNAME\n    value: x.example\n"),
			problems: []string{"zonesrc.octodns-missing-dot@9"}},
		// value: holding a list is read as values: by octoDNS's
		// ValuesMixin (data.get('values', data.get('value', []))).
		{name: "octodns/value-holding-a-list", read: octo("mail:\n  type: MX\n  value:\n    - exchange: mxa.example.net.\n      preference: 10\n    - exchange: mxb.example.net.\n      preference: 20\n"),
			records: []string{"mail.contoso.example MX 10 mxa.example.net.", "mail.contoso.example MX 20 mxb.example.net."}},
		{name: "octodns/long-txt-chunked", read: octo("s1:\n  type: TXT\n  value: " + long300 + "\n"),
			records: []string{`s1.contoso.example TXT "` + long300[:255] + `" "` + long300[255:] + `"`}},
		{name: "octodns/quoted-chunks-joined", read: octo("s1:\n  type: TXT\n  value: '\"abc\" \"def\"'\n"),
			records: []string{`s1.contoso.example TXT "abcdef"`}},
		{name: "octodns/non-ascii", read: octo("s1:\n  type: TXT\n  value: café\n"),
			problems: []string{"zonesrc.octodns-non-ascii@3"}},
		{name: "octodns/alias-and-ignored", read: octo("'':\n  - type: ALIAS\n    value: lb.example.net.\n  - type: TXT\n    value: x\n    octodns:\n      ignored: true\n"),
			notes: []string{"ALIAS is the provider's own", "ignored by octoDNS"}, absent: []string{"contoso.example TXT"}},
		{name: "octodns/list-under-value", read: octo("'':\n  type: MX\n  value:\n    - exchange: mx1.example.net.\n      preference: 10\n    - exchange: mx2.example.net.\n      preference: 20\nwww:\n  type: A\n  value: [192.0.2.1, 192.0.2.2]\n"),
			records: []string{"contoso.example MX 10 mx1.example.net.", "contoso.example MX 20 mx2.example.net.",
				"www.contoso.example A 192.0.2.1", "www.contoso.example A 192.0.2.2"}},
		{name: "octodns/a-not-an-address", read: octo("www:\n  type: A\n  value:\n    address: 192.0.2.1\n"),
			problems: []string{"zonesrc.bad-value@4"}, absent: []string{"www.contoso.example A"}},
		{name: "octodns/yaml11-keys", read: octo("null:\n  type: A\n  value: 192.0.2.1\nyes:\n  type: A\n  value: 192.0.2.2\n010:\n  type: A\n  value: 192.0.2.3\n1.10:\n  type: A\n  value: 192.0.2.4\n'off':\n  type: A\n  value: 192.0.2.5\n44.74:\n  type: A\n  value: 192.0.2.6\n2020-summer:\n  type: A\n  value: 192.0.2.7\n"),
			problems: []string{"zonesrc.octodns-yaml-key@1", "zonesrc.octodns-yaml-key@4", "zonesrc.octodns-yaml-key@7", "zonesrc.octodns-yaml-key@10"},
			records:  []string{"null.contoso.example A 192.0.2.1", "off.contoso.example A 192.0.2.5", "44.74.contoso.example A 192.0.2.6"}},
		{name: "octodns/ignored-is-unknown", read: octo("'':\n  - type: TXT\n    value: v=spf1 -all\n    octodns:\n      ignored: true\n  - type: ALIAS\n    value: lb.example.net.\n"),
			notes: []string{"ignored by octoDNS", "ALIAS is the provider's own"}, unknown: []string{"contoso.example TXT", "contoso.example ALIAS"}},
		{name: "octodns/provider-type", read: octo("'':\n  - type: Route53Provider/ALIAS\n    value:\n      evaluate-target-health: false\n      hosted-zone-id: Z2FDTNDATAQYW2\n      name: d1.cloudfront.net.\n      type: A\n  - type: txt\n    value: v=spf1 -all\n"),
			notes: []string{"Route53Provider/ALIAS is Route53Provider's own kind of record"}, unknown: []string{"contoso.example A"},
			problems: []string{"zonesrc.bad-value@8"}, records: []string{`contoso.example TXT "v=spf1 -all"`}},
		{name: "octodns/tlsa-sshfp", read: octo("_25._tcp.mail:\n  type: TLSA\n  value:\n    certificate_usage: 3\n    selector: 1\n    matching_type: 1\n    certificate_association_data: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nmail:\n  type: SSHFP\n  values:\n    - algorithm: 4\n      fingerprint_type: 2\n      fingerprint: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"),
			records: []string{"_25._tcp.mail.contoso.example TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
				"mail.contoso.example SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
		{name: "octodns/aliases-and-merge", read: octo("'': &mail\n  - type: MX\n    value:\n      exchange: mx.example.net.\n      preference: 10\nsub: *mail\nwww:\n  <<: &web\n    type: A\n    ttl: 600\n  value: 192.0.2.1\napi:\n  <<: *web\n  ttl: 60\n  values: &ips [192.0.2.2]\napi6:\n  type: A\n  values: *ips\n"),
			records: []string{"contoso.example MX 10 mx.example.net.", "sub.contoso.example MX 10 mx.example.net.",
				"www.contoso.example A 192.0.2.1", "api.contoso.example A 192.0.2.2", "api6.contoso.example A 192.0.2.2"}, line: 4},
		{name: "octodns/cloudflare-proxied", read: octo("autodiscover:\n  octodns:\n    cloudflare:\n      proxied: true\n  type: CNAME\n  value: autodiscover.outlook.com.\n"),
			problems: []string{"zonesrc.cloudflare-proxied@4"}, records: []string{"autodiscover.contoso.example CNAME autodiscover.outlook.com."}},
		{name: "octodns/lenient-record", read: octo("www:\n  octodns:\n    lenient: true\n  type: CNAME\n  value: contoso.example\n_dmarc:\n  type: TXT\n  value: v=DMARC1; p=reject\n  octodns:\n    lenient: true\n"),
			records: []string{"www.contoso.example CNAME contoso.example.", `_dmarc.contoso.example TXT "v=DMARC1; p=reject"`}},
		// A key written twice: PyYAML keeps the later value, without an
		// error, so octoDNS publishes the later key's records only.
		{name: "octodns/duplicate-key", read: octo("www:\n  type: A\n  value: 192.0.2.1\nwww:\n  type: A\n  value: 192.0.2.2\n"),
			problems: []string{"zonesrc.duplicate-rrset@1"}, records: []string{"www.contoso.example A 192.0.2.2"}, absent: []string{"www.contoso.example A 192.0.2.1"}},

		{name: "route53/unquoted", read: r53(`{"ResourceRecordSets": [{"Name": "contoso.example.", "Type": "TXT", "TTL": 300,
 "ResourceRecords": [{"Value": "v=spf1 -all"}]}]}`),
			problems: []string{"zonesrc.txt-unquoted@2"},
			records:  []string{`contoso.example TXT "v=spf1 -all"`}},
		{name: "route53/one-long-string", read: r53(`{"ResourceRecordSets": [{"Name": "s1.contoso.example.", "Type": "TXT", "TTL": 300,
 "ResourceRecords": [{"Value": "\"` + long300 + `\""}]}]}`),
			problems: []string{"zonesrc.txt-too-long@2"},
			records:  []string{`s1.contoso.example TXT "` + long300[:255] + `" "` + long300[255:] + `"`}},
		{name: "route53/split-by-user", read: r53(`{"ResourceRecordSets": [{"Name": "s1.contoso.example.", "Type": "TXT", "TTL": 300,
 "ResourceRecords": [{"Value": "\"` + long300[:200] + `\"\"` + long300[200:] + `\""}]}]}`),
			records: []string{`s1.contoso.example TXT "` + long300[:200] + `" "` + long300[200:] + `"`}},
		{name: "route53/unterminated", read: r53(`[{"Name": "contoso.example.", "Type": "TXT", "ResourceRecords": [{"Value": "\"v=spf1 -all"}]}]`),
			problems: []string{"zonesrc.txt-quoting@1"}, absent: []string{"contoso.example TXT"}},
		{name: "route53/octal", read: r53(`[{"Name": "\\052.contoso.example.", "Type": "TXT", "ResourceRecords": [{"Value": "\"a\\073b\""}]}]`),
			records: []string{`*.contoso.example TXT "a;b"`}},
		{name: "route53/alias", read: r53(`{"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {"Name": "contoso.example.", "Type": "A",
 "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d1.cloudfront.net.", "EvaluateTargetHealth": false}}},
 {"Action": "DELETE", "ResourceRecordSet": {"Name": "old.contoso.example.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.9"}]}}]}`),
			notes: []string{"is an alias"}, absent: []string{"contoso.example A", "old.contoso.example A"}},
		{name: "route53/duplicate", read: r53(`[{"Name": "contoso.example.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 a.example.net"}]},
 {"Name": "contoso.example.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "20 b.example.net"}]}]`),
			problems: []string{"zonesrc.duplicate-rrset@2"},
			records:  []string{"contoso.example MX 10 a.example.net."}},

		{name: "dnscontrol/txtmulti-long", read: dnsc(`{"type": "TXT", "name": "s1", "txtstrings": ["` + long300 + `", "b"], "target": "x"}`),
			problems: []string{"zonesrc.txt-too-long@1"}},
		{name: "dnscontrol/single-long", read: dnsc(`{"type": "TXT", "name": "s1", "txtstrings": ["` + long300 + `"], "target": "x"}`),
			records: []string{`s1.contoso.example TXT "` + long300[:255] + `" "` + long300[255:] + `"`}},
		{name: "dnscontrol/relative-target", read: dnsc(`{"type": "MX", "name": "@", "target": "mail"}, {"type": "CNAME", "name": "www", "target": "@"}`),
			records: []string{"contoso.example MX 0 mail.contoso.example.", "www.contoso.example CNAME contoso.example."}},
		{name: "dnscontrol/pseudo-and-proxied", read: dnsc(`{"type": "URL", "name": "go", "target": "https://example.net/"},
 {"type": "CNAME", "name": "autodiscover", "target": "autodiscover.outlook.com.", "meta": {"cloudflare_proxy": "on"}}`),
			problems: []string{"zonesrc.cloudflare-proxied@2"}, notes: []string{"URL is not read"}},
		{name: "dnscontrol/zonefilepartial", read: dnsc(`{"type": "RP", "name": "@", "target": "", "zonfefilepartial": "hostmaster.contoso.example. info.contoso.example."},
 {"type": "CF_WORKER_ROUTE", "name": "@", "target": "", "zonfefilepartial": "x"}`),
			records: []string{"contoso.example RP hostmaster.contoso.example. info.contoso.example."}, notes: []string{"CF_WORKER_ROUTE is not read"}},
		{name: "dnscontrol/duplicate", read: dnsc(`{"type": "A", "name": "www", "target": "192.0.2.1"},
 {"type": "A", "name": "www", "target": "192.0.2.1"}`),
			problems: []string{"zonesrc.duplicate-record@2"}},

		{name: "terraform/variable", read: tf(awsZone + `variable "spf" { default = "v=spf1 -all" }
resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = ""
  type    = "TXT"
  records = [var.spf]
}`), notes: []string{"aws_route53_record.spf.records = [var.spf]: a variable (var.spf)"}, absent: []string{"contoso.example TXT"}},
		// A module given the zone's id creates records in it that this
		// reader does not read (18F/dns: SPF and DMARC from a local
		// email_security module): a note says so, so that a record
		// reported missing is known to be perhaps made there.
		{name: "terraform/module-given-the-zone", read: tf(awsZone + `resource "aws_route53_record" "www" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "www"
  type    = "A"
  records = ["192.0.2.1"]
}
module "mail" {
  source      = "./email_security"
  zone_id     = aws_route53_zone.z.zone_id
  txt_records = ["v=spf1 -all"]
}
module "other" {
  source = "./cdn"
  bucket = "b"
}`), notes: []string{`module mail (source ./email_security) is not read`, `module other (source ./cdn) is not read`}},
		{name: "terraform/function", read: tf(awsZone + `resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = ""
  type    = "TXT"
  records = [join(" ", ["v=spf1", "-all"])]
}`), notes: []string{"a function call"}, absent: []string{"contoso.example TXT"}},
		{name: "terraform/zone-from-variable", read: tf(`resource "cloudflare_record" "mx" {
  zone_id = var.zone_id
  name    = "@"
  type    = "MX"
  content = "mail.example.net"
}`), notes: []string{"a variable (var.zone_id)"}},
		{name: "terraform/aws-long", read: tf(awsZone + `resource "aws_route53_record" "s1" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "s1._domainkey"
  type    = "TXT"
  records = ["` + long300 + `"]
}`), problems: []string{"zonesrc.txt-too-long@6"}},
		{name: "terraform/aws-quoted", read: tf(awsZone + `resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "contoso.example"
  type    = "TXT"
  records = ["\"v=spf1 -all\""]
}`), problems: []string{"zonesrc.txt-quoting@6"}, records: []string{`contoso.example TXT "v=spf1 -all"`}},
		{name: "terraform/aws-duplicate-across-files", read: tf(awsZone+`resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = ""
  type    = "TXT"
  records = ["v=spf1 -all"]
}`, `resource "aws_route53_record" "spf2" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "contoso.example"
  type    = "TXT"
  records = ["v=spf1 include:spf.protection.outlook.com -all"]
}`), problems: []string{"zonesrc.duplicate-rrset@5"}},
		{name: "terraform/google-unquoted", read: tf(`resource "google_dns_managed_zone" "z" {
  name     = "contoso"
  dns_name = "contoso.example."
}
resource "google_dns_record_set" "spf" {
  managed_zone = google_dns_managed_zone.z.name
  name         = "contoso.example."
  type         = "TXT"
  rrdatas      = ["v=spf1 include:spf.protection.outlook.com -all"]
}`), problems: []string{"zonesrc.txt-unquoted@9"},
			records: []string{`contoso.example TXT "v=spf1" "include:spf.protection.outlook.com" "-all"`}},
		{name: "terraform/azure-values-long", read: tf(`resource "azurerm_dns_txt_record" "s1" {
  name                = "s1"
  zone_name           = "contoso.example"
  resource_group_name = "dns"
  ttl                 = 300
  record {
    values = ["` + long300 + `"]
  }
}`), problems: []string{"zonesrc.txt-too-long@7"}},
		{name: "terraform/cloudflare-proxied-and-comment", read: tf(`data "cloudflare_zone" "z" {
  name = "contoso.example"
}
resource "cloudflare_record" "autodiscover" {
  zone_id = data.cloudflare_zone.z.id
  name    = "autodiscover"
  type    = "CNAME"
  content = "autodiscover.outlook.com"
  proxied = true # ignore "m365.wrong"
}`), problems: []string{"zonesrc.cloudflare-proxied@9"}, records: []string{"autodiscover.contoso.example CNAME autodiscover.outlook.com."}},
		{name: "terraform/cloudflare-v5-srv", read: tf(`resource "cloudflare_zone" "z" {
  name = "contoso.example"
}
resource "cloudflare_dns_record" "sip" {
  zone_id = cloudflare_zone.z.id
  name    = "_sipfederationtls._tcp.contoso.example"
  type    = "SRV"
  ttl     = 1
  data = {
    priority = 100
    weight   = 1
    port     = 5061
    target   = "sipfed.online.lync.com"
  }
}`), records: []string{"_sipfederationtls._tcp.contoso.example SRV 100 1 5061 sipfed.online.lync.com."}, line: 13},
		{name: "terraform/module-call", read: tf(awsZone + `resource "aws_route53_record" "mx" {
  zone_id = aws_route53_zone.z.zone_id
  name    = ""
  type    = "MX"
  ttl     = 300
  records = ["0 contoso-example.mail.protection.outlook.com"]
}
module "email" {
  source      = "./email_security"
  zone_id     = aws_route53_zone.z.zone_id
  txt_records = ["v=spf1 -all"]
}`), notes: []string{"module email (source ./email_security) is not read"},
			records: []string{"contoso.example MX 0 contoso-example.mail.protection.outlook.com."}},
		{name: "terraform/module-only", read: tf(`module "records" {
  source  = "terraform-aws-modules/route53/aws//modules/records"
  zone_id = module.zone.zone_id
  records = [{ name = "", type = "TXT", records = ["v=spf1 -all"] }]
}`), notes: []string{"module records (source terraform-aws-modules/route53/aws//modules/records) is not read"}},
		{name: "terraform/cloudflare-tlsa", read: tf(`resource "cloudflare_zone" "z" {
  zone = "contoso.example"
}
resource "cloudflare_record" "tlsa" {
  zone_id = cloudflare_zone.z.id
  name    = "_25._tcp.mail"
  type    = "TLSA"
  data {
    usage         = 3
    selector      = 1
    matching_type = 1
    certificate   = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
  }
}`), records: []string{"_25._tcp.mail.contoso.example TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}, line: 12},
		{name: "terraform/zone-name-reference", read: tf(awsZone + `locals {
  domain = aws_route53_zone.z.name
}
resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "${aws_route53_zone.z.name}"
  type    = "TXT"
  records = ["v=spf1 -all"]
}
resource "aws_route53_record" "dkim" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "s1._domainkey.${local.domain}"
  type    = "TXT"
  records = ["v=DKIM1; p=${aws_route53_zone.z.zone_id}"]
}`), records: []string{`contoso.example TXT "v=spf1 -all"`},
			notes: []string{"aws_route53_record.dkim.records = [\"v=DKIM1; p=${aws_route53_zone.z.zone_id}\"]: a reference to aws_route53_zone.z.zone_id: known only after apply"}},
		{name: "terraform/cloudflare-https-and-loc", read: tf(`resource "cloudflare_zone" "z" {
  zone = "contoso.example"
}
resource "cloudflare_dns_record" "https" {
  zone_id = cloudflare_zone.z.id
  name    = "www"
  type    = "HTTPS"
  ttl     = 300
  data = {
    priority = 1
    target   = "."
    value    = "alpn=\"h2\""
  }
}
resource "cloudflare_record" "loc" {
  zone_id = cloudflare_zone.z.id
  name    = "office"
  type    = "LOC"
  data {
    lat_degrees = 52
  }
}`), records: []string{`www.contoso.example HTTPS 1 . alpn="h2"`}, notes: []string{"office.contoso.example LOC given by data is not read"}},
		{name: "terraform/for-each-variable", read: tf(awsZone + `resource "aws_route53_record" "r" {
  for_each = var.records
  zone_id  = aws_route53_zone.z.zone_id
  name     = each.key
  type     = "TXT"
  records  = [each.value]
}`), notes: []string{"each.key of a for_each"}},
		{name: "plan/unknown-zone-id-and-content", read: plan(`{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
  {"address": "aws_route53_zone.z", "mode": "managed", "type": "aws_route53_zone", "name": "z", "values": {"name": "contoso.example"}},
  {"address": "aws_route53_record.mx", "mode": "managed", "type": "aws_route53_record", "name": "mx",
   "values": {"name": "contoso.example", "type": "MX", "ttl": 300, "records": ["0 contoso-example.mail.protection.outlook.com"]}},
  {"address": "aws_route53_record.spf", "mode": "managed", "type": "aws_route53_record", "name": "spf",
   "values": {"name": "contoso.example", "type": "TXT", "ttl": 300}}]}},
 "resource_changes": [
  {"address": "aws_route53_record.mx", "change": {"actions": ["create"], "after_unknown": {"zone_id": true, "fqdn": true}}},
  {"address": "aws_route53_record.spf", "change": {"actions": ["create"], "after_unknown": {"zone_id": true, "records": true}}}],
 "configuration": {"root_module": {"resources": [
  {"address": "aws_route53_record.mx", "expressions": {"zone_id": {"references": ["aws_route53_zone.z.zone_id", "aws_route53_zone.z"]}}},
  {"address": "aws_route53_record.spf", "expressions": {"zone_id": {"references": ["aws_route53_zone.z.zone_id", "aws_route53_zone.z"]}}}]}}}`),
			notes:   []string{"aws_route53_record.spf.records: known only after apply"},
			records: []string{"contoso.example MX 0 contoso-example.mail.protection.outlook.com."}},
		{name: "plan/state-zone-by-id", read: plan(`{"format_version": "1.0", "values": {"root_module": {"child_modules": [{"address": "module.dns", "resources": [
  {"address": "module.dns.azurerm_dns_txt_record.spf", "mode": "managed", "type": "azurerm_dns_txt_record", "name": "spf",
   "values": {"name": "@", "zone_name": "contoso.example", "ttl": 300, "record": [{"value": "v=spf1 -all"}]}},
  {"address": "module.dns.google_dns_record_set.x", "mode": "managed", "type": "google_dns_record_set", "name": "x",
   "values": {"name": "x.contoso.example.", "managed_zone": "other", "type": "A", "rrdatas": ["192.0.2.1"]}}]}]}}}`),
			notes:   []string{`the zone "other" is not among`},
			records: []string{`contoso.example TXT "v=spf1 -all"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zones, err := tc.read()
			if err != nil {
				t.Fatal(err)
			}
			var problems, notes []string
			have := map[string]bool{}
			for _, z := range zones {
				for _, p := range z.Problems {
					problems = append(problems, fmt.Sprintf("%s@%d", p.Rule, p.Pos.Line))
				}
				for _, n := range z.NotEvaluated {
					notes = append(notes, n.String())
				}
				for _, r := range z.Records {
					have[r.Name+" "+r.Type+" "+r.Data] = true
					have[r.Name+" "+r.Type] = true
				}
				// Whatever the traps, the master file loads.
				text, _ := z.MasterFile()
				if _, err := resolver.NewZones(resolver.ZoneSource{Origin: z.Origin, Text: text}); err != nil && z.Origin != "" {
					t.Errorf("the master file does not load: %v\n%s", err, text)
				}
			}
			if !slices.Equal(problems, tc.problems) {
				t.Errorf("problems %q, want %q", problems, tc.problems)
				for _, z := range zones {
					for _, p := range z.Problems {
						t.Log(p)
					}
				}
			}
			if len(notes) != len(tc.notes) {
				t.Errorf("notes %q, want %q", notes, tc.notes)
			} else {
				for i := range notes {
					if !strings.Contains(notes[i], tc.notes[i]) {
						t.Errorf("note %q does not say %q", notes[i], tc.notes[i])
					}
				}
			}
			if tc.unknown != nil {
				var unknown []string
				for _, z := range zones {
					unknown = append(unknown, z.Unknown()...)
				}
				if !slices.Equal(unknown, tc.unknown) {
					t.Errorf("unknown %q, want %q", unknown, tc.unknown)
				}
			}
			if tc.line != 0 && (len(zones) == 0 || len(zones[0].Records) == 0 || zones[0].Records[0].Pos.Line != tc.line) {
				t.Errorf("the first record is not at line %d: %+v", tc.line, zones)
			}
			for _, r := range tc.records {
				if !have[r] {
					t.Errorf("no record %q in %v", r, have)
				}
			}
			for _, r := range tc.absent {
				if have[r] {
					t.Errorf("record %q is there", r)
				}
			}
		})
	}
}
