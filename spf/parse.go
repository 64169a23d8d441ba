package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/lint"
)

// ErrNotSPF is returned by Parse for text that is not an SPF record at all:
// it does not start with "v=spf1" followed by a space or the end (RFC 7208
// §4.5). Other TXT records at a name are not SPF's business.
var ErrNotSPF = errors.New("spf: not an SPF record (no v=spf1 version)")

// SyntaxError is a term that breaks the RFC 7208 §12 grammar.
type SyntaxError struct {
	Term   string    // the term's text as published
	Span   lint.Span // the term's byte range in the record
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("spf: term %q at offset %d: %s", e.Term, e.Span.Start, e.Reason)
}

// Kind tells a mechanism from a modifier.
type Kind uint8

const (
	Mechanism Kind = iota + 1
	Modifier
)

// Term is one mechanism or modifier of a record.
type Term struct {
	Kind Kind
	// Qualifier is '+', '-', '~' or '?' as written, or 0 when the
	// mechanism has none (it then means '+').
	Qualifier byte
	// Name is the mechanism or modifier name, lowercase: all, include, a,
	// mx, ptr, ip4, ip6, exists; redirect, exp, or an unknown modifier's.
	Name string
	// Domain is the domain-spec (a macro-string), or "" when absent.
	Domain string
	// Prefix is the network of ip4 and ip6.
	Prefix netip.Prefix
	// Bits4 and Bits6 are the dual CIDR lengths of a and mx (and the prefix
	// lengths written on ip4 and ip6); -1 when absent.
	Bits4, Bits6 int
	// Value is an unknown modifier's value.
	Value string
	// Span is the term's byte range in Record.Raw.
	Span lint.Span
}

// Result returns the qualifier as a result: pass, fail, softfail, neutral.
func (t Term) Result() Result {
	switch t.Qualifier {
	case '-':
		return Fail
	case '~':
		return SoftFail
	case '?':
		return Neutral
	}
	return Pass
}

// CostsLookup reports whether the term counts toward the 10-lookup limit
// of RFC 7208 §4.6.4: include, a, mx, ptr, exists and redirect do; all, ip4,
// ip6, exp and unknown modifiers do not.
func (t Term) CostsLookup() bool {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		return t.Kind == Mechanism
	case "redirect":
		return t.Kind == Modifier
	}
	return false
}

// String renders the term in canonical form.
func (t Term) String() string {
	var b strings.Builder
	if t.Qualifier != 0 {
		b.WriteByte(t.Qualifier)
	}
	b.WriteString(t.Name)
	switch {
	case t.Kind == Modifier && t.Name != "redirect" && t.Name != "exp":
		b.WriteString("=" + t.Value)
		return b.String()
	case t.Kind == Modifier:
		b.WriteString("=" + t.Domain)
		return b.String()
	case t.Name == "ip4" || t.Name == "ip6":
		b.WriteString(":" + t.Prefix.Addr().String())
		if t.Bits4 >= 0 {
			b.WriteString("/" + strconv.Itoa(t.Bits4))
		}
		if t.Bits6 >= 0 {
			b.WriteString("/" + strconv.Itoa(t.Bits6))
		}
		return b.String()
	}
	if t.Domain != "" {
		b.WriteString(":" + t.Domain)
	}
	if t.Bits4 >= 0 {
		b.WriteString("/" + strconv.Itoa(t.Bits4))
	}
	if t.Bits6 >= 0 {
		b.WriteString("//" + strconv.Itoa(t.Bits6))
	}
	return b.String()
}

// Record is a parsed SPF record.
type Record struct {
	// Raw is the record text as given to Parse (TXT strings joined).
	Raw   string
	Terms []Term
}

// String renders the record in canonical form; Parse(r.String()) yields
// the same terms.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for _, t := range r.Terms {
		b.WriteByte(' ')
		b.WriteString(t.String())
	}
	return b.String()
}

// Redirect returns the redirect modifier, or nil.
func (r *Record) Redirect() *Term { return r.find(Modifier, "redirect") }

// All returns the all mechanism, or nil.
func (r *Record) All() *Term { return r.find(Mechanism, "all") }

func (r *Record) find(k Kind, name string) *Term {
	for i := range r.Terms {
		if r.Terms[i].Kind == k && r.Terms[i].Name == name {
			return &r.Terms[i]
		}
	}
	return nil
}

// IsSPF reports whether txt (a TXT record's strings joined) is an SPF
// record: "v=spf1" followed by a space or nothing, case-insensitive
// (RFC 7208 §4.5).
func IsSPF(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// Parse parses an SPF record strictly, by the grammar of RFC 7208 §12: the
// first broken term is an error (a *SyntaxError). Text that is not an SPF
// record at all yields ErrNotSPF.
func Parse(txt string) (*Record, error) {
	r, errs := parse(txt)
	if len(errs) > 0 {
		return r, errs[0]
	}
	return r, nil
}

// parse is the lenient parser behind Parse and Lint: it keeps every term
// it understood and returns every syntax error.
func parse(txt string) (*Record, []error) {
	r := &Record{Raw: txt}
	if !IsSPF(txt) {
		return nil, []error{ErrNotSPF}
	}
	var errs []error
	var seenRedirect, seenExp bool
	r.Terms = make([]Term, 0, min(strings.Count(txt, " "), 32)) // a term follows each space; a hostile record of spaces gets no more
	for i := 6; i < len(txt); {
		if txt[i] == ' ' {
			i++
			continue
		}
		j := strings.IndexByte(txt[i:], ' ')
		if j < 0 {
			j = len(txt)
		} else {
			j += i
		}
		span := lint.Span{Start: i, End: j}
		t, err := parseTerm(txt[i:j])
		if err != "" {
			errs = append(errs, &SyntaxError{Term: txt[i:j], Span: span, Reason: err})
		} else {
			t.Span = span
			if t.Kind == Modifier && (t.Name == "redirect" || t.Name == "exp") {
				seen := &seenRedirect
				if t.Name == "exp" {
					seen = &seenExp
				}
				if *seen {
					errs = append(errs, &SyntaxError{Term: txt[i:j], Span: span, Reason: t.Name + "= appears more than once (RFC 7208 §6)"})
				}
				*seen = true
			}
			r.Terms = append(r.Terms, t)
		}
		i = j
	}
	return r, errs
}

func parseTerm(s string) (Term, string) {
	t := Term{Bits4: -1, Bits6: -1}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return t, fmt.Sprintf("byte %#x is not a visible ASCII character (RFC 7208 §3.1, §12)", s[i])
		}
	}
	// A modifier is name "=" …; a mechanism name never contains "=", and the
	// first ":" or "/" ends a mechanism name (RFC 7208 §12).
	nameEnd := strings.IndexAny(s, "=:/")
	if nameEnd > 0 && s[nameEnd] == '=' {
		return parseModifier(s[:nameEnd], s[nameEnd+1:])
	}
	if s[0] == '+' || s[0] == '-' || s[0] == '~' || s[0] == '?' {
		t.Qualifier = s[0]
		s = s[1:]
	}
	name, rest := s, ""
	if k := strings.IndexAny(s, ":/"); k >= 0 {
		name, rest = s[:k], s[k:]
	}
	t.Kind = Mechanism
	t.Name = strings.ToLower(name)
	switch t.Name {
	case "all":
		if rest != "" {
			return t, "all takes no argument"
		}
	case "include", "exists":
		if !strings.HasPrefix(rest, ":") || len(rest) == 1 {
			return t, t.Name + " needs \":\" and a domain"
		}
		t.Domain = rest[1:]
		if err := checkDomainSpec(t.Domain, false); err != "" {
			return t, err
		}
	case "a", "mx", "ptr":
		if t.Name != "ptr" {
			// The dual-cidr-length is whatever trailing "/n", "//n" or
			// "/n//n" there is; a domain-spec may itself hold "/".
			k := cidrSuffixStart(rest)
			if cidr := rest[k:]; cidr != "" {
				if err := parseDualCIDR(cidr, &t); err != "" {
					return t, err
				}
			}
			rest = rest[:k]
		}
		if rest == "" {
			break
		}
		if rest[0] != ':' {
			return t, fmt.Sprintf("unexpected %q after %s", rest, t.Name)
		}
		if rest == ":" {
			return t, t.Name + ": empty domain after \":\""
		}
		if err := checkDomainSpec(rest[1:], false); err != "" {
			return t, err
		}
		t.Domain = rest[1:]
	case "ip4", "ip6":
		if !strings.HasPrefix(rest, ":") {
			return t, t.Name + " needs \":\" and an address"
		}
		addr, cidr := rest[1:], ""
		if k := strings.IndexByte(addr, '/'); k >= 0 {
			addr, cidr = addr[:k], addr[k+1:]
		}
		ip, err := netip.ParseAddr(addr)
		if err != nil || ip.Zone() != "" {
			return t, fmt.Sprintf("%q is not an IP address", addr)
		}
		bits, max := 32, 32
		if t.Name == "ip4" && !ip.Is4() {
			return t, fmt.Sprintf("%q is not an IPv4 address", addr)
		}
		if t.Name == "ip6" {
			if ip.Is4() || strings.Count(addr, ":") < 2 {
				return t, fmt.Sprintf("%q is not an IPv6 address", addr)
			}
			bits, max = 128, 128
		}
		if strings.Contains(rest[1:], "/") {
			n, ok := cidrLen(cidr, max)
			if !ok {
				return t, fmt.Sprintf("/%s is not a prefix length from 0 to %d", cidr, max)
			}
			bits = n
			if t.Name == "ip4" {
				t.Bits4 = n
			} else {
				t.Bits6 = n
			}
		}
		t.Prefix = netip.PrefixFrom(ip, bits)
	default:
		return t, fmt.Sprintf("unknown mechanism %q", name)
	}
	return t, ""
}

func parseModifier(name, value string) (Term, string) {
	t := Term{Kind: Modifier, Name: strings.ToLower(name), Bits4: -1, Bits6: -1}
	if !isName(name) {
		return t, fmt.Sprintf("%q is not a modifier name", name)
	}
	switch t.Name {
	case "redirect":
		if value == "" {
			return t, "redirect= needs a domain"
		}
		if err := checkDomainSpec(value, false); err != "" {
			return t, err
		}
		t.Domain = value
	case "exp":
		if value == "" {
			return t, "exp= needs a domain (RFC 7208 §6.2, erratum 5227)"
		}
		if err := checkDomainSpec(value, false); err != "" {
			return t, err
		}
		t.Domain = value
	default:
		if err := checkMacroString(value, false); err != "" {
			return t, err
		}
		t.Value = value
	}
	return t, ""
}

// isName: ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
func isName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// cidrSuffixStart returns where the longest trailing dual-cidr-length of s
// begins: "/n", "//n" or "/n//n" at its end (len(s) when there is none).
func cidrSuffixStart(s string) int {
	k := len(s)
	if j := trailingDigits(s); j < len(s) && j >= 2 && s[j-2:j] == "//" {
		k = j - 2
	}
	if j := trailingDigits(s[:k]); j < k && j >= 1 && s[j-1] == '/' {
		k = j - 1
	}
	return k
}

// trailingDigits returns where the digits that end s begin.
func trailingDigits(s string) int {
	j := len(s)
	for j > 0 && isDigit(s[j-1]) {
		j--
	}
	return j
}

// cidrLen parses "0" / %x31-39 0*2DIGIT up to max.
func cidrLen(s string, max int) (int, bool) {
	if s == "" || len(s) > 3 || s[0] == '0' && len(s) > 1 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max || s[0] == '+' {
		return 0, false
	}
	return n, true
}

// parseDualCIDR parses [ "/" ip4-cidr ] [ "//" ip6-cidr ].
func parseDualCIDR(s string, t *Term) string {
	if strings.HasPrefix(s, "//") {
		n, ok := cidrLen(s[2:], 128)
		if !ok {
			return fmt.Sprintf("%q is not an IPv6 prefix length from 0 to 128", s)
		}
		t.Bits6 = n
		return ""
	}
	if !strings.HasPrefix(s, "/") {
		return fmt.Sprintf("unexpected %q", s)
	}
	v4, v6, dual := strings.Cut(s[1:], "//")
	n, ok := cidrLen(v4, 32)
	if !ok {
		return fmt.Sprintf("/%s is not an IPv4 prefix length from 0 to 32", v4)
	}
	t.Bits4 = n
	if dual {
		n, ok := cidrLen(v6, 128)
		if !ok {
			return fmt.Sprintf("//%s is not an IPv6 prefix length from 0 to 128", v6)
		}
		t.Bits6 = n
	}
	return ""
}

// checkMacroString validates a macro-string (RFC 7208 §7.1). c, r and t
// are allowed in exp text only.
func checkMacroString(s string, exp bool) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e {
			return fmt.Sprintf("byte %#x is not allowed in a macro-string", c)
		}
		if c != '%' {
			continue
		}
		if i+1 >= len(s) {
			return "a lone \"%\" at the end (write %% for a percent sign)"
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return fmt.Sprintf("\"%%%c\" is not a macro (RFC 7208 §7.1)", s[i+1])
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "macro \"%{\" is not closed"
		}
		body := s[i+2 : i+end]
		if err := checkMacroBody(body, exp); err != "" {
			return err
		}
		i += end
	}
	return ""
}

func checkMacroBody(body string, exp bool) string {
	if body == "" {
		return "empty macro %{}"
	}
	letter := body[0] | 0x20
	switch letter {
	case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
	case 'c', 'r', 't':
		if !exp {
			return fmt.Sprintf("macro letter %q is allowed only in exp text (RFC 7208 §7.1)", body[0])
		}
	default:
		return fmt.Sprintf("%q is not a macro letter (RFC 7208 §7.1)", body[0])
	}
	rest := body[1:]
	k := 0
	for k < len(rest) && isDigit(rest[k]) {
		k++
	}
	if k > 0 {
		if n, err := strconv.Atoi(rest[:k]); err != nil || n == 0 {
			return fmt.Sprintf("macro %%{%s}: keeping 0 labels is not allowed", body)
		}
	}
	if k < len(rest) && rest[k]|0x20 == 'r' {
		k++
	}
	for ; k < len(rest); k++ {
		if !strings.ContainsRune(".-+,/_=", rune(rest[k])) {
			return fmt.Sprintf("macro %%{%s}: %q is not a delimiter", body, rest[k])
		}
	}
	return ""
}

// checkDomainSpec validates domain-spec = macro-string domain-end, where
// domain-end is "." toplabel ["."] or a macro-expand (RFC 7208 §7.1,
// §4.8). A toplabel has a letter or is hyphenated alphanumerics: an
// all-numeric last label is not a domain name.
func checkDomainSpec(s string, exp bool) string {
	if err := checkMacroString(s, exp); err != "" {
		return err
	}
	if n := len(s); s[n-1] == '}' || n >= 2 && s[n-2] == '%' && strings.IndexByte("%_-", s[n-1]) >= 0 {
		return "" // ends in a macro-expand: checked once expanded
	}
	d := strings.TrimSuffix(s, ".")
	dot := strings.LastIndexByte(d, '.')
	if dot < 0 {
		return fmt.Sprintf("%q has no dot: a domain-spec must end in \".\" and a top-level label (RFC 7208 §7.1)", s)
	}
	top := d[dot+1:]
	if !isTopLabel(top) {
		return fmt.Sprintf("%q does not end in a valid top-level label (RFC 7208 §7.1)", s)
	}
	macros := strings.IndexByte(d, '%') >= 0
	for rest := d; ; {
		label, after, more := strings.Cut(rest, ".")
		if label == "" && !macros {
			return fmt.Sprintf("%q has an empty label", s)
		}
		if len(label) > 63 && strings.IndexByte(label, '%') < 0 {
			return fmt.Sprintf("%q has a label longer than 63 octets", s)
		}
		if !more {
			return ""
		}
		rest = after
	}
}

// isTopLabel: ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ).
func isTopLabel(s string) bool {
	if s == "" {
		return false
	}
	alpha, hyphen := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlpha(c):
			alpha = true
		case isDigit(c):
		case c == '-':
			if i == 0 || i == len(s)-1 {
				return false
			}
			hyphen = true
		default:
			return false
		}
	}
	return alpha || hyphen
}
