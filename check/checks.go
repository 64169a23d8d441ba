package check

import (
	"context"
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
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/parked"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/spf"
	"github.com/domainlint/domainlint/tlsrpt"
	"github.com/miekg/dns"
)

// Checks returns the checks Domain runs by default, new values each call,
// as the zero Options configure them: SPF, DMARC, DKIM, the Microsoft 365
// diff (which needs Options.Set or Expect), MX, parked domains, DNSSEC,
// DANE, MTA-STS, TLS-RPT and BIMI. Append a check of your own to run it
// too (Options.Checks); Options.DefaultChecks builds the slice for other
// options.
func Checks() []*analysis.Check { return Options{}.DefaultChecks() }

// DefaultChecks returns the checks Domain runs when Options.Checks is nil,
// configured by o, new values each call. Only DNS is asked unless o.Fetch
// allows the MTA-STS and BIMI fetches.
func (o Options) DefaultChecks() []*analysis.Check {
	opts := &o
	spfCheck := &analysis.Check{Name: "spf", Doc: "the SPF policy: its tree, the lookup count, every record on the way (RFC 7208)",
		Rules: spf.Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return runSPF(ctx, p, opts.SPF) }}
	dkimCheck := &analysis.Check{Name: "dkim", Doc: "the DKIM key records of the selectors asked for, and Microsoft 365's two (RFC 6376)",
		Rules: dkim.Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return runDKIM(ctx, p, opts) }}
	dmarcCheck := &analysis.Check{Name: "dmarc", Doc: "the DMARC policy by both discovery algorithms, and report authorization (RFC 7489, RFC 9989)",
		Rules: dmarc.Rules(), Run: runDMARC}
	m365 := &analysis.Check{Name: "m365", Doc: "the diff against the Microsoft 365 record set (with Options.Set or Expect)",
		Rules: m365Rules(), Requires: []*analysis.Check{spfCheck, dkimCheck}, Supersedes: m365Supersedes()}
	m365.Run = func(ctx context.Context, p *analysis.Pass) (any, error) {
		return runM365(ctx, p, opts.Set, spfCheck, dkimCheck)
	}
	dnssecCheck := &analysis.Check{Name: "dnssec", Doc: "whether the mail records' answers were authenticated by a validating resolver (RFC 4035)",
		Rules: dnssec.Rules(), Run: runDNSSEC}
	daneCheck := &analysis.Check{Name: "dane", Doc: "TLSA records of the MX hosts, DANE for SMTP (RFC 7672), and Microsoft 365's inbound DANE with Options.DANE",
		Rules: dane.Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return runDANE(ctx, p, opts.DANE) }}
	mxCheck := &analysis.Check{Name: "mx", Doc: "the MX records: targets that are aliases, addresses, missing or without addresses; null MX (RFC 5321 §5.1, RFC 7505)",
		Rules: mx.Rules(), Run: runMX}
	parkedCheck := &analysis.Check{Name: "parked", Doc: "a domain that sends and receives no mail (null MX, or Options.Parked) publishes v=spf1 -all, DMARC p=reject and no DKIM keys",
		Rules: parked.Rules(), Requires: []*analysis.Check{spfCheck, dmarcCheck, dkimCheck, mxCheck}, Supersedes: parkedSupersedes}
	parkedCheck.Run = func(ctx context.Context, p *analysis.Pass) (any, error) {
		return runParked(p, opts.Parked, spfCheck, dmarcCheck, dkimCheck, mxCheck)
	}
	mtastsCheck := &analysis.Check{Name: "mtasts", Doc: "the MTA-STS record and, with Options.Fetch, the policy and whether it covers every MX (RFC 8461)",
		Rules: mtasts.Rules(), Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return runMTASTS(ctx, p, opts) }}
	tlsrptCheck := &analysis.Check{Name: "tlsrpt", Doc: "the TLS-RPT record, expected wherever MTA-STS or DANE is published (RFC 8460)",
		Rules: tlsrpt.Rules(), Requires: []*analysis.Check{mtastsCheck, daneCheck}}
	tlsrptCheck.Run = func(ctx context.Context, p *analysis.Pass) (any, error) {
		return runTLSRPT(ctx, p, mtastsCheck, daneCheck)
	}
	bimiCheck := &analysis.Check{Name: "bimi", Doc: "the BIMI assertion record, DMARC at enforcement and, with Options.Fetch, the SVG indicator",
		Rules: bimi.Rules(), Requires: []*analysis.Check{dmarcCheck}}
	bimiCheck.Run = func(ctx context.Context, p *analysis.Pass) (any, error) { return runBIMI(ctx, p, opts, dmarcCheck) }
	zoneCheck := &analysis.Check{Name: "zone", Doc: "with zone files: what the zone's server refuses or ignores (a CNAME beside other data, no SOA or NS at the apex, records outside the zone)",
		Rules: zoneRules(), Requires: []*analysis.Check{m365}}
	zoneCheck.Run = func(ctx context.Context, p *analysis.Pass) (any, error) { return nil, runZone(ctx, p, m365) }
	enforceCheck := &analysis.Check{Name: "enforce", Doc: "with Options.Reports: which mail in the domain's DMARC aggregate reports the zone's policy (or enforcement, at p=none) would quarantine or reject",
		Rules: enforce.Rules(), Requires: []*analysis.Check{dmarcCheck}}
	enforceCheck.Run = func(ctx context.Context, p *analysis.Pass) (any, error) { return runEnforce(ctx, p, opts, dmarcCheck) }
	smtpCheck := &analysis.Check{Name: "smtp", Doc: "with Options.SMTP: each MX host as it answers on port 25 — STARTTLS, TLS version, certificates, and the TLSA records and MTA-STS policy matched against what it serves (RFC 3207, RFC 7672, RFC 8461)",
		Rules: smtpprobe.Rules(), Requires: []*analysis.Check{mxCheck, daneCheck, mtastsCheck}}
	smtpCheck.Run = func(ctx context.Context, p *analysis.Pass) (any, error) {
		return runSMTP(ctx, p, opts, mxCheck, daneCheck, mtastsCheck)
	}
	return []*analysis.Check{zoneCheck, spfCheck, dmarcCheck, dkimCheck, m365, mxCheck, parkedCheck, dnssecCheck, daneCheck, mtastsCheck, tlsrptCheck, bimiCheck, enforceCheck, smtpCheck}
}

func runMTASTS(ctx context.Context, p *analysis.Pass, o *Options) (any, error) {
	f := o.HTTPS
	r, fs, err := mtasts.Lookup(ctx, p.Resolver, p.Domain, mtasts.Options{Fetch: o.Fetch, Timeout: f.Timeout, Roots: f.Roots, Port: f.Port, AllowPrivate: f.AllowPrivate})
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	return r, nil
}

func runTLSRPT(ctx context.Context, p *analysis.Pass, mtastsCheck, daneCheck *analysis.Check) (any, error) {
	m, _ := p.ResultOf[mtastsCheck].(*mtasts.Report)
	d, _ := p.ResultOf[daneCheck].(*dane.Report)
	opts := tlsrpt.Options{MTASTS: m != nil && m.Published()}
	if d != nil {
		opts.DANE = slices.ContainsFunc(d.Hosts, func(h dane.Host) bool { return len(h.Records) > 0 })
	}
	r, fs, err := tlsrpt.Lookup(ctx, p.Resolver, p.Domain, opts)
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	return r, nil
}

func runBIMI(ctx context.Context, p *analysis.Pass, o *Options, dmarcCheck *analysis.Check) (any, error) {
	f := o.HTTPS
	d, _ := p.ResultOf[dmarcCheck].(*dmarc.Discovery)
	r, fs, err := bimi.Lookup(ctx, p.Resolver, p.Domain, bimi.Options{DMARC: d, Fetch: o.Fetch, Timeout: f.Timeout, Roots: f.Roots, Port: f.Port, AllowPrivate: f.AllowPrivate})
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	return r, nil
}

// runEnforce replays the domain's aggregate-report rows against the zone:
// under its policy, or, when it is p=none, under p=quarantine — the next
// step the onboarding stage asks about.
func runEnforce(ctx context.Context, p *analysis.Pass, o *Options, dmarcCheck *analysis.Check) (any, error) {
	if o.Reports == nil {
		return nil, nil
	}
	d, _ := p.ResultOf[dmarcCheck].(*dmarc.Discovery)
	if d == nil {
		return nil, nil
	}
	eff := d.Effective()
	// A policy asked for (EnforcePolicy) is weighed as a proposal; only
	// the quarantine weighed on its own at p=none is a question, whose
	// findings are softer.
	policy, asked := o.EnforcePolicy, false
	if eff.Record == nil || strings.EqualFold(eff.Record.P, "none") && policy == "" {
		policy, asked = "quarantine", true
	}
	res, err := enforce.Evaluate(ctx, p.Resolver, p.Domain, o.Reports(ctx), enforce.Options{Policy: policy, PTR: o.Fetch})
	if err != nil {
		return nil, err
	}
	name, record := "_dmarc."+p.Domain, ""
	if eff.Record != nil {
		name, record = "_dmarc."+eff.PolicyDomain, eff.Record.Raw
	}
	p.Report(res.Findings(name, record, asked)...)
	return res, nil
}

// runSMTP probes the MX hosts (Options.SMTP), with the TLSA RRsets DNSSEC
// authenticated and the MTA-STS policy fetched.
func runSMTP(ctx context.Context, p *analysis.Pass, o *Options, mxCheck, daneCheck, mtastsCheck *analysis.Check) (any, error) {
	if o.SMTP == nil {
		return nil, nil
	}
	m, _ := p.ResultOf[mxCheck].(*mx.Report)
	if m == nil || o.Parked || m.Null() {
		return nil, nil
	}
	in := smtpprobe.Input{TLSA: map[string][]*dns.TLSA{}}
	for _, h := range m.Hosts {
		if h.Target != "" && h.Target != "." {
			in.MX = append(in.MX, strings.TrimSuffix(strings.ToLower(h.Target), "."))
		}
	}
	if len(in.MX) == 0 {
		return nil, nil
	}
	if m, _ := p.ResultOf[mtastsCheck].(*mtasts.Report); m != nil && m.Policy != nil && m.Policy.Valid {
		in.Policy = m.Policy.Policy
	}
	if d, _ := p.ResultOf[daneCheck].(*dane.Report); d != nil {
		for _, h := range d.Hosts {
			if h.Status != dnssec.Secure {
				continue // senders use only authenticated RRsets (RFC 7672 §2.2)
			}
			host := strings.TrimSuffix(strings.ToLower(h.Host), ".")
			for _, t := range h.Records {
				in.TLSA[host] = append(in.TLSA[host],
					&dns.TLSA{Hdr: dns.RR_Header{Name: dns.Fqdn(h.TLSAName), Rrtype: dns.TypeTLSA, Class: dns.ClassINET}, Usage: t.Usage, Selector: t.Selector, MatchingType: t.MatchingType, Certificate: t.Hex})
			}
		}
	}
	r, fs, err := o.SMTP.Probe(ctx, p.Resolver, p.Domain, in)
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	return r, nil
}

func runMX(ctx context.Context, p *analysis.Pass) (any, error) {
	r, fs, err := mx.Lookup(ctx, p.Resolver, p.Domain)
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	for _, err := range r.Failures() {
		p.Fail("", err) // the resolver's error: its kind (budget, timeout, temporary) is kept
	}
	return r, nil
}

// parkedSupersedes are the rules of other checks that make no sense for a
// parked domain (parked.Waives).
var parkedSupersedes = []string{"dmarc.no-rua", "dmarc.policy-none",
	"dkim.missing", "dkim.dangling-cname", "dkim.revoked", "dkim.wildcard",
	"spf.softfail-all", "spf.neutral-all", "spf.no-all", "mx.none"}

// parkedResult is the parked check's result: the domain is graded as one
// that sends and receives no mail.
type parkedResult struct{}

// runParked grades a parked domain as one that must not send, and drops
// the findings that make no sense for it (no rua, no DKIM, ~all).
func runParked(p *analysis.Pass, declared bool, spfCheck, dmarcCheck, dkimCheck, mxCheck *analysis.Check) (any, error) {
	in := parked.Input{Domain: p.Domain, Declared: declared}
	in.MX, _ = p.ResultOf[mxCheck].(*mx.Report)
	in.SPF, _ = p.ResultOf[spfCheck].(*spf.Report)
	in.DMARC, _ = p.ResultOf[dmarcCheck].(*dmarc.Discovery)
	in.DKIM, _ = p.ResultOf[dkimCheck].([]*dkim.Selector)
	if !in.IsParked() {
		return nil, nil
	}
	p.Supersede(func(fs []lint.Finding, drop []bool) {
		for i, f := range fs {
			drop[i] = parked.Waives(f.Rule)
		}
	})
	p.Report(parked.Grade(in)...)
	return parkedResult{}, nil
}

// Rules returns the rule catalogue of the default checks: what Checks()
// declares, each rule once.
func Rules() []lint.Rule { return catalogue(Checks()) }

func catalogue(checks []*analysis.Check) []lint.Rule {
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

func runSPF(ctx context.Context, p *analysis.Pass, l spf.Linter) (any, error) {
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

func runDMARC(ctx context.Context, p *analysis.Pass) (any, error) {
	d, fs, err := dmarc.Lookup(ctx, p.Resolver, p.Domain)
	if err != nil {
		return nil, err
	}
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
	for _, pol := range []*dmarc.Policy{d.RFC9989, d.RFC7489} {
		if pol.Unasked != "" {
			p.Unverified(pol.Unasked, "DMARC organizational domain ("+pol.Algorithm+")")
		}
	}
	for _, ra := range d.Reports {
		if ra.Err != "" {
			p.Unverified(ra.Name, "DMARC report authorization for "+ra.Host)
		}
	}
	return d, nil
}

func runDKIM(ctx context.Context, p *analysis.Pass, o *Options) (any, error) {
	sels := slices.Clone(o.Selectors)
	var out []*dkim.Selector
	if o.Discover {
		found, fs, err := dkim.Discover(ctx, p.Resolver, p.Domain)
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
			if !slices.Contains(sels, sel) && !slices.ContainsFunc(out, func(s *dkim.Selector) bool { return s.Selector == sel }) {
				sels = append(sels, sel)
			}
		}
	}
	if o.Set != nil && len(o.Set.ByPurpose(records.DKIM1)) > 0 {
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
		out = append(out, s)
		p.Report(fs...)
	}
	for _, s := range out {
		if s.Status == "unverified" {
			p.Unverified(s.Target, "DKIM key of selector "+s.Selector)
		}
	}
	return out, nil
}

// m365Result is the m365 check's result: the diff, and whether the domain
// publishes an MS= verification record the expected set does not ask for.
type m365Result struct {
	Diff         []Entry
	VerifyRecord bool
}

func runM365(ctx context.Context, p *analysis.Pass, set *records.Set, spfCheck, dkimCheck *analysis.Check) (any, error) {
	if set == nil {
		return nil, nil
	}
	sr, _ := p.ResultOf[spfCheck].(*spf.Report)
	sels, _ := p.ResultOf[dkimCheck].([]*dkim.Selector)
	res := &m365Result{Diff: diff(ctx, p, set, sr, sels)}
	if len(set.ByPurpose(records.Verify)) == 0 {
		// The verify workload is not asked for, but an MS= record still
		// shows the domain was verified: the stage reads it.
		if a, err := p.Resolver.Lookup(ctx, p.Domain, dns.TypeTXT); err == nil {
			for _, rr := range a.Records {
				if verifyCodeRE.MatchString(rrtext.TXT(rr)) {
					res.VerifyRecord = true
				}
			}
		}
	}
	return res, nil
}

func runDNSSEC(ctx context.Context, p *analysis.Pass) (any, error) {
	r, fs, err := dnssec.Lookup(ctx, p.Resolver, p.Domain, dnssec.Options{})
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

func runDANE(ctx context.Context, p *analysis.Pass, requireM365 bool) (any, error) {
	r, fs, err := dane.Lookup(ctx, p.Resolver, p.Domain, dane.Options{RequireM365: requireM365})
	if err != nil {
		return nil, err
	}
	p.Report(fs...)
	return r, nil
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
