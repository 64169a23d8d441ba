package records

import "strings"

// MXKind is the family of a Microsoft 365 inbound MX host: what
// [MXKindOf] tells of a host name.
type MXKind int

const (
	// NotM365MX is any host that is not Microsoft 365's.
	NotM365MX MXKind = iota
	// MXProtection is <token>.mail.protection.outlook.com, the commercial
	// (and GCC) cloud's MX.
	MXProtection
	// MXDANE is <token>.<c>-v1.mx.microsoft, the commercial cloud's
	// DNSSEC-signed MX, the one inbound SMTP DANE needs.
	MXDANE
	// MXLegacy is <token>.mail.eo.outlook.com or
	// <token>.mail.protection.outlook.de: older commercial hosts that
	// still receive mail.
	MXLegacy
	// MXGov is <token>.mail.protection.office365.us, the MX of GCC High
	// and DoD.
	MXGov
	// MXChina is <token>.mail.protection.partner.outlook.cn, the MX of
	// the 21Vianet cloud.
	MXChina
)

// mxSuffixes are the host families whose token is followed by a fixed
// suffix; MXDANE, whose suffix carries a partition letter, is read apart.
var mxSuffixes = []struct {
	suffix string
	kind   MXKind
}{
	{".mail.protection.outlook.com", MXProtection},
	{".mail.eo.outlook.com", MXLegacy},
	{".mail.protection.outlook.de", MXLegacy},
	{".mail.protection.office365.us", MXGov},
	{".mail.protection.partner.outlook.cn", MXChina},
}

// MXKindOf reports whether host (any case, with or without its trailing
// dot) is a Microsoft 365 inbound MX host, and of which family; NotM365MX
// for any other. It is the one place that knows Microsoft's MX host names:
// the expected sets of [M365], package dane's RequireM365 and package
// m365 all ask it.
//
// The token is one label of letters, digits and hyphens, which Microsoft
// assigns and which cannot be derived from the domain name. The DNSSEC
// host is <token>.<c>-v1.mx.microsoft with exactly one partition letter
// <c>: the value Enable-DnssecForVerifiedDomain prints and Graph gives
// (Microsoft Learn, "How SMTP DNS-based Authentication of Named Entities
// (DANE) works", https://learn.microsoft.com/purview/how-smtp-dane-works,
// and https://learn.microsoft.com/powershell/module/exchange/enable-dnssecforverifieddomain).
func MXKindOf(host string) MXKind {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	token, rest, ok := strings.Cut(host, ".")
	if !ok || !isToken(token) {
		return NotM365MX
	}
	rest = "." + rest
	for _, s := range mxSuffixes {
		if rest == s.suffix {
			return s.kind
		}
	}
	// .<c>-v1.mx.microsoft: one letter, no more.
	if len(rest) == len(".c-v1.mx.microsoft") && rest[1] >= 'a' && rest[1] <= 'z' && rest[2:] == "-v1.mx.microsoft" {
		return MXDANE
	}
	return NotM365MX
}

// In reports whether hosts of kind k are cloud c's MX: the protection,
// DNSSEC and legacy hosts in the commercial cloud and GCC, the
// office365.us hosts in GCC High and DoD, the partner.outlook.cn hosts in
// 21Vianet's.
func (k MXKind) In(c Cloud) bool {
	switch k {
	case MXProtection, MXDANE, MXLegacy:
		return c == Commercial || c == GCC
	case MXGov:
		return c == GCCHigh || c == DoD
	case MXChina:
		return c == China
	}
	return false
}

// isToken reports whether s is a non-empty label of lowercase letters,
// digits and hyphens.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
