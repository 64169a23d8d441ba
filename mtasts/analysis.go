package mtasts

import (
	"context"

	"github.com/domainlint/domainlint/analysis"
)

// NewCheck returns the MTA-STS check: Lookup with o (the policy fetched
// only with o.Fetch), its result the *Report.
func NewCheck(o Options) *analysis.Check {
	return &analysis.Check{Name: "mtasts", Doc: "the MTA-STS record and, with Options.Fetch, the policy and whether it covers every MX (RFC 8461)",
		Rules: Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			r, fs, err := Lookup(ctx, p.Resolver, p.Domain, o)
			if err != nil {
				return nil, err
			}
			p.Report(fs...)
			return r, nil
		}}
}
