package tlsrpt

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
)

// URI is one rua destination.
type URI struct {
	Raw string `json:"raw"`
	// Scheme is "mailto" or "https" when the URI is usable.
	Scheme string `json:"scheme,omitempty"`
	// Address is a mailto: URI's address; Host its domain, or an https:
	// URI's host, lowercase.
	Address string    `json:"address,omitempty"`
	Host    string    `json:"host,omitempty"`
	Span    lint.Span `json:"span"`
	// Err says why the URI is unusable; empty when it is fine.
	Err string `json:"error,omitempty"`
}

// Field is an extension field as written.
type Field struct {
	Name  string    `json:"name"`
	Value string    `json:"value"`
	Span  lint.Span `json:"span"`
}

// Record is a parsed _smtp._tls TXT record (RFC 8460 §3).
type Record struct {
	Raw string `json:"raw"`
	RUA []URI  `json:"rua"`
	// Extensions are the other fields, which reporters ignore.
	Extensions []Field `json:"extensions,omitempty"`
}

// String renders the record: "v=TLSRPTv1; rua=…" and the extensions.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=TLSRPTv1; rua=")
	for i, u := range r.RUA {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(u.Raw)
	}
	for _, e := range r.Extensions {
		b.WriteString("; " + e.Name + "=" + e.Value)
	}
	return b.String()
}

// Problem is something wrong in a record, with the rule it falls under.
type Problem struct {
	Rule string
	// Severity is Error (the zero value) unless the record stays usable:
	// whitespace the grammar has no room for, which reporters that
	// parse strictly reject, or a field that does nothing.
	Severity lint.Severity
	Span     lint.Span
	Reason   string
}

func (p *Problem) Error() string { return "tlsrpt: " + p.Reason }

// ErrNotTLSRPT reports that the text does not start with "v=TLSRPTv1".
var ErrNotTLSRPT = errors.New("tlsrpt: not a TLS-RPT record (does not start with v=TLSRPTv1)")

// IsTLSRPT reports whether txt starts with the version field
// "v=TLSRPTv1" (case-sensitive), followed by the end, white space or ";".
// Reporters discard the other TXT records at _smtp._tls (RFC 8460 §3).
func IsTLSRPT(txt string) bool {
	const v = "v=TLSRPTv1"
	return strings.HasPrefix(txt, v) && (len(txt) == len(v) || strings.ContainsRune("; \t", rune(txt[len(v)])))
}

// Parse parses a TLS-RPT record strictly: the error is ErrNotTLSRPT or
// the first problem of error severity (a *Problem). Warnings do not fail
// it: whitespace outside the grammar (after "rua=", at the end), which
// lenient reporters trim, and fields that do nothing (Rua=, a second v=).
func Parse(txt string) (*Record, error) {
	r, probs := parse(txt)
	if r == nil {
		return nil, ErrNotTLSRPT
	}
	for _, p := range probs {
		if p.Severity == lint.Error {
			return r, p
		}
	}
	return r, nil
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// parse reads the record leniently; nil when txt is not TLS-RPT.
//
//	tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//	field-delim    = *WSP ";" *WSP
//	tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//	tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
func parse(txt string) (*Record, []*Problem) {
	if !IsTLSRPT(txt) {
		return nil, nil
	}
	r := &Record{Raw: txt}
	var probs []*Problem
	add := func(rule string, start, end int, format string, args ...any) {
		probs = append(probs, &Problem{Rule: rule, Span: lint.Span{Start: start, End: end}, Reason: fmt.Sprintf(format, args...)})
	}
	warn := func(rule string, start, end int, format string, args ...any) {
		probs = append(probs, &Problem{Rule: rule, Severity: lint.Warning, Span: lint.Span{Start: start, End: end}, Reason: fmt.Sprintf(format, args...)})
	}
	const vlen = len("v=TLSRPTv1")
	pos := vlen
	for pos < len(txt) && isWSP(txt[pos]) {
		pos++
	}
	if pos < len(txt) && txt[pos] != ';' {
		add(ruleSyntax.ID, vlen, len(txt), "v=TLSRPTv1 must be followed by \";\"")
		return r, probs
	}
	seenRUA := false
	for pos < len(txt) {
		pos++ // the ';'
		end := strings.IndexByte(txt[pos:], ';')
		if end < 0 {
			end = len(txt)
		} else {
			end += pos
		}
		start, stop := pos, end
		for start < stop && isWSP(txt[start]) {
			start++
		}
		for stop > start && isWSP(txt[stop-1]) {
			stop--
		}
		field := txt[start:stop]
		if field != "" && end == len(txt) && stop < end {
			// RFC 8460 §3: field-delim = *WSP ";" *WSP is the only place
			// for whitespace between fields, and none may follow the last
			// field without a ";".
			warn(ruleSyntax.ID, stop, end, "whitespace after the last field: the grammar allows whitespace only around \";\" (RFC 8460 §3), and reporters that parse strictly ignore the record; delete it")
		}
		name, value, ok := strings.Cut(field, "=")
		switch {
		case field == "" && end == len(txt):
		case field == "":
			add(ruleSyntax.ID, pos-1, end+1, "empty field between semicolons")
		case !ok:
			add(ruleSyntax.ID, start, stop, "%q has no \"=\"", field)
		case name == "rua":
			if seenRUA {
				add(ruleSyntax.ID, start, stop, "rua= appears more than once; list the URIs in one rua=, separated by commas")
				break
			}
			seenRUA = true
			if value != "" && isWSP(value[0]) {
				// tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
				warn(ruleSyntax.ID, start, stop, "whitespace after \"rua=\": the grammar has the URI follow \"=\" at once (RFC 8460 §3), and reporters that parse strictly ignore the record; write rua=%s", strings.TrimLeft(value, " \t"))
			}
			r.RUA = parseRUA(value, start+4)
			if len(r.RUA) == 0 {
				add(ruleSyntax.ID, start, stop, "rua= is empty")
			}
			for _, u := range r.RUA {
				if u.Err != "" {
					add(ruleBadURI.ID, u.Span.Start, u.Span.End, "rua %q: %s", u.Raw, u.Err)
				}
			}
		default:
			switch {
			case !tagvalue.ExtName(name):
				add(ruleSyntax.ID, start, stop, "%q is not a valid field name", name)
			case !tagvalue.ExtValue(value):
				add(ruleSyntax.ID, start, stop, "%s=: the value %q is empty or holds a space, \"=\" or a control character", name, value)
			case strings.EqualFold(name, "rua") || strings.EqualFold(name, "v"):
				// tlsrpt-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT /
				// "_" / "-" / "."): a valid extension, which "SHALL be
				// ignored" (RFC 8460 §3). The record may be valid; the
				// field does nothing.
				what := "the field name is case-sensitive, and reports go only to rua="
				if strings.EqualFold(name, "v") {
					what = "the version is the first field alone"
				}
				warn(ruleIgnoredField.ID, start, stop, "%q is an extension field, which reporters ignore: %s (RFC 8460 §3); delete it or write %s", name+"=", what, strings.ToLower(name)+"=")
			}
			r.Extensions = append(r.Extensions, Field{Name: name, Value: value, Span: lint.Span{Start: start, End: stop}})
		}
		pos = end
	}
	if !seenRUA {
		add(ruleSyntax.ID, 0, len(txt), "no rua= field: reporters have nowhere to send reports, and ignore the record")
	}
	return r, probs
}

// parseRUA splits a rua value at commas; off is the value's offset.
func parseRUA(value string, off int) []URI {
	var out []URI
	for start := 0; start <= len(value); {
		end := strings.IndexByte(value[start:], ',')
		if end < 0 {
			end = len(value)
		} else {
			end += start
		}
		s, e := start, end
		for s < e && isWSP(value[s]) {
			s++
		}
		for e > s && isWSP(value[e-1]) {
			e--
		}
		if s == e {
			if end < len(value) || start > 0 {
				out = append(out, URI{Span: lint.Span{Start: off + start, End: off + end}, Err: "empty URI between commas"})
			}
		} else {
			out = append(out, parseURI(value[s:e], lint.Span{Start: off + s, End: off + e}))
		}
		start = end + 1
	}
	return out
}

func parseURI(raw string, span lint.Span) URI {
	u := URI{Raw: raw, Span: span}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c >= 0x7f {
			u.Err = fmt.Sprintf("byte %#x is not allowed in a URI; percent-encode it", c)
			return u
		}
	}
	p, err := url.Parse(raw)
	if err != nil {
		u.Err = "not a URI: " + strings.TrimPrefix(err.Error(), "parse ")
		return u
	}
	switch p.Scheme {
	case "mailto":
		addr, err := url.PathUnescape(p.Opaque)
		if err != nil || p.Opaque == "" {
			u.Err = "mailto: needs an address"
			return u
		}
		if strings.Contains(addr, "!") {
			u.Err = "a \"!size\" limit is DMARC syntax, not TLS-RPT: reporters mail the address with the \"!…\" in it"
			return u
		}
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr || !strings.Contains(addr, "@") {
			u.Err = fmt.Sprintf("%q is not a mail address", addr)
			return u
		}
		u.Scheme, u.Address = "mailto", a.Address
		u.Host = strings.ToLower(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
	case "https":
		if p.Host == "" || p.Hostname() == "" {
			u.Err = "https: needs a host"
			return u
		}
		u.Scheme, u.Host = "https", strings.ToLower(p.Hostname())
	default:
		u.Err = "the scheme must be mailto: or https:"
		if p.Scheme == "" && strings.Contains(raw, "@") {
			u.Err += fmt.Sprintf(" (write mailto:%s)", raw)
		}
	}
	return u
}
