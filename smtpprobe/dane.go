package smtpprobe

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/domainlint/domainlint/dane"
	"github.com/miekg/dns"
)

// TLSAMatch is one TLSA record checked against a served chain.
type TLSAMatch struct {
	// Record is the record's data in presentation form ("3 1 1 <hex>").
	Record string `json:"record"`
	// Usable: DANE-TA(2) or DANE-EE(3) with a known selector and matching
	// type and data of the right form (dane.TLSA.Usable); others are not
	// matched (SMTP senders ignore them: RFC 7672 §3.1.3).
	Usable bool `json:"usable"`
	// Matched: the record authenticates the server (RFC 7672 §3.1):
	// DANE-EE, its data is the leaf's; DANE-TA, its data is that of a CA
	// certificate of the chain, the leaf chains to it at the time given
	// and names the host.
	Matched bool `json:"matched"`
	// Cert is the index in the chain of the certificate whose data
	// matched, -1 when none did.
	Cert int `json:"cert"`
	// Published is the record's data in hex (past 64 octets, as Full(0)
	// data is, its first 32, then "…").
	Published string `json:"published"`
	// Served is what the server presents in the record's selector and
	// matching type: the leaf's for DANE-EE, each CA certificate's for
	// DANE-TA, in chain order, as Published is written.
	Served []string `json:"served,omitempty"`
	// Reason says why the record did not match, or why it is unusable.
	Reason string `json:"reason,omitempty"`
}

// Match checks each TLSA record of a _25._tcp.<host> RRset against a
// chain served by host (leaf first), as an SMTP sender that uses DANE
// does (RFC 7672 §3.1, RFC 7671 §5.1, §5.2):
//
//   - DANE-EE(3): the leaf's certificate (selector Cert(0)) or public key
//     (SPKI(1)), whole (Full(0)) or as its SHA2-256(1) or SHA2-512(2)
//     digest, equals the record's data. Names and validity dates are not
//     checked (RFC 7672 §3.1.1).
//   - DANE-TA(2): the data is that of a CA certificate of the chain other
//     than the leaf, and the leaf chains to that certificate (signatures,
//     validity at now), and names host (RFC 7672 §3.2.2, §3.2.3: a
//     wildcard only as the whole leftmost label). A trust anchor the
//     server does not send (a bare 2 1 0 key) is not matched.
//
// PKIX usages and malformed records are reported as not Usable and not
// matched. Match never fails: an empty chain matches nothing.
func Match(tlsa []*dns.TLSA, chain []*x509.Certificate, host string, now time.Time) []TLSAMatch {
	var out []TLSAMatch
	for _, rr := range tlsa {
		out = append(out, matchOne(rr, chain, host, now))
	}
	return out
}

func matchOne(rr *dns.TLSA, chain []*x509.Certificate, host string, now time.Time) TLSAMatch {
	text := fmt.Sprintf("%d %d %d %s", rr.Usage, rr.Selector, rr.MatchingType, strings.ToLower(rr.Certificate))
	m := TLSAMatch{Record: clip(text, 300), Cert: -1}
	t, err := dane.ParseTLSA(text)
	if err != nil {
		m.Reason = "not a valid TLSA record"
		return m
	}
	m.Published = short(t.Data)
	if !t.Usable() {
		m.Reason = "not usable for SMTP (RFC 7672 §3.1): only DANE-TA(2) and DANE-EE(3) with known selectors and matching types count"
		return m
	}
	m.Usable = true
	if len(chain) == 0 {
		m.Reason = "the server presented no certificate"
		return m
	}
	candidates := []int{0}
	if t.Usage == dane.DANETA {
		candidates = nil
		for i := 1; i < len(chain); i++ {
			candidates = append(candidates, i)
		}
	}
	for _, i := range candidates {
		data := associated(chain[i], t.Selector, t.MatchingType)
		m.Served = append(m.Served, short(data))
		if m.Cert < 0 && bytes.Equal(data, t.Data) {
			m.Cert = i
		}
	}
	switch {
	case t.Usage == dane.DANETA && len(candidates) == 0:
		m.Reason = "the server sends only its own certificate: a DANE-TA(2) record needs the trust anchor's certificate in the chain (RFC 7672 §3.1.2)"
	case m.Cert < 0:
		what := "the leaf's"
		if t.Usage == dane.DANETA {
			what = "any CA certificate's in the chain"
		}
		m.Reason = fmt.Sprintf("the published data is not %s %s", what, describe(t.Selector, t.MatchingType))
	case t.Usage == dane.DANEEE:
		m.Matched = true
	default:
		roots := x509.NewCertPool()
		roots.AddCert(chain[m.Cert])
		inter := x509.NewCertPool()
		for _, c := range chain[1:m.Cert] {
			inter.AddCert(c)
		}
		_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, DNSName: host,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			m.Reason = fmt.Sprintf("certificate %d of the chain is the trust anchor, but the leaf does not verify under it: %s", m.Cert, Sanitize(err.Error()))
			break
		}
		m.Matched = true
	}
	return m
}

// associated is a certificate's data in the given selector and matching
// type (RFC 6698 §2.1.2, §2.1.3).
func associated(c *x509.Certificate, selector, matching uint8) []byte {
	data := c.Raw
	if selector == dane.SPKI {
		data = c.RawSubjectPublicKeyInfo
	}
	switch matching {
	case dane.SHA256:
		s := sha256.Sum256(data)
		return s[:]
	case dane.SHA512:
		s := sha512.Sum512(data)
		return s[:]
	}
	return data
}

func describe(selector, matching uint8) string {
	sel := map[uint8]string{dane.Cert: "certificate", dane.SPKI: "public key (SPKI)"}[selector]
	switch matching {
	case dane.SHA256:
		return sel + " SHA2-256"
	case dane.SHA512:
		return sel + " SHA2-512"
	}
	return sel
}

// short is data in hex, cut after 32 octets (Full(0) data).
func short(b []byte) string {
	if len(b) > 64 {
		return hex.EncodeToString(b[:32]) + "…"
	}
	return hex.EncodeToString(b)
}
