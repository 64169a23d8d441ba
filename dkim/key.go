package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
)

// Key is a parsed DKIM key record (RFC 6376 §3.6.1; ed25519 per RFC 8463).
type Key struct {
	// Raw is the record text (TXT strings joined).
	Raw string
	// Version is v=, "DKIM1" when present.
	Version string
	// Hashes are the h= algorithms as written; empty means all. Tag
	// values are case-sensitive (RFC 6376 §3.2: "Values MUST be processed
	// as case sensitive unless the specific tag description of semantics
	// specifies case insensitivity"), as verifiers compare them: h=SHA256
	// allows no sha256, k=RSA is no key type they know.
	Hashes []string
	// Type is k= as written; "rsa" when absent.
	Type string
	// Notes is n=.
	Notes string
	// PublicKey is p= decoded: *rsa.PublicKey or ed25519.PublicKey; nil
	// when revoked or undecodable.
	PublicKey crypto.PublicKey
	// Bits is the key size: the RSA modulus length, or 256 for ed25519.
	Bits int
	// Services are s= as written; empty when s= is absent, which means
	// all ("*"). See ForEmail.
	Services []string
	// Flags are t= as written: "y" (testing), "s" (strict).
	Flags []string
	// Revoked is set when p= is empty (RFC 6376 §3.6.1).
	Revoked bool
	// Spans of the tags, by name, in Raw.
	Spans map[string]lint.Span
}

// Testing reports t=y: the domain is testing DKIM, and verifiers must not
// treat signed mail differently from unsigned (RFC 6376 §3.6.1).
func (k *Key) Testing() bool { return contains(k.Flags, "y") }

// ForEmail reports whether the key may verify email signatures: s= is
// absent or lists "email" or "*" (RFC 6376 §3.6.1: "Verifiers for a given
// service type MUST ignore this record if the appropriate type is not
// listed"). An s= that is empty lists nothing.
func (k *Key) ForEmail() bool {
	if _, ok := k.Spans["s"]; !ok {
		return true
	}
	return contains(k.Services, "email") || contains(k.Services, "*")
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// KeyError is a problem with a key record; Span locates it in the record.
type KeyError struct {
	Rule   lint.Rule // the rule a linter reports it under
	Span   lint.Span
	Reason string
}

func (e *KeyError) Error() string { return "dkim: " + e.Reason }

// MaxRSABits is the largest RSA key verifiers must accept. RFC 8301 §3.2:
// "Verifiers MUST be able to validate signatures with keys ranging from
// 1024 bits to 4096 bits, and they MAY be able to validate signatures with
// larger keys." A larger key parses, and is valid; Lookup warns of it
// (dkim.large-key): some receivers refuse it (the signatures then fail),
// and a huge one (a 65,536-bit modulus fits in a TXT answer over TCP)
// costs every verifier a slow modular exponentiation per signature.
const MaxRSABits = 4096

// ErrNotKey reports that the text has a v= tag other than DKIM1, so it is no DKIM key
// record (RFC 6376 §3.6.1: v= must be first and "DKIM1").
var ErrNotKey = errors.New("dkim: not a DKIM key record (v= is not DKIM1)")

// ParseKey parses a key record. It fails on broken tag syntax (an s= that
// lists no service type among it), a v= that is not first or not DKIM1,
// an unknown key type, and a p= that does not decode to a key of type k=.
// A revoked key (empty p=) parses, with Revoked set; so does a key for
// other services than email (see ForEmail), and an RSA key of any size
// (see MaxRSABits).
func ParseKey(txt string) (*Key, error) {
	k, probs := parseKey(txt)
	for _, p := range probs {
		if p.Rule.ID == ruleSyntax.ID || p.Rule.ID == ruleBadKey.ID || p.Rule.ID == ruleUnknownKeyType.ID {
			return k, p
		}
	}
	if k == nil {
		return nil, ErrNotKey
	}
	return k, nil
}

// parseKey is the lenient parser: it returns what it understood and every
// problem, each under the rule that reports it. k is nil for ErrNotKey.
func parseKey(txt string) (*Key, []*KeyError) {
	tags, tprobs := tagvalue.Parse(txt)
	k := &Key{Raw: txt, Type: "rsa", Spans: map[string]lint.Span{}}
	var probs []*KeyError
	for _, p := range tprobs {
		probs = append(probs, &KeyError{Rule: ruleSyntax, Span: p.Span, Reason: p.Reason})
	}
	for i, t := range tags {
		if _, dup := k.Spans[t.Name]; !dup {
			k.Spans[t.Name] = t.Span
		}
		v := t.Value
		switch t.Name {
		case "v":
			if v != "DKIM1" {
				return nil, []*KeyError{{Rule: ruleSyntax, Span: t.Span, Reason: fmt.Sprintf("v=%s: not a DKIM1 key record", v)}}
			}
			if i != 0 {
				probs = append(probs, &KeyError{Rule: ruleSyntax, Span: t.Span, Reason: "v= must be the first tag (RFC 6376 §3.6.1)"})
			}
			k.Version = v
		case "h":
			k.Hashes = splitList(v)
		case "k":
			k.Type = v
		case "n":
			k.Notes = v
		case "s":
			k.Services = splitList(v)
			if why := checkServices(v); why != "" {
				probs = append(probs, &KeyError{Rule: ruleSyntax, Span: t.Span, Reason: why})
			} else if !k.ForEmail() {
				probs = append(probs, &KeyError{Rule: ruleNotEmail, Span: t.Span, Reason: notEmail(v)})
			}
		case "t":
			k.Flags = splitList(v)
		}
	}
	switch k.Type {
	case "rsa", "ed25519":
	default:
		reason := fmt.Sprintf("k=%s is not a key type verifiers know (rsa, ed25519)", k.Type)
		if strings.EqualFold(k.Type, "rsa") || strings.EqualFold(k.Type, "ed25519") {
			reason += "; tag values are case-sensitive (RFC 6376 §3.2): write " + strings.ToLower(k.Type)
		}
		probs = append(probs, &KeyError{Rule: ruleUnknownKeyType, Span: k.Spans["k"], Reason: reason})
	}
	p, ok := tagvalue.Get(tags, "p")
	switch {
	case !ok:
		probs = append(probs, &KeyError{Rule: ruleSyntax, Reason: "no p= tag: a key record must have one (RFC 6376 §3.6.1)"})
	case strings.TrimSpace(p.Value) == "":
		k.Revoked = true
	default:
		if err := k.decode(p.Value); err != "" && (k.Type == "rsa" || k.Type == "ed25519") {
			probs = append(probs, &KeyError{Rule: ruleBadKey, Span: p.Span, Reason: err})
		}
	}
	return k, probs
}

// checkServices checks s= against RFC 6376 §3.6.1:
//
//	key-s-tag        = %x73 [FWS] "=" [FWS] key-s-tag-type
//	                   0*( [FWS] ":" [FWS] key-s-tag-type )
//	key-s-tag-type   = "email" / "*" / x-key-s-tag-type
//	x-key-s-tag-type = hyphenated-word   ; for future extension
//	hyphenated-word  = ALPHA [ *(ALPHA / DIGIT / "-") (ALPHA / DIGIT) ]
func checkServices(v string) string {
	if strings.Trim(v, " \t\r\n") == "" {
		return "s= is empty: it must list at least one service type, email or * (RFC 6376 §3.6.1); verifiers read it as a list without email and ignore the key"
	}
	for _, s := range strings.Split(v, ":") {
		s = strings.Trim(s, " \t\r\n")
		if s != "*" && !hyphenatedWord(s) {
			return fmt.Sprintf("s=%s: %q is not a service type (email, *, or a word of letters, digits and inner hyphens; RFC 6376 §3.6.1)", v, s)
		}
	}
	return ""
}

func hyphenatedWord(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !(c >= '0' && c <= '9') && (c != '-' || i == len(s)-1) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// notEmail says why a key whose s= lists neither email nor * is no key
// for mail.
func notEmail(v string) string {
	msg := fmt.Sprintf("s=%s does not list email (or *): verifiers of mail ignore the key (RFC 6376 §3.6.1), and every signature made with it fails", v)
	if strings.Contains(v, "tlsrpt") {
		msg += "; s=tlsrpt is for signing TLS-RPT reports (RFC 8460 §3): add email (s=email:tlsrpt) if the selector signs mail too"
	} else if strings.Contains(strings.ToLower(v), "email") {
		msg += "; the value is case-sensitive: write email in lower case"
	}
	return msg
}

// splitList splits a colon-separated list, keeping the case (RFC 6376
// §3.2: values are case-sensitive).
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ":") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// notBase64 reports a rune outside the base64 alphabet.
func notBase64(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=')
}

// decode decodes p= into a key of type k=. RSA keys are accepted as PKIX
// SubjectPublicKeyInfo and, per RFC 6376 erratum 3017, as bare PKCS#1.
func (k *Key) decode(p string) string {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, p)
	der, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		// Say what damaged it, as a person pasting a key does.
		switch {
		case strings.ContainsAny(clean, "\"'"):
			return "p= holds a quote character: the key was pasted with the quotes around it (or around one of its strings); remove them"
		case strings.IndexFunc(clean, notBase64) >= 0:
			return fmt.Sprintf("p= holds %q, which base64 never does: the key was damaged by copy and paste", string([]rune(clean[strings.IndexFunc(clean, notBase64):])[0]))
		case len(clean)%4 != 0:
			return fmt.Sprintf("p= is not valid base64 (%d characters, not a multiple of 4): the key is cut short or has characters missing", len(clean))
		}
		return fmt.Sprintf("p= is not valid base64: %v", err)
	}
	switch k.Type {
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			if _, err := x509.ParsePKIXPublicKey(der); err == nil {
				return "k=ed25519 but p= holds an RSA (or other PKIX) key; RFC 8463 wants the 32 raw key octets"
			}
			return fmt.Sprintf("k=ed25519 but p= decodes to %d octets, not 32 (RFC 8463 §4.2)", len(der))
		}
		k.PublicKey, k.Bits = ed25519.PublicKey(der), 256
	case "rsa":
		var pub *rsa.PublicKey
		if key, err := x509.ParsePKIXPublicKey(der); err == nil {
			rk, ok := key.(*rsa.PublicKey)
			if !ok {
				return fmt.Sprintf("k=rsa but p= holds a %T key", key)
			}
			pub = rk
		} else if rk, err2 := x509.ParsePKCS1PublicKey(der); err2 == nil {
			pub = rk
		} else {
			if len(der) == ed25519.PublicKeySize {
				return "k=rsa but p= holds 32 octets, an ed25519 key; publish k=ed25519"
			}
			return "p= does not decode to an RSA public key (neither PKIX nor PKCS#1)"
		}
		k.Bits = pub.N.BitLen()
		k.PublicKey = pub
	}
	return ""
}
