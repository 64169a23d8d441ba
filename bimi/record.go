package bimi

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/domainlint/domainlint/internal/tagvalue"
	"github.com/domainlint/domainlint/lint"
)

// Record is a parsed BIMI Assertion Record
// (draft-brand-indicators-for-message-identification §4.3).
type Record struct {
	Raw string `json:"raw"`
	// L is the indicator's location, an https: URI; "" when empty.
	L     string    `json:"l"`
	LSpan lint.Span `json:"-"`
	// A is the authority evidence (a mark certificate), an https: URI;
	// "" when empty or absent.
	A     string    `json:"a,omitempty"`
	ASpan lint.Span `json:"-"`
	// LPS is the local-part selector flag ("true" or "false"), AVP the
	// avatar preference ("brand" or "personal"); "" when absent.
	LPS string `json:"lps,omitempty"`
	AVP string `json:"avp,omitempty"`
	// Unknown are tags the draft does not define, which receivers ignore.
	Unknown []string `json:"unknown,omitempty"`
}

// Declined reports a declination to publish: l= and a= both empty
// (§4.3.1).
func (r *Record) Declined() bool { return r.L == "" && r.A == "" }

// String renders the record: "v=BIMI1; l=…" and the a=, lps= and avp=
// tags that are set.
func (r *Record) String() string {
	s := "v=BIMI1; l=" + r.L
	if r.A != "" {
		s += "; a=" + r.A
	}
	if r.LPS != "" {
		s += "; lps=" + r.LPS
	}
	if r.AVP != "" {
		s += "; avp=" + r.AVP
	}
	return s
}

// Problem is something wrong in a record, with the rule it falls under.
type Problem struct {
	Rule     string
	Severity lint.Severity
	Span     lint.Span
	Reason   string
}

func (p *Problem) Error() string { return "bimi: " + p.Reason }

// ErrNotBIMI reports that the text does not start with the tag v=BIMI1.
var ErrNotBIMI = errors.New("bimi: not a BIMI record (does not start with v=BIMI1)")

// IsBIMI reports whether txt starts with the tag v=BIMI1, the test
// receivers apply to the TXT records at <selector>._bimi (§7.2): "v", then
// optional white space around "=", then exactly "BIMI1", then the end,
// white space or ";".
func IsBIMI(txt string) bool {
	if !strings.HasPrefix(txt, "v") {
		return false
	}
	t := strings.TrimLeft(txt[1:], " \t")
	if !strings.HasPrefix(t, "=") {
		return false
	}
	t = strings.TrimLeft(t[1:], " \t")
	return strings.HasPrefix(t, "BIMI1") && (len(t) == 5 || strings.ContainsRune("; \t", rune(t[5])))
}

// Parse parses a BIMI record strictly: the error is ErrNotBIMI or the
// first problem of error severity (a *Problem).
func Parse(txt string) (*Record, error) {
	r, probs := parse(txt)
	if r == nil {
		return nil, ErrNotBIMI
	}
	for _, p := range probs {
		if p.Severity == lint.Error {
			return r, p
		}
	}
	return r, nil
}

// parse reads a record leniently; nil when txt is not BIMI.
//
//	bimi-record = bimi-version (bimi-sep bimi-location)
//	              [(bimi-sep bimi-evidence-location)] [(local-part-selector)]
//	              [(bimi-sep bimi-logo-preference)] [bimi-sep]
func parse(txt string) (*Record, []*Problem) {
	if !IsBIMI(txt) {
		return nil, nil
	}
	r := &Record{Raw: txt}
	var probs []*Problem
	add := func(rule lint.Rule, sev lint.Severity, span lint.Span, format string, args ...any) {
		probs = append(probs, &Problem{Rule: rule.ID, Severity: sev, Span: span, Reason: fmt.Sprintf(format, args...)})
	}
	tags, tprobs := tagvalue.Parse(txt)
	for _, p := range tprobs {
		add(ruleSyntax, lint.Error, p.Span, "%s", p.Reason)
	}
	seenL := false
	for i, t := range tags {
		switch t.Name {
		case "v":
			if i > 0 {
				add(ruleSyntax, lint.Error, t.Span, "v= appears again after the first tag")
			}
		case "l":
			seenL = true
			r.L, r.LSpan = t.Value, t.ValueSpan
			if t.Value != "" {
				checkURI(t.Value, "l", t.ValueSpan, add)
			}
		case "a":
			r.A, r.ASpan = t.Value, t.ValueSpan
			if t.Value != "" {
				checkURI(t.Value, "a", t.ValueSpan, add)
			}
		case "lps":
			r.LPS = t.Value
			if t.Value != "true" && t.Value != "false" {
				add(ruleSyntax, lint.Error, t.Span, "lps=%q must be true or false", t.Value)
			}
		case "avp":
			r.AVP = t.Value
			if t.Value != "brand" && t.Value != "personal" {
				add(ruleSyntax, lint.Warning, t.Span, "avp=%q must be brand or personal; receivers ignore it or reject the record", t.Value)
			}
		default:
			r.Unknown = append(r.Unknown, t.Name)
		}
	}
	if !seenL {
		add(ruleSyntax, lint.Error, lint.Span{}, "no l= tag: it is required (empty to decline); receivers reject the record")
	}
	return r, probs
}

func checkURI(v, tag string, span lint.Span, add func(lint.Rule, lint.Severity, lint.Span, string, ...any)) {
	if strings.Contains(v, ",") {
		add(ruleSyntax, lint.Error, span, "%s= must hold a single URI; a comma must be percent-encoded", tag)
		return
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		add(ruleSyntax, lint.Error, span, "%s=%q is not a URI", tag, v)
	case u.Scheme != "https":
		add(ruleNotHTTPS, lint.Error, span, "%s=%q: the only scheme allowed is https:", tag, v)
	case u.Hostname() == "" || !strings.Contains(u.Hostname(), "."):
		add(ruleNotHTTPS, lint.Error, span, "%s=%q: the URI must name a fully qualified host", tag, v)
	case tag == "l":
		switch ext := strings.ToLower(path.Ext(u.Path)); ext {
		case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico":
			add(ruleSyntax, lint.Error, span, "l=%q names a %s file: only SVG (SVG Tiny PS) indicators are allowed", v, ext)
		}
	}
}
