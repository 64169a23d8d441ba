package parked

import (
	"context"
	"slices"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/spf"
)

// NewCheck returns the parked-domain check, which requires the SPF,
// DMARC, DKIM and MX checks given and reads their results. A domain
// declared parked, or with a null MX, is graded as one that sends and
// receives no mail (Grade), and the findings of the rules Waives names
// are dropped (Pass.Supersede). Its result is the *Input graded, nil for
// a domain that is not parked.
func NewCheck(declared bool, spfCheck, dmarcCheck, dkimCheck, mxCheck *analysis.Check) *analysis.Check {
	return &analysis.Check{Name: "parked", Doc: "a domain that sends and receives no mail (null MX, or Options.Parked) publishes v=spf1 -all, DMARC p=reject and no DKIM keys",
		Rules: Rules(), Requires: []*analysis.Check{spfCheck, dmarcCheck, dkimCheck, mxCheck}, Supersedes: slices.Clone(waived),
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			in := &Input{Domain: p.Domain, Declared: declared}
			in.MX, _ = p.ResultOf[mxCheck].(*mx.Report)
			in.SPF, _ = p.ResultOf[spfCheck].(*spf.Report)
			in.DMARC, _ = p.ResultOf[dmarcCheck].(*dmarc.Discovery)
			in.DKIM, _ = p.ResultOf[dkimCheck].([]*dkim.Selector)
			if !in.IsParked() {
				return nil, nil
			}
			p.Supersede(func(fs []lint.Finding, drop []bool) {
				for i, f := range fs {
					drop[i] = Waives(f.Rule)
				}
			})
			p.Report(Grade(*in)...)
			return in, nil
		}}
}
