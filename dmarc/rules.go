package dmarc

import "github.com/domainlint/domainlint/lint"

const (
	rfc7489 = "https://www.rfc-editor.org/rfc/rfc7489"
	rfc9989 = "https://www.rfc-editor.org/rfc/rfc9989"
)

// The rules of this package. Their IDs never change.
var (
	ruleMissing = lint.Rule{ID: "dmarc.missing", Severity: lint.Error,
		Summary:  "No DMARC record at the domain or its organizational domain: receivers apply no policy to mail that fails authentication.",
		Citation: "RFC 7489 §6.6.3", URL: rfc7489 + "#section-6.6.3"}
	ruleMultipleRecords = lint.Rule{ID: "dmarc.multiple-records", Severity: lint.Error,
		Summary:  "More than one v=DMARC1 record at a _dmarc name: receivers discard them all.",
		Citation: "RFC 7489 §6.6.3", URL: rfc7489 + "#section-6.6.3"}
	ruleSyntax = lint.Rule{ID: "dmarc.syntax", Severity: lint.Error,
		Summary:  "The record breaks the DMARC grammar: a missing or invalid p=, a bad tag value, v= not first.",
		Citation: "RFC 7489 §6.4", URL: rfc7489 + "#section-6.4"}
	rulePolicyNone = lint.Rule{ID: "dmarc.policy-none", Severity: lint.Warning,
		Summary:  "p=none asks only for reports: mail that fails DMARC is delivered as usual.",
		Citation: "RFC 7489 §6.3", URL: rfc7489 + "#section-6.3"}
	rulePct = lint.Rule{ID: "dmarc.pct", Severity: lint.Warning,
		Summary:  "pct below 100 applies the policy to only part of the failing mail (and RFC 9989 receivers ignore pct).",
		Citation: "RFC 7489 §6.3", URL: rfc7489 + "#section-6.3"}
	ruleSPWeaker = lint.Rule{ID: "dmarc.sp-weaker", Severity: lint.Warning,
		Summary:  "sp= is weaker than p=: subdomains can be spoofed more easily than the domain.",
		Citation: "RFC 7489 §6.3", URL: rfc7489 + "#section-6.3"}
	ruleNPWeaker = lint.Rule{ID: "dmarc.np-weaker", Severity: lint.Warning,
		Summary:  "np= is weaker than the policy for existing subdomains: made-up subdomains are the easiest to spoof.",
		Citation: "RFC 9989 §5.3, RFC 9091 §4.1", URL: rfc9989}
	ruleNoRUA = lint.Rule{ID: "dmarc.no-rua", Severity: lint.Warning,
		Summary:  "No rua= destination: no aggregate reports, so the owner cannot see who sends as the domain.",
		Citation: "RFC 7489 §7.2", URL: rfc7489 + "#section-7.2"}
	ruleRUAUnauthorized = lint.Rule{ID: "dmarc.rua-unauthorized", Severity: lint.Warning,
		Summary:  "A report destination in another organizational domain does not publish <domain>._report._dmarc.<destination> v=DMARC1: receivers drop those reports.",
		Citation: "RFC 7489 §7.1", URL: rfc7489 + "#section-7.1"}
	ruleBadURI = lint.Rule{ID: "dmarc.bad-uri", Severity: lint.Warning,
		Summary:  "A rua or ruf entry is not a usable mailto: URI (with an optional !size limit).",
		Citation: "RFC 7489 §6.2", URL: rfc7489 + "#section-6.2"}
	ruleObsoleteTag = lint.Rule{ID: "dmarc.obsolete-tag", Severity: lint.Info,
		Summary:  "pct, rf and ri were removed by RFC 9989; receivers that follow it ignore them.",
		Citation: "RFC 9989 Appendix C", URL: rfc9989}
	ruleUnknownTag = lint.Rule{ID: "dmarc.unknown-tag", Severity: lint.Warning,
		Summary:  "An unknown tag: ignored by receivers (an error when RFC 7489 is read strictly); often a typo.",
		Citation: "RFC 7489 §6.3, RFC 9989 §5.3", URL: rfc7489 + "#section-6.3"}
	ruleInherited = lint.Rule{ID: "dmarc.inherited", Severity: lint.Info,
		Summary:  "The domain publishes no record of its own: the policy comes from its organizational domain.",
		Citation: "RFC 7489 §6.6.3, RFC 9989 §4.10", URL: rfc9989}
	ruleAlgorithmsDiffer = lint.Rule{ID: "dmarc.algorithms-differ", Severity: lint.Warning,
		Summary:  "RFC 7489 (public suffix list) and RFC 9989 (DNS tree walk) receivers find different policies or organizational domains for the domain.",
		Citation: "RFC 9989 §4.10", URL: rfc9989}
	ruleOrgUndetermined = lint.Rule{ID: "dmarc.org-undetermined", Severity: lint.Info,
		Summary:  "A _dmarc name above the domain could not be asked (outside the zone files offline, REFUSED, SERVFAIL, a timeout): the DNS tree walk is incomplete, so the organizational domain comes from the public suffix list.",
		Citation: "RFC 9989 §4.10", URL: rfc9989}
)

var (
	ruleMisplaced = lint.Rule{ID: "dmarc.misplaced", Severity: lint.Warning,
		Summary:  "A record at the wrong name: v=DMARC1 at the domain itself, where receivers never look (an error when it is the only policy), or an SPF record at _dmarc, where SPF is never read.",
		Citation: "RFC 7489 §6.1, RFC 7208 §4.5", URL: rfc7489 + "#section-6.1"}
	ruleUnrecognized = lint.Rule{ID: "dmarc.unrecognized", Severity: lint.Error,
		Summary:  "A TXT record at _dmarc meant as DMARC is not recognized (literal quote characters around it, or whitespace before v=DMARC1): receivers skip it.",
		Citation: "RFC 7489 §6.6.3", URL: rfc7489 + "#section-6.6.3"}
	ruleRUANoMX = lint.Rule{ID: "dmarc.rua-no-mx", Severity: lint.Warning,
		Summary:  "A report destination's domain receives no mail (no MX records, a null MX, or NXDOMAIN): reports sent there are lost.",
		Citation: "RFC 7489 §7.1, RFC 5321 §5.1, RFC 7505 §3", URL: rfc7489 + "#section-7.1"}
	ruleExistenceUnknown = lint.Rule{ID: "dmarc.existence-unknown", Severity: lint.Info,
		Summary:  "np= would apply if the domain did not exist, but its server answers NODATA even for names that do not exist (\"black lies\"): receivers read NODATA as existing, and DNS cannot show which is true.",
		Citation: "RFC 9989 §5.3, RFC 8020 §2, RFC 9824", URL: rfc9989}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleMissing, ruleMultipleRecords, ruleSyntax, rulePolicyNone, rulePct, ruleSPWeaker, ruleNPWeaker,
		ruleNoRUA, ruleRUAUnauthorized, ruleBadURI, ruleObsoleteTag, ruleUnknownTag, ruleInherited,
		ruleAlgorithmsDiffer, ruleOrgUndetermined,
		ruleMisplaced, ruleUnrecognized, ruleRUANoMX, ruleExistenceUnknown,
	}
}
