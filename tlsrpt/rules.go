package tlsrpt

import "github.com/domainlint/domainlint/lint"

const rfc8460 = "https://www.rfc-editor.org/rfc/rfc8460"

// The rules of this package. Their IDs never change.
var (
	ruleMissing = lint.Rule{ID: "tlsrpt.missing", Severity: lint.Warning,
		Summary:  "MTA-STS or DANE is published but no TLS-RPT record: when senders fail to establish TLS to the MX hosts, nobody hears of it.",
		Citation: "RFC 8460 §3", URL: rfc8460 + "#section-3"}
	ruleMultipleRecords = lint.Rule{ID: "tlsrpt.multiple-records", Severity: lint.Error,
		Summary:  "More than one v=TLSRPTv1 record at _smtp._tls: reporters assume the domain does not implement TLS-RPT.",
		Citation: "RFC 8460 §3", URL: rfc8460 + "#section-3"}
	ruleSyntax = lint.Rule{ID: "tlsrpt.syntax", Severity: lint.Error,
		Summary:  "The _smtp._tls record breaks the grammar (v=TLSRPTv1 first, then one rua= with at least one URI): reporters ignore it.",
		Citation: "RFC 8460 §3", URL: rfc8460 + "#section-3"}
	ruleIgnoredField = lint.Rule{ID: "tlsrpt.ignored-field", Severity: lint.Warning,
		Summary:  "A field the grammar accepts as an extension does nothing: Rua= (field names are case-sensitive, reports go only to rua=), or a second v=.",
		Citation: "RFC 8460 §3", URL: rfc8460 + "#section-3"}
	ruleBadURI = lint.Rule{ID: "tlsrpt.bad-uri", Severity: lint.Error,
		Summary:  "A rua URI is not a usable mailto: or https: URI: reports for it go nowhere.",
		Citation: "RFC 8460 §3", URL: rfc8460 + "#section-3"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{ruleMissing, ruleMultipleRecords, ruleSyntax, ruleBadURI, ruleIgnoredField}
}
