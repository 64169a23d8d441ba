package parked

import "github.com/domainlint/domainlint/lint"

const rfc7505 = "https://www.rfc-editor.org/rfc/rfc7505"

// The rule of this package. Its ID never changes.
var (
	ruleParkedIncomplete = lint.Rule{ID: "parked.incomplete", Severity: lint.Warning,
		Summary:  "A domain that sends and receives no mail (null MX, or declared parked) lacks part of the no-mail set: null MX, SPF \"v=spf1 -all\", DMARC p=reject, no DKIM keys.",
		Citation: "RFC 7505 §3, RFC 7208 §4.6.2, RFC 7489 §6.3", URL: rfc7505 + "#section-4"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule { return []lint.Rule{ruleParkedIncomplete} }
