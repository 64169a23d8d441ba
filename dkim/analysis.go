package dkim

import (
	"context"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/internal/ask"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
)

// CheckOptions configure the DKIM check.
type CheckOptions struct {
	// Selectors are looked up first.
	Selectors []string
	// Discover probes the common selectors (Discover: about 30 questions).
	Discover bool
	// Expected are looked up after the zone files' own selectors: those a
	// provider's record set expects (Microsoft 365's selector1 and
	// selector2).
	Expected []string
}

// NewCheck returns the DKIM check: the key records of the selectors
// asked for, discovered, and — with zone files — every name under
// _domainkey the files hold. Its result is the []*Selector, in that order.
func NewCheck(o CheckOptions) *analysis.Check {
	return &analysis.Check{Name: "dkim", Doc: "the DKIM key records of the selectors asked for, and Microsoft 365's two (RFC 6376)",
		Rules: Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return run(ctx, p, o) }}
}

// maxAtOnce bounds the selectors looked up at the same time.
const maxAtOnce = 8

func run(ctx context.Context, p *analysis.Pass, o CheckOptions) (any, error) {
	sels := slices.Clone(o.Selectors)
	var out []*Selector
	if o.Discover {
		found, fs, err := Discover(ctx, p.Resolver, p.Domain)
		if err != nil {
			p.Fail("_domainkey."+p.Domain, err)
		}
		for _, s := range found {
			sels = slices.DeleteFunc(sels, func(x string) bool { return x == s.Selector })
		}
		out = append(out, found...)
		p.Report(fs...)
	}
	// A zone file lists its selectors: every name under _domainkey is
	// checked (keys, CNAMEs into the file or into providers).
	if p.Zone != nil {
		suffix := "._domainkey." + p.Domain + "."
		for _, owner := range p.Zone.Owners("_domainkey." + p.Domain) {
			sel := strings.TrimSuffix(owner, suffix)
			// A selector's labels start with a letter or digit (RFC 6376
			// §3.1, RFC 5321's sub-domain): _adsp._domainkey (RFC 5617)
			// and _report._domainkey (RFC 6651) are not keys.
			if sel == owner || strings.HasPrefix(sel, "_") || strings.Contains(sel, "._") {
				continue
			}
			if !slices.Contains(sels, sel) && !slices.ContainsFunc(out, func(s *Selector) bool { return s.Selector == sel }) {
				sels = append(sels, sel)
			}
		}
	}
	for _, s := range o.Expected {
		if !slices.Contains(sels, s) {
			sels = append(sels, s)
		}
	}
	got := lookupAll(ctx, p.Resolver, p.Domain, sels)
	for i, sel := range sels {
		if got[i].err != nil {
			p.Fail(sel+"._domainkey."+p.Domain, got[i].err)
			continue
		}
		out = append(out, got[i].s)
		p.Report(got[i].fs...)
	}
	for _, s := range out {
		if s.Status == StatusUnverified {
			p.Unverified(s.Target, "DKIM key of selector "+s.Selector)
		}
	}
	return out, nil
}

// looked is one selector looked up: Lookup's results.
type looked struct {
	s   *Selector
	fs  []lint.Finding
	err error
}

// lookupAll looks up domain's selectors, in order, at most maxAtOnce at a
// time (a zone file may hold thousands): each chunk's questions asked
// ahead, then each selector read in turn.
func lookupAll(ctx context.Context, r resolver.Resolver, domain string, sels []string) []looked {
	got := make([]looked, len(sels))
	for start := 0; start < len(sels); start += maxAtOnce {
		chunk := sels[start:min(start+maxAtOnce, len(sels))]
		qs := make([]ask.Question, len(chunk))
		for i, sel := range chunk {
			qs[i] = ask.Question{Name: sel + "._domainkey." + domain, Type: dns.TypeTXT}
		}
		func() {
			early := ask.Ahead(ctx, r, qs...)
			defer early.Wait() // after a panic too: no question left asked
			for i, sel := range chunk {
				g := &got[start+i]
				g.s, g.fs, g.err = Lookup(ctx, early, domain, sel)
			}
		}()
	}
	return got
}
