package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// MaxTreeWalk is the most _dmarc names the RFC 9989 tree walk asks.
const MaxTreeWalk = 8

// MaxReportChecks bounds the report destinations whose authorization
// Lookup checks (one query each): a record listing a thousand rua URIs
// must not cost a thousand queries.
const MaxReportChecks = 10

// Policy is the DMARC policy one algorithm finds for a domain.
type Policy struct {
	Algorithm string `json:"algorithm"` // "RFC 7489" or "RFC 9989"
	// OrgDomain is the organizational domain: by the public suffix list
	// (RFC 7489) or by the DNS tree walk (RFC 9989).
	OrgDomain string `json:"org_domain"`
	// PolicyDomain is where the record was found; empty when none was.
	PolicyDomain string  `json:"policy_domain,omitempty"`
	Record       *Record `json:"record,omitempty"`
	// Queried are the _dmarc names asked, in order.
	Queried []string `json:"queried"`
	// Incomplete names the _dmarc name above the domain that could not be
	// asked (outside the zone files offline, REFUSED, SERVFAIL, a
	// timeout), then why: "_dmarc.com: not verified offline". The
	// algorithm stopped there. For RFC 9989 the
	// organizational domain then comes from the public suffix list, and
	// so does the policy when none was found below the failure.
	Incomplete string `json:"incomplete,omitempty"`
}

// ReportAuth is the check of one external report destination (RFC 7489
// §7.1).
type ReportAuth struct {
	Host       string `json:"host"`
	Name       string `json:"name"` // <domain>._report._dmarc.<host>
	Authorized bool   `json:"authorized"`
	Err        string `json:"error,omitempty"`
}

// Discovery is the DMARC policy of a domain under both standards.
type Discovery struct {
	Domain  string  `json:"domain"`
	RFC7489 *Policy `json:"rfc7489"`
	RFC9989 *Policy `json:"rfc9989"`
	// Differ is set when the two find different policy records or
	// organizational domains.
	Differ  bool         `json:"differ"`
	Reports []ReportAuth `json:"reports,omitempty"`
	// Exists is false when the domain itself is NXDOMAIN (its
	// non-existent-subdomain policy np applies). It is asked only when a
	// policy found sets np for a subdomain.
	Exists bool `json:"exists"`
}

// Effective returns the policy that RFC 9989 receivers apply, or the RFC
// 7489 one when only that algorithm found a record.
func (d *Discovery) Effective() *Policy {
	if d.RFC9989.Record == nil && d.RFC7489.Record != nil {
		return d.RFC7489
	}
	return d.RFC9989
}

// finder asks for _dmarc records once per name within one discovery.
type finder struct {
	ctx  context.Context
	r    resolver.Resolver
	seen map[string]found
}

type found struct {
	recs  []string // v=DMARC1 records at the name
	rec   *Record  // the one record, read by RFC 9989, when there is one
	probs []*Problem
	err   error
}

func (f *finder) at(domain string) found {
	if x, ok := f.seen[domain]; ok {
		return x
	}
	var x found
	a, err := f.r.Lookup(f.ctx, "_dmarc."+domain, dns.TypeTXT)
	if err != nil {
		x.err = err
	} else {
		for _, ss := range a.TXT() {
			if txt := strings.Join(ss, ""); IsDMARC(txt) {
				x.recs = append(x.recs, txt)
			}
		}
		if len(x.recs) == 1 {
			x.rec, x.probs = parse(x.recs[0], RFC9989)
		}
	}
	f.seen[domain] = x
	return x
}

// treeWalkTargets returns the names the RFC 9989 DNS tree walk asks, in
// order: the domain itself, then — shortened to 7 labels first when it has
// 8 or more — one label less at a time down to the top-level domain.
func treeWalkTargets(domain string) []string {
	labels := strings.Split(domain, ".")
	n := len(labels)
	out := []string{domain}
	start := n - 1
	if n >= 8 {
		start = 7
	}
	for k := start; k >= 1; k-- {
		out = append(out, strings.Join(labels[n-k:], "."))
	}
	return out
}

// OrgDomainPSL returns the organizational domain by the public suffix list
// (golang.org/x/net/publicsuffix, ICANN and private sections), as RFC 7489
// §3.2 does it; a public suffix is its own.
func OrgDomainPSL(domain string) string {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}

// OrgDomainTreeWalk returns the organizational domain by the RFC 9989 DNS
// tree walk (at most MaxTreeWalk queries): a record with psd=n marks it;
// a record with psd=y above the domain marks the name one label below as
// it; otherwise it is the name with the fewest labels that has a record;
// with no record at all, the domain itself.
func OrgDomainTreeWalk(ctx context.Context, r resolver.Resolver, domain string) (string, error) {
	f := &finder{ctx: ctx, r: r, seen: map[string]found{}}
	org, _, err := f.orgTreeWalk(strings.ToLower(strings.TrimSuffix(domain, ".")))
	return org, err
}

// orgTreeWalk walks the tree for the organizational domain. The error is
// the first failed lookup; the names queried up to it are returned too.
func (f *finder) orgTreeWalk(domain string) (string, []string, error) {
	targets := treeWalkTargets(domain)
	var queried []string
	shortest := ""
	for i, t := range targets {
		x := f.at(t)
		queried = append(queried, "_dmarc."+t)
		if x.err != nil {
			return "", queried, x.err
		}
		rec := x.rec
		if rec == nil {
			continue
		}
		switch {
		case rec.PSD == "n":
			return t, queried, nil
		case rec.PSD == "y" && i > 0:
			// One label below the PSD, on the way to the domain.
			labels := strings.Split(domain, ".")
			return strings.Join(labels[len(labels)-strings.Count(t, ".")-2:], "."), queried, nil
		}
		shortest = t
	}
	if shortest == "" {
		return domain, queried, nil
	}
	return shortest, queried, nil
}

// Lookup discovers the DMARC policy of domain by both RFC 7489 (the exact
// _dmarc name, then the organizational domain by the public suffix list)
// and RFC 9989 (the DNS tree walk, at most MaxTreeWalk queries), lints the
// records found, and checks that external report destinations authorize
// the reports (at most MaxReportChecks queries). The error is for an
// invalid domain, a cancelled context or a temporary DNS failure.
func Lookup(ctx context.Context, r resolver.Resolver, domain string) (*Discovery, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSuffix(name, ".")
	f := &finder{ctx: ctx, r: r, seen: map[string]found{}}
	d := &Discovery{Domain: name, Exists: true}

	// RFC 9989: the first single record on the tree walk is the policy.
	// The record at the domain itself must be asked; a name above it that
	// cannot be (offline, REFUSED, SERVFAIL, a timeout) leaves the walk
	// incomplete, and the public suffix list stands in for it.
	p9 := &Policy{Algorithm: RFC9989.String()}
	org, queried, err := f.orgTreeWalk(name)
	if err != nil {
		if fatal(ctx, err) || len(queried) == 1 {
			return nil, nil, err
		}
		p9.Incomplete = incomplete(queried[len(queried)-1], err)
		org = OrgDomainPSL(name)
	}
	p9.OrgDomain, p9.Queried = org, queried
	for _, t := range treeWalkTargets(name)[:len(queried)] {
		if x := f.at(t); x.rec != nil {
			p9.PolicyDomain, p9.Record = t, x.rec
			break
		}
	}
	// RFC 7489: the domain, then its organizational domain by the PSL.
	p7 := &Policy{Algorithm: RFC7489.String(), OrgDomain: OrgDomainPSL(name)}
	for _, t := range []string{name, p7.OrgDomain} {
		x := f.at(t)
		p7.Queried = append(p7.Queried, "_dmarc."+t)
		if x.err != nil {
			if t == name || fatal(ctx, x.err) {
				return nil, nil, x.err
			}
			p7.Incomplete = incomplete("_dmarc."+t, x.err)
			break
		}
		if len(x.recs) == 1 {
			p7.PolicyDomain = t
			p7.Record, _ = parse(x.recs[0], RFC7489)
			break
		}
		if t == p7.OrgDomain {
			break
		}
	}
	if p9.Incomplete != "" && p9.Record == nil && p7.Record != nil {
		// The public suffix list's answer stands in for the walk's.
		p9.PolicyDomain, p9.Record = p7.PolicyDomain, f.at(p7.PolicyDomain).rec
	}
	d.RFC7489, d.RFC9989 = p7, p9
	d.Differ = p9.Incomplete == "" && p7.Incomplete == "" && (p7.PolicyDomain != p9.PolicyDomain || p7.OrgDomain != p9.OrgDomain)

	// Whether the domain exists matters only where np= could apply: a
	// subdomain under a policy that sets np. Ask only then.
	for _, p := range []*Policy{p9, p7} {
		if p.Record != nil && p.Record.NP != "" && p.PolicyDomain != name {
			if a, err := r.Lookup(ctx, name, dns.TypeA); err == nil && a.NXDomain() {
				d.Exists = false
			}
			break
		}
	}

	fs := lintDiscovery(ctx, r, f, d)
	return d, lint.Bound(fs), ctx.Err()
}

func lintDiscovery(ctx context.Context, r resolver.Resolver, f *finder, d *Discovery) []lint.Finding {
	var fs []lint.Finding
	// Several records at a name that was asked.
	for name, x := range f.seen {
		if len(x.recs) > 1 {
			fn := ruleMultipleRecords.New("_dmarc."+name, fmt.Sprintf("%d v=DMARC1 records at _dmarc.%s: receivers discard them all", len(x.recs), name))
			fn.Type, fn.Record = "TXT", strings.Join(x.recs, " | ")
			fs = append(fs, fn)
		}
	}
	p7, p9 := d.RFC7489, d.RFC9989
	if p9.Incomplete != "" {
		fn := ruleOrgUndetermined.New(d.Domain, fmt.Sprintf("the DNS tree walk could not ask %s, so the organizational domain is %s, by the public suffix list", strings.Replace(p9.Incomplete, ": ", " (", 1)+")", p9.OrgDomain))
		if p9.Record == nil {
			fn.Message += "; no policy was found below that name"
		}
		fs = append(fs, fn)
	}
	if p7.Record == nil && p9.Record == nil && (p7.Incomplete != "" || p9.Incomplete != "") {
		// Not known to be missing: the organizational domain's record
		// could not be asked.
		return fs
	}
	if p7.Record == nil && p9.Record == nil {
		fn := ruleMissing.New("_dmarc."+d.Domain, fmt.Sprintf("no DMARC record for %s or its organizational domain", d.Domain))
		fn.Type = "TXT"
		// Monitoring first: p=none with reports, then quarantine, then
		// reject once the reports show every sender passing.
		fn.Fixes = []lint.Fix{lint.EditFix(fmt.Sprintf("start with p=none and a mailbox for the aggregate reports (create dmarc-reports@%s, or name the one you have); move to p=quarantine, then p=reject, once the reports show every sender passing", p9.OrgDomain),
			lint.Edit{Op: lint.Add, RR: fmt.Sprintf("_dmarc.%s.\t3600\tIN\tTXT\t\"v=DMARC1; p=none; rua=mailto:dmarc-reports@%s\"", d.Domain, p9.OrgDomain)})}
		return append(fs, fn)
	}
	if d.Differ {
		fn := ruleAlgorithmsDiffer.New(d.Domain, fmt.Sprintf("RFC 7489 receivers use %s (organizational domain %s, by the public suffix list); RFC 9989 receivers use %s (organizational domain %s, by the DNS tree walk)",
			orNone(p7.PolicyDomain), p7.OrgDomain, orNone(p9.PolicyDomain), p9.OrgDomain))
		fs = append(fs, fn)
	}
	eff := d.Effective()
	if eff.PolicyDomain != d.Domain {
		fn := ruleInherited.New(d.Domain, fmt.Sprintf("%s publishes no DMARC record; the policy comes from _dmarc.%s (RFC 9989 tree walk: %s; RFC 7489 public suffix list: %s)",
			d.Domain, eff.PolicyDomain, orNone(p9.PolicyDomain), orNone(p7.PolicyDomain)))
		fs = append(fs, fn)
	}
	// Lint each record found, once.
	for _, p := range []*Policy{p9, p7} {
		if p.Record == nil || (p == p7 && p7.PolicyDomain == p9.PolicyDomain) {
			continue
		}
		fs = append(fs, lintRecord(p.PolicyDomain, f.at(p.PolicyDomain))...)
		d.Reports = append(d.Reports, checkReports(ctx, r, p.PolicyDomain, p.Record, &fs)...)
	}
	return fs
}

// incomplete says which name could not be asked, and why: "_dmarc.com:
// not verified offline".
func incomplete(name string, err error) string {
	if errors.Is(err, resolver.ErrUnverified) {
		return name + ": " + resolver.ErrUnverified.Error()
	}
	return name + ": " + err.Error()
}

// fatal reports errors that end a discovery: a cancelled context or a
// spent budget, which no stand-in answer can make up for.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, resolver.ErrBudget)
}

func orNone(s string) string {
	if s == "" {
		return "no record"
	}
	return "_dmarc." + s
}

// lintRecord lints the one record at _dmarc.<domain>, as RFC 9989 read it
// when it was fetched, plus what RFC 7489's strict reading rejects on top
// (as warnings: older receivers).
func lintRecord(domain string, x found) []lint.Finding {
	name := "_dmarc." + domain
	txt, rec, probs := x.recs[0], x.rec, x.probs
	var fs []lint.Finding
	add := func(rule lint.Rule, sev lint.Severity, span lint.Span, msg string) {
		f := rule.New(name, msg)
		f.Severity, f.Type, f.Record, f.Span = sev, "TXT", txt, span
		fs = append(fs, f)
	}
	seen := map[string]bool{}
	for _, p := range probs {
		add(ruleOf(p.Rule), p.Severity, p.Span, p.Reason)
		seen[p.Reason] = true
	}
	_, strict := parse(txt, RFC7489)
	for _, p := range strict {
		if !seen[p.Reason] && p.Rule == ruleSyntax.ID {
			add(ruleSyntax, lint.Warning, p.Span, "RFC 7489 receivers reject this: "+p.Reason)
		}
	}
	span := func(tag string) lint.Span {
		for _, t := range rec.Tags {
			if strings.EqualFold(t.Name, tag) {
				return t.Span
			}
		}
		return lint.Span{}
	}
	if rec.P == None {
		add(rulePolicyNone, rulePolicyNone.Severity, span("p"), "p=none: failing mail is delivered as usual; once reports show every legitimate sender passing, move to p=quarantine, then p=reject")
	}
	if rec.Pct >= 0 && rec.Pct < 100 {
		add(rulePct, rulePct.Severity, span("pct"), fmt.Sprintf("pct=%d: the policy applies to %d%% of failing mail under RFC 7489, and to all of it under RFC 9989", rec.Pct, rec.Pct))
	}
	p := rec.P
	if rec.SP != "" && strength(rec.SP) < strength(p) {
		add(ruleSPWeaker, ruleSPWeaker.Severity, span("sp"), fmt.Sprintf("sp=%s is weaker than p=%s: subdomains are easier to spoof", rec.SP, p))
	}
	sub := p
	if rec.SP != "" {
		sub = rec.SP
	}
	if rec.NP != "" && strength(rec.NP) < strength(sub) {
		add(ruleNPWeaker, ruleNPWeaker.Severity, span("np"), fmt.Sprintf("np=%s is weaker than the subdomain policy %s: made-up subdomains are easier to spoof than real ones", rec.NP, sub))
	}
	valid := 0
	for _, u := range rec.RUA {
		if u.Err == "" {
			valid++
		}
	}
	if valid == 0 {
		add(ruleNoRUA, ruleNoRUA.Severity, lint.Span{}, "no usable rua= destination: no aggregate reports will arrive")
	}
	return fs
}

// checkReports checks that every external rua/ruf destination authorizes
// reports for domain (RFC 7489 §7.1), at most MaxReportChecks of them.
func checkReports(ctx context.Context, r resolver.Resolver, domain string, rec *Record, fs *[]lint.Finding) []ReportAuth {
	var out []ReportAuth
	checked := map[string]bool{}
	org := OrgDomainPSL(domain)
	for _, u := range append(append([]URI(nil), rec.RUA...), rec.RUF...) {
		if u.Err != "" || u.Host == "" || checked[u.Host] || OrgDomainPSL(u.Host) == org {
			continue
		}
		checked[u.Host] = true
		if len(out) == MaxReportChecks {
			f := ruleRUAUnauthorized.New("_dmarc."+domain, fmt.Sprintf("more than %d external report destinations: the rest were not checked", MaxReportChecks))
			f.Severity, f.Type, f.Record = lint.Info, "TXT", rec.Raw
			*fs = append(*fs, f)
			break
		}
		ra := ReportAuth{Host: u.Host, Name: domain + "._report._dmarc." + u.Host}
		a, err := r.Lookup(ctx, ra.Name, dns.TypeTXT)
		switch {
		case err != nil:
			ra.Err = err.Error()
		default:
			for _, ss := range a.TXT() {
				if IsDMARC(strings.Join(ss, "")) {
					ra.Authorized = true
				}
			}
			if !ra.Authorized {
				f := ruleRUAUnauthorized.New("_dmarc."+domain, fmt.Sprintf("%s is in another organization and publishes no %s TXT \"v=DMARC1\": receivers will not send it reports", u.Address, ra.Name))
				f.Type, f.Record, f.Span = "TXT", rec.Raw, u.Span
				f.Fixes = []lint.Fix{lint.EditFix(fmt.Sprintf("the owner of %s publishes, in its zone, the record that accepts reports for this domain; or send the reports to an address in your own domain", u.Host),
					lint.Edit{Op: lint.Add, RR: fmt.Sprintf("%s.\t3600\tIN\tTXT\t\"v=DMARC1\"", ra.Name)})}
				*fs = append(*fs, f)
			}
		}
		out = append(out, ra)
	}
	return out
}

// ruleOf returns the rule a record problem is reported under.
func ruleOf(id string) lint.Rule {
	switch id {
	case ruleBadURI.ID:
		return ruleBadURI
	case ruleUnknownTag.ID:
		return ruleUnknownTag
	case ruleObsoleteTag.ID:
		return ruleObsoleteTag
	}
	return ruleSyntax
}
