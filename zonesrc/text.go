package zonesrc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/resolver"
)

// maxString is the longest TXT character-string, in octets (RFC 1035
// §3.3.14: a length octet, then the octets).
const maxString = 255

// quoteTXT renders character-strings for a master file: each quoted, with
// `"` and `\` escaped and octets outside printable ASCII as \DDD
// (resolver.EncodeTXT's escaping; its pieces are joined again, so a
// string is never split here: the callers chunk TXT values themselves,
// and a CAA value is one string of any length).
func quoteTXT(strs []string) string {
	var b strings.Builder
	for i, s := range strs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		for _, piece := range resolver.EncodeTXT(s) {
			b.WriteString(piece)
		}
		b.WriteByte('"')
	}
	return b.String()
}

// chunk splits s into pieces of at most n octets, as the tools that split
// long TXT values do (by octets, not characters). An empty s is one empty
// string.
func chunk(s string, n int) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	return append(out, s)
}

// token is one character-string of presentation text.
type token struct {
	s      string
	quoted bool
	off    int // byte offset of the token in the text
}

var errUnterminated = errors.New("a quoted string is not closed")

// parseStrings reads presentation-form character-strings (RFC 1035 §5.1):
// quoted ("a b") or not (ab), separated by white space, with \X and \DDD
// escapes. octal reads \NNN as octal, as Route 53 writes it (its
// documentation: "\three-digit octal code"); otherwise decimal, as master
// files do. Adjacent quoted strings need no space between them ("a""b"
// is two strings, as Route 53 reads them).
func parseStrings(s string, octal bool) ([]token, error) {
	var out []token
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		start := i
		quoted := s[i] == '"'
		if quoted {
			i++
		}
		var b strings.Builder
		closed := false
		for i < len(s) {
			c := s[i]
			if quoted && c == '"' {
				i++
				closed = true
				break
			}
			if !quoted && (c == ' ' || c == '\t' || c == '"') {
				break
			}
			if c == '\\' && i+1 < len(s) {
				if v, n, ok := escapeDigits(s[i+1:], octal); ok {
					b.WriteByte(v)
					i += 1 + n
					continue
				}
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
			b.WriteByte(c)
			i++
		}
		if quoted && !closed {
			return out, errUnterminated
		}
		out = append(out, token{s: b.String(), quoted: quoted, off: start})
	}
}

// escapeDigits reads the three digits of a \DDD (or octal \NNN) escape.
func escapeDigits(s string, octal bool) (byte, int, bool) {
	if len(s) < 3 {
		return 0, 0, false
	}
	base, max := 10, byte('9')
	if octal {
		base, max = 8, '7'
	}
	for i := range 3 {
		if s[i] < '0' || s[i] > max {
			return 0, 0, false
		}
	}
	v, err := strconv.ParseUint(s[:3], base, 16)
	if err != nil || v > 255 {
		return 0, 0, false
	}
	return byte(v), 3, true
}

func tokenStrings(ts []token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.s
	}
	return out
}

// quoteString quotes one string for a master file (a CAA value).
func quoteString(s string) string { return quoteTXT([]string{s}) }

// normName returns a name as Record.Name holds it: lowercase, no trailing
// dot, each octet other than a letter, digit, '-', '_' or '*' escaped as
// \DDD. raw is a name as text, dots separating labels. An empty label is
// an error.
func normName(raw string) (string, error) {
	raw = strings.TrimSuffix(raw, ".")
	if raw == "" {
		return "", errors.New("empty name")
	}
	var b strings.Builder
	labels := strings.Split(raw, ".")
	for i, l := range labels {
		if l == "" {
			return "", fmt.Errorf("name %q has an empty label", raw)
		}
		if len(l) > 63 {
			return "", fmt.Errorf("name %q has a label over 63 octets", raw)
		}
		if i > 0 {
			b.WriteByte('.')
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '*':
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, "\\%03d", c)
			}
		}
	}
	if b.Len() > 253*2 {
		return "", fmt.Errorf("name %q is too long", raw)
	}
	return b.String(), nil
}

// ownerName resolves a record name as the tools do: "@" or "" is the
// apex, a name ending in a dot is absolute, and any other is relative to
// origin.
func ownerName(name, origin string) (string, error) {
	switch {
	case name == "@" || name == "":
		return normName(origin)
	case strings.HasSuffix(name, "."):
		return normName(name)
	default:
		return normName(name + "." + origin)
	}
}

// targetName renders a target name in RDATA: absolute, with the trailing
// dot. A name without the trailing dot is taken as absolute too, unless
// relative is set, when it is joined to origin.
func targetName(name, origin string, relative bool) (string, error) {
	if name == "." {
		return ".", nil
	}
	if relative && !strings.HasSuffix(name, ".") && name != "@" {
		name += "." + origin
	} else if name == "@" {
		name = origin
	}
	n, err := normName(name)
	if err != nil {
		return "", err
	}
	return n + ".", nil
}

// inZone reports whether name is origin or under it.
func inZone(name, origin string) bool {
	name, origin = strings.ToLower(strings.TrimSuffix(name, ".")), strings.ToLower(strings.TrimSuffix(origin, "."))
	return name == origin || strings.HasSuffix(name, "."+origin)
}
