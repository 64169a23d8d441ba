package dmarc

import (
	"context"

	"github.com/domainlint/domainlint/analysis"
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
