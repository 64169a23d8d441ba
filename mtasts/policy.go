package mtasts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
)

// Mode is a policy's mode (RFC 8461 §5).
type Mode string

const (
	// Enforce: senders do not deliver to an MX host that fails to match
	// the policy's mx patterns or to present a valid certificate.
	Enforce Mode = "enforce"
	// Testing: senders deliver as usual and report failures (TLS-RPT).
	Testing Mode = "testing"
	// None: no MTA-STS; the mode to publish before removing a policy.
	None Mode = "none"
)

// MaxMaxAge is the largest max_age, in seconds (about a year; §3.2).
const MaxMaxAge = 31557600

// Policy is a parsed policy file (RFC 8461 §3.2).
type Policy struct {
	Raw     string `json:"-"`
	Version string `json:"version"`
	Mode    Mode   `json:"mode"`
	// MaxAge is the policy's lifetime in seconds, or -1 when absent or
	// not a number.
	MaxAge int64 `json:"max_age"`
	// MX are the mx patterns in order: host names, or "*." and a domain
	// for one label more.
	MX []string `json:"mx"`
	// Extensions are the other fields, which senders ignore.
	Extensions []Field `json:"extensions,omitempty"`
	// spans of the version, mode and max_age lines.
	spans map[string]lint.Span
}

// String renders the policy with CRLF line ends: version, mode, the mx
// patterns, max_age (when set) and the extensions.
func (p *Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: %s\r\nmode: %s\r\n", p.Version, p.Mode)
	for _, mx := range p.MX {
		b.WriteString("mx: " + mx + "\r\n")
	}
	if p.MaxAge >= 0 {
		fmt.Fprintf(&b, "max_age: %d\r\n", p.MaxAge)
	}
	for _, e := range p.Extensions {
		b.WriteString(e.Name + ": " + e.Value + "\r\n")
	}
	return b.String()
}

// Matches returns the first of the policy's mx patterns that host
// matches, and whether one does.
func (p *Policy) Matches(host string) (string, bool) {
	for _, pat := range p.MX {
		if Match(pat, host) {
			return pat, true
		}
	}
	return "", false
}

// Match reports whether an MX host name matches an mx pattern (RFC 8461
// §4.1): case-insensitively and without trailing dots, either equal or,
// for a pattern "*.domain", one label followed by domain. The wildcard
// stands for exactly one whole label: "*.example.com" matches
// "mx.example.com" but neither "example.com" nor "a.mx.example.com".
func Match(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if pattern == "" || host == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		first, after, ok := strings.Cut(host, ".")
		return ok && first != "" && after == rest
	}
	return pattern == host
}

// ParsePolicy parses a policy file strictly: the error is the first
// problem of error severity (a *Problem).
func ParsePolicy(text string) (*Policy, error) {
	p, probs := parsePolicy(text)
	for _, pr := range probs {
		if pr.Severity == lint.Error {
			return p, pr
		}
	}
	return p, nil
}

// parsePolicy reads a policy leniently, reporting every problem with the
// byte span of its line. Lines end in LF or CRLF.
//
//	sts-policy-record = sts-policy-field *WSP
//	                    *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
//	sts-policy-field-delim = ":" *WSP
//	sts-policy-mx-value = ["*."] Domain
//	sts-policy-max-age-value = 1*10(DIGIT)
func parsePolicy(text string) (*Policy, []*Problem) {
	p := &Policy{Raw: text, MaxAge: -1, spans: map[string]lint.Span{}}
	var probs []*Problem
	add := func(sev lint.Severity, span lint.Span, format string, args ...any) {
		probs = append(probs, &Problem{Span: span, Severity: sev, Reason: fmt.Sprintf(format, args...)})
	}
	for start, n := 0, 1; start < len(text); n++ {
		end := strings.IndexByte(text[start:], '\n')
		next := len(text)
		if end < 0 {
			end = len(text)
		} else {
			end += start
			next = end + 1
		}
		line := strings.TrimSuffix(text[start:end], "\r")
		span := lint.Span{Start: start, End: start + len(line)}
		start = next
		if strings.TrimRight(line, " \t") == "" {
			add(lint.Warning, span, "line %d is blank: the grammar has no blank lines, and strict senders reject the policy", n)
			continue
		}
		if strings.ContainsRune(line, '\r') {
			add(lint.Error, span, "line %d holds a CR that does not end the line", n)
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			add(lint.Error, span, "line %d, %q, is not \"key: value\"", n, line)
			continue
		}
		value = strings.TrimRight(strings.TrimLeft(value, " \t"), " \t")
		if !tagvalue.ExtName(key) {
			add(lint.Error, span, "line %d: %q is not a valid key (no space is allowed before the colon)", n, key)
			continue
		}
		once := func() bool {
			if first, dup := p.spans[key]; dup && value != "" {
				// RFC 8461 §3.2: "If any non-repeated field -- i.e., all
				// fields excepting "mx" -- is duplicated, all entries
				// except for the first SHALL be ignored."
				probs = append(probs, &Problem{Rule: ruleIgnoredField.ID, Span: span, Severity: lint.Warning,
					Reason: fmt.Sprintf("line %d: %s appears more than once: the first (%q) counts, senders ignore this one (RFC 8461 §3.2); delete it", n, key, text[first.Start:first.End])})
				return false
			} else if dup {
				add(lint.Error, span, "line %d: %s has no value", n, key)
				return false
			}
			p.spans[key] = span
			return true
		}
		switch key {
		case "version":
			if once() {
				p.Version = value
				if value != "STSv1" {
					add(lint.Error, span, "version is %q; the only version is STSv1", value)
				}
			}
		case "mode":
			if once() {
				p.Mode = Mode(value)
				if p.Mode != Enforce && p.Mode != Testing && p.Mode != None {
					add(lint.Error, span, "mode is %q; it must be enforce, testing or none (lower case)", value)
				}
			}
		case "max_age":
			if once() {
				v, err := strconv.ParseInt(value, 10, 64)
				switch {
				case err != nil || len(value) > 10 || strings.TrimLeft(value, "0123456789") != "":
					add(lint.Error, span, "max_age %q is not a number of seconds (1 to 10 digits)", value)
				case v > MaxMaxAge:
					p.MaxAge = v
					add(lint.Error, span, "max_age %d is more than %d seconds (a year)", v, MaxMaxAge)
				default:
					p.MaxAge = v
				}
			}
		case "mx":
			p.MX = append(p.MX, value)
			if reason := checkPattern(value); reason != "" {
				add(lint.Error, span, "mx %q: %s", value, reason)
			}
		default:
			if value == "" {
				add(lint.Error, span, "line %d: %s has no value", n, key)
			} else if strings.EqualFold(key, "version") || strings.EqualFold(key, "mode") || strings.EqualFold(key, "max_age") || strings.EqualFold(key, "mx") {
				// A valid extension name (sts-policy-ext-name): the policy
				// may be valid, but the field does nothing.
				probs = append(probs, &Problem{Rule: ruleIgnoredField.ID, Span: span, Severity: lint.Warning,
					Reason: fmt.Sprintf("line %d: %q is an extension field, which senders ignore: field names are case-sensitive (RFC 8461 §3.2); write %s", n, key+":", strings.ToLower(key)+":")})
			}
			p.Extensions = append(p.Extensions, Field{Name: key, Value: value, Span: span})
		}
	}
	whole := lint.Span{}
	if _, ok := p.spans["version"]; !ok {
		add(lint.Error, whole, "no version field (version: STSv1)")
	}
	if _, ok := p.spans["mode"]; !ok {
		add(lint.Error, whole, "no mode field (mode: enforce, testing or none)")
	}
	if _, ok := p.spans["max_age"]; !ok {
		add(lint.Error, whole, "no max_age field")
	}
	if len(p.MX) == 0 && p.Mode != None {
		add(lint.Error, whole, "no mx field: a policy in mode %s needs at least one mx pattern, or no MX host can match", orUnset(string(p.Mode)))
	}
	return p, probs
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// checkPattern says what is wrong with an mx pattern, or "".
func checkPattern(pat string) string {
	if pat == "" {
		return "empty pattern"
	}
	name := strings.TrimPrefix(pat, "*.")
	if strings.HasSuffix(name, ".") {
		return "a trailing dot is not part of the pattern grammar; write the name without it"
	}
	if strings.Contains(name, "*") {
		return "a wildcard may only be the whole leftmost label, as in *.example.com"
	}
	if len(name) > 253 {
		return "longer than 253 octets"
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "has an empty label or one over 63 octets"
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !tagvalue.IsAlnum(c) && c != '-' {
				return fmt.Sprintf("byte %q is not allowed in a host name", c)
			}
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "a label starts or ends with a hyphen"
		}
	}
	if strings.HasPrefix(pat, "*.") && len(labels) < 2 {
		return "a wildcard over a top-level domain matches hosts of other organizations"
	}
	return ""
}
