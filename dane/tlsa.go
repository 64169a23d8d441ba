package dane

import (
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/lint"
)

// Certificate usages, selectors and matching types (RFC 6698 §2.1, RFC
// 7218 for the acronyms).
const (
	PKIXTA = 0 // CA constraint: useless for SMTP (RFC 7672 §3.1.3)
	PKIXEE = 1 // service certificate constraint: useless for SMTP
	DANETA = 2 // trust anchor assertion
	DANEEE = 3 // domain-issued certificate

	Cert = 0 // the full certificate
	SPKI = 1 // the SubjectPublicKeyInfo

	Full   = 0 // the selected data itself
	SHA256 = 1 // its SHA2-256 digest
	SHA512 = 2 // its SHA2-512 digest
)

// MaxDataBytes bounds the certificate association data ParseTLSA accepts:
// an RDATA is at most 65,535 octets.
const MaxDataBytes = 65535 - 3

// TLSA is one TLSA record's data (RFC 6698 §2.1).
type TLSA struct {
	Usage        uint8 `json:"usage"`
	Selector     uint8 `json:"selector"`
	MatchingType uint8 `json:"matching_type"`
	// Data is the certificate association data.
	Data []byte `json:"-"`
	// Hex is Data in lowercase hex, as published.
	Hex string `json:"data"`
}

// ErrSyntax is wrapped by ParseTLSA's errors.
var ErrSyntax = errors.New("dane: bad TLSA record")

// ParseTLSA parses a TLSA record's data in presentation form (RFC 6698
// §2.2): usage, selector and matching type in decimal, then the data in
// hex, which may be split by spaces.
func ParseTLSA(s string) (*TLSA, error) {
	f := strings.Fields(s)
	if len(f) < 4 {
		return nil, fmt.Errorf("%w: %q: want usage, selector, matching type and data", ErrSyntax, s)
	}
	var n [3]uint8
	for i, name := range []string{"usage", "selector", "matching type"} {
		v, err := strconv.ParseUint(f[i], 10, 8)
		if err != nil {
			return nil, fmt.Errorf("%w: %s %q is not a number from 0 to 255", ErrSyntax, name, f[i])
		}
		n[i] = uint8(v)
	}
	h := strings.Join(f[3:], "")
	if len(h)/2 > MaxDataBytes {
		return nil, fmt.Errorf("%w: %d octets of data, more than %d", ErrSyntax, len(h)/2, MaxDataBytes)
	}
	data, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: data is not hex: %v", ErrSyntax, err)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrSyntax)
	}
	return &TLSA{Usage: n[0], Selector: n[1], MatchingType: n[2], Data: data, Hex: hex.EncodeToString(data)}, nil
}

// String returns the record's data in presentation form; ParseTLSA reads
// it back.
func (t *TLSA) String() string {
	return fmt.Sprintf("%d %d %d %s", t.Usage, t.Selector, t.MatchingType, hex.EncodeToString(t.Data))
}

// Params returns "3 1 1" and the like.
func (t *TLSA) Params() string {
	return fmt.Sprintf("%d %d %d", t.Usage, t.Selector, t.MatchingType)
}

// Problem is something wrong with one TLSA record, under one rule.
type Problem struct {
	Rule     lint.Rule     `json:"rule"`
	Severity lint.Severity `json:"severity"`
	Reason   string        `json:"reason"`
}

// Usable reports whether SMTP senders can use the record to authenticate
// a server (RFC 7672 §3.1): DANE-TA(2) or DANE-EE(3), a known selector
// and matching type, and data of the right form.
func (t *TLSA) Usable() bool {
	for _, p := range t.Problems() {
		if p.Rule.ID == ruleBadRecord.ID || p.Rule.ID == rulePKIXUsage.ID {
			return false
		}
	}
	return true
}

// Problems lints the record as SMTP senders read it (RFC 7672 §3.1,
// RFC 6698 §2.1): unknown parameters, digests of the wrong length and
// full data that is no certificate or key make it unusable; the PKIX
// usages are unusable for SMTP; Full(0) data and anything but 3 1 1 or
// 2 1 1 are discouraged.
func (t *TLSA) Problems() []Problem {
	var ps []Problem
	add := func(r lint.Rule, format string, args ...any) {
		ps = append(ps, Problem{Rule: r, Severity: r.Severity, Reason: fmt.Sprintf(format, args...)})
	}
	switch t.Usage {
	case PKIXTA, PKIXEE:
		name := map[uint8]string{PKIXTA: "PKIX-TA(0)", PKIXEE: "PKIX-EE(1)"}[t.Usage]
		add(rulePKIXUsage, "usage %s: SMTP senders treat PKIX usages as unusable (there is no agreed CA set for MX hosts); publish DANE-EE(3) or DANE-TA(2)", name)
	case DANETA, DANEEE:
	default:
		add(ruleBadRecord, "usage %d is not a known certificate usage: the record is unusable", t.Usage)
	}
	if t.Selector > SPKI {
		add(ruleBadRecord, "selector %d is not Cert(0) or SPKI(1): the record is unusable", t.Selector)
	}
	switch t.MatchingType {
	case SHA256:
		if len(t.Data) != 32 {
			add(ruleBadRecord, "matching type SHA2-256(1) needs 32 octets (64 hex digits), not %d: the record is unusable", len(t.Data))
		}
	case SHA512:
		if len(t.Data) != 64 {
			add(ruleBadRecord, "matching type SHA2-512(2) needs 64 octets (128 hex digits), not %d: the record is unusable", len(t.Data))
		}
	case Full:
		switch t.Selector {
		case Cert:
			if _, err := x509.ParseCertificate(t.Data); err != nil {
				add(ruleBadRecord, "Cert(0) Full(0) data is not a DER certificate (%v): the record is unusable", err)
				return ps
			}
		case SPKI:
			if _, err := x509.ParsePKIXPublicKey(t.Data); err != nil {
				add(ruleBadRecord, "SPKI(1) Full(0) data is not a DER SubjectPublicKeyInfo (%v): the record is unusable", err)
				return ps
			}
		}
		if len(ps) == 0 {
			add(ruleFullData, "matching type Full(0) publishes the whole %s (%d octets): large answers, and a record to change with every key; publish its SHA2-256 digest (%d %d 1)",
				map[uint8]string{Cert: "certificate", SPKI: "public key"}[t.Selector], len(t.Data), t.Usage, t.Selector)
		}
		return ps
	default:
		add(ruleBadRecord, "matching type %d is not Full(0), SHA2-256(1) or SHA2-512(2): the record is unusable", t.MatchingType)
	}
	if len(ps) > 0 {
		return ps
	}
	switch {
	case t.Selector == Cert:
		add(ruleNotRecommended, "%s pins the whole certificate: every renewal, even with the same key, needs a new TLSA record first; %d 1 1 pins the key", t.Params(), t.Usage)
	case t.MatchingType == SHA512:
		add(ruleNotRecommended, "%s uses SHA2-512: fine, but SHA2-256 (%d 1 1) is what every DANE sender is sure to support, and the recommended form", t.Params(), t.Usage)
	}
	return ps
}
