package mx

import "github.com/domainlint/domainlint/lint"

const (
	rfc5321 = "https://www.rfc-editor.org/rfc/rfc5321"
	rfc7505 = "https://www.rfc-editor.org/rfc/rfc7505"
)

// The rules of this package. Their IDs never change.
var (
	ruleCNAME = lint.Rule{ID: "mx.cname", Severity: lint.Warning,
		Summary:  "An MX target is an alias (CNAME): MX must name a host's canonical name, and some senders refuse or mishandle the alias.",
		Citation: "RFC 2181 §10.3, RFC 5321 §5.1", URL: "https://www.rfc-editor.org/rfc/rfc2181#section-10.3"}
	ruleIPLiteral = lint.Rule{ID: "mx.ip-literal", Severity: lint.Error,
		Summary:  "An MX target is an address written as a name (\"192.0.2.1.\"): senders look up A records for that name, which does not exist.",
		Citation: "RFC 5321 §5.1, RFC 1035 §3.3.9", URL: rfc5321 + "#section-5.1"}
	ruleMissingTarget = lint.Rule{ID: "mx.missing-target", Severity: lint.Error,
		Summary:  "An MX target does not exist (NXDOMAIN): mail routed to it cannot be delivered.",
		Citation: "RFC 5321 §5.1", URL: rfc5321 + "#section-5.1"}
	ruleNoAddress = lint.Rule{ID: "mx.no-address", Severity: lint.Error,
		Summary:  "An MX target exists but has neither A nor AAAA records: mail routed to it cannot be delivered.",
		Citation: "RFC 5321 §5.1", URL: rfc5321 + "#section-5.1"}
	ruleNone = lint.Rule{ID: "mx.none", Severity: lint.Info,
		Summary:  "The domain publishes no MX records, so mail falls back to its A/AAAA records: publish MX for the hosts that receive its mail, or a null MX if it receives none.",
		Citation: "RFC 5321 §5.1, RFC 7505 §3", URL: rfc5321 + "#section-5.1"}
	ruleNullMixed = lint.Rule{ID: "mx.null-mixed", Severity: lint.Error,
		Summary:  "A null MX (\"MX 0 .\") stands beside other MX records; a domain that advertises a null MX MUST NOT advertise any other.",
		Citation: "RFC 7505 §3", URL: rfc7505 + "#section-3"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{ruleCNAME, ruleIPLiteral, ruleMissingTarget, ruleNoAddress, ruleNone, ruleNullMixed}
}
