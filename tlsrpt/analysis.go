package tlsrpt

import (
	"context"
	"github.com/miekg/dns"
	"slices"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/mtasts"
)

// NewCheck returns the TLS-RPT check, which requires the MTA-STS and
// DANE checks given: a TLS-RPT record is expected where either is
// published. Its result is the *Report.
func NewCheck(mtastsCheck, daneCheck *analysis.Check) *analysis.Check {
	return &analysis.Check{Name: "tlsrpt", Doc: "the TLS-RPT record, expected wherever MTA-STS or DANE is published (RFC 8460)",
		Rules: Rules(), Requires: []*analysis.Check{mtastsCheck, daneCheck},
		Ahead: func(domain string) []analysis.Question {
			return []analysis.Question{{Name: "_smtp._tls." + domain, Type: dns.TypeTXT}}
		},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			m, _ := p.ResultOf[mtastsCheck].(*mtasts.Report)
			d, _ := p.ResultOf[daneCheck].(*dane.Report)
			opts := Options{MTASTS: m != nil && m.Published()}
			if d != nil {
				opts.DANE = slices.ContainsFunc(d.Hosts, func(h dane.Host) bool { return len(h.Records) > 0 })
			}
			r, fs, err := Lookup(ctx, p.Resolver, p.Domain, opts)
			if err != nil {
				return nil, err
			}
			p.Report(fs...)
			return r, nil
		}}
}
