package smtpprobe

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"time"
)

// Bounds on what a session keeps of the certificates a server sends
// (crypto/tls already bounds the whole chain's message to 256 KiB).
const (
	// MaxChainCerts is the most certificates of a chain kept.
	MaxChainCerts = 10
	// MaxCertBytes is the largest certificate kept (DER); a larger one is
	// kept as its summary without its DER.
	MaxCertBytes = 32 << 10
	// MaxCertNames is the most DNS names of a certificate listed.
	MaxCertNames = 100
)

// TLS is what a STARTTLS handshake negotiated and what the server
// presented, and how it verifies. The handshake itself never fails on
// verification: the probe verifies the chain afterwards.
type TLS struct {
	// Version is "TLS 1.3" and the like (tls.VersionName); VersionID the
	// number (tls.VersionTLS13).
	Version   string `json:"version"`
	VersionID uint16 `json:"version_id"`
	// CipherSuite is its IANA name (tls.CipherSuiteName).
	CipherSuite string `json:"cipher_suite"`
	// AcceptsTLS12 is whether the server completes a handshake at TLS 1.2
	// or later: true when it negotiated one; below, the result of a
	// second session that offered only TLS 1.2 and 1.3.
	AcceptsTLS12 bool `json:"accepts_tls12"`
	// Chain is the certificates as the server sent them, leaf first (at
	// most MaxChainCerts).
	Chain []Certificate `json:"chain"`
	// Trusted: the chain verifies to a trusted root (the system's and
	// Options.Roots) at Options.Time, for server authentication, whatever
	// names it holds.
	Trusted bool `json:"trusted"`
	// NameMatches: the leaf's subjectAltName DNS names (a wildcard only as
	// the whole leftmost label; the CN is not read) include the MX host.
	NameMatches bool `json:"name_matches"`
	// Expired and NotYetValid compare the leaf's validity with
	// Options.Time.
	Expired     bool `json:"expired,omitempty"`
	NotYetValid bool `json:"not_yet_valid,omitempty"`
	// VerifyError is why the chain is not Trusted ("" when it is).
	VerifyError string `json:"verify_error,omitempty"`
	// Time is when the chain was verified (Options.Time, or the time of
	// the handshake): Check matches DANE-TA records at that time.
	Time time.Time `json:"time"`
}

// Certificate is one certificate of a served chain.
type Certificate struct {
	// DER is the certificate as sent (none past MaxCertBytes).
	DER       []byte    `json:"der,omitempty"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dns_names,omitempty"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// SHA256 is the SHA2-256 of the DER (a TLSA x 0 1 digest), SPKISHA256
	// that of the SubjectPublicKeyInfo (x 1 1), both in lowercase hex.
	SHA256     string `json:"sha256"`
	SPKISHA256 string `json:"spki_sha256"`
	// IsCA is the basic constraints' CA flag.
	IsCA bool `json:"is_ca,omitempty"`
}

// summarize describes c.
func summarize(c *x509.Certificate) Certificate {
	sum := sha256.Sum256(c.Raw)
	spki := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	out := Certificate{
		Subject: Sanitize(c.Subject.String()), Issuer: Sanitize(c.Issuer.String()),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		SHA256: hex.EncodeToString(sum[:]), SPKISHA256: hex.EncodeToString(spki[:]), IsCA: c.IsCA,
	}
	for i, n := range c.DNSNames {
		if i == MaxCertNames {
			break
		}
		out.DNSNames = append(out.DNSNames, Sanitize(n))
	}
	if len(c.Raw) <= MaxCertBytes {
		out.DER = c.Raw
	}
	return out
}

// verify fills in what the chain says about host at now, against roots.
func verify(info *TLS, chain []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) {
	if len(chain) == 0 {
		info.VerifyError = "the server sent no certificate"
		return
	}
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	info.Trusted = err == nil
	if err != nil {
		info.VerifyError = Sanitize(verifyReason(err))
	}
	info.NameMatches = leaf.VerifyHostname(host) == nil
	info.Expired = now.After(leaf.NotAfter)
	info.NotYetValid = now.Before(leaf.NotBefore)
	info.Time = now.UTC().Truncate(time.Second)
}

func verifyReason(err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return "signed by an unknown authority (no chain to a trusted root)"
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return "a certificate of the chain is expired or not yet valid"
	}
	return err.Error()
}

// chainOf parses recorded DER back into certificates, skipping any that
// no longer parse or were not kept.
func chainOf(certs []Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range certs {
		if len(c.DER) == 0 {
			continue
		}
		if x, err := x509.ParseCertificate(c.DER); err == nil {
			out = append(out, x)
		}
	}
	return out
}

// tlsInfo describes a completed handshake.
func tlsInfo(cs tls.ConnectionState, host string, roots *x509.CertPool, now time.Time) *TLS {
	info := &TLS{Version: tls.VersionName(cs.Version), VersionID: cs.Version, CipherSuite: tls.CipherSuiteName(cs.CipherSuite),
		AcceptsTLS12: cs.Version >= tls.VersionTLS12}
	chain := cs.PeerCertificates
	if len(chain) > MaxChainCerts {
		chain = chain[:MaxChainCerts]
	}
	for _, c := range chain {
		info.Chain = append(info.Chain, summarize(c))
	}
	verify(info, chain, host, roots, now)
	return info
}
