package dkim

import "github.com/domainlint/domainlint/lint"

const rfc6376 = "https://www.rfc-editor.org/rfc/rfc6376"

// The rules of this package. Their IDs never change.
var (
	ruleMissing = lint.Rule{ID: "dkim.missing", Severity: lint.Error,
		Summary:  "No DKIM key record at the selector: signatures with this selector fail with permerror.",
		Citation: "RFC 6376 §3.6.2.2, §6.1.2", URL: rfc6376 + "#section-6.1.2"}
	ruleDanglingCNAME = lint.Rule{ID: "dkim.dangling-cname", Severity: lint.Error,
		Summary:  "The selector is a CNAME whose target does not exist or holds no key; in Microsoft 365 this means DKIM signing was not enabled for the domain.",
		Citation: "RFC 6376 §3.6.2.2", URL: rfc6376 + "#section-3.6.2.2"}
	ruleCNAMELoop = lint.Rule{ID: "dkim.cname-loop", Severity: lint.Error,
		Summary:  "The selector's CNAME chain loops or is longer than the resolver follows: no key can be found.",
		Citation: "RFC 1034 §3.6.2", URL: "https://www.rfc-editor.org/rfc/rfc1034#section-3.6.2"}
	ruleMultipleRecords = lint.Rule{ID: "dkim.multiple-records", Severity: lint.Error,
		Summary:  "More than one TXT record at the selector: verifiers' behaviour is undefined and many fail.",
		Citation: "RFC 6376 §3.6.2.2", URL: rfc6376 + "#section-3.6.2.2"}
	ruleSyntax = lint.Rule{ID: "dkim.syntax", Severity: lint.Error,
		Summary:  "The key record breaks the tag=value syntax, lacks p=, or has v= out of place.",
		Citation: "RFC 6376 §3.2, §3.6.1", URL: rfc6376 + "#section-3.6.1"}
	ruleRevoked = lint.Rule{ID: "dkim.revoked", Severity: lint.Warning,
		Summary:  "p= is empty: the key is revoked and every signature made with it fails.",
		Citation: "RFC 6376 §3.6.1", URL: rfc6376 + "#section-3.6.1"}
	ruleWeakKey = lint.Rule{ID: "dkim.weak-key", Severity: lint.Warning,
		Summary:  "The RSA key is shorter than 2048 bits (under 1024 is an error: verifiers reject it).",
		Citation: "RFC 8301 §3.2", URL: "https://www.rfc-editor.org/rfc/rfc8301#section-3.2"}
	ruleBadKey = lint.Rule{ID: "dkim.bad-key", Severity: lint.Error,
		Summary:  "p= does not decode to a public key of the type k= names.",
		Citation: "RFC 6376 §3.6.1, RFC 8463 §4.2", URL: rfc6376 + "#section-3.6.1"}
	ruleTesting = lint.Rule{ID: "dkim.testing", Severity: lint.Warning,
		Summary:  "t=y: the domain is testing DKIM, and verifiers must treat its signed mail as unsigned.",
		Citation: "RFC 6376 §3.6.1", URL: rfc6376 + "#section-3.6.1"}
	ruleSHA1 = lint.Rule{ID: "dkim.sha1", Severity: lint.Error,
		Summary:  "h= allows only sha1, which verifiers no longer accept.",
		Citation: "RFC 8301 §3.1", URL: "https://www.rfc-editor.org/rfc/rfc8301#section-3.1"}
	ruleWildcard = lint.Rule{ID: "dkim.wildcard", Severity: lint.Info,
		Summary:  "A wildcard answers for every selector (*._domainkey): selector discovery cannot tell which are in use, and a wildcard key does not make sense for DKIM (a revoked one, empty p=, is a common no-mail practice).",
		Citation: "RFC 6376 §3.6.2.1", URL: rfc6376 + "#section-3.6.2.1"}
	ruleNotEmail = lint.Rule{ID: "dkim.not-email", Severity: lint.Error,
		Summary:  "s= lists neither email nor *: mail verifiers ignore the key, and every signature made with it fails (a key for TLS-RPT reports alone says s=tlsrpt, a warning).",
		Citation: "RFC 6376 §3.6.1", URL: rfc6376 + "#section-3.6.1"}
	ruleLargeKey = lint.Rule{ID: "dkim.large-key", Severity: lint.Warning,
		Summary:  "The RSA key is larger than 4096 bits: verifiers need accept no more (they may), some refuse it, and each verification costs more.",
		Citation: "RFC 8301 §3.2", URL: "https://www.rfc-editor.org/rfc/rfc8301#section-3.2"}
	ruleUnknownKeyType = lint.Rule{ID: "dkim.unknown-key-type", Severity: lint.Error,
		Summary:  "k= names a key type other than rsa or ed25519.",
		Citation: "RFC 6376 §3.6.1, RFC 8463", URL: rfc6376 + "#section-3.6.1"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleMissing, ruleDanglingCNAME, ruleCNAMELoop, ruleMultipleRecords, ruleSyntax, ruleRevoked,
		ruleWeakKey, ruleBadKey, ruleTesting, ruleSHA1, ruleUnknownKeyType, ruleWildcard, ruleNotEmail, ruleLargeKey,
	}
}
