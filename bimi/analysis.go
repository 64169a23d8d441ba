package bimi

import (
	"strings"

	"context"
	"github.com/miekg/dns"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dmarc"
)

// NewCheck returns the BIMI check, which requires the DMARC check given
// (o.DMARC is its result): Lookup with o, its result the *Report.
func NewCheck(o Options, dmarcCheck *analysis.Check) *analysis.Check {
	return &analysis.Check{Name: "bimi", Doc: "the BIMI assertion record, DMARC at enforcement and, with Options.Fetch, the SVG indicator",
		Rules: Rules(), Requires: []*analysis.Check{dmarcCheck},
		Ahead: func(domain string) []analysis.Question {
			sel := strings.ToLower(o.Selector)
			if sel == "" {
				sel = "default"
			}
			qs := []analysis.Question{{Name: sel + "._bimi." + domain, Type: dns.TypeTXT}}
			// A subdomain's fallback to its organizational domain (asked
			// unless the subdomain has a record of its own, which is rare).
			if org := dmarc.OrgDomainPSL(domain); org != domain {
				qs = append(qs, analysis.Question{Name: sel + "._bimi." + org, Type: dns.TypeTXT})
			}
			return qs
		},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			o := o
			o.DMARC, _ = p.ResultOf[dmarcCheck].(*dmarc.Discovery)
			r, fs, err := Lookup(ctx, p.Resolver, p.Domain, o)
			if err != nil {
				return nil, err
			}
			p.Report(fs...)
			return r, nil
		}}
}
