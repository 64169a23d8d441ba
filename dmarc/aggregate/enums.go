package aggregate

import (
	"slices"
	"strings"
)

// The enumerations below are strings holding the RFC's values, lower
// case. A report's value is trimmed and lower-cased ("Pass", " FAIL "
// read as "pass", "fail"); a value outside the RFC's list is kept as
// sent (lower-cased), and Valid says so. Empty means absent.

// Policy is a published policy: p, sp or np (RFC 7489 Appendix C
// DispositionType; RFC 9990 DispositionType).
type Policy string

// Policy values.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// Valid reports whether p is one of the RFC's values.
func (p Policy) Valid() bool { return oneOf(p, PolicyNone, PolicyQuarantine, PolicyReject) }

// Disposition is what the receiver did with the messages (RFC 9990
// ActionDispositionType; RFC 7489 has all but "pass").
type Disposition string

// Disposition values.
const (
	DispositionNone       Disposition = "none"
	DispositionPass       Disposition = "pass" // RFC 9990: passed DMARC under an enforcing policy
	DispositionQuarantine Disposition = "quarantine"
	DispositionReject     Disposition = "reject"
)

// Valid reports whether d is one of the RFC's values.
func (d Disposition) Valid() bool {
	return oneOf(d, DispositionNone, DispositionPass, DispositionQuarantine, DispositionReject)
}

// DMARCResult is the DMARC-aligned result of DKIM or SPF (DMARCResultType).
type DMARCResult string

// DMARCResult values.
const (
	DMARCPass DMARCResult = "pass"
	DMARCFail DMARCResult = "fail"
)

// Valid reports whether r is one of the RFC's values.
func (r DMARCResult) Valid() bool { return oneOf(r, DMARCPass, DMARCFail) }

// DKIMResult is a DKIM verification result (RFC 8601 §2.7.1;
// DKIMResultType).
type DKIMResult string

// DKIMResult values.
const (
	DKIMNone      DKIMResult = "none"
	DKIMPass      DKIMResult = "pass"
	DKIMFail      DKIMResult = "fail"
	DKIMPolicy    DKIMResult = "policy"
	DKIMNeutral   DKIMResult = "neutral"
	DKIMTempError DKIMResult = "temperror"
	DKIMPermError DKIMResult = "permerror"
)

// Valid reports whether r is one of the RFC's values.
func (r DKIMResult) Valid() bool {
	return oneOf(r, DKIMNone, DKIMPass, DKIMFail, DKIMPolicy, DKIMNeutral, DKIMTempError, DKIMPermError)
}

// SPFResult is an SPF result (RFC 8601 §2.7.2; SPFResultType).
type SPFResult string

// SPFResult values.
const (
	SPFNone      SPFResult = "none"
	SPFNeutral   SPFResult = "neutral"
	SPFPass      SPFResult = "pass"
	SPFFail      SPFResult = "fail"
	SPFSoftFail  SPFResult = "softfail"
	SPFPolicy    SPFResult = "policy" // RFC 9990
	SPFTempError SPFResult = "temperror"
	SPFPermError SPFResult = "permerror"
)

// Valid reports whether r is one of the RFC's values.
func (r SPFResult) Valid() bool {
	return oneOf(r, SPFNone, SPFNeutral, SPFPass, SPFFail, SPFSoftFail, SPFPolicy, SPFTempError, SPFPermError)
}

// SPFScope is the identity SPF checked (SPFDomainScope): RFC 9990 has
// only "mfrom"; RFC 7489 also "helo".
type SPFScope string

// SPFScope values.
const (
	ScopeHELO  SPFScope = "helo"
	ScopeMFROM SPFScope = "mfrom"
)

// Valid reports whether s is one of the RFC's values.
func (s SPFScope) Valid() bool { return oneOf(s, ScopeHELO, ScopeMFROM) }

// Alignment is an identifier alignment mode (AlignmentType).
type Alignment string

// Alignment values.
const (
	AlignRelaxed Alignment = "r"
	AlignStrict  Alignment = "s"
)

// Valid reports whether a is one of the RFC's values.
func (a Alignment) Valid() bool { return oneOf(a, AlignRelaxed, AlignStrict) }

// ReasonType is why a disposition differs from the policy
// (PolicyOverrideType): the union of RFC 7489's and RFC 9990's values.
type ReasonType string

// ReasonType values.
const (
	ReasonForwarded        ReasonType = "forwarded"   // RFC 7489
	ReasonSampledOut       ReasonType = "sampled_out" // RFC 7489
	ReasonTrustedForwarder ReasonType = "trusted_forwarder"
	ReasonMailingList      ReasonType = "mailing_list"
	ReasonLocalPolicy      ReasonType = "local_policy"
	ReasonOther            ReasonType = "other"
	ReasonPolicyTestMode   ReasonType = "policy_test_mode" // RFC 9990
)

// Valid reports whether t is one of the RFC's values.
func (t ReasonType) Valid() bool {
	return oneOf(t, ReasonForwarded, ReasonSampledOut, ReasonTrustedForwarder, ReasonMailingList,
		ReasonLocalPolicy, ReasonOther, ReasonPolicyTestMode)
}

// Testing is the policy's test mode (RFC 9990 TestingType).
type Testing string

// Testing values.
const (
	TestingNo  Testing = "n"
	TestingYes Testing = "y"
)

// Valid reports whether t is one of the RFC's values.
func (t Testing) Valid() bool { return oneOf(t, TestingNo, TestingYes) }

// DiscoveryMethod is how the DMARC record was found (RFC 9990
// DiscoveryType).
type DiscoveryMethod string

// DiscoveryMethod values.
const (
	DiscoveryPSL      DiscoveryMethod = "psl"      // RFC 7489's public suffix list
	DiscoveryTreeWalk DiscoveryMethod = "treewalk" // RFC 9989's DNS tree walk
)

// Valid reports whether m is one of the RFC's values.
func (m DiscoveryMethod) Valid() bool { return oneOf(m, DiscoveryPSL, DiscoveryTreeWalk) }

func oneOf[T ~string](v T, values ...T) bool { return slices.Contains(values, v) }

// enum reads an enumerated value: trimmed and lower-cased.
func enum[T ~string](s string) T { return T(strings.ToLower(strings.TrimSpace(s))) }
