package check

import (
	"context"
	"fmt"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/miekg/dns"
	"slices"
	"strings"
	"sync"

	"github.com/domainlint/domainlint/bimi"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/parked"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/tlsrpt"
)

// A Check is one part of a domain's check, as data, in the shape of
// golang.org/x/tools/go/analysis.Analyzer: a name, the rules its findings
// may carry, the checks whose results it reads, and Run. Domain runs a
// slice of them (Options.Checks, or Checks()); the rule catalogue is what
// that slice declares, and a finding of a rule its check does not declare
// is reported as an error of the check.
type Check struct {
	// Name is short and stable: "spf", "dmarc", "dkim", "m365".
	Name string
	// Doc says in a sentence what the check looks at.
	Doc string
	// Rules are every rule the check's findings may carry.
	Rules []lint.Rule
	// Requires are the checks that must have run first: Run may read
	// their results from Pass.Result.
	Requires []*Check
	// Run does the check. Its error means the check could not run at all
	// (the domain's own record could not be fetched); failures of single
	// lookups go through Pass.Fail and the check goes on.
	Run func(ctx context.Context, p *Pass) error
}

// Pass is what a Check's Run works with.
type Pass struct {
	Check *Check
	// Domain is the domain checked: lowercase, no trailing dot.
	Domain string
	// Resolver asks through the check's recorder: its questions are
	// counted, compared by CompareViews, and its packets charged to the
	// domain's budget (through the context).
	Resolver resolver.Resolver
	// Options are the check's options (Set resolved from Expect).
	Options *Options

	rep  *Report
	sel  *selection
	zone resolver.ZoneFiles
}

// Report adds findings. Findings of rules the options deselect, or that a
// zone file waives with `; ignore "rule-id"` beside the record, are
// dropped; a finding of a rule the check does not declare becomes an error
// of the check.
func (p *Pass) Report(fs ...lint.Finding) {
	keep := fs[:0:0]
	for _, f := range fs {
		switch {
		case !slices.ContainsFunc(p.Check.Rules, func(r lint.Rule) bool { return r.ID == f.Rule }):
			p.Fail(f.Name, fmt.Errorf("%w: %s is not in the rules of check %q (%s)", ErrUndeclaredRule, f.Rule, p.Check.Name, f.Message))
		case !p.sel.enabled(f.Rule):
		case p.waive(f):
		default:
			keep = append(keep, f)
		}
	}
	p.rep.add(keep...)
}

// waive reports whether a zone file waives f, and counts the waiver.
func (p *Pass) waive(f lint.Finding) bool {
	pattern, ok := p.sel.waived(f.Name, f.Rule)
	if !ok {
		return false
	}
	p.rep.mu.Lock()
	defer p.rep.mu.Unlock()
	p.rep.Waived++
	w := Waiver{Name: f.Name, Rule: pattern}
	if i := slices.IndexFunc(p.rep.Waivers, func(x Waiver) bool { return x.Name == w.Name && x.Rule == w.Rule }); i >= 0 {
		p.rep.Waivers[i].Findings++
	} else {
		w.Findings = 1
		p.rep.Waivers = append(p.rep.Waivers, w)
	}
	return true
}

// Fail records that a part of the check could not be done: name is the
// DNS name concerned (the domain when empty), err the cause.
func (p *Pass) Fail(name string, err error) {
	if name == "" {
		name = p.Domain
	}
	p.rep.fail(&CheckError{Check: p.Check.Name, Name: strings.TrimSuffix(name, "."), Err: err})
}

// Set changes the report under its lock: a check stores its results.
func (p *Pass) Set(f func(r *Report)) {
	p.rep.mu.Lock()
	defer p.rep.mu.Unlock()
	f(p.rep)
}

// Result returns the report, to read the results of the checks in
// Requires (they have finished when Run starts). Reading other parts of
// it races with the checks still running.
func (p *Pass) Result() *Report { return p.rep }

// Checks returns the checks Domain runs by default, new values each call:
// SPF, DMARC, DKIM, the Microsoft 365 diff (with Options.Set or Expect),
// MX, parked domains, DNSSEC, DANE, MTA-STS, TLS-RPT and BIMI. Only DNS is
// asked unless Options.Fetch allows the MTA-STS and BIMI fetches.
func Checks() []*Check {
	spfCheck := &Check{Name: "spf", Doc: "the SPF policy: its tree, the lookup count, every record on the way (RFC 7208)",
		Rules: spfRules(), Run: runSPF}
	dkimCheck := &Check{Name: "dkim", Doc: "the DKIM key records of the selectors asked for, and Microsoft 365's two (RFC 6376)",
		Rules: dkim.Rules(), Run: runDKIM}
	dmarcCheck := &Check{Name: "dmarc", Doc: "the DMARC policy by both discovery algorithms, and report authorization (RFC 7489, RFC 9989)",
		Rules: dmarc.Rules(), Run: runDMARC}
	m365 := &Check{Name: "m365", Doc: "the diff against the Microsoft 365 record set (with Options.Set or Expect)",
		Rules: m365Rules(), Requires: []*Check{spfCheck, dkimCheck}, Run: runM365}
	dnssecCheck := &Check{Name: "dnssec", Doc: "whether the mail records' answers were authenticated by a validating resolver (RFC 4035)",
		Rules: dnssec.Rules(), Run: runDNSSEC}
	daneCheck := &Check{Name: "dane", Doc: "TLSA records of the MX hosts, DANE for SMTP (RFC 7672), and Microsoft 365's inbound DANE with Options.DANE",
		Rules: dane.Rules(), Run: runDANE}
	mxCheck := &Check{Name: "mx", Doc: "the MX records: targets that are aliases, addresses, missing or without addresses; null MX (RFC 5321 §5.1, RFC 7505)",
		Rules: mxRules(), Run: runMX}
	parked := &Check{Name: "parked", Doc: "a domain that sends and receives no mail (null MX, or Options.Parked) publishes v=spf1 -all, DMARC p=reject and no DKIM keys",
		Rules: parkedRules(), Requires: []*Check{spfCheck, dmarcCheck, dkimCheck, mxCheck}, Run: runParked}
	mtastsCheck := &Check{Name: "mtasts", Doc: "the MTA-STS record and, with Options.Fetch, the policy and whether it covers every MX (RFC 8461)",
		Rules: mtasts.Rules(), Run: runMTASTS}
	tlsrptCheck := &Check{Name: "tlsrpt", Doc: "the TLS-RPT record, expected wherever MTA-STS or DANE is published (RFC 8460)",
		Rules: tlsrpt.Rules(), Requires: []*Check{mtastsCheck, daneCheck}, Run: runTLSRPT}
	bimiCheck := &Check{Name: "bimi", Doc: "the BIMI assertion record, DMARC at enforcement and, with Options.Fetch, the SVG indicator",
		Rules: bimi.Rules(), Requires: []*Check{dmarcCheck}, Run: runBIMI}
	zoneCheck := &Check{Name: "zone", Doc: "with zone files: what the zone's server refuses or ignores (a CNAME beside other data, no SOA or NS at the apex, records outside the zone)",
		Rules: zoneRules(), Requires: []*Check{m365}, Run: runZone}
	enforceCheck := &Check{Name: "enforce", Doc: "with Options.Reports: which mail in the domain's DMARC aggregate reports the zone's policy (or enforcement, at p=none) would quarantine or reject",
		Rules: enforce.Rules(), Requires: []*Check{dmarcCheck}, Run: runEnforce}
	smtpCheck := &Check{Name: "smtp", Doc: "with Options.SMTP: each MX host as it answers on port 25 — STARTTLS, TLS version, certificates, and the TLSA records and MTA-STS policy matched against what it serves (RFC 3207, RFC 7672, RFC 8461)",
		Rules: smtpprobe.Rules(), Requires: []*Check{mxCheck, daneCheck, mtastsCheck}, Run: runSMTP}
	return []*Check{zoneCheck, spfCheck, dmarcCheck, dkimCheck, m365, mxCheck, parked, dnssecCheck, daneCheck, mtastsCheck, tlsrptCheck, bimiCheck, enforceCheck, smtpCheck}
}

func runMTASTS(ctx context.Context, p *Pass) error {
	f := p.Options.HTTPS
	r, fs, err := mtasts.Lookup(ctx, p.Resolver, p.Domain, mtasts.Options{Fetch: p.Options.Fetch, Timeout: f.Timeout, Roots: f.Roots, Port: f.Port, AllowPrivate: f.AllowPrivate})
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.MTASTS = r })
	p.Report(fs...)
	return nil
}

func runTLSRPT(ctx context.Context, p *Pass) error {
	rep := p.Result()
	opts := tlsrpt.Options{MTASTS: rep.MTASTS != nil && rep.MTASTS.Published()}
	if rep.DANE != nil {
		opts.DANE = slices.ContainsFunc(rep.DANE.Hosts, func(h dane.Host) bool { return len(h.Records) > 0 })
	}
	r, fs, err := tlsrpt.Lookup(ctx, p.Resolver, p.Domain, opts)
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.TLSRPT = r })
	p.Report(fs...)
	return nil
}

func runBIMI(ctx context.Context, p *Pass) error {
	f := p.Options.HTTPS
	r, fs, err := bimi.Lookup(ctx, p.Resolver, p.Domain, bimi.Options{DMARC: p.Result().DMARC, Fetch: p.Options.Fetch, Timeout: f.Timeout, Roots: f.Roots, Port: f.Port, AllowPrivate: f.AllowPrivate})
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.BIMI = r })
	p.Report(fs...)
	return nil
}

func mxRules() []lint.Rule { return mx.Rules() }

func parkedRules() []lint.Rule { return parked.Rules() }

// runEnforce replays the domain's aggregate-report rows against the zone:
// under its policy, or, when it is p=none, under p=quarantine — the next
// step the onboarding stage asks about.
func runEnforce(ctx context.Context, p *Pass) error {
	if p.Options.Reports == nil {
		return nil
	}
	d := p.Result().DMARC
	if d == nil {
		return nil
	}
	eff := d.Effective()
	// A policy asked for (EnforcePolicy) is weighed as a proposal; only
	// the quarantine weighed on its own at p=none is a question, whose
	// findings are softer.
	policy, asked := p.Options.EnforcePolicy, false
	if eff.Record == nil || strings.EqualFold(eff.Record.P, "none") && policy == "" {
		policy, asked = "quarantine", true
	}
	res, err := enforce.Evaluate(ctx, p.Resolver, p.Domain, p.Options.Reports(ctx), enforce.Options{Policy: policy, PTR: p.Options.Fetch})
	if err != nil {
		return err
	}
	p.Set(func(r *Report) { r.Enforcement = res })
	name, record := "_dmarc."+p.Domain, ""
	if eff.Record != nil {
		name, record = "_dmarc."+eff.PolicyDomain, eff.Record.Raw
	}
	p.Report(res.Findings(name, record, asked)...)
	return nil
}

// runSMTP probes the MX hosts (Options.SMTP), with the TLSA RRsets DNSSEC
// authenticated and the MTA-STS policy fetched.
func runSMTP(ctx context.Context, p *Pass) error {
	if p.Options.SMTP == nil {
		return nil
	}
	rep := p.Result()
	if rep.MX == nil || rep.Parked {
		return nil
	}
	in := smtpprobe.Input{TLSA: map[string][]*dns.TLSA{}}
	for _, h := range rep.MX.Hosts {
		if h.Target != "" && h.Target != "." {
			in.MX = append(in.MX, strings.TrimSuffix(strings.ToLower(h.Target), "."))
		}
	}
	if len(in.MX) == 0 {
		return nil
	}
	if m := rep.MTASTS; m != nil && m.Policy != nil && m.Policy.Valid {
		in.Policy = m.Policy.Policy
	}
	if d := rep.DANE; d != nil {
		for _, h := range d.Hosts {
			if h.Status != dnssec.Secure {
				continue // senders use only authenticated RRsets (RFC 7672 §2.2)
			}
			for _, t := range h.Records {
				in.TLSA[strings.TrimSuffix(strings.ToLower(h.Host), ".")] = append(in.TLSA[strings.TrimSuffix(strings.ToLower(h.Host), ".")],
					&dns.TLSA{Hdr: dns.RR_Header{Name: dns.Fqdn(h.TLSAName), Rrtype: dns.TypeTLSA, Class: dns.ClassINET}, Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Certificate: t.Hex})
			}
		}
	}
	r, fs, err := p.Options.SMTP.Probe(ctx, p.Resolver, p.Domain, in)
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.SMTP = r })
	p.Report(fs...)
	return nil
}

func runMX(ctx context.Context, p *Pass) error {
	r, fs, err := mx.Lookup(ctx, p.Resolver, p.Domain)
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.MX = r })
	p.Report(fs...)
	for _, err := range r.Failures() {
		p.Fail("", err) // the resolver's error: its kind (budget, timeout, temporary) is kept
	}
	return nil
}

// runParked grades a parked domain as one that must not send, and drops
// the findings that make no sense for it (no rua, no DKIM, ~all).
func runParked(ctx context.Context, p *Pass) error {
	rep := p.Result()
	in := parked.Input{Domain: p.Domain, MX: rep.MX, Declared: p.Options.Parked, SPF: rep.SPF, DMARC: rep.DMARC, DKIM: rep.DKIM}
	if !in.IsParked() {
		return nil
	}
	p.Set(func(r *Report) {
		r.Parked = true
		r.Findings = slices.DeleteFunc(r.Findings, func(f lint.Finding) bool { return parked.Waives(f.Rule) })
	})
	p.Report(parked.Grade(in)...)
	return nil
}

// Rules returns the rule catalogue of the default checks: what Checks()
// declares, each rule once.
func Rules() []lint.Rule { return catalogue(Checks()) }

func catalogue(checks []*Check) []lint.Rule {
	var out []lint.Rule
	seen := map[string]bool{}
	for _, c := range checks {
		for _, r := range c.Rules {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	return out
}

func runSPF(ctx context.Context, p *Pass) error {
	// The walk's deeper failures are in its report as text; the typed
	// errors are the lookups that failed on the way, seen here.
	fr := &failures{r: p.Resolver}
	sr, fs, err := p.Options.SPF.Lint(ctx, fr, p.Domain)
	if err != nil {
		return err
	}
	p.Set(func(r *Report) { r.SPF = sr })
	p.Report(fs...)
	if len(sr.Errors) > 0 {
		for _, e := range fr.errs {
			p.Fail(e.name, e.err)
		}
	}
	return nil
}

func runDMARC(ctx context.Context, p *Pass) error {
	d, fs, err := dmarc.Lookup(ctx, p.Resolver, p.Domain)
	if err != nil {
		return err
	}
	p.Set(func(r *Report) { r.DMARC = d })
	p.Report(fs...)
	// A report destination that could not be checked (a timeout, a
	// SERVFAIL) is something the check could not do: said, typed.
	for _, ra := range d.Reports {
		if ra.Failure != nil && !resolver.Unanswered(ra.Failure) {
			p.Fail(ra.Name, ra.Failure)
		}
	}
	for _, rh := range d.ReportHosts {
		if rh.Failure != nil && !resolver.Unanswered(rh.Failure) {
			p.Fail(rh.Host, rh.Failure)
		}
	}
	return nil
}

func runDKIM(ctx context.Context, p *Pass) error {
	sels := slices.Clone(p.Options.Selectors)
	if p.Options.Discover {
		found, fs, err := dkim.Discover(ctx, p.Resolver, p.Domain)
		if err != nil {
			p.Fail("_domainkey."+p.Domain, err)
		}
		for _, s := range found {
			sels = slices.DeleteFunc(sels, func(x string) bool { return x == s.Selector })
		}
		p.Set(func(r *Report) { r.DKIM = append(r.DKIM, found...) })
		p.Report(fs...)
	}
	// A zone file lists its selectors: every name under _domainkey is
	// checked (keys, CNAMEs into the file or into providers).
	if p.zone != nil {
		suffix := "._domainkey." + p.Domain + "."
		for _, owner := range p.zone.Owners("_domainkey." + p.Domain) {
			sel := strings.TrimSuffix(owner, suffix)
			// A selector's labels start with a letter or digit (RFC 6376
			// §3.1, RFC 5321's sub-domain): _adsp._domainkey (RFC 5617)
			// and _report._domainkey (RFC 6651) are not keys.
			if sel == owner || strings.HasPrefix(sel, "_") || strings.Contains(sel, "._") {
				continue
			}
			if !slices.Contains(sels, sel) && !discovered(p, sel) {
				sels = append(sels, sel)
			}
		}
	}
	if p.Options.Set != nil && len(p.Options.Set.ByPurpose(records.DKIM1)) > 0 {
		for _, s := range []string{"selector1", "selector2"} {
			if !slices.Contains(sels, s) {
				sels = append(sels, s)
			}
		}
	}
	for _, sel := range sels {
		s, fs, err := dkim.Lookup(ctx, p.Resolver, p.Domain, sel)
		if err != nil {
			p.Fail(sel+"._domainkey."+p.Domain, err)
			continue
		}
		p.Set(func(r *Report) { r.DKIM = append(r.DKIM, s) })
		p.Report(fs...)
	}
	return nil
}

// discovered reports whether discovery already reported selector sel.
func discovered(p *Pass, sel string) bool {
	var found bool
	p.Set(func(r *Report) {
		found = slices.ContainsFunc(r.DKIM, func(s *dkim.Selector) bool { return s.Selector == sel })
	})
	return found
}

func runM365(ctx context.Context, p *Pass) error {
	if p.Options.Set == nil {
		return nil
	}
	diff(ctx, p, p.zone, p.Options.Set)
	if len(p.Options.Set.ByPurpose(records.Verify)) == 0 {
		// The verify workload is not asked for, but an MS= record still
		// shows the domain was verified: the stage reads it.
		if a, err := p.Resolver.Lookup(ctx, p.Domain, dns.TypeTXT); err == nil {
			for _, rr := range a.Records {
				if verifyCodeRE.MatchString(rrtext.TXT(rr)) {
					p.Set(func(r *Report) { r.verifyRecord = true })
				}
			}
		}
	}
	return nil
}

func runDNSSEC(ctx context.Context, p *Pass) error {
	r, fs, err := dnssec.Lookup(ctx, p.Resolver, p.Domain, dnssec.Options{})
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.DNSSEC = r })
	p.Report(fs...)
	return nil
}

func runDANE(ctx context.Context, p *Pass) error {
	r, fs, err := dane.Lookup(ctx, p.Resolver, p.Domain, dane.Options{RequireM365: p.Options.DANE})
	if err != nil {
		return err
	}
	p.Set(func(rep *Report) { rep.DANE = r })
	p.Report(fs...)
	return nil
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
	if err != nil && !isUnverified(err) {
		f.mu.Lock()
		f.errs = append(f.errs, struct {
			name string
			err  error
		}{name, err})
		f.mu.Unlock()
	}
	return a, err
}

// run runs the checks in dependency order, each as soon as the checks it
// requires are done, concurrently otherwise. A check none of whose rules
// is selected is skipped, unless a check that runs requires it.
func run(ctx context.Context, checks []*Check, mk func(c *Check) *Pass) {
	needed := map[*Check]bool{}
	var need func(c *Check)
	need = func(c *Check) {
		if needed[c] {
			return
		}
		needed[c] = true
		for _, r := range c.Requires {
			need(r)
		}
	}
	for _, c := range checks {
		if p := mk(c); slices.ContainsFunc(c.Rules, func(r lint.Rule) bool { return p.sel.enabled(r.ID) }) {
			need(c)
		}
	}
	if c := cycle(checks); c != nil {
		mk(c).Fail("", fmt.Errorf("%w: %s requires itself through Requires", ErrBadCheck, c.Name))
		return
	}
	done := map[*Check]chan struct{}{}
	for c := range needed {
		done[c] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for c := range needed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[c])
			for _, r := range c.Requires {
				if ch, ok := done[r]; ok {
					select {
					case <-ch:
					case <-ctx.Done():
						return
					}
				}
			}
			p := mk(c)
			defer func() {
				// A panicking check is a result, not a crash (zlint).
				if v := recover(); v != nil {
					p.Fail("", fmt.Errorf("%w: %v", ErrCheckPanicked, v))
				}
			}()
			if err := c.Run(ctx, p); err != nil {
				p.Fail("", err)
			}
		}()
	}
	wg.Wait()
}

// cycle returns a check that requires itself through Requires, or nil.
func cycle(checks []*Check) *Check {
	state := map[*Check]int{} // 1: on the path, 2: done
	var visit func(c *Check) *Check
	visit = func(c *Check) *Check {
		switch state[c] {
		case 1:
			return c
		case 2:
			return nil
		}
		state[c] = 1
		for _, r := range c.Requires {
			if bad := visit(r); bad != nil {
				return bad
			}
		}
		state[c] = 2
		return nil
	}
	for _, c := range checks {
		if bad := visit(c); bad != nil {
			return bad
		}
	}
	return nil
}
