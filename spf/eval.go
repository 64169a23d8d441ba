package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// What decided a result, as Verdict.Reason says it.
var (
	errNoRecord      = errors.New("no DNS record found")
	errLookupLimit   = errors.New("lookup limit reached")
	errVoidLimit     = errors.New("void lookup limit reached")
	errTooManyMX     = errors.New("too many MX records")
	errMultiple      = errors.New("multiple matching DNS records")
	errBrokenRecord  = errors.New("record rejected by the strict parser")
	errInvalidMacro  = errors.New("invalid macro")
	errInvalidDomain = errors.New("invalid domain")
	errMatchedAll    = errors.New("matched all")
	errMatchedA      = errors.New("matched a")
	errMatchedIP     = errors.New("matched ip")
	errMatchedMX     = errors.New("matched mx")
	errMatchedPTR    = errors.New("matched ptr")
	errMatchedExists = errors.New("matched exists")
	errNameNotFound  = errors.New("no such host")
)

// Limits of RFC 7208 §4.6.4.
const (
	maxLookups     = 10 // DNS mechanisms and redirect, per evaluation
	maxVoidLookups = 2  // answers with no records, per evaluation
	maxMXNames     = 10 // MX records an mx may reach
	maxPTRNames    = 10 // PTR names tried by ptr and %{p}
)

// lookupError is a failed DNS question: NXDOMAIN or NODATA (notFound,
// which RFC 7208 treats as no match, or as none for a record), a
// temporary failure (temperror), or another failure.
type lookupError struct {
	name, server string
	err          error
	notFound     bool
	temporary    bool
}

func (e *lookupError) Error() string {
	s := "lookup " + strings.TrimSuffix(e.name, ".")
	if e.server != "" {
		s += " on " + e.server
	}
	if e.err == nil {
		return s + ": " + errNameNotFound.Error()
	}
	return s + ": " + e.err.Error()
}

// classify tells the resolver's errors apart as resolver.NetAdapter does:
// a name that is no valid domain name is treated as non-existent (RFC 7208
// §4.8); a timeout, SERVFAIL and the like, a spent budget and a name not
// verified offline are temporary.
func classify(name string, err error) *lookupError {
	le := &lookupError{name: name, err: err}
	if errors.Is(err, resolver.ErrInvalidName) {
		le.notFound = true
		return le
	}
	var re *resolver.Error
	if errors.As(err, &re) {
		le.server = re.Server
		le.temporary = re.Temporary() || re.Timeout() || errors.Is(err, resolver.ErrBudget) || errors.Is(err, resolver.ErrUnverified)
	}
	return le
}

// spfTXT is what evaluation makes of a TXT answer, kept with a cached
// answer (resolver.Answer.Memo): a provider's record is parsed once per
// sweep, not once per domain that includes it.
type spfTXT struct {
	rec   *Record // the one SPF record, when it parses
	n     int     // SPF records (RFC 7208 §4.5)
	perr  error   // the strict parser's first error among them
	usesP int     // records that hold a %{p} macro
}

type spfTXTKey struct{}

func parseTXT(a *resolver.Answer) spfTXT {
	var s spfTXT
	for _, rr := range a.Records {
		txt, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		var t string
		if len(txt.Txt) == 1 && strings.IndexByte(txt.Txt[0], '\\') < 0 {
			t = txt.Txt[0] // one string without escapes: as published
		} else {
			t = strings.Join(resolver.DecodeTXT(txt.Txt), "")
		}
		if !IsSPF(t) {
			continue
		}
		s.n++
		rec, err := Parse(t)
		if err != nil {
			if s.perr == nil {
				s.perr = err
			}
			s.rec = nil
			continue
		}
		if s.n == 1 {
			s.rec = rec
		}
		if hasMacroP(t) {
			s.usesP++
		}
	}
	if s.n != 1 {
		s.rec = nil
	}
	return s
}

// hasMacroP reports whether t holds "%{p" in either case.
func hasMacroP(t string) bool {
	for i := strings.IndexByte(t, '%'); i >= 0 && i+2 < len(t); {
		if t[i+1] == '{' && t[i+2]|0x20 == 'p' {
			return true
		}
		j := strings.IndexByte(t[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func (s spfTXT) size() int {
	n := 64
	if s.rec != nil {
		n += len(s.rec.Raw) + 160*len(s.rec.Terms)
	}
	return n
}

// evaluation is one run of check_host(): the client, the identities
// macros expand from and the counts RFC 7208 §4.6.4 limits.
type evaluation struct {
	ctx    context.Context
	r      resolver.Resolver
	addr   netip.Addr // the client, IPv4-mapped addresses unmapped
	ip     [16]byte   // its bytes: an IPv4 address in the first 4
	ip4    bool
	helo   string
	sender string
	ipStr  string // %{i}, made when first asked

	lookups, voids int
	ptrDone        bool
	ptrNames       []string // the client's validated names, for ptr
	ptrErr         *lookupError
	ptrN           int   // the PTR lookup's outcome, counted for each ptr
	syntax         error // the first record reached that failed the parser
	buf            []byte
}

// newEvaluation starts an evaluation for the client ip, an IPv4-mapped
// address taken as IPv4 (RFC 7208 §5), with the HELO name and the sender
// macros expand from.
func newEvaluation(ctx context.Context, r resolver.Resolver, ip netip.Addr, helo, sender string) *evaluation {
	// A zone (fe80::1%eth0) is no part of the address: netip.Prefix
	// would match no zoned address.
	e := &evaluation{ctx: ctx, r: r, addr: ip.Unmap().WithZone(""), helo: helo, sender: sender}
	e.ip4 = e.addr.Is4()
	if e.ip4 {
		a4 := e.addr.As4()
		copy(e.ip[:], a4[:])
	} else {
		e.ip = e.addr.As16()
	}
	return e
}

// check is check_host() for domain (RFC 7208 §4): the record's result and
// what decided it.
func (e *evaluation) check(domain string) (Result, error) {
	if e.ctx.Err() != nil {
		return TempError, e.ctx.Err()
	}
	name := truncate(domain)
	// RFC 7208 §4.3: a domain that is not multi-label is none, for the
	// targets of include and redirect as for the first domain.
	if strings.IndexByte(strings.TrimSuffix(name, "."), '.') < 0 {
		return None, errNoRecord
	}
	a, err := e.r.Lookup(e.ctx, resolver.EscapeName(name), dns.TypeTXT)
	if err != nil {
		le := classify(name, err)
		if le.notFound {
			return None, errNoRecord
		}
		// RFC 7208 §4.4: any other failure (SERVFAIL, a timeout, a CNAME
		// loop) is temperror, as for the lookups of mechanisms.
		return TempError, le
	}
	if a.Void() {
		return None, errNoRecord
	}
	s := a.Memo(spfTXTKey{}, func() (any, int) {
		s := parseTXT(a)
		return s, s.size()
	}).(spfTXT)
	if s.perr != nil && e.syntax == nil {
		e.syntax = fmt.Errorf("SPF record of %s: %w", strings.TrimSuffix(name, "."), s.perr)
	}
	switch {
	case s.n == 0:
		return None, errNoRecord
	case s.n > 1:
		return PermError, errMultiple
	case s.rec == nil:
		return PermError, errBrokenRecord
	}
	// %{p}'s validated name, found once for the record evaluated (a name
	// with many records, each using it, is a permerror, not many PTR
	// walks).
	p := "unknown"
	if s.usesP > 0 {
		p = e.validatedName(strings.TrimSuffix(strings.ToLower(name), "."))
	}
	var redirect *Term
	for i := range s.rec.Terms {
		t := &s.rec.Terms[i]
		if t.Kind == Modifier {
			if t.Name == "redirect" {
				redirect = t
			}
			continue // exp= and unknown modifiers change no result
		}
		if done, res, err := e.mechanism(t, domain, p); done {
			return res, err
		}
	}
	if redirect == nil {
		return Neutral, nil
	}
	// RFC 7208 §6.1: redirect applies when no mechanism matched; a target
	// without a record is a permerror.
	target, err := e.target(redirect.Domain, domain, p, true)
	if err != nil {
		return PermError, err
	}
	res, err := e.check(target)
	if res == None {
		res = PermError
	}
	return res, err
}

// target is the domain a DNS mechanism or redirect asks: its domain-spec
// expanded, or the current domain when it has none; an empty one is an
// error when emptyIsError. It spends one of the 10 lookups (count).
func (e *evaluation) target(spec, domain, p string, emptyIsError bool) (string, error) {
	target := domain
	if spec != "" {
		var err error
		if target, err = e.expand(spec, domain, p); err != nil {
			return "", err
		}
	}
	if emptyIsError && target == "" {
		return "", errInvalidDomain
	}
	if !e.count() {
		return "", errLookupLimit
	}
	return target, nil
}

// count spends one of the lookups DNS mechanisms and redirect may make.
func (e *evaluation) count() bool {
	if e.lookups >= maxLookups {
		return false
	}
	e.lookups++
	return true
}

// void counts a void lookup, and reports whether the limit still holds.
func (e *evaluation) void(le *lookupError, n int) bool {
	if le == nil && n == 0 || le != nil && le.notFound {
		e.voids++
	}
	return e.voids <= maxVoidLookups
}

// settle decides what a DNS mechanism's lookup (n records, le its
// failure) decides by itself: past the void limit permerror, no such name
// or records no match, another failure temperror. answered: the lookup
// answered, and the mechanism's own test decides.
func (e *evaluation) settle(le *lookupError, n int) (answered, done bool, res Result, err error) {
	switch {
	case !e.void(le, n):
		return false, true, PermError, errVoidLimit
	case le != nil && le.notFound:
		return false, false, "", nil
	case le != nil:
		return false, true, TempError, le
	}
	return true, false, "", nil
}

// mechanism evaluates t: done when it decides the record's result.
func (e *evaluation) mechanism(t *Term, domain, p string) (done bool, res Result, err error) {
	res = t.Result()
	switch t.Name {
	case "all":
		return true, res, errMatchedAll
	case "ip4", "ip6":
		if e.ip4 != (t.Name == "ip4") {
			return false, "", nil
		}
		if t.Prefix.Contains(e.addr) {
			return true, res, errMatchedIP
		}
		return false, "", nil
	case "include":
		target, err := e.target(t.Domain, domain, p, false)
		if err != nil {
			return true, PermError, err
		}
		// RFC 7208 §5.2: pass matches; fail, softfail and neutral do not;
		// temperror stays; permerror and none are permerror.
		switch ir, err := e.check(target); ir {
		case Pass:
			return true, res, err
		case Fail, SoftFail, Neutral:
			return false, "", nil
		case TempError:
			return true, TempError, err
		default:
			return true, PermError, err
		}
	case "a", "mx":
		target, err := e.target(t.Domain, domain, p, false)
		if err != nil {
			return true, PermError, err
		}
		if t.Name == "a" {
			n, matched, le := e.addresses(target, t)
			if answered, done, r, err := e.settle(le, n); !answered {
				return done, r, err
			}
			if matched {
				return true, res, errMatchedA
			}
			return false, "", nil
		}
		return e.mx(t, target, res)
	case "ptr":
		target, err := e.target(t.Domain, domain, p, true)
		if err != nil {
			return true, PermError, err
		}
		// RFC 7208 §4.6.4: each ptr term whose lookup is void counts,
		// though the lookup is asked once.
		if e.ptrDone && !e.void(e.ptrErr, e.ptrN) {
			return true, PermError, errVoidLimit
		}
		if !e.ptrDone {
			e.ptrDone = true
			names, le := e.ptr()
			e.ptrErr, e.ptrN = le, len(names)
			if !e.void(le, len(names)) {
				return true, PermError, errVoidLimit
			}
			for _, n := range names {
				if _, ok, le := e.addresses(n, nil); le == nil && ok {
					e.ptrNames = append(e.ptrNames, n)
				}
			}
		}
		for _, n := range e.ptrNames {
			if isSubdomain(n, target) {
				return true, res, errMatchedPTR
			}
		}
		return false, "", nil
	case "exists":
		target, err := e.target(t.Domain, domain, p, false)
		if err != nil {
			return true, PermError, err
		}
		// RFC 7208 §5.7: A records, whatever the client's family.
		a, le := e.lookupAddrs(target, dns.TypeA)
		n := 0
		if a != nil {
			n = countType(a, dns.TypeA)
			if n == 0 {
				le = &lookupError{name: target, notFound: true}
			}
		}
		if answered, done, r, err := e.settle(le, n); !answered {
			return done, r, err
		}
		return true, res, errMatchedExists
	}
	return true, PermError, fmt.Errorf("unknown mechanism %q", t.Name)
}

// mx evaluates an mx mechanism whose target is name (RFC 7208 §5.4).
func (e *evaluation) mx(t *Term, name string, res Result) (bool, Result, error) {
	name = truncate(name)
	a, err := e.r.Lookup(e.ctx, resolver.EscapeName(name), dns.TypeMX)
	var le *lookupError
	n := 0
	switch {
	case err != nil:
		le = classify(name, err)
	case a.Void():
		le = &lookupError{name: name, notFound: true}
	default:
		n = countType(a, dns.TypeMX)
	}
	if answered, done, r, err := e.settle(le, n); !answered {
		return done, r, err
	}
	// RFC 7208 §4.6.4: more than 10 MX records is a permerror, counted
	// before any is asked for.
	if n > maxMXNames {
		return true, PermError, errTooManyMX
	}
	matched := false
	for _, rr := range a.Records {
		mx, ok := rr.(*dns.MX)
		if !ok {
			continue
		}
		_, ok, le := e.addresses(mx.Mx, t)
		switch {
		case le != nil && le.notFound:
		case le != nil:
			return true, TempError, le
		case ok:
			matched = true
		}
	}
	if matched {
		return true, res, errMatchedMX
	}
	return false, "", nil
}

// lookupAddrs asks name for addresses of qtype. The root (the target of a
// null MX, RFC 7505) and the empty name have none, and are not asked.
// NXDOMAIN and NODATA are a notFound error.
func (e *evaluation) lookupAddrs(name string, qtype uint16) (*resolver.Answer, *lookupError) {
	name = truncate(name)
	if name == "." || name == "" {
		return nil, &lookupError{name: name, notFound: true}
	}
	a, err := e.r.Lookup(e.ctx, resolver.EscapeName(name), qtype)
	if err != nil {
		return nil, classify(name, err)
	}
	if a.Void() {
		return nil, &lookupError{name: name, notFound: true}
	}
	return a, nil
}

func countType(a *resolver.Answer, qtype uint16) int {
	n := 0
	for _, rr := range a.Records {
		if rr.Header().Rrtype == qtype {
			n++
		}
	}
	return n
}

// addresses asks name for the addresses of the client's family (RFC 7208
// §5.3, §5.4) and reports how many there are and whether one matches the
// client: within t's CIDR lengths, or equal when t is nil. A name without
// any is notFound.
func (e *evaluation) addresses(name string, t *Term) (n int, matched bool, le *lookupError) {
	qtype := dns.TypeAAAA
	bits := 128
	if e.ip4 {
		qtype, bits = dns.TypeA, 32
	}
	if t != nil {
		if e.ip4 && t.Bits4 >= 0 {
			bits = t.Bits4
		} else if !e.ip4 && t.Bits6 >= 0 {
			bits = t.Bits6
		}
	}
	a, le := e.lookupAddrs(name, qtype)
	if le != nil {
		return 0, false, le
	}
	for _, rr := range a.Records {
		var b []byte
		switch v := rr.(type) {
		case *dns.A:
			if !e.ip4 {
				continue
			}
			if b = v.A.To4(); b == nil {
				continue
			}
		case *dns.AAAA:
			// An IPv4-mapped address in an AAAA record matches no
			// IPv6 client.
			if e.ip4 || len(v.AAAA) != 16 || v.AAAA.To4() != nil {
				n++
				continue
			}
			b = v.AAAA
		default:
			continue
		}
		n++
		if !matched && prefixMatch(b, e.ip[:len(b)], bits) {
			matched = true
		}
	}
	if n == 0 {
		return 0, false, &lookupError{name: name, notFound: true}
	}
	return n, matched, nil
}

// prefixMatch reports whether a and b agree in their first bits bits.
func prefixMatch(a, b []byte, bits int) bool {
	i := 0
	for ; bits >= 8; bits -= 8 {
		if a[i] != b[i] {
			return false
		}
		i++
	}
	if bits == 0 {
		return true
	}
	mask := byte(0xff) << (8 - bits)
	return a[i]&mask == b[i]&mask
}

// ptr asks the client's PTR names, at most 10 of them (RFC 7208 §4.6.4).
func (e *evaluation) ptr() ([]string, *lookupError) {
	name := e.reverseName()
	a, err := e.r.Lookup(e.ctx, name, dns.TypePTR)
	if err != nil {
		return nil, classify(name, err)
	}
	if a.Void() {
		return nil, &lookupError{name: name, notFound: true}
	}
	var names []string
	for _, rr := range a.Records {
		if p, ok := rr.(*dns.PTR); ok {
			names = append(names, p.Ptr)
		}
	}
	return names[:min(len(names), maxPTRNames)], nil
}

const hexDigits = "0123456789abcdef"

// reverseName is the client's name under in-addr.arpa or ip6.arpa.
func (e *evaluation) reverseName() string {
	b := make([]byte, 0, 74)
	if e.ip4 {
		for i := 3; i >= 0; i-- {
			b = appendDecimal(b, e.ip[i])
			b = append(b, '.')
		}
		return string(append(b, "in-addr.arpa."...))
	}
	for i := 15; i >= 0; i-- {
		b = append(b, hexDigits[e.ip[i]&0xf], '.', hexDigits[e.ip[i]>>4], '.')
	}
	return string(append(b, "ip6.arpa."...))
}

func appendDecimal(b []byte, v byte) []byte {
	if v >= 100 {
		b = append(b, '0'+v/100)
	}
	if v >= 10 {
		b = append(b, '0'+v/10%10)
	}
	return append(b, '0'+v%10)
}

// validatedName is the %{p} macro's value (RFC 7208 §7.3): a PTR name of
// the client whose addresses include it, the evaluated domain or a
// subdomain of it preferred, else "unknown". At most 10 names are tried.
func (e *evaluation) validatedName(domain string) string {
	names, le := e.ptr()
	if le != nil {
		return "unknown"
	}
	validated, best := "unknown", -1
	for _, n := range names {
		n = strings.TrimSuffix(strings.ToLower(n), ".")
		if _, ok, le := e.addresses(n, nil); le != nil || !ok {
			continue
		}
		rank := 0
		switch {
		case n == domain:
			rank = 2
		case strings.HasSuffix(n, "."+domain):
			rank = 1
		}
		if rank > best {
			validated, best = n, rank
		}
	}
	return validated
}

// isSubdomain reports whether name is domain or below it, label by label
// and without regard to case, a trailing dot on either not counted.
func isSubdomain(name, domain string) bool {
	name = strings.TrimSuffix(name, ".")
	domain = strings.TrimSuffix(domain, ".")
	if len(name) < len(domain) {
		return false
	}
	if !strings.EqualFold(name[len(name)-len(domain):], domain) {
		return false
	}
	return len(name) == len(domain) || name[len(name)-len(domain)-1] == '.'
}

// maxExpansion is the longest name a macro expansion is looked up as.
const maxExpansion = 253

// truncate shortens a name that macro expansion made longer than
// maxExpansion characters (a trailing dot not counted), as RFC 7208 §7.3
// has it: "When the result of macro expansion is used in a domain name
// query, if the expanded domain name exceeds 253 characters (the maximum
// length of a domain name in this format), the left side is truncated to
// fit, by removing successive labels (and their following dots) until the
// total length does not exceed 253 characters." Names without macros are
// never that long: the parser rejects them.
func truncate(name string) string {
	n := strings.TrimSuffix(name, ".")
	for len(n) > maxExpansion {
		i := strings.IndexByte(n, '.')
		if i < 0 {
			break
		}
		n = n[i+1:]
	}
	if len(n) == len(name) || len(n)+1 == len(name) {
		return name
	}
	if name[len(name)-1] == '.' {
		return n + "."
	}
	return n
}

// expand expands the macros of a domain-spec the parser accepted (RFC 7208
// §7.3) for the evaluation of domain, with p the value of %{p}.
func (e *evaluation) expand(spec, domain, p string) (string, error) {
	if strings.IndexByte(spec, '%') < 0 {
		return spec, nil
	}
	b := e.buf[:0]
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		if c != '%' {
			if c < utf8.RuneSelf {
				b = append(b, c)
			} else {
				r, n := utf8.DecodeRuneInString(spec[i:])
				b = utf8.AppendRune(b, r)
				i += n - 1
			}
			continue
		}
		if i+1 >= len(spec) {
			return "", errInvalidMacro
		}
		i++
		switch spec[i] {
		case '%':
			b = append(b, '%')
			continue
		case '_':
			b = append(b, ' ')
			continue
		case '-':
			b = append(b, "%20"...)
			continue
		case '{':
		default:
			return "", errInvalidMacro
		}
		end := strings.IndexByte(spec[i:], '}')
		if end < 0 {
			return "", errInvalidMacro
		}
		body := spec[i+1 : i+end]
		i += end
		var ok bool
		if b, ok = e.macro(b, body, domain, p); !ok {
			return "", errInvalidMacro
		}
	}
	e.buf = b
	return string(b), nil
}

// macro appends the expansion of one macro, body being what stands
// between "%{" and "}": a letter, then the transformers (keep the
// rightmost digits parts, "r" to reverse) and the delimiters to split at.
func (e *evaluation) macro(b []byte, body, domain, p string) ([]byte, bool) {
	if body == "" {
		return b, false
	}
	letter := body[0]
	var value string
	switch letter | 0x20 {
	case 's':
		value = e.sender
	case 'l':
		value = e.sender[:max(strings.LastIndexByte(e.sender, '@'), 0)]
	case 'o':
		value = e.sender[strings.LastIndexByte(e.sender, '@')+1:]
	case 'd':
		value = domain
	case 'i':
		value = e.macroIP()
	case 'p':
		value = p
	case 'v':
		value = "ip6"
		if e.ip4 {
			value = "in-addr"
		}
	case 'h':
		value = e.helo
	default:
		return b, false
	}
	rest := body[1:]
	keep := 0
	k := 0
	for ; k < len(rest) && isDigit(rest[k]); k++ {
		if keep > 1000 {
			keep = 1001 // more than any name has parts
			continue
		}
		keep = keep*10 + int(rest[k]-'0')
	}
	if k > 0 && keep == 0 {
		return b, false
	}
	reverse := k < len(rest) && rest[k]|0x20 == 'r'
	if reverse {
		k++
	}
	delims := rest[k:]
	for i := 0; i < len(delims); i++ {
		if strings.IndexByte(".-+,/_=", delims[i]) < 0 {
			return b, false
		}
	}
	if delims == "" {
		delims = "."
	}
	if letter < 'A' || letter > 'Z' {
		return appendParts(b, value, delims, keep, reverse), true
	}
	// An uppercase macro is URL-escaped (RFC 7208 §7.3): every octet
	// outside RFC 3986's unreserved set, a space as %20 (not "+", as a
	// query string would have it).
	start := len(b)
	b = appendParts(b, value, delims, keep, reverse)
	plain := string(b[start:])
	b = b[:start]
	for i := 0; i < len(plain); i++ {
		c := plain[i]
		if isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
	}
	return b, true
}

const upperHex = "0123456789ABCDEF"

// appendParts splits value at the delimiters (empty parts dropped),
// reverses the parts when asked, keeps the rightmost keep of them (all
// when keep is 0), and appends them joined with ".".
func appendParts(b []byte, value, delims string, keep int, reverse bool) []byte {
	parts := make([]string, 0, 16) // on the stack for most names
	for i := 0; i < len(value); {
		j := i
		for j < len(value) && strings.IndexByte(delims, value[j]) < 0 {
			j++
		}
		if j > i {
			parts = append(parts, value[i:j])
		}
		i = j + 1
	}
	if reverse {
		slices.Reverse(parts)
	}
	if keep > 0 && keep < len(parts) {
		parts = parts[len(parts)-keep:]
	}
	for k, part := range parts {
		if k > 0 {
			b = append(b, '.')
		}
		b = append(b, part...)
	}
	return b
}

// macroIP is %{i}: the dotted IPv4 address, or the IPv6 address as 32
// dot-separated nibbles (RFC 7208 §7.3).
func (e *evaluation) macroIP() string {
	if e.ipStr != "" {
		return e.ipStr
	}
	b := make([]byte, 0, 63)
	if e.ip4 {
		for i := range 4 {
			if i > 0 {
				b = append(b, '.')
			}
			b = appendDecimal(b, e.ip[i])
		}
	} else {
		for i := range 16 {
			if i > 0 {
				b = append(b, '.')
			}
			b = append(b, hexDigits[e.ip[i]>>4], '.', hexDigits[e.ip[i]&0xf])
		}
	}
	e.ipStr = string(b)
	return e.ipStr
}

// transform applies a macro's transformers (RFC 7208 §7.3) to value, spec
// being what follows the macro letter: split at the delimiters (default
// "."), reverse on "r", keep the rightmost n parts, join with ".".
func transform(value, spec string) string {
	keep, k := 0, 0
	for ; k < len(spec) && isDigit(spec[k]); k++ {
		keep = min(keep*10+int(spec[k]-'0'), 1<<20)
	}
	reverse := k < len(spec) && spec[k]|0x20 == 'r'
	if reverse {
		k++
	}
	delims := spec[k:]
	if delims == "" {
		delims = "."
	}
	return string(appendParts(nil, value, delims, keep, reverse))
}
