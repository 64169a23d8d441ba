package dnssec

import (
	"context"

	"github.com/domainlint/domainlint/analysis"
)

// NewCheck returns the DNSSEC check: Lookup, its result the *Report.
func NewCheck() *analysis.Check {
	return &analysis.Check{Name: "dnssec", Doc: "whether the mail records' answers were authenticated by a validating resolver (RFC 4035)",
		Rules: Rules(), Run: run}
}

func run(ctx context.Context, p *analysis.Pass) (any, error) {
	r, fs, err := Lookup(ctx, p.Resolver, p.Domain, Options{})
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	if r.Probe != nil {
		name := r.Probe.Name
		if name == "" {
			name = "."
		}
		p.Unverified(name, "DNSSEC probe: whether the resolver validates")
	}
	return r, nil
}
