package smtpprobe

import "github.com/domainlint/domainlint/lint"

const (
	rfc3207 = "https://www.rfc-editor.org/rfc/rfc3207"
	rfc5321 = "https://www.rfc-editor.org/rfc/rfc5321"
	rfc6125 = "https://www.rfc-editor.org/rfc/rfc6125"
	rfc7671 = "https://www.rfc-editor.org/rfc/rfc7671"
	rfc7672 = "https://www.rfc-editor.org/rfc/rfc7672"
	rfc8461 = "https://www.rfc-editor.org/rfc/rfc8461"
	rfc8996 = "https://www.rfc-editor.org/rfc/rfc8996"
	rfc5280 = "https://www.rfc-editor.org/rfc/rfc5280"
)

// The rules of this package. Their IDs never change.
var (
	ruleNoSTARTTLS = lint.Rule{ID: "smtp.no-starttls", Severity: lint.Warning,
		Summary:  "The mail server does not offer STARTTLS: mail to it travels in the clear. An error when the domain's MTA-STS policy is enforced or it publishes usable TLSA records: senders that follow them cannot deliver.",
		Citation: "RFC 3207 §4, RFC 8461 §4, RFC 7672 §2.2", URL: rfc3207 + "#section-4"}
	ruleSTARTTLSFailed = lint.Rule{ID: "smtp.starttls-failed", Severity: lint.Error,
		Summary:  "STARTTLS is offered but refused, or the TLS handshake after it fails: senders that require TLS cannot deliver, and others fall back to plain text.",
		Citation: "RFC 3207 §4, §4.1", URL: rfc3207 + "#section-4.1"}
	ruleTLSVersion = lint.Rule{ID: "smtp.tls-version", Severity: lint.Warning,
		Summary:  "The server negotiates TLS 1.0 or 1.1, which are deprecated; an error when it does not complete a handshake at TLS 1.2 or later at all.",
		Citation: "RFC 8996 §2, §3", URL: rfc8996 + "#section-2"}
	ruleCertExpired = lint.Rule{ID: "smtp.cert-expired", Severity: lint.Warning,
		Summary:  "The server's certificate is expired or not yet valid: MTA-STS senders, and DANE-TA senders, refuse it.",
		Citation: "RFC 5280 §4.1.2.5, RFC 8461 §4.2", URL: rfc5280 + "#section-4.1.2.5"}
	ruleCertName = lint.Rule{ID: "smtp.cert-name", Severity: lint.Warning,
		Summary:  "The server's certificate does not name the MX host in a subjectAltName DNS name (a wildcard only as the whole leftmost label): MTA-STS and DANE-TA senders refuse it.",
		Citation: "RFC 6125 §6.4, RFC 8461 §4.2, RFC 7672 §3.2.3", URL: rfc6125 + "#section-6.4"}
	ruleCertUntrusted = lint.Rule{ID: "smtp.cert-untrusted", Severity: lint.Info,
		Summary:  "The server's certificate does not chain to a trusted root: fine for opportunistic TLS and DANE-EE, but MTA-STS senders would refuse it.",
		Citation: "RFC 8461 §4.2", URL: rfc8461 + "#section-4.2"}
	ruleMTASTSUntrusted = lint.Rule{ID: "smtp.mtasts-untrusted", Severity: lint.Error,
		Summary:  "Under the domain's MTA-STS policy (enforce; a warning in testing), the server's certificate must chain to a trusted root and be valid now: senders will not deliver to it (in testing mode they deliver and report).",
		Citation: "RFC 8461 §4.2, §5", URL: rfc8461 + "#section-4.2"}
	ruleMTASTSNames = lint.Rule{ID: "smtp.mtasts-names", Severity: lint.Error,
		Summary:  "Under the domain's MTA-STS policy (enforce; a warning in testing), the certificate must name the MX host and the host must match one of the policy's mx patterns (\"*.\" stands for one label, in the certificate and in the policy alike).",
		Citation: "RFC 8461 §4.1, §4.2", URL: rfc8461 + "#section-4.1"}
	ruleDANEMismatch = lint.Rule{ID: "smtp.dane-mismatch", Severity: lint.Error,
		Summary:  "No usable TLSA record matches the certificate chain the server presents: DANE senders cannot authenticate it and defer mail to it.",
		Citation: "RFC 7672 §3.1, RFC 7671 §5.1, §5.2", URL: rfc7672 + "#section-3.1"}
	ruleDANENextKey = lint.Rule{ID: "smtp.dane-next-key", Severity: lint.Info,
		Summary:  "A usable TLSA record matches nothing the server presents while another does: a next key published ahead of a rollover, as advised.",
		Citation: "RFC 7671 §8.1", URL: rfc7671 + "#section-8.1"}
	ruleUnreachable = lint.Rule{ID: "smtp.unreachable", Severity: lint.Warning,
		Summary:  "An MX address does not complete an SMTP session (refused, timed out, unreachable, or cut off) while others of the domain do: senders retry elsewhere, delaying mail.",
		Citation: "RFC 5321 §5.1", URL: rfc5321 + "#section-5.1"}
	ruleProtocol = lint.Rule{ID: "smtp.protocol", Severity: lint.Warning,
		Summary:  "The server's replies break SMTP's grammar or size limits (a reply line over 512 octets, no reply code, a reply that never ends): senders may give up on it.",
		Citation: "RFC 5321 §4.2, §4.5.3.1.5", URL: rfc5321 + "#section-4.5.3.1.5"}
)

// Rules returns this package's rule catalogue.
func Rules() []lint.Rule {
	return []lint.Rule{
		ruleNoSTARTTLS, ruleSTARTTLSFailed, ruleTLSVersion, ruleCertExpired, ruleCertName, ruleCertUntrusted,
		ruleMTASTSUntrusted, ruleMTASTSNames, ruleDANEMismatch, ruleDANENextKey, ruleUnreachable, ruleProtocol,
	}
}
