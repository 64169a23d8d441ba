package spf

import (
	"context"
	"errors"
	"sync"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/resolver"
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
	// The walk's deeper failures are in its report as text; the typed
	// errors are the lookups that failed on the way, seen here.
	fr := &failures{r: p.Resolver}
	sr, fs, err := l.Lint(ctx, fr, p.Domain)
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	if len(sr.Errors) > 0 {
		for _, e := range fr.errs {
			p.Fail(e.name, e.err)
		}
	}
	for _, t := range sr.Unverified {
		p.Unverified(t, "SPF target: its lookups are not counted")
	}
	return sr, nil
}

// failures remembers the lookups that failed (not the unverified ones).
type failures struct {
	r    resolver.Resolver
	mu   sync.Mutex
	errs []struct {
		name string
		err  error
	}
}

func (f *failures) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	a, err := f.r.Lookup(ctx, name, qtype)
	if err != nil && !errors.Is(err, resolver.ErrUnverified) {
		f.mu.Lock()
		f.errs = append(f.errs, struct {
			name string
			err  error
		}{name, err})
		f.mu.Unlock()
	}
	return a, err
}
