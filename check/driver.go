package check

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/bimi"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/m365"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/parked"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/spf"
	"github.com/domainlint/domainlint/tlsrpt"
)

// driver runs one domain's checks and keeps what they hand back: the
// findings (selected, waived), the failures, the results, the folds and
// why names were not verified.
type driver struct {
	rep  *Report
	sel  *selection
	zone resolver.ZoneFiles
	res  resolver.Resolver // the recorder the checks ask through
	// order is the checks run: those selected, then what they require.
	order []*analysis.Check
	// plan, when made before (a sweep's), is the order of its checks.
	plan *plan

	mu      sync.Mutex
	results map[*analysis.Check]any
	folds   map[*analysis.Check][]func(fs []lint.Finding, drop []bool)
	why     map[*analysis.Check]map[string]string
}

// pass returns the Pass of c.
func (d *driver) pass(c *analysis.Check) *analysis.Pass {
	p := &analysis.Pass{Check: c, Domain: d.rep.Domain, Resolver: d.res, Zone: d.zone}
	if len(c.Requires) > 0 {
		// A check that requires none reads a nil map: nothing to allocate.
		p.ResultOf = make(map[*analysis.Check]any, len(c.Requires))
		d.mu.Lock()
		for _, r := range c.Requires {
			p.ResultOf[r] = d.results[r]
		}
		d.mu.Unlock()
	}
	p.Fail = func(name string, err error) {
		if name == "" {
			name = p.Domain
		}
		d.rep.fail(&CheckError{Check: c.Name, Name: strings.TrimSuffix(name, "."), Err: err})
	}
	p.Report = func(fs ...lint.Finding) {
		keep := fs[:0:0]
		for _, f := range fs {
			switch {
			case !slices.ContainsFunc(c.Rules, func(r lint.Rule) bool { return r.ID == f.Rule }):
				p.Fail(f.Name, fmt.Errorf("%w: %s is not in the rules of check %q (%s)", ErrUndeclaredRule, f.Rule, c.Name, f.Message))
			case !d.sel.enabled(f.Rule):
			case d.waive(f):
			default:
				keep = append(keep, f)
			}
		}
		d.rep.add(keep...)
	}
	p.Unverified = func(name, why string) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.why == nil {
			d.why = map[*analysis.Check]map[string]string{}
		}
		if d.why[c] == nil {
			d.why[c] = map[string]string{}
		}
		if _, ok := d.why[c][name]; !ok {
			d.why[c][name] = why
		}
	}
	p.Supersede = func(fold func(fs []lint.Finding, drop []bool)) {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.folds == nil {
			d.folds = map[*analysis.Check][]func([]lint.Finding, []bool){}
		}
		d.folds[c] = append(d.folds[c], fold)
	}
	return p
}

// waive reports whether a zone file waives f, and counts the waiver.
func (d *driver) waive(f lint.Finding) bool {
	pattern, ok := d.sel.waived(f.Name, f.Rule)
	if !ok {
		return false
	}
	rep := d.rep
	rep.mu.Lock()
	defer rep.mu.Unlock()
	rep.Waived++
	w := Waiver{Name: f.Name, Rule: pattern}
	if i := slices.IndexFunc(rep.Waivers, func(x Waiver) bool { return x.Name == w.Name && x.Rule == w.Rule }); i >= 0 {
		rep.Waivers[i].Findings++
	} else {
		w.Findings = 1
		rep.Waivers = append(rep.Waivers, w)
	}
	return true
}

// run runs the checks in dependency order, each as soon as the checks it
// requires are done, concurrently otherwise; then it applies their folds
// and stores their results in the report. A check none of whose rules is
// selected is skipped, unless a check that runs requires it.
func (d *driver) run(ctx context.Context, checks []*analysis.Check, valid bool) {
	// folds and why are made by the first check that needs them.
	d.results = make(map[*analysis.Check]any, len(checks))
	// The default checks are known valid: validated by a test, not per domain.
	if !valid {
		if err := analysis.Validate(checks); err != nil {
			d.rep.fail(&CheckError{Name: d.rep.Domain, Err: fmt.Errorf("%w: %w", ErrBadCheck, err)})
			return
		}
	}

	pl := d.plan
	if pl == nil || !slices.Equal(pl.checks, checks) {
		pl = newPlan(checks, d.sel)
	}
	order := pl.order
	// The questions the checks declare ahead are asked now: those that
	// wait for others find them answered, and those that ask them last
	// (the DNSSEC probe) too.
	if rec, ok := d.res.(interface {
		ahead(context.Context, []analysis.Question)
		settle()
	}); ok {
		defer rec.settle()
		var qs []analysis.Question
		for _, c := range order {
			if c.Ahead != nil {
				qs = append(qs, c.Ahead(d.rep.Domain)...)
			}
		}
		rec.ahead(ctx, qs)
	}
	// A check that others require closes its channel when it is done;
	// most are required by none, and need none.
	done := make([]chan struct{}, len(order))
	for i := range order {
		if pl.required[i] {
			done[i] = make(chan struct{})
		}
	}
	var wg sync.WaitGroup
	for i, c := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if done[i] != nil {
				defer close(done[i])
			}
			for _, r := range pl.requires[i] {
				select {
				case <-done[r]:
				case <-ctx.Done():
					return
				}
			}
			p := d.pass(c)
			defer func() {
				// A panicking check is a result, not a crash (zlint).
				if v := recover(); v != nil {
					p.Fail("", fmt.Errorf("%w: %v", ErrCheckPanicked, v))
				}
			}()
			v, err := c.Run(ctx, p)
			if err != nil {
				p.Fail("", err)
				return
			}
			d.mu.Lock()
			d.results[c] = v
			d.mu.Unlock()
		}()
	}
	wg.Wait()
	d.order = order
	// The checks listed last fold first, and those listed first have the
	// last word: a parked domain's waivers drop what does not apply before
	// the Microsoft 365 diff folds its findings into the protocols'.
	for _, c := range slices.Backward(order) {
		for _, fold := range d.folds[c] {
			d.fold(c, fold)
		}
	}
	for _, c := range order {
		d.store(d.results[c])
	}
}

// plan is the checks a run runs, and in what order: those whose rules
// the selection leaves, then what they require. A sweep makes it once.
type plan struct {
	checks   []*analysis.Check // what it was made of
	order    []*analysis.Check
	requires [][]int // by position in order: the positions of its Requires
	required []bool  // by position in order: whether another check requires it
}

func newPlan(checks []*analysis.Check, sel *selection) *plan {
	needed := map[*analysis.Check]bool{}
	var need func(c *analysis.Check)
	need = func(c *analysis.Check) {
		if needed[c] {
			return
		}
		needed[c] = true
		for _, r := range c.Requires {
			need(r)
		}
	}
	for _, c := range checks {
		if slices.ContainsFunc(c.Rules, func(r lint.Rule) bool { return sel.enabled(r.ID) }) {
			need(c)
		}
	}
	pl := &plan{checks: checks}
	for _, c := range checks {
		if needed[c] {
			pl.order = append(pl.order, c)
		}
	}
	for i := 0; i < len(pl.order); i++ {
		for _, r := range pl.order[i].Requires {
			if !slices.Contains(pl.order, r) {
				pl.order = append(pl.order, r)
			}
		}
	}
	pl.requires = make([][]int, len(pl.order))
	pl.required = make([]bool, len(pl.order))
	for i, c := range pl.order {
		for _, r := range c.Requires {
			j := slices.Index(pl.order, r)
			pl.requires[i] = append(pl.requires[i], j)
			pl.required[j] = true
		}
	}
	return pl
}

// fold applies one check's fold to the findings of its own rules and of
// the rules its Supersedes names.
func (d *driver) fold(c *analysis.Check, fold func([]lint.Finding, []bool)) {
	rep := d.rep
	var at []int
	for i, f := range rep.Findings {
		if slices.ContainsFunc(c.Rules, func(r lint.Rule) bool { return r.ID == f.Rule }) ||
			slices.ContainsFunc(c.Supersedes, func(p string) bool { return analysis.Matches(f.Rule, p) }) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return
	}
	fs, drop := make([]lint.Finding, len(at)), make([]bool, len(at))
	for k, i := range at {
		fs[k] = rep.Findings[i]
	}
	fold(fs, drop)
	dropped := make([]bool, len(rep.Findings))
	for k, i := range at {
		fs[k].Rule, fs[k].Name = rep.Findings[i].Rule, rep.Findings[i].Name
		rep.Findings[i] = fs[k]
		dropped[i] = drop[k]
	}
	out := rep.Findings[:0]
	for i, f := range rep.Findings {
		if !dropped[i] {
			out = append(out, f)
		}
	}
	rep.Findings = out
}

// store puts a check's result in its place in the report.
func (d *driver) store(v any) {
	rep := d.rep
	switch v := v.(type) {
	case *spf.Report:
		rep.SPF = v
	case *dmarc.Discovery:
		rep.DMARC = v
	case []*dkim.Selector:
		rep.DKIM = append(rep.DKIM, v...)
	case *m365.Result:
		rep.Diff = append(rep.Diff, v.Diff...)
		rep.verifyRecord = rep.verifyRecord || v.VerifyRecord
		if rep.parentVerified == "" {
			rep.parentVerified = v.ParentVerified
		}
	case *mx.Report:
		rep.MX = v
	case *parked.Input:
		rep.Parked = true
	case *dnssec.Report:
		rep.DNSSEC = v
	case *dane.Report:
		rep.DANE = v
	case *mtasts.Report:
		rep.MTASTS = v
	case *tlsrpt.Report:
		rep.TLSRPT = v
	case *bimi.Report:
		rep.BIMI = v
	case *enforce.Result:
		rep.Enforcement = v
	case *smtpprobe.Report:
		rep.SMTP = v
	}
}

// explainUnverified says what each unverified question was for, as the
// checks that asked it said (the first check of the slice that did), and
// sorts the list.
func (d *driver) explainUnverified() {
	rep := d.rep
	if len(rep.Unverified) == 0 {
		return
	}
	for i, u := range rep.Unverified {
		for _, c := range d.order {
			if why, ok := d.why[c][u.Name]; ok {
				rep.Unverified[i].For, rep.Unverified[i].Check = why, c.Name
				break
			}
		}
	}
	slices.SortFunc(rep.Unverified, func(a, b Unverified) int {
		return strings.Compare(a.Name+" "+a.Type, b.Name+" "+b.Type)
	})
}
