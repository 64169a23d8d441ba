package dnssec

import "github.com/domainlint/domainlint/lint"

const (
	rfc4033 = "https://www.rfc-editor.org/rfc/rfc4033"
	rfc4035 = "https://www.rfc-editor.org/rfc/rfc4035"
	rfc6840 = "https://www.rfc-editor.org/rfc/rfc6840"
	rfc7672 = "https://www.rfc-editor.org/rfc/rfc7672"
)

// The rules of this package. Their IDs never change.
var (
	ruleInsecure = lint.Rule{ID: "dnssec.insecure", Severity: lint.Warning,
		Summary:  "A validating resolver got the answer without authentication (no AD bit): the zone is unsigned or its parent publishes no DS, so the answer can be forged and DANE cannot be used.",
		Citation: "RFC 4035 §4.3", URL: rfc4035 + "#section-4.3"}
	ruleBogus = lint.Rule{ID: "dnssec.bogus", Severity: lint.Error,
		Summary:  "A validating resolver answered SERVFAIL: the signatures do not validate (expired or broken RRSIG, a DS that matches no DNSKEY), so every validating resolver fails the lookup and mail is deferred.",
		Citation: "RFC 4035 §5.5, RFC 7672 §2.1.1", URL: rfc4035 + "#section-5.5"}
	ruleIsland = lint.Rule{ID: "dnssec.island", Severity: lint.Warning,
		Summary:  "The zone publishes DNSKEY records but a validating resolver does not authenticate them: the parent zone has no DS for it (an island of security), so validators treat the zone as unsigned.",
		Citation: "RFC 4035 §5.2, RFC 4033 §5", URL: rfc4035 + "#section-5.2"}
	ruleLookupFailed = lint.Rule{ID: "dnssec.lookup-failed", Severity: lint.Warning,
		Summary:  "A lookup that matters failed (timeout, REFUSED, or SERVFAIL from a resolver not known to validate): its DNSSEC status is unknown, and senders that need it defer mail.",
		Citation: "RFC 7672 §2.1.1", URL: rfc7672 + "#section-2.1.1"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	// dnssec.not-validating and dnssec.offline were retired: whether the
	// resolver validates, or that zone files carry no AD bit, is said in
	// Report.Note, not as a finding about the domain.
	return []lint.Rule{ruleInsecure, ruleBogus, ruleIsland, ruleLookupFailed}
}
