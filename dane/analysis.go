package dane

import (
	"context"
	"github.com/domainlint/domainlint/dnssec"

	"github.com/domainlint/domainlint/analysis"
)

// NewCheck returns the DANE check: Lookup with o, its result the *Report.
func NewCheck(o Options) *analysis.Check {
	return &analysis.Check{Name: "dane", Doc: "TLSA records of the MX hosts, DANE for SMTP (RFC 7672), and Microsoft 365's inbound DANE with Options.DANE",
		Rules: Rules(), Ahead: dnssec.ProbeAhead(o.Probe), Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			r, fs, err := Lookup(ctx, p.Resolver, p.Domain, o)
			if err != nil {
				return nil, err
			}
			p.Report(fs...)
			return r, nil
		}}
}
