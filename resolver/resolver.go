// Package resolver is domainlint's access to DNS.
//
// Every domainlint package consumes the small [Resolver] interface. These
// implementations come with it:
//
//   - [Client], a live stub resolver on github.com/miekg/dns with a shared
//     TTL cache, coalescing of identical in-flight questions, a cap on
//     queries in flight, per-context query budgets and counters;
//   - [Zones], which answers from RFC 1035 master files with authoritative
//     semantics, so a zone file can be linted before it is deployed. For
//     names outside the files it asks a fallback chosen explicitly
//     ([Zones.WithFallback]): live DNS, a [Snapshot] of answers recorded
//     earlier, or nothing at all ([Offline], the default), in which case
//     the lookup fails with [ErrUnverified] and checks say what they could
//     not verify;
//   - [Recorder] and [Snapshot]: a live run records the answers it got
//     for names outside the zone files into a snapshot file a person can
//     review in git; an offline run that loads it gives the same findings.
//
// An [Answer] tells NXDOMAIN from NODATA and keeps the CNAME chain it
// followed and each TXT record's character-strings apart. An error means the
// question got no usable answer: for timeouts, SERVFAIL, REFUSED and network
// failures errors.Is(err, [ErrTemporary]) holds.
//
// [NetAdapter] puts a Resolver behind the method set of *net.Resolver, so
// blitiri.com.ar/go/spf and github.com/emersion/go-msgauth run over it.
package resolver

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"weak"

	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/miekg/dns"
	"golang.org/x/net/idna"
)

// Resolver answers one DNS question. Implementations follow CNAME chains
// (except for qtype CNAME), are safe for concurrent use and honour ctx.
//
// NXDOMAIN and NODATA are answers, not errors. The records in an Answer may
// be shared with other callers and must not be modified.
type Resolver interface {
	Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error)
}

// Answer is the outcome of one question, after any CNAMEs were followed.
type Answer struct {
	// Name is the question name as a lowercase FQDN.
	Name string
	// Type is the question type, e.g. dns.TypeTXT.
	Type uint16
	// Rcode is dns.RcodeSuccess or dns.RcodeNameError (NXDOMAIN) and applies
	// to the last name in the chain (RFC 6604).
	Rcode int
	// Chain is the CNAMEs followed from Name, in order.
	Chain []*dns.CNAME
	// Records are the records of Type at the end of the chain.
	Records []dns.RR
	// AD is true when every response on the way had the AD bit set.
	AD bool

	// cache is the Client whose cache holds it (Memo), held weakly: a
	// report that keeps an answer does not keep the Client and its cache.
	cache weak.Pointer[Client]
}

// Memo returns build's value for this answer and key, built once and
// shared by every caller given the same *Answer: a Client's cache hands
// one *Answer to every caller while it is cached, so what a sweep derives
// from a provider's records (a parsed SPF record) is derived once, not
// once per domain. build returns the value, which nobody may modify, and
// an estimate of the bytes it retains: kept, it is charged to the cache's
// memory bound (Config.CacheBytes) with the answer. key is compared with
// ==, and should be of a type of the caller's own. An answer not (or no
// longer) in a cache builds every time, and so does a value the cache has
// no room for (its entry would pass an eighth of CacheBytes); a full
// cache evicts other answers to keep it.
func (a *Answer) Memo(key any, build func() (value any, size int)) any {
	c := a.cache.Value()
	if c == nil {
		v, _ := build()
		return v
	}
	return c.memo(a, key, build)
}

// Prefetcher is a Resolver that can start a question and return at once.
// Code that asks several questions at once prefetches them and then reads
// each in turn, with no goroutine per question (*Client is one).
type Prefetcher interface {
	Resolver
	// Prefetch starts name/qtype and returns where to read its answer, or
	// nil when the resolver cannot ask ahead after all (a wrapper over one
	// that cannot): the caller then asks at once, from goroutines of its
	// own. A question never read costs at most its own packets: once ctx
	// ends, it is sent no more.
	Prefetch(ctx context.Context, name string, qtype uint16) Pending
}

// Pending is a question started by Prefetch.
type Pending interface {
	// Lookup waits for the answer, as Resolver.Lookup would give it
	// (following CNAMEs): the same answer or failure, not asked again.
	Lookup(ctx context.Context) (*Answer, error)
	// Abandon gives the question up, unread: it is taken off the wire
	// unless somebody else waits for it.
	Abandon()
}

// Speculator is a Resolver that counts the questions asked of it (package
// check's, for the views and the statistics). Code that asks questions
// ahead, before it knows it needs them, asks them through Speculate — not
// counted — and calls Note for each whose answer it reads: a question
// never read is never counted as asked.
type Speculator interface {
	Resolver
	Speculate() Resolver
	Note(name string, qtype uint16, a *Answer, err error)
}

// Speculate returns the resolver to ask r's questions ahead through, and
// the function to call when one's answer is read: r's own Speculate and
// Note when r is a Speculator, else r itself and nothing to note.
func Speculate(r Resolver) (Resolver, func(name string, qtype uint16, a *Answer, err error)) {
	if s, ok := r.(Speculator); ok {
		return s.Speculate(), s.Note
	}
	return r, func(string, uint16, *Answer, error) {}
}

// NXDomain reports whether the (final) name does not exist.
func (a *Answer) NXDomain() bool { return a.Rcode == dns.RcodeNameError }

// NoData reports whether the name exists but holds no records of the type.
func (a *Answer) NoData() bool { return a.Rcode == dns.RcodeSuccess && len(a.Records) == 0 }

// Void reports NXDOMAIN or NODATA: what RFC 7208 §4.6.4 calls a void lookup.
func (a *Answer) Void() bool { return a.NXDomain() || a.NoData() }

// Target returns the name at the end of the CNAME chain (Name when there is
// no chain).
func (a *Answer) Target() string {
	if len(a.Chain) == 0 {
		return a.Name
	}
	return strings.ToLower(a.Chain[len(a.Chain)-1].Target)
}

// TXT returns each TXT record's character-strings, unjoined, as the raw
// octets published (miekg/dns keeps them in presentation form, with \DDD
// escapes; these are decoded).
func (a *Answer) TXT() [][]string {
	var out [][]string
	for _, rr := range a.Records {
		if t, ok := rr.(*dns.TXT); ok {
			out = append(out, DecodeTXT(t.Txt))
		}
	}
	return out
}

// Addrs returns the addresses of the A and AAAA records, as published: an
// AAAA record holding an IPv4-mapped address stays mapped (callers that
// want it as IPv4 call Unmap).
func (a *Answer) Addrs() []netip.Addr {
	var out []netip.Addr
	for _, rr := range a.Records {
		switch v := rr.(type) {
		case *dns.A:
			if ip, ok := netip.AddrFromSlice(v.A.To4()); ok {
				out = append(out, ip)
			}
		case *dns.AAAA:
			if ip, ok := netip.AddrFromSlice(v.AAAA.To16()); ok {
				out = append(out, ip)
			}
		}
	}
	return out
}

// DecodeTXT turns character-strings in miekg/dns presentation form
// (\DDD and \X escapes) into the octets they stand for.
func DecodeTXT(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = unescape(s)
	}
	return out
}

// EncodeTXT is DecodeTXT's inverse: raw text into miekg/dns presentation
// form, split into character-strings of at most 255 octets.
func EncodeTXT(s string) []string {
	var out []string
	for len(s) > 255 {
		out = append(out, escape(s[:255]))
		s = s[255:]
	}
	return append(out, escape(s))
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if n <= 255 {
				b = append(b, byte(n))
				i += 3
				continue
			}
		}
		b = append(b, s[i+1])
		i++
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Errors that Lookup may return, to be tested with errors.Is.
var (
	// ErrTemporary: timeout, SERVFAIL, REFUSED, a network failure, or a
	// name no loaded zone holds. Asking again later may succeed.
	ErrTemporary = errors.New("temporary DNS failure")
	// ErrBudget: the context's query budget (see WithBudget) is spent.
	ErrBudget = errors.New("DNS query budget exhausted")
	// ErrCNAMELoop: the CNAME chain returns to a name it already visited.
	ErrCNAMELoop = errors.New("CNAME loop")
	// ErrCNAMEChain: the CNAME chain is longer than the configured hops.
	ErrCNAMEChain = errors.New("CNAME chain too long")
	// ErrInvalidName: the name is not a valid DNS name in A-label form.
	ErrInvalidName = errors.New("invalid DNS name")
	// ErrOutOfZone: the name is in no loaded zone, and the Zones resolver
	// was told to answer as a bare authoritative server would (see
	// Refused). It is also an ErrTemporary, as a real server's REFUSED is.
	ErrOutOfZone = errors.New("name is in no loaded zone")
	// ErrReferral: the server answered with a referral to other servers,
	// not with an answer (a lame delegation, an upward referral, or an
	// authoritative server asked below one of its zone cuts). It is also
	// an ErrTemporary.
	ErrReferral = errors.New("referral")
	// ErrUnverified: the name is outside the loaded zone files and the
	// run is offline (see Offline and Zones.WithFallback), so the question
	// was not asked. It is neither NXDOMAIN, nor NODATA, nor a temporary
	// failure: checks report what they could not verify and go on.
	ErrUnverified = errors.New("not verified offline")
)

// Unanswered reports whether err says the name was not answered by
// anyone who serves it: not asked offline (ErrUnverified), REFUSED by a
// server that does not serve it (ErrOutOfZone, or the rcode), or referred
// elsewhere (ErrReferral). Such a failure tells nothing about the name
// itself; checks list it as not verified rather than report a finding.
func Unanswered(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	return errors.Is(err, ErrUnverified) || errors.Is(err, ErrOutOfZone) || errors.Is(err, ErrReferral) ||
		errors.As(err, &e) && e.Rcode == dns.RcodeRefused
}

// Error describes a failed lookup.
type Error struct {
	Name string // the question name
	Type uint16 // the question type
	// Rcode is the response code received, or -1 when none was.
	Rcode int
	// Server is the server that failed, when known.
	Server string
	// Err is the cause: one of the sentinels above, a context error or a
	// network error.
	Err error
	// Chain is the CNAMEs followed from the original question before the
	// lookup of Name failed (a selector CNAME out of the zone file, say);
	// empty when the question itself failed.
	Chain []*dns.CNAME
}

func (e *Error) Error() string {
	name := strings.TrimSuffix(e.Name, ".")
	if name == "" {
		name = "." // the root
	}
	s := fmt.Sprintf("lookup %s %s", name, dns.TypeToString[e.Type])
	if e.Server != "" {
		s += " on " + e.Server
	}
	if e.Rcode > 0 {
		s += ": " + dns.RcodeToString[e.Rcode]
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrTemporary) true for temporary failures.
func (e *Error) Is(target error) bool {
	return target == ErrTemporary && e.Temporary()
}

// Temporary reports whether asking again later may succeed.
func (e *Error) Temporary() bool {
	switch {
	case errors.Is(e.Err, ErrTemporary), errors.Is(e.Err, ErrOutOfZone):
		return true
	case errors.Is(e.Err, ErrBudget), errors.Is(e.Err, ErrCNAMELoop), errors.Is(e.Err, ErrCNAMEChain),
		errors.Is(e.Err, ErrInvalidName), errors.Is(e.Err, ErrUnverified), errors.Is(e.Err, context.Canceled):
		return false
	}
	return e.Rcode != dns.RcodeSuccess && e.Rcode != dns.RcodeNameError || e.Err != nil
}

// Timeout reports whether the failure was a timeout.
func (e *Error) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// CanonicalName validates name and returns it as a lowercase FQDN. Names
// must be ASCII (IDNs in A-label form), at most 253 octets without the
// trailing dot, with labels of 1 to 63 octets. The error is a *NameError.
func CanonicalName(name string) (string, error) {
	if fq, ok := canonicalFast(name); ok {
		return fq, nil
	}
	return canonicalSlow(name)
}

func canonicalSlow(name string) (string, error) {
	if name == "" {
		return "", invalidName(name, "empty name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f {
			return "", invalidName(name, fmt.Sprintf("%q: byte %#x at offset %d (IDNs must be in A-label form, xn--…)", name, c, i))
		}
	}
	fq := dns.Fqdn(name)
	if fq == "." {
		return ".", nil
	}
	if len(fq) > 254 {
		return "", invalidName(name, fmt.Sprintf("%q is %d octets long, more than 253", name, len(fq)-1))
	}
	if strings.Contains(fq, "..") || strings.HasPrefix(fq, ".") {
		return "", invalidName(name, fmt.Sprintf("%q has an empty label", name))
	}
	for rest := fq[:len(fq)-1]; rest != ""; {
		l, after, _ := strings.Cut(rest, ".")
		rest = after
		if len(l) > 63 {
			return "", invalidName(name, fmt.Sprintf("label %q is %d octets long, more than 63", l, len(l)))
		}
		if len(l) >= 4 && strings.EqualFold(l[:4], "xn--") {
			u, err := idna.Lookup.ToUnicode(l)
			if err == nil {
				var back string
				back, err = idna.Lookup.ToASCII(u)
				if err == nil && (u == "" || !strings.EqualFold(back, l)) {
					err = fmt.Errorf("it does not round-trip")
				}
			}
			if err != nil {
				return "", invalidName(name, fmt.Sprintf("label %q is not a valid A-label: %v", l, err))
			}
		}
	}
	if _, ok := dns.IsDomainName(fq); !ok {
		return "", invalidName(name, fmt.Sprintf("%q", name))
	}
	return zonedb.Canon(fq), nil
}

// canonicalFast is CanonicalName for the names a sweep asks nearly
// always: lowercase letters, digits, hyphens and underscores in labels of
// 1 to 63 octets, none an A-label, at most 253 octets. It reports false
// for any other name, which takes the whole way.
func canonicalFast(name string) (string, bool) {
	n, label := len(name), 0
	if n == 0 || n > 254 {
		return "", false
	}
	for i := 0; i < n; i++ {
		switch c := name[i]; {
		case c == 'x' && label == 0 && strings.HasPrefix(name[i:], "xn--"):
			return "", false // an A-label: checked the whole way
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			if label++; label > 63 {
				return "", false
			}
		case c == '.' && label > 0:
			label = 0
		default:
			return "", false
		}
	}
	switch {
	case label == 0: // a trailing dot
		return name, true
	case n > 253:
		return "", false
	}
	return name + ".", true
}

// NameError is a name CanonicalName rejects, and why: errors.Is(err,
// ErrInvalidName) holds, and Error is "invalid DNS name: " + Reason.
type NameError struct {
	Name   string // as given
	Reason string // "empty name", a label too long…
}

func invalidName(name, reason string) error { return &NameError{Name: name, Reason: reason} }

func (e *NameError) Error() string { return ErrInvalidName.Error() + ": " + e.Reason }

// Unwrap returns ErrInvalidName.
func (e *NameError) Unwrap() error { return ErrInvalidName }
