package mx

import (
	"context"

	"github.com/domainlint/domainlint/analysis"
)

// NewCheck returns the MX check: Lookup, its result the *Report. The
// lookups of targets that failed are its failures, with the resolver's
// error kept (budget, timeout, temporary).
func NewCheck() *analysis.Check {
	return &analysis.Check{Name: "mx", Doc: "the MX records: targets that are aliases, addresses, missing or without addresses; null MX (RFC 5321 §5.1, RFC 7505)",
		Rules: Rules(), Run: run}
}

func run(ctx context.Context, p *analysis.Pass) (any, error) {
	r, fs, err := Lookup(ctx, p.Resolver, p.Domain)
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	for _, err := range r.Failures() {
		p.Fail("", err) // the resolver's error: its kind (budget, timeout, temporary) is kept
	}
	return r, nil
}
