package zonesrc

import "github.com/domainlint/domainlint/lint"

const (
	rfc1035TXT = "https://www.rfc-editor.org/rfc/rfc1035#section-3.3.14"
	octoDNSTXT = "https://github.com/octodns/octodns/blob/main/docs/records.rst"
	route53TXT = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat"
)

// The rules of the source formats' traps. Their IDs never change.
var (
	ruleTXTTooLong = lint.Rule{ID: "zonesrc.txt-too-long", Severity: lint.Error,
		Summary:  "A TXT character-string over 255 octets that the tool does not split: the provider refuses it (Route 53 CharacterStringTooLong), so the record is not published.",
		Citation: "RFC 1035 §3.3.14", URL: rfc1035TXT}
	ruleTXTUnquoted = lint.Rule{ID: "zonesrc.txt-unquoted", Severity: lint.Error,
		Summary:  "A TXT value the provider reads as presentation text is not quoted: Route 53 refuses it, Google Cloud DNS splits it at each space into strings that SPF and DMARC join without the spaces.",
		Citation: "Amazon Route 53 Developer Guide, TXT record type", URL: route53TXT}
	ruleTXTQuoting = lint.Rule{ID: "zonesrc.txt-quoting", Severity: lint.Error,
		Summary:  "Quotes inside a TXT value that the tool's own quoting breaks: the strings published are not the ones written (a value quoted twice, an unbalanced or unescaped quote).",
		Citation: "RFC 1035 §5.1", URL: "https://www.rfc-editor.org/rfc/rfc1035#section-5.1"}
	ruleOctoDNSSemicolon = lint.Rule{ID: "zonesrc.octodns-unescaped-semicolon", Severity: lint.Error,
		Summary:  "An unescaped ; in an octoDNS TXT or SPF value: octoDNS refuses the zone (write \\; as its docs say) unless the record or zone is lenient or its YamlProvider sets escaped_semicolons: false, the default planned for octoDNS 2.0.",
		Citation: "octoDNS docs, Semicolons in TXT and SPF values", URL: octoDNSTXT}
	ruleOctoDNSDoubleEscape = lint.Rule{ID: "zonesrc.octodns-double-escaped-semicolon", Severity: lint.Error,
		Summary:  "A double-escaped \\\\; in an octoDNS TXT or SPF value (often a YAML double-quoted string holding \\\\;): octoDNS refuses the zone unless the record or the zone is lenient.",
		Citation: "octoDNS docs, Semicolons in TXT and SPF values", URL: octoDNSTXT}
	ruleOctoDNSNonASCII = lint.Rule{ID: "zonesrc.octodns-non-ascii", Severity: lint.Error,
		Summary:  "A non-ASCII character in an octoDNS TXT or SPF value: octoDNS refuses the zone unless the record or the zone is lenient.",
		Citation: "octoDNS docs, Lenient Unicode TXT and SPF values", URL: octoDNSTXT}
	ruleOctoDNSMissingDot = lint.Rule{ID: "zonesrc.octodns-missing-dot", Severity: lint.Error,
		Summary:  "An octoDNS target name (CNAME, MX exchange, NS, SRV target) without its trailing dot: octoDNS refuses the zone unless the record or zone is lenient.",
		Citation: "octoDNS docs, Records", URL: octoDNSTXT}
	ruleOctoDNSYAMLKey = lint.Rule{ID: "zonesrc.octodns-yaml-key", Severity: lint.Error,
		Summary:  "An unquoted octoDNS name that YAML 1.1 reads as something other than text (null, yes, on, 010, 1.10): octoDNS names the record with Python's rendering of that value (None, True, 8, 1.1), not the name written.",
		Citation: "YAML 1.1 language-independent types (octoDNS loads zones with PyYAML)", URL: "https://yaml.org/type/"}
	ruleDuplicateRRset = lint.Rule{ID: "zonesrc.duplicate-rrset", Severity: lint.Error,
		Summary:  "The same name and type is defined by two record-set resources or entries (two Terraform resources, two files, an octoDNS name written twice): the second apply fails or overwrites the first (octoDNS's YAML loader keeps the later key's records and drops the earlier's without a word).",
		Citation: "RFC 2181 §5", URL: "https://www.rfc-editor.org/rfc/rfc2181#section-5"}
	ruleDuplicateRecord = lint.Rule{ID: "zonesrc.duplicate-record", Severity: lint.Warning,
		Summary:  "The same record is given twice: servers publish it once, and providers such as Cloudflare refuse the second.",
		Citation: "RFC 2181 §5", URL: "https://www.rfc-editor.org/rfc/rfc2181#section-5"}
	ruleProxied = lint.Rule{ID: "zonesrc.cloudflare-proxied", Severity: lint.Warning,
		Summary:  "A proxied Cloudflare record is not published as written: Cloudflare answers with its own addresses (a proxied CNAME is no CNAME at all), so mail and Microsoft 365 records must not be proxied.",
		Citation: "Cloudflare DNS docs, Proxy status", URL: "https://developers.cloudflare.com/dns/proxy-status/"}
	ruleBadValue = lint.Rule{ID: "zonesrc.bad-value", Severity: lint.Error,
		Summary:  "A value that is not valid data for its record type: the provider refuses it; the record is left out of the zone linted.",
		Citation: "RFC 1035 §5.1", URL: "https://www.rfc-editor.org/rfc/rfc1035#section-5.1"}
)

// Rules returns the catalogue of the problems the readers report.
func Rules() []lint.Rule {
	return []lint.Rule{ruleTXTTooLong, ruleTXTUnquoted, ruleTXTQuoting, ruleOctoDNSSemicolon,
		ruleOctoDNSDoubleEscape, ruleOctoDNSNonASCII, ruleOctoDNSMissingDot, ruleOctoDNSYAMLKey, ruleDuplicateRRset,
		ruleDuplicateRecord, ruleProxied, ruleBadValue}
}

// Finding returns the problem as a lint finding of its rule: Name and
// Type the record's, the position in the message.
func (p Problem) Finding() lint.Finding {
	r, ok := lint.Find(Rules(), p.Rule)
	if !ok {
		r = lint.Rule{ID: p.Rule}
	}
	f := r.New(p.Name, p.Pos.String()+": "+p.Message)
	f.Type = p.Type
	return f
}
