package dnssec

import (
	"context"

	"github.com/domainlint/domainlint/analysis"
)

// NewCheck returns the DNSSEC check: Lookup, its result the *Report.
func NewCheck() *analysis.Check {
	return &analysis.Check{Name: "dnssec", Doc: "whether the mail records' answers were authenticated by a validating resolver (RFC 4035)",
		Rules: Rules(), Run: run, Ahead: ProbeAhead(Question{})}
}

// ProbeAhead is the analysis.Check.Ahead of a check that assesses answers
// as Lookup and Assess do: it asks the probe (DefaultProbe when probe is
// zero) ahead — the question asked last, once no answer came
// authenticated, which is every time through a resolver that does not
// validate.
func ProbeAhead(probe Question) func(string) []analysis.Question {
	if probe.Name == "" {
		probe = DefaultProbe
	}
	return func(string) []analysis.Question {
		return []analysis.Question{{Name: probe.Name, Type: probe.Type}}
	}
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
