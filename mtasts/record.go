package mtasts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
)

// Field is one key=value (record) or key: value (policy) pair as written.
type Field struct {
	Name  string    `json:"name"`
	Value string    `json:"value"`
	Span  lint.Span `json:"span"`
}

// Record is a parsed _mta-sts TXT record (RFC 8461 §3.1).
type Record struct {
	Raw string `json:"raw"`
	// ID is the policy instance identifier: 1 to 32 letters and digits.
	ID     string    `json:"id"`
	IDSpan lint.Span `json:"-"`
	// Extensions are the other fields, which senders ignore.
	Extensions []Field `json:"extensions,omitempty"`
}

// String renders the record: "v=STSv1; id=…" and the extensions.
func (r *Record) String() string {
	var b strings.Builder
	b.WriteString("v=STSv1; id=" + r.ID)
	for _, e := range r.Extensions {
		b.WriteString("; " + e.Name + "=" + e.Value)
	}
	return b.String()
}

// Problem is something wrong in a record or policy, at a place in it.
type Problem struct {
	// Rule is the ID of the rule a linter reports it under: the syntax
	// rule of the record or the policy when empty.
	Rule     string
	Span     lint.Span
	Severity lint.Severity
	Reason   string
}

func (p *Problem) Error() string { return "mtasts: " + p.Reason }

// ErrNotSTS reports that the text does not start with "v=STSv1".
var ErrNotSTS = errors.New("mtasts: not an MTA-STS record (does not start with v=STSv1)")

// IsSTS reports whether txt starts with the version field "v=STSv1" (case
// sensitive, RFC 8461 §3.1), followed by the end, white space or ";".
// Senders discard the other TXT records at _mta-sts.
func IsSTS(txt string) bool {
	return strings.HasPrefix(txt, "v=STSv1") && (len(txt) == 7 || strings.ContainsRune("; \t", rune(txt[7])))
}

// ParseRecord parses an _mta-sts TXT record strictly: the error is
// ErrNotSTS or the first problem of error severity (a *Problem). A record
// the grammar accepts parses, with fields that do nothing (a repeated id=,
// a field named ID=) among its warnings.
func ParseRecord(txt string) (*Record, error) {
	r, probs := parseRecord(txt)
	if r == nil {
		return nil, ErrNotSTS
	}
	for _, p := range probs {
		if p.Severity == lint.Error {
			return r, p
		}
	}
	return r, nil
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' }

// parseRecord reads the record leniently: every problem is reported and
// scanning goes on. It returns nil when txt is not an MTA-STS record.
//
//	sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]
//	sts-field       = sts-id / sts-extension
//	sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//	sts-sep         = *WSP %x3B *WSP
//	sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
func parseRecord(txt string) (*Record, []*Problem) {
	if !IsSTS(txt) {
		return nil, nil
	}
	r := &Record{Raw: txt}
	var probs []*Problem
	add := func(start, end int, format string, args ...any) {
		probs = append(probs, &Problem{Span: lint.Span{Start: start, End: end}, Severity: lint.Error, Reason: fmt.Sprintf(format, args...)})
	}
	// ignored: a field the grammar accepts and senders ignore.
	ignored := func(start, end int, format string, args ...any) {
		probs = append(probs, &Problem{Rule: ruleIgnoredField.ID, Span: lint.Span{Start: start, End: end}, Severity: lint.Warning, Reason: fmt.Sprintf(format, args...)})
	}
	pos := 7
	for pos < len(txt) && isWSP(txt[pos]) {
		pos++
	}
	if pos < len(txt) && txt[pos] != ';' {
		add(7, len(txt), "v=STSv1 must be followed by \";\"")
		return r, probs
	}
	seenID := false
	for pos < len(txt) {
		// txt[pos] == ';'
		pos++
		end := strings.IndexByte(txt[pos:], ';')
		if end < 0 {
			end = len(txt)
		} else {
			end += pos
		}
		start := pos
		for start < end && isWSP(txt[start]) {
			start++
		}
		stop := end
		for stop > start && isWSP(txt[stop-1]) {
			stop--
		}
		field := txt[start:stop]
		if field != "" && end == len(txt) && stop < end {
			// sts-field-delim = *WSP ";" *WSP is the only place for
			// whitespace between fields (RFC 8461 §3.1).
			probs = append(probs, &Problem{Span: lint.Span{Start: stop, End: end}, Severity: lint.Warning,
				Reason: "whitespace after the last field: the grammar allows whitespace only around \";\" (RFC 8461 §3.1), and senders that parse strictly ignore the record; delete it"})
		}
		switch {
		case field == "" && end == len(txt):
			// The optional trailing separator.
		case field == "":
			add(pos-1, end+1, "empty field between semicolons")
		default:
			name, value, ok := strings.Cut(field, "=")
			switch {
			case !ok:
				add(start, stop, "%q has no \"=\"", field)
			case (name == "id" && seenID || name == "v") && !validID(value) && !tagvalue.ExtValue(value):
				// Neither sts-id nor sts-extension: outside the grammar.
				add(start, stop, "%s=: the value %q is empty or holds a space, \"=\" or a control character", name, value)
			case name == "id" && seenID:
				// RFC 8461 §3.2: "If any non-repeated field -- i.e., all
				// fields excepting "mx" -- is duplicated, all entries
				// except for the first SHALL be ignored." (Parsers of
				// "TXT records and policy files".) Any value: it is not
				// read.
				ignored(start, stop, "id= appears more than once: the first counts (id=%s), senders ignore this one (RFC 8461 §3.2); delete it", r.ID)
			case name == "id":
				seenID = true
				r.ID, r.IDSpan = value, lint.Span{Start: start + 3, End: stop}
				if !validID(value) {
					add(start, stop, "id=%q must be 1 to 32 letters and digits", value)
				}
			case name == "v":
				ignored(start, stop, "v= appears more than once: the first counts, senders ignore this one (RFC 8461 §3.2); delete it")
			default:
				if !tagvalue.ExtName(name) {
					add(start, stop, "%q is not a valid field name", name)
				} else if !tagvalue.ExtValue(value) {
					add(start, stop, "%s=: the value %q is empty or holds a space, \"=\" or a control character", name, value)
				} else if strings.EqualFold(name, "id") || strings.EqualFold(name, "v") {
					// A valid extension name (sts-ext-name): the record
					// may be valid, but the field does nothing.
					ignored(start, stop, "%q is an extension field, which senders ignore: field names are case-sensitive (RFC 8461 §3.1); write %s", name+"=", strings.ToLower(name)+"=")
				}
				r.Extensions = append(r.Extensions, Field{Name: name, Value: value, Span: lint.Span{Start: start, End: stop}})
			}
		}
		pos = end
	}
	if !seenID {
		add(0, len(txt), "no id= field: senders cannot tell when the policy changes, and ignore the record")
	}
	return r, probs
}

func validID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tagvalue.IsAlnum(s[i]) {
			return false
		}
	}
	return true
}
