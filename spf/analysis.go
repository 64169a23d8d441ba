package spf

import (
	"context"

	"github.com/domainlint/domainlint/analysis"
)

// NewCheck returns the SPF check, walking the domain's policy as l
// configures: its result is the *Report (the tree, the lookup count),
// its findings those of Lint. The lookups that failed on the way are its
// failures (Pass.Fail), the targets not verified offline its unverified
// names.
func NewCheck(l Linter) *analysis.Check {
	return &analysis.Check{Name: "spf", Doc: "the SPF policy: its tree, the lookup count, every record on the way (RFC 7208)",
		Rules: Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return run(ctx, p, l) }}
}

func run(ctx context.Context, p *analysis.Pass, l Linter) (any, error) {
	sr, fs, err := l.Lint(ctx, p.Resolver, p.Domain)
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	// The lookups of the walk that failed, typed (errors.Is tells why).
	for _, f := range sr.failures {
		p.Fail(f.name, f.err)
	}
	for _, t := range sr.Unverified {
		p.Unverified(t, "SPF target: the lookups below it are not counted")
	}
	return sr, nil
}
