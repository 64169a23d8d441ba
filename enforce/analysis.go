package enforce

import (
	"context"
	"iter"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dmarc"
)

// CheckOptions configure the enforce check.
type CheckOptions struct {
	// Reports yields the rows of the domain's DMARC aggregate reports,
	// each call a fresh sequence read under the check's context; nil: the
	// check does nothing.
	Reports func(ctx context.Context) iter.Seq[Row]
	// Policy is the policy to weigh ("quarantine", "reject"); empty: the
	// zone's, or quarantine when it is p=none.
	Policy string
	// PTR looks up each source's name (live runs only).
	PTR bool
}

// NewCheck returns the enforce check, which requires the DMARC check
// given: it replays the aggregate-report rows against the zone under its
// policy or, when it is p=none, under p=quarantine — the next step the
// Microsoft 365 onboarding stage asks about. Its result is the *Result.
func NewCheck(o CheckOptions, dmarcCheck *analysis.Check) *analysis.Check {
	return &analysis.Check{Name: "enforce", Doc: "with Options.Reports: which mail in the domain's DMARC aggregate reports the zone's policy (or enforcement, at p=none) would quarantine or reject",
		Rules: Rules(), Requires: []*analysis.Check{dmarcCheck},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			if o.Reports == nil {
				return nil, nil
			}
			d, _ := p.ResultOf[dmarcCheck].(*dmarc.Discovery)
			if d == nil {
				return nil, nil
			}
			eff := d.Effective()
			// A policy asked for is weighed as a proposal; only the
			// quarantine weighed on its own at p=none is a question,
			// whose findings are softer.
			policy, asked := o.Policy, false
			if eff.Record == nil || strings.EqualFold(eff.Record.P, "none") && policy == "" {
				policy, asked = "quarantine", true
			}
			res, err := Evaluate(ctx, p.Resolver, p.Domain, o.Reports(ctx), Options{Policy: policy, PTR: o.PTR})
			if err != nil {
				return nil, err
			}
			name, record := "_dmarc."+p.Domain, ""
			if eff.Record != nil {
				name, record = "_dmarc."+eff.PolicyDomain, eff.Record.Raw
			}
			p.Report(res.Findings(name, record, asked)...)
			return res, nil
		}}
}
