package bimi

import "github.com/domainlint/domainlint/lint"

const (
	draftBIMI   = "https://datatracker.ietf.org/doc/draft-brand-indicators-for-message-identification/"
	draftTinyPS = "https://datatracker.ietf.org/doc/draft-svg-tiny-ps-abrotman/"
	bimiDraft   = "draft-brand-indicators-for-message-identification-10"
)

// The rules of this package. Their IDs never change.
var (
	ruleSyntax = lint.Rule{ID: "bimi.syntax", Severity: lint.Error,
		Summary:  "The BIMI record breaks the grammar: v=BIMI1 first, a required l=, single URIs, lps=true|false, avp=brand|personal, SVG only.",
		Citation: bimiDraft + " §4.3", URL: draftBIMI}
	ruleMultipleRecords = lint.Rule{ID: "bimi.multiple-records", Severity: lint.Error,
		Summary:  "More than one v=BIMI1 record at the selector: receivers perform no BIMI processing.",
		Citation: bimiDraft + " §7.2", URL: draftBIMI}
	ruleNotHTTPS = lint.Rule{ID: "bimi.not-https", Severity: lint.Error,
		Summary:  "An l= or a= URI is not https: with a fully qualified host: receivers do not fetch it.",
		Citation: bimiDraft + " §4.3", URL: draftBIMI}
	ruleDeclined = lint.Rule{ID: "bimi.declined", Severity: lint.Info,
		Summary:  "l= and a= are empty: the domain declines to publish an indicator.",
		Citation: bimiDraft + " §4.3.1", URL: draftBIMI}
	ruleInherited = lint.Rule{ID: "bimi.inherited", Severity: lint.Info,
		Summary:  "The domain has no BIMI record of its own for the selector: receivers use the organizational domain's.",
		Citation: bimiDraft + " §7.2", URL: draftBIMI}
	ruleDMARCNotEnforced = lint.Rule{ID: "bimi.dmarc-not-enforced", Severity: lint.Error,
		Summary:  "DMARC is not at enforcement for the domain and its organizational domain (p=quarantine or reject, no pct below 100, no t=y, sp not none): receivers show no indicator.",
		Citation: bimiDraft + " §1, §7.1", URL: draftBIMI}
	ruleNoEvidence = lint.Rule{ID: "bimi.no-evidence", Severity: lint.Info,
		Summary:  "No a= evidence document (a Verified or Common Mark Certificate): the largest mailbox providers show no indicator without one.",
		Citation: bimiDraft + " §4.3", URL: draftBIMI}
	ruleSVGUnreachable = lint.Rule{ID: "bimi.svg-unreachable", Severity: lint.Error,
		Summary:  "The indicator at l= cannot be fetched over HTTPS with a valid certificate and a 200 response: receivers show nothing.",
		Citation: bimiDraft + " §7.5", URL: draftBIMI}
	ruleSVGTooLarge = lint.Rule{ID: "bimi.svg-too-large", Severity: lint.Warning,
		Summary:  "The indicator is larger than 32 KiB: receivers may refuse it.",
		Citation: bimiDraft + " §7.6", URL: draftBIMI}
	ruleSVGProfile = lint.Rule{ID: "bimi.svg-profile", Severity: lint.Error,
		Summary:  "The indicator fails the basic SVG Tiny PS checks (baseProfile tiny-ps, version 1.2, a title, square, no scripts, animation, foreignObject or external references).",
		Citation: "draft-svg-tiny-ps-abrotman; " + bimiDraft + " §7.6", URL: draftTinyPS}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleSyntax, ruleMultipleRecords, ruleNotHTTPS, ruleDeclined, ruleInherited, ruleDMARCNotEnforced,
		ruleNoEvidence, ruleSVGUnreachable, ruleSVGTooLarge, ruleSVGProfile,
	}
}
