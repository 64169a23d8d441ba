package dmarc

import (
	"context"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
)

// NewCheck returns the DMARC check: Lookup by both discovery algorithms,
// its result the *Discovery. A report destination that could not be
// checked (a timeout, a SERVFAIL) is a failure of the check (Pass.Fail),
// typed.
func NewCheck() *analysis.Check {
	return &analysis.Check{Name: "dmarc", Doc: "the DMARC policy by both discovery algorithms, and report authorization (RFC 7489, RFC 9989)",
		Rules: Rules(), Run: run}
}

func run(ctx context.Context, p *analysis.Pass) (any, error) {
	d, fs, err := Lookup(ctx, p.Resolver, p.Domain)
	if err != nil {
		return nil, err
	}
	if p.Zone != nil {
		unquoted(p.Zone, fs)
	}
	p.Report(fs...)
	// A report destination that could not be checked (a timeout, a
	// SERVFAIL) is something the check could not do: said, typed.
	for _, ra := range d.Reports {
		if ra.Failure != nil && !resolver.Unanswered(ra.Failure) {
			p.Fail(ra.Name, ra.Failure)
		}
	}
	for _, rh := range d.ReportHosts {
		if rh.Failure != nil && !resolver.Unanswered(rh.Failure) {
			p.Fail(rh.Host, rh.Failure)
		}
	}
	for _, pol := range []*Policy{d.RFC9989, d.RFC7489} {
		if pol.Unasked != "" {
			p.Unverified(pol.Unasked, "DMARC organizational domain ("+pol.Algorithm+")")
		}
	}
	for _, ra := range d.Reports {
		if ra.Err != "" {
			p.Unverified(ra.Name, "DMARC report authorization for "+ra.Host)
		}
	}
	return d, nil
}

// unquoted says why a record written without quotes in a zone file lost
// its tags: a ";" outside quotes starts a comment (RFC 1035 §5.1), so
// `_dmarc TXT v=DMARC1; p=reject` publishes "v=DMARC1" alone, and the
// rest of the line is the comment beside it. It amends the findings of
// a record of no tags but v= whose comment reads as the tags: the record
// with them is a valid one. The comment alone does not say whether the
// record was quoted (`"v=DMARC1" ; p=reject`), so the message says what
// the ";" does without quotes, not that they are missing.
func unquoted(z resolver.ZoneFiles, fs []lint.Finding) {
	for i := range fs {
		f := &fs[i]
		if f.Rule != ruleSyntax.ID || strings.Contains(f.Record, ";") || !strings.EqualFold(strings.TrimSpace(f.Record), "v=DMARC1") {
			continue
		}
		for _, c := range z.Comments(f.Name) {
			c = strings.TrimSpace(c)
			if tag, _, ok := strings.Cut(c, "="); !ok || !isTagName(strings.TrimSpace(tag)) {
				continue
			}
			whole := strings.TrimSpace(f.Record) + "; " + c
			if _, err := Parse(whole, RFC9989); err != nil {
				continue // a note that reads as a tag ("p=none until …"), not the record's tags
			}
			f.Message += fmt.Sprintf(". The zone file's line goes on after a \";\" (%q): in a record written without quotes the \";\" starts a comment, so only %q is published. Quote the whole record: %q", c, f.Record, whole)
			break
		}
	}
}

// isTagName reports whether s is a DMARC tag name as written (RFC 7489
// §6.4: ALPHA *ALPHANUMERIC), such as p or rua.
func isTagName(s string) bool {
	alpha := func(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
	if s == "" || !alpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !alpha(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}
