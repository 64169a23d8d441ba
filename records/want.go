package records

import (
	"github.com/domainlint/domainlint/internal/rrtext"
	"regexp"
	"strings"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Exact wants one record: same type and data (TTL aside; TXT strings
// compared joined; MX by exchange, whatever the preference, which the
// check judges against the other MX records).
type Exact struct{ RR dns.RR }

func (x Exact) Match(rr dns.RR) bool {
	if rr == nil || rr.Header().Rrtype != x.RR.Header().Rrtype {
		return false
	}
	switch w := x.RR.(type) {
	case *dns.TXT:
		return rrtext.TXT(rr) == strings.Join(resolver.DecodeTXT(w.Txt), "")
	case *dns.MX:
		return sameName(rr.(*dns.MX).Mx, w.Mx)
	case *dns.CNAME:
		return sameName(rr.(*dns.CNAME).Target, w.Target)
	case *dns.SRV:
		g := rr.(*dns.SRV)
		return g.Priority == w.Priority && g.Weight == w.Weight && g.Port == w.Port && sameName(g.Target, w.Target)
	}
	c := dns.Copy(rr)
	c.Header().Name, c.Header().Ttl = x.RR.Header().Name, x.RR.Header().Ttl
	return dns.IsDuplicate(c, x.RR)
}

func (x Exact) String() string { return rrtext.RData(x.RR) }
func (x Exact) Guess() dns.RR  { return x.RR }
func (x Exact) Exact() bool    { return true }

// Pattern wants any record of a kind, e.g. "an MX under
// mail.protection.outlook.com or *-v1.mx.microsoft".
type Pattern struct {
	desc  string
	match func(dns.RR) bool
	guess dns.RR
}

func (p Pattern) Match(rr dns.RR) bool { return rr != nil && p.match(rr) }
func (p Pattern) String() string       { return p.desc }
func (p Pattern) Guess() dns.RR        { return p.guess }
func (p Pattern) Exact() bool          { return false }

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// target returns the host a CNAME, MX or SRV points at, lowercase, no dot.
func target(rr dns.RR) string {
	var t string
	switch v := rr.(type) {
	case *dns.CNAME:
		t = v.Target
	case *dns.MX:
		t = v.Mx
	case *dns.SRV:
		t = v.Target
	}
	return strings.ToLower(strings.TrimSuffix(t, "."))
}

// mxPattern wants an MX to a Microsoft 365 host of cloud's (MXKindOf).
func mxPattern(desc string, cloud Cloud, guess dns.RR) Pattern {
	return Pattern{desc: desc, guess: guess, match: func(rr dns.RR) bool {
		return rr.Header().Rrtype == dns.TypeMX && MXKindOf(target(rr)).In(cloud)
	}}
}

func hostPattern(typ uint16, desc string, re *regexp.Regexp, guess dns.RR) Pattern {
	return Pattern{desc: desc, guess: guess, match: func(rr dns.RR) bool {
		return rr.Header().Rrtype == typ && re.MatchString(target(rr))
	}}
}

// oneOf accepts any of the exact records; the first is preferred.
func oneOf(desc string, rrs ...dns.RR) Pattern {
	return Pattern{desc: desc, guess: rrs[0], match: func(rr dns.RR) bool {
		for _, w := range rrs {
			if (Exact{w}).Match(rr) {
				return true
			}
		}
		return false
	}}
}

var (
	verifyMX = regexp.MustCompile(`^ms[0-9]{8}\.msv1\.invalid$`)
)

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}
