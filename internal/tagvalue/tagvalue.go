// Package tagvalue scans the tag=value lists of DKIM (RFC 6376 §3.2) and
// DMARC (RFC 7489 §6.4) records, keeping byte spans.
package tagvalue

import (
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
)

// Tag is one tag=value pair.
type Tag struct {
	Name      string    // as written
	Value     string    // with surrounding whitespace trimmed
	Span      lint.Span // the whole tag-spec, name to end of value
	ValueSpan lint.Span // the value alone
}

// Problem is a syntax problem at a place in the list.
type Problem struct {
	Span   lint.Span
	Reason string
}

func (p Problem) Error() string { return fmt.Sprintf("offset %d: %s", p.Span.Start, p.Reason) }

func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Parse splits s at ";" into tags. It is lenient: a broken tag-spec is a
// Problem and scanning goes on. Duplicate names are reported as problems
// (RFC 6376 §3.2) but kept.
func Parse(s string) ([]Tag, []Problem) {
	tags := make([]Tag, 0, min(strings.Count(s, ";")+1, 64))
	var seen map[string]bool // the names, lowercased, once there are many (dup)
	var probs []Problem
	for start := 0; start <= len(s); {
		end := strings.IndexByte(s[start:], ';')
		if end < 0 {
			end = len(s)
		} else {
			end += start
		}
		spec := s[start:end]
		if strings.TrimLeft(spec, " \t\r\n") == "" {
			// An empty spec: allowed only as the trailing ";" (or empty input).
			if end < len(s) {
				probs = append(probs, Problem{lint.Span{Start: start, End: end + 1}, "empty tag between semicolons"})
			}
			start = end + 1
			continue
		}
		lead := 0
		for lead < len(spec) && isWSP(spec[lead]) {
			lead++
		}
		eq := strings.IndexByte(spec, '=')
		if eq < 0 {
			probs = append(probs, Problem{lint.Span{Start: start + lead, End: end}, fmt.Sprintf("%q has no \"=\"", strings.TrimSpace(spec))})
			start = end + 1
			continue
		}
		name := strings.TrimRight(spec[lead:eq], " \t\r\n")
		vs := eq + 1
		for vs < len(spec) && isWSP(spec[vs]) {
			vs++
		}
		ve := len(spec)
		for ve > vs && isWSP(spec[ve-1]) {
			ve--
		}
		t := Tag{Name: name, Value: spec[vs:ve], Span: lint.Span{Start: start + lead, End: start + ve}, ValueSpan: lint.Span{Start: start + vs, End: start + ve}}
		if t.Span.End < start+eq+1 {
			t.Span.End = start + eq + 1
		}
		switch {
		case !validName(name):
			probs = append(probs, Problem{t.Span, fmt.Sprintf("%q is not a valid tag name", name)})
		case dup(tags, seen, name):
			probs = append(probs, Problem{t.Span, fmt.Sprintf("tag %q appears more than once", name)})
		}
		for i := vs; i < ve; i++ {
			if c := spec[i]; c != ' ' && c != '\t' && c != '\r' && c != '\n' && (c < 0x21 || c > 0x7e) {
				probs = append(probs, Problem{t.Span, fmt.Sprintf("tag %q: byte %#x is not allowed in a value", name, c)})
				break
			}
		}
		tags = append(tags, t)
		switch {
		case seen != nil:
			seen[strings.ToLower(name)] = true
		case len(tags) == manyTags:
			seen = make(map[string]bool, 2*manyTags)
			for _, x := range tags {
				seen[strings.ToLower(x.Name)] = true
			}
		}
		start = end + 1
	}
	return tags, probs
}

// validName: ALPHA *( ALPHA / DIGIT / "_" ).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c|0x20 >= 'a' && c|0x20 <= 'z'
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return true
}

// Get returns the first tag named name (case-sensitive, as DKIM and DMARC
// tag names are compared).
func Get(tags []Tag, name string) (Tag, bool) {
	for _, t := range tags {
		if t.Name == name {
			return t, true
		}
	}
	return Tag{}, false
}

// IsAlnum reports an ASCII letter or digit.
func IsAlnum(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' }

// ExtName reports a valid extension name of MTA-STS and TLS-RPT records
// (RFC 8461 §3.1 sts-ext-name, §3.2; RFC 8460 §3 tlsrpt-ext-name):
// (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".").
func ExtName(s string) bool {
	if s == "" || len(s) > 32 || !IsAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !IsAlnum(c) && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// ExtValue reports a valid extension value of those records:
// 1*(%x21-3A / %x3C / %x3E-7E), no "=" and no ";".
func ExtValue(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == '=' || c == ';' {
			return false
		}
	}
	return true
}

// manyTags is where dup stops scanning the tags and keeps a set: a
// record has a dozen, a hostile one thousands.
const manyTags = 16

// dup reports whether a tag named name (ignoring case) was seen already.
// Names compare lowercased, as in the set (EqualFold would match more:
// an invalid name "ſ" folds to "s").
func dup(tags []Tag, seen map[string]bool, name string) bool {
	if seen != nil {
		return seen[strings.ToLower(name)]
	}
	lower := strings.ToLower(name)
	return slices.ContainsFunc(tags, func(x Tag) bool { return strings.ToLower(x.Name) == lower })
}
