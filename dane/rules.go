package dane

import "github.com/domainlint/domainlint/lint"

const (
	rfc6698 = "https://www.rfc-editor.org/rfc/rfc6698"
	rfc7672 = "https://www.rfc-editor.org/rfc/rfc7672"
	// The cmdlet whose output is the mx.microsoft MX value, and whose
	// page links Microsoft's "How SMTP DANE works".
	msDNSSEC = "https://learn.microsoft.com/powershell/module/exchange/enable-dnssecforverifieddomain"
)

// The rules of this package. Their IDs never change.
var (
	ruleBadRecord = lint.Rule{ID: "dane.bad-record", Severity: lint.Error,
		Summary:  "A TLSA record SMTP senders cannot use: an unknown usage, selector or matching type, a digest of the wrong length, or Full(0) data that is no certificate or key.",
		Citation: "RFC 6698 §2.1, RFC 7672 §3.1", URL: rfc6698 + "#section-2.1"}
	rulePKIXUsage = lint.Rule{ID: "dane.pkix-usage", Severity: lint.Warning,
		Summary:  "Certificate usage PKIX-TA(0) or PKIX-EE(1): SMTP senders treat them as unusable; publish DANE-EE(3) or DANE-TA(2).",
		Citation: "RFC 7672 §3.1.3", URL: rfc7672 + "#section-3.1.3"}
	ruleFullData = lint.Rule{ID: "dane.full-data", Severity: lint.Warning,
		Summary:  "Matching type Full(0) publishes a whole certificate or key: large answers and a record to change with every key; publish a SHA2-256 digest (3 1 1).",
		Citation: "RFC 7672 §3.1.1", URL: rfc7672 + "#section-3.1.1"}
	ruleNotRecommended = lint.Rule{ID: "dane.not-recommended", Severity: lint.Info,
		Summary:  "A usable TLSA record other than the recommended 3 1 1 (or 2 1 1): Cert(0) pins the certificate, so every renewal needs a TLSA change first.",
		Citation: "RFC 7672 §3.1.1, §3.1.2", URL: rfc7672 + "#section-3.1.1"}
	ruleUnauthenticated = lint.Rule{ID: "dane.unauthenticated", Severity: lint.Error,
		Summary:  "TLSA records that are not authenticated by DNSSEC (or that hang off an MX RRset that is not): senders ignore them, so they protect nothing.",
		Citation: "RFC 7672 §2.2, §2.2.1", URL: rfc7672 + "#section-2.2"}
	ruleBogus = lint.Rule{ID: "dane.bogus", Severity: lint.Error,
		Summary:  "The MX or TLSA lookup fails DNSSEC validation: senders that validate defer mail to the host until it is fixed.",
		Citation: "RFC 7672 §2.1.1", URL: rfc7672 + "#section-2.1.1"}
	ruleLookupFailed = lint.Rule{ID: "dane.lookup-failed", Severity: lint.Warning,
		Summary:  "A TLSA lookup failed (timeout, REFUSED, SERVFAIL): DANE senders treat it as a temporary failure and defer mail to that host.",
		Citation: "RFC 7672 §2.1.1", URL: rfc7672 + "#section-2.1.1"}
	ruleNoUsable = lint.Rule{ID: "dane.no-usable", Severity: lint.Error,
		Summary:  "An MX host's authenticated TLSA RRset holds no usable record: senders still require TLS there but cannot authenticate the server.",
		Citation: "RFC 7672 §2.2, §3.1", URL: rfc7672 + "#section-2.2"}
	rulePartial = lint.Rule{ID: "dane.partial", Severity: lint.Warning,
		Summary:  "Some MX hosts publish TLSA records and others do not: mail that goes to the others is not protected by DANE, and an attacker can push it there.",
		Citation: "RFC 7672 §2.2.1", URL: rfc7672 + "#section-2.2.1"}
	ruleMXZoneUnsigned = lint.Rule{ID: "dane.mx-zone-unsigned", Severity: lint.Warning,
		Summary:  "The domain is signed but an MX host's zone is not: its TLSA lookup is insecure, so senders cannot use DANE for that host.",
		Citation: "RFC 7672 §2.2.3", URL: rfc7672 + "#section-2.2.3"}
	ruleNone = lint.Rule{ID: "dane.none", Severity: lint.Info,
		Summary:  "The domain is DNSSEC-signed but no MX host publishes TLSA records: DANE would protect its inbound mail against downgrade and impersonation.",
		Citation: "RFC 7672 §1.3", URL: rfc7672 + "#section-1.3"}
	ruleUnverifiable = lint.Rule{ID: "dane.unverifiable", Severity: lint.Info,
		Summary:  "Whether the TLSA records are authenticated cannot be told: they came from zone files (not verifiable offline) or through a resolver that does not validate.",
		Citation: "RFC 7672 §2.1.1", URL: rfc7672 + "#section-2.1.1"}
	ruleM365MX = lint.Rule{ID: "dane.m365-mx", Severity: lint.Error,
		Summary:  "Microsoft 365 inbound DANE needs the MX <token>.<letter>-v1.mx.microsoft (the value Enable-DnssecForVerifiedDomain or Graph gives): the domain's MX is another.",
		Citation: "Microsoft Learn: Enable-DnssecForVerifiedDomain", URL: msDNSSEC}
	ruleM365SingleMX = lint.Rule{ID: "dane.m365-single-mx", Severity: lint.Error,
		Summary:  "Microsoft 365 inbound DANE needs the mx.microsoft MX to be the domain's only MX: mail to any other MX host bypasses DANE.",
		Citation: "Microsoft Learn: Enable-DnssecForVerifiedDomain", URL: msDNSSEC}
	ruleM365DNSSEC = lint.Rule{ID: "dane.m365-dnssec", Severity: lint.Error,
		Summary:  "Microsoft 365 inbound DANE needs the domain itself DNSSEC-signed, with its DS at the parent, so that senders can trust its MX RRset.",
		Citation: "Microsoft Learn: Enable-DnssecForVerifiedDomain; RFC 7672 §2.2.1", URL: msDNSSEC}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleBadRecord, rulePKIXUsage, ruleFullData, ruleNotRecommended, ruleUnauthenticated, ruleBogus,
		ruleLookupFailed, ruleNoUsable, rulePartial, ruleMXZoneUnsigned, ruleNone, ruleUnverifiable,
		ruleM365MX, ruleM365SingleMX, ruleM365DNSSEC,
	}
}
