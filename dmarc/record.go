package dmarc

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
)

// Mode is the standard a record is read by.
type Mode int

const (
	// RFC9989 is DMARCbis: tags in any order after v, unknown tags ignored
	// (with a warning), np, psd and t added, pct, rf and ri removed.
	RFC9989 Mode = iota
	// RFC7489 is the original DMARC, read strictly: p must follow v.
	// Unknown tags are ignored with a warning here too, as RFC 7489 §6.3
	// requires.
	RFC7489
)

func (m Mode) String() string {
	if m == RFC7489 {
		return "RFC 7489"
	}
	return "RFC 9989"
}

// Policy values (RFC 7489 §6.3, RFC 9989).
const (
	None       = "none"
	Quarantine = "quarantine"
	Reject     = "reject"
)

// strength orders policies: none < quarantine < reject.
func strength(p string) int {
	switch p {
	case Quarantine:
		return 1
	case Reject:
		return 2
	}
	return 0
}

// URI is one rua or ruf destination.
type URI struct {
	Raw string `json:"raw"`
	// Address is the mailto: address; Host its domain, lowercase.
	Address string `json:"address,omitempty"`
	Host    string `json:"host,omitempty"`
	// Limit is the "!size" suffix, if any.
	Limit string    `json:"limit,omitempty"`
	Span  lint.Span `json:"span"`
	// Err says why the URI is unusable; empty when it is fine.
	Err string `json:"error,omitempty"`
}

// Record is a parsed DMARC record.
type Record struct {
	Raw string `json:"raw"`
	// P, SP and NP are the policies for the domain, its subdomains, and
	// its non-existent subdomains; SP and NP are empty when absent.
	P  string `json:"p"`
	SP string `json:"sp,omitempty"`
	NP string `json:"np,omitempty"`
	// PSD is "y", "n" or "u" (the default) — RFC 9989.
	PSD string `json:"psd,omitempty"`
	// T is "y" when the policy is in test mode — RFC 9989.
	T string `json:"t,omitempty"`
	// ADKIM and ASPF are "r" (relaxed, the default) or "s" (strict).
	ADKIM string `json:"adkim"`
	ASPF  string `json:"aspf"`
	RUA   []URI  `json:"rua,omitempty"`
	RUF   []URI  `json:"ruf,omitempty"`
	FO    string `json:"fo,omitempty"`
	// Pct is 0–100, or -1 when absent — RFC 7489 only.
	Pct int `json:"pct"`
	// RF and RI are RFC 7489's report format and interval.
	RF string `json:"rf,omitempty"`
	RI int    `json:"ri,omitempty"`
	// Tags are the tags as written, with their spans.
	Tags []tagvalue.Tag `json:"-"`
}

// Problem is something wrong in a record, with the rule it falls under.
type Problem struct {
	// Rule is the rule a linter reports it under.
	Rule     lint.Rule
	Severity lint.Severity
	Span     lint.Span
	Reason   string
}

func (p *Problem) Error() string { return "dmarc: " + p.Reason }

// ErrNotDMARC reports that the text does not start with "v=DMARC1".
var ErrNotDMARC = errors.New("dmarc: not a DMARC record (does not start with v=DMARC1)")

// Reports reports whether the record names at least one usable aggregate
// report destination (a rua= URI without an error).
func (r *Record) Reports() bool {
	for _, u := range r.RUA {
		if u.Err == "" {
			return true
		}
	}
	return false
}

// IsDMARC reports whether txt begins with the v=DMARC1 tag, the test
// receivers apply to the TXT records at _dmarc (RFC 7489 §6.6.3: records
// that do not start with a "v=" tag naming DMARC1 are discarded). As the
// §6.4 ABNF reads: the tag name "v" in either case, then optional
// whitespace around "=", then "DMARC1" exactly (case-sensitive, %x44 %x4d
// %x41 %x52 %x43 %x31), then the end, whitespace or ";". Nothing may come
// before the v — not even whitespace, as for SPF's IsSPF (RFC 7208 §4.5).
// A record that passes this test may still be broken: "v=DMARC1 p=none"
// lacks the ";" after the version and fails Parse.
func IsDMARC(txt string) bool {
	if txt == "" || txt[0]|0x20 != 'v' {
		return false
	}
	t := strings.TrimLeft(txt[1:], " \t")
	if !strings.HasPrefix(t, "=") {
		return false
	}
	t = strings.TrimLeft(t[1:], " \t")
	return strings.HasPrefix(t, "DMARC1") && (len(t) == 6 || strings.ContainsRune("; \t", rune(t[6])))
}

// Parse parses a DMARC record as mode reads it. The error is the first
// problem of error severity (a *Problem), or ErrNotDMARC.
func Parse(txt string, mode Mode) (*Record, error) {
	r, probs := parse(txt, mode)
	if r == nil {
		return nil, ErrNotDMARC
	}
	for _, p := range probs {
		if p.Severity == lint.Error {
			return r, p
		}
	}
	return r, nil
}

var validValues = map[string][]string{
	"p": {None, Quarantine, Reject}, "sp": {None, Quarantine, Reject}, "np": {None, Quarantine, Reject},
	"adkim": {"r", "s"}, "aspf": {"r", "s"}, "psd": {"y", "n", "u"}, "t": {"y", "n"},
}

// parse is the lenient parser: it returns the record it could read and
// every problem. r is nil when txt is not a DMARC record at all.
func parse(txt string, mode Mode) (*Record, []*Problem) {
	if !IsDMARC(txt) {
		return nil, nil
	}
	tags, tprobs := tagvalue.Parse(txt)
	r := &Record{Raw: txt, ADKIM: "r", ASPF: "r", Pct: -1, Tags: tags}
	var probs []*Problem
	prob := func(rule lint.Rule, sev lint.Severity, span lint.Span, format string, args ...any) {
		probs = append(probs, &Problem{Rule: rule, Severity: sev, Span: span, Reason: fmt.Sprintf(format, args...)})
	}
	for _, p := range tprobs {
		prob(ruleSyntax, lint.Error, p.Span, "%s", p.Reason)
	}
	for i, t := range tags {
		// Tag names are quoted strings in the ABNF of RFC 7489 §6.4, so
		// case-insensitive (RFC 5234 §2.3): V=DMARC1 and P=reject count.
		name := strings.ToLower(t.Name)
		v := t.Value
		if allowed, ok := validValues[name]; ok {
			lv := strings.ToLower(v)
			if !contains(allowed, lv) {
				prob(ruleSyntax, lint.Error, t.Span, "%s=%s is not valid (want %s)", t.Name, v, strings.Join(allowed, ", "))
				continue
			}
			v = lv
		}
		switch name {
		case "v":
			switch {
			case i != 0:
				prob(ruleSyntax, lint.Error, t.Span, "v=DMARC1 must be the first tag")
			case v != "DMARC1":
				// IsDMARC saw DMARC1 followed by whitespace: the ";" that
				// must end the version (dmarc-sep, RFC 7489 §6.4) is missing.
				prob(ruleSyntax, lint.Error, t.Span, "%q: a \";\" must follow v=DMARC1 (RFC 7489 §6.4)", t.Name+"="+v)
			}
		case "p":
			r.P = v
			if mode == RFC7489 && i != 1 {
				prob(ruleSyntax, lint.Error, t.Span, "p= must directly follow v=DMARC1 (RFC 7489 §6.4)")
			}
		case "sp":
			r.SP = v
		case "np":
			r.NP = v
		case "psd":
			r.PSD = v
		case "t":
			r.T = v
		case "adkim":
			r.ADKIM = v
		case "aspf":
			r.ASPF = v
		case "fo":
			r.FO = v
			for _, o := range strings.Split(v, ":") {
				if o = strings.TrimSpace(o); o != "0" && o != "1" && o != "d" && o != "s" {
					prob(ruleSyntax, lint.Error, t.Span, "fo=%s: %q is not a failure reporting option (0, 1, d, s)", v, o)
					break
				}
			}
		case "rua", "ruf":
			uris := parseURIs(v, t.ValueSpan.Start)
			for _, u := range uris {
				if u.Err != "" {
					prob(ruleBadURI, ruleBadURI.Severity, u.Span, "%s: %s", name, u.Err)
				}
			}
			if name == "rua" {
				r.RUA = uris
			} else {
				r.RUF = uris
			}
		case "pct":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				prob(ruleSyntax, lint.Error, t.Span, "pct=%s is not a whole number from 0 to 100", v)
				continue
			}
			r.Pct = n
		case "rf":
			r.RF = v
			if mode == RFC7489 && strings.ToLower(v) != "afrf" {
				prob(ruleSyntax, lint.Error, t.Span, "rf=%s: the only report format is afrf", v)
			}
		case "ri":
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				prob(ruleSyntax, lint.Error, t.Span, "ri=%s is not a number of seconds", v)
				continue
			}
			r.RI = int(n)
		default:
			// RFC 7489 §6.3: unknown tags MUST be ignored.
			prob(ruleUnknownTag, lint.Warning, t.Span, "unknown tag %s= is ignored by receivers (RFC 7489 §6.3); a typo?", t.Name)
		}
		if mode == RFC9989 {
			switch name {
			case "pct", "rf", "ri":
				prob(ruleObsoleteTag, lint.Info, t.Span, "%s= was removed by RFC 9989 and is ignored by receivers that follow it", t.Name)
			}
		}
	}
	if r.P == "" {
		if !slices.ContainsFunc(tags, func(t tagvalue.Tag) bool { return strings.EqualFold(t.Name, "p") }) {
			prob(ruleSyntax, lint.Error, lint.Span{}, "no p= tag: receivers treat the record as p=none if rua is valid, and ignore it otherwise")
		}
	}
	return r, probs
}

// unusablePolicy says why the record has no usable policy, or "": no
// valid p= tag, or an sp= (or, unless rfc7489, np=) tag whose value is
// not valid. Receivers then act as if it were p=none when rua= holds a
// valid URI, and ignore it otherwise (RFC 7489 §6.6.3, RFC 9989 §4.10.1).
func (r *Record) unusablePolicy(rfc7489 bool) string {
	if r.P == "" {
		for _, t := range r.Tags {
			if strings.EqualFold(t.Name, "p") {
				return fmt.Sprintf("%s=%s is not a valid policy", t.Name, t.Value)
			}
		}
		return "the record has no p= tag"
	}
	for _, t := range r.Tags {
		name := strings.ToLower(t.Name)
		if name != "sp" && (name != "np" || rfc7489) {
			continue
		}
		if !contains(validValues[name], strings.ToLower(t.Value)) {
			return fmt.Sprintf("%s=%s is not a valid policy", t.Name, t.Value)
		}
	}
	return ""
}

// hasReportURI reports whether rua= holds at least one syntactically
// valid reporting URI: a mailto: URI with an address, or a URI of another
// scheme (which this package does not send to, but which is a URI), with
// a well-formed size limit.
func (r *Record) hasReportURI() bool {
	for _, u := range r.RUA {
		if u.Err == "" {
			return true
		}
		body := u.Raw
		if i := strings.LastIndexByte(body, '!'); i >= 0 {
			if !validLimit(body[i+1:]) {
				continue
			}
			body = body[:i]
		}
		if pu, err := url.Parse(body); err == nil && pu.Scheme != "" && !strings.EqualFold(pu.Scheme, "mailto") && (pu.Opaque != "" || pu.Host != "" || pu.Path != "") {
			return true
		}
	}
	return false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// parseURIs splits a rua/ruf value at commas: each is a URI with an
// optional "!size" limit (RFC 7489 §6.2). Only mailto: is usable.
func parseURIs(v string, base int) []URI {
	var out []URI
	off := 0
	for _, part := range strings.Split(v, ",") {
		start := base + off + (len(part) - len(strings.TrimLeft(part, " \t")))
		raw := strings.TrimSpace(part)
		off += len(part) + 1
		u := URI{Raw: raw, Span: lint.Span{Start: start, End: start + len(raw)}}
		if raw == "" {
			u.Err = "empty URI"
			out = append(out, u)
			continue
		}
		body := raw
		if i := strings.LastIndexByte(body, '!'); i >= 0 {
			body, u.Limit = body[:i], body[i+1:]
			if !validLimit(u.Limit) {
				u.Err = fmt.Sprintf("%q: the size limit %q is not digits with an optional k, m, g or t", raw, u.Limit)
			}
		}
		pu, err := url.Parse(body)
		switch {
		case err != nil:
			u.Err = fmt.Sprintf("%q is not a URI: %v", raw, err)
		case !strings.EqualFold(pu.Scheme, "mailto"):
			u.Err = fmt.Sprintf("%q: only mailto: URIs are used for reports", raw)
		default:
			addr, err := mail.ParseAddress(pu.Opaque)
			if err != nil || pu.Opaque == "" || strings.ContainsAny(pu.Opaque, "<> ") {
				u.Err = fmt.Sprintf("%q: %q is not an email address", raw, pu.Opaque)
				break
			}
			u.Address = addr.Address
			u.Host = strings.ToLower(addr.Address[strings.LastIndexByte(addr.Address, '@')+1:])
		}
		out = append(out, u)
	}
	return out
}

func validLimit(s string) bool {
	if s == "" {
		return false
	}
	n := len(s)
	if strings.ContainsRune("kmgtKMGT", rune(s[n-1])) {
		n--
	}
	if n == 0 {
		return false
	}
	for _, c := range s[:n] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String renders the record's effective policy in canonical form.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=DMARC1")
	if r.P != "" {
		b.WriteString("; p=" + r.P)
	}
	for _, kv := range [][2]string{{"sp", r.SP}, {"np", r.NP}, {"psd", r.PSD}, {"t", r.T}} {
		if kv[1] != "" {
			b.WriteString("; " + kv[0] + "=" + kv[1])
		}
	}
	if r.ADKIM != "r" {
		b.WriteString("; adkim=" + r.ADKIM)
	}
	if r.ASPF != "r" {
		b.WriteString("; aspf=" + r.ASPF)
	}
	for _, l := range []struct {
		name string
		uris []URI
	}{{"rua", r.RUA}, {"ruf", r.RUF}} {
		if len(l.uris) > 0 {
			raws := make([]string, len(l.uris))
			for i, u := range l.uris {
				raws[i] = u.Raw
			}
			b.WriteString("; " + l.name + "=" + strings.Join(raws, ","))
		}
	}
	if r.FO != "" {
		b.WriteString("; fo=" + r.FO)
	}
	if r.Pct >= 0 {
		b.WriteString("; pct=" + strconv.Itoa(r.Pct))
	}
	return b.String()
}
