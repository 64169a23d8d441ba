package mtasts

import "github.com/domainlint/domainlint/lint"

const rfc8461 = "https://www.rfc-editor.org/rfc/rfc8461"

// The rules of this package. Their IDs never change.
var (
	ruleSyntax = lint.Rule{ID: "mtasts.syntax", Severity: lint.Error,
		Summary:  "The _mta-sts TXT record breaks the grammar (v=STSv1 first, then id= of 1 to 32 letters and digits): senders ignore it and use no policy.",
		Citation: "RFC 8461 §3.1", URL: rfc8461 + "#section-3.1"}
	ruleMultipleRecords = lint.Rule{ID: "mtasts.multiple-records", Severity: lint.Error,
		Summary:  "More than one v=STSv1 record at _mta-sts: senders assume the domain has no MTA-STS policy.",
		Citation: "RFC 8461 §3.1", URL: rfc8461 + "#section-3.1"}
	rulePolicyUnreachable = lint.Rule{ID: "mtasts.policy-unreachable", Severity: lint.Error,
		Summary:  "The policy at https://mta-sts.<domain>/.well-known/mta-sts.txt cannot be fetched (no address, no connection, timeout, too large): senders without a cached policy deliver as if there were none.",
		Citation: "RFC 8461 §3.3", URL: rfc8461 + "#section-3.3"}
	rulePolicyCertificate = lint.Rule{ID: "mtasts.policy-certificate", Severity: lint.Error,
		Summary:  "The policy host's TLS certificate does not verify for mta-sts.<domain> against trusted roots: senders do not accept the policy.",
		Citation: "RFC 8461 §3.3", URL: rfc8461 + "#section-3.3"}
	rulePolicyRedirect = lint.Rule{ID: "mtasts.policy-redirect", Severity: lint.Error,
		Summary:  "The policy URL answers with a redirect, which senders must not follow.",
		Citation: "RFC 8461 §3.3", URL: rfc8461 + "#section-3.3"}
	rulePolicyStatus = lint.Rule{ID: "mtasts.policy-status", Severity: lint.Error,
		Summary:  "The policy URL answers with an HTTP status other than 200: only a 200 response is a valid policy.",
		Citation: "RFC 8461 §3.3", URL: rfc8461 + "#section-3.3"}
	rulePolicyMediaType = lint.Rule{ID: "mtasts.policy-media-type", Severity: lint.Warning,
		Summary:  "The policy is not served as text/plain: senders should refuse other media types.",
		Citation: "RFC 8461 §3.3", URL: rfc8461 + "#section-3.3"}
	rulePolicySyntax = lint.Rule{ID: "mtasts.policy-syntax", Severity: lint.Error,
		Summary:  "The policy file breaks the grammar: version STSv1, mode enforce|testing|none, max_age 0..31557600, mx patterns (a leading *. at most), one key: value per line.",
		Citation: "RFC 8461 §3.2", URL: rfc8461 + "#section-3.2"}
	ruleIgnoredField = lint.Rule{ID: "mtasts.ignored-field", Severity: lint.Warning,
		Summary:  "A field the grammar accepts does nothing: a repeated id=, version, mode or max_age (the first counts), or a field named like one in other case (Mx:, ID=), which is an extension senders ignore.",
		Citation: "RFC 8461 §3.1, §3.2", URL: rfc8461 + "#section-3.2"}
	ruleMaxAgeShort = lint.Rule{ID: "mtasts.max-age-short", Severity: lint.Warning,
		Summary:  "max_age is under a day: the policy expires from senders' caches quickly, leaving a window for a downgrade attack at each refresh (weeks or more are advised).",
		Citation: "RFC 8461 §3.2", URL: rfc8461 + "#section-3.2"}
	ruleModeTesting = lint.Rule{ID: "mtasts.mode-testing", Severity: lint.Info,
		Summary:  "mode: testing: senders report TLS failures (TLS-RPT) but deliver anyway; move to enforce once the reports are clean.",
		Citation: "RFC 8461 §5", URL: rfc8461 + "#section-5"}
	ruleModeNone = lint.Rule{ID: "mtasts.mode-none", Severity: lint.Info,
		Summary:  "mode: none: senders apply no policy; the step before removing MTA-STS.",
		Citation: "RFC 8461 §8.3", URL: rfc8461 + "#section-8.3"}
	ruleMXNotCovered = lint.Rule{ID: "mtasts.mx-not-covered", Severity: lint.Error,
		Summary:  "A published MX host matches none of the policy's mx patterns: in enforce mode senders will not deliver to it (in testing mode they deliver and report the failure).",
		Citation: "RFC 8461 §4.1, §5", URL: rfc8461 + "#section-4.1"}
	ruleIDUnchanged = lint.Rule{ID: "mtasts.id-unchanged", Severity: lint.Warning,
		Summary:  "The policy changed since the previous check but the _mta-sts id did not: senders holding the old policy will not fetch the new one until it expires.",
		Citation: "RFC 8461 §3.1", URL: rfc8461 + "#section-3.1"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleSyntax, ruleMultipleRecords, rulePolicyUnreachable, rulePolicyCertificate, rulePolicyRedirect,
		rulePolicyStatus, rulePolicyMediaType, rulePolicySyntax, ruleMaxAgeShort, ruleModeTesting, ruleModeNone,
		ruleMXNotCovered, ruleIDUnchanged, ruleIgnoredField,
	}
}
