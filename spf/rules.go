package spf

import "github.com/domainlint/domainlint/lint"

const rfc = "https://www.rfc-editor.org/rfc/rfc7208"

// The rules of this package. Their IDs never change.
var (
	ruleMissing = lint.Rule{ID: "spf.missing", Severity: lint.Error,
		Summary:  "The domain publishes no SPF record: receivers get SPF result none and cannot tell forged mail from real.",
		Citation: "RFC 7208 §4.5", URL: rfc + "#section-4.5"}
	ruleMultipleRecords = lint.Rule{ID: "spf.multiple-records", Severity: lint.Error,
		Summary:  "More than one v=spf1 TXT record at one name: check_host() returns permerror.",
		Citation: "RFC 7208 §4.5", URL: rfc + "#section-4.5"}
	ruleSyntax = lint.Rule{ID: "spf.syntax", Severity: lint.Error,
		Summary:  "A term breaks the SPF grammar: the whole record is a permerror, wherever the term stands.",
		Citation: "RFC 7208 §4.6, §12", URL: rfc + "#section-12"}
	ruleLookupLimit = lint.Rule{ID: "spf.lookup-limit", Severity: lint.Error,
		Summary:  "Evaluation needs more than 10 DNS-querying terms (include, a, mx, ptr, exists, redirect), counted through nested records: permerror. 9 or 10 is a warning: one more include breaks it.",
		Citation: "RFC 7208 §4.6.4", URL: rfc + "#section-4.6.4"}
	ruleVoidLookupLimit = lint.Rule{ID: "spf.void-lookup-limit", Severity: lint.Error,
		Summary:  "More than 2 lookups return NXDOMAIN or no records: receivers that enforce the limit return permerror.",
		Citation: "RFC 7208 §4.6.4", URL: rfc + "#section-4.6.4"}
	ruleMXLimit = lint.Rule{ID: "spf.mx-limit", Severity: lint.Error,
		Summary:  "An mx mechanism's target has more than 10 MX records: permerror.",
		Citation: "RFC 7208 §4.6.4", URL: rfc + "#section-4.6.4"}
	ruleIncludeMissing = lint.Rule{ID: "spf.include-missing", Severity: lint.Error,
		Summary:  "An include target publishes no SPF record: the include is a permerror.",
		Citation: "RFC 7208 §5.2", URL: rfc + "#section-5.2"}
	ruleRedirectMissing = lint.Rule{ID: "spf.redirect-missing", Severity: lint.Error,
		Summary:  "The redirect target publishes no SPF record: permerror.",
		Citation: "RFC 7208 §6.1", URL: rfc + "#section-6.1"}
	ruleIncludeLoop = lint.Rule{ID: "spf.include-loop", Severity: lint.Error,
		Summary:  "An include or redirect leads back to a record already being evaluated: the lookup limit ends it in permerror.",
		Citation: "RFC 7208 §5.2, §4.6.4", URL: rfc + "#section-5.2"}
	rulePassAll = lint.Rule{ID: "spf.pass-all", Severity: lint.Error,
		Summary:  "+all (or a bare all) authorizes every host on the internet to send as the domain.",
		Citation: "RFC 7208 §5.1", URL: rfc + "#section-5.1"}
	ruleNeutralAll = lint.Rule{ID: "spf.neutral-all", Severity: lint.Warning,
		Summary:  "?all makes no assertion about unlisted hosts: SPF gives no protection.",
		Citation: "RFC 7208 §8.2", URL: rfc + "#section-8.2"}
	ruleSoftfailAll = lint.Rule{ID: "spf.softfail-all", Severity: lint.Warning,
		Summary:  "~all asks receivers to accept mail from unlisted hosts while marking it; once every sender is listed, -all is what the owner wants.",
		Citation: "RFC 7208 §8.5", URL: rfc + "#section-8.5"}
	ruleNoAll = lint.Rule{ID: "spf.no-all", Severity: lint.Warning,
		Summary:  "The policy ends with neither all nor redirect: unlisted hosts get neutral.",
		Citation: "RFC 7208 §4.7", URL: rfc + "#section-4.7"}
	ruleRedirectIgnored = lint.Rule{ID: "spf.redirect-ignored", Severity: lint.Warning,
		Summary:  "redirect= stands next to an all mechanism and is never used.",
		Citation: "RFC 7208 §6.1", URL: rfc + "#section-6.1"}
	rulePTR = lint.Rule{ID: "spf.ptr", Severity: lint.Warning,
		Summary:  "The ptr mechanism is slow, unreliable and SHOULD NOT be used; some receivers skip it.",
		Citation: "RFC 7208 §5.5", URL: rfc + "#section-5.5"}
	ruleBroadRange = lint.Rule{ID: "spf.broad-range", Severity: lint.Warning,
		Summary:  "An ip4 prefix shorter than /16 or an ip6 prefix shorter than /32 authorizes a huge range of addresses.",
		Citation: "RFC 7208 §5.6", URL: rfc + "#section-5.6"}
	ruleTooLong = lint.Rule{ID: "spf.too-long", Severity: lint.Warning,
		Summary:  "The record is over 450 octets: with other records at the name the answer may not fit in 512 octets over UDP.",
		Citation: "RFC 7208 §3.4", URL: rfc + "#section-3.4"}
	ruleSPFRR = lint.Rule{ID: "spf.spf-rr", Severity: lint.Warning,
		Summary:  "A record of the obsolete SPF type (99) is published; only TXT is used, and the two drift apart.",
		Citation: "RFC 7208 §3.1, §14.1", URL: rfc + "#section-3.1"}
	ruleDuplicateTerm = lint.Rule{ID: "spf.duplicate-term", Severity: lint.Warning,
		Summary:  "The same term appears twice: the second can never change the result, and may cost a lookup.",
		Citation: "RFC 7208 §4.6.2", URL: rfc + "#section-4.6.2"}
	ruleUnknownModifier = lint.Rule{ID: "spf.unknown-modifier", Severity: lint.Info,
		Summary:  "An unknown modifier is ignored by receivers; often a typo of redirect= or exp=.",
		Citation: "RFC 7208 §6", URL: rfc + "#section-6"}
	ruleDeadTerms = lint.Rule{ID: "spf.dead-terms", Severity: lint.Warning,
		Summary:  "Mechanisms after all, or after an include whose record passes every client, are never evaluated: they authorize no one and cost no lookups.",
		Citation: "RFC 7208 §4.6.2, §5.1", URL: rfc + "#section-4.6.2"}
	ruleMacro = lint.Rule{ID: "spf.macro", Severity: lint.Info,
		Summary:  "A term's target depends on the message (sender, IP, HELO macros): its lookups and result cannot be known statically.",
		Citation: "RFC 7208 §7", URL: rfc + "#section-7"}
	ruleSenderID = lint.Rule{ID: "spf.sender-id", Severity: lint.Warning,
		Summary:  "A Sender ID record (spf2.0/…) is published: Sender ID (RFC 4406) is historic, no receiver evaluates it, and it drifts from the SPF record.",
		Citation: "RFC 6686", URL: "https://www.rfc-editor.org/rfc/rfc6686"}
	ruleUnrecognized = lint.Rule{ID: "spf.unrecognized", Severity: lint.Error,
		Summary:  "A TXT record meant as SPF is not recognized (literal quote characters around it, whitespace before v=spf1, or written unquoted in a zone file, so its words are strings joined with no space): receivers skip it, so the domain has no SPF record.",
		Citation: "RFC 7208 §4.5", URL: rfc + "#section-4.5"}
	ruleNullMX = lint.Rule{ID: "spf.null-mx", Severity: lint.Warning,
		Summary:  "An mx mechanism names a domain that publishes a null MX: it matches no host, yet costs a lookup.",
		Citation: "RFC 7505 §3, RFC 7208 §5.4", URL: rfc + "#section-5.4"}
	ruleStringBoundary = lint.Rule{ID: "spf.string-boundary", Severity: lint.Warning,
		Summary:  "A TXT string boundary falls inside a term: strings are joined with no space, so a missing space at the boundary glues two terms together (info when the string is a full 255 octets, the usual automatic split).",
		Citation: "RFC 7208 §3.3", URL: rfc + "#section-3.3"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleMissing, ruleMultipleRecords, ruleSyntax, ruleLookupLimit, ruleVoidLookupLimit, ruleDeadTerms,
		ruleMXLimit, ruleIncludeMissing, ruleRedirectMissing, ruleIncludeLoop, rulePassAll,
		ruleNeutralAll, ruleSoftfailAll, ruleNoAll, ruleRedirectIgnored, rulePTR, ruleBroadRange,
		ruleTooLong, ruleSPFRR, ruleDuplicateTerm, ruleUnknownModifier, ruleMacro, ruleStringBoundary,
		ruleSenderID, ruleUnrecognized, ruleNullMX,
	}
}
