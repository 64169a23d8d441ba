package dmarc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/domainlint/domainlint/internal/ask"
	"maps"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
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
	// Unasked is the _dmarc name in Incomplete ("_dmarc.com"), and
	// Failure why it could not be asked (typed, for errors.Is); Why
	// words it as Incomplete does.
	Unasked string `json:"unasked,omitempty"`
	Failure error  `json:"-"`
	// Unanswered is set when the name in Incomplete was not served by
	// the server asked (not asked offline, REFUSED, a referral): nothing
	// is known to be wrong with it (resolver.Unanswered).
	Unanswered bool `json:"unanswered,omitempty"`
}

// ReportAuth is the check of one external report destination (RFC 7489
// §7.1).
type ReportAuth struct {
	Host       string `json:"host"`
	Name       string `json:"name"` // <domain>._report._dmarc.<host>
	Authorized bool   `json:"authorized"`
	Err        string `json:"error,omitempty"`
	// Failure is the lookup's error when it failed (a timeout, SERVFAIL):
	// typed, for errors.Is; nil when not verified offline.
	Failure error `json:"-"`
}

// HostStatus is what the check of a report destination's domain found.
type HostStatus string

// The statuses of a ReportHost.
const (
	HostMX         HostStatus = "mx"          // it has MX records
	HostImplicitMX HostStatus = "implicit-mx" // no MX, but an A or AAAA record that RFC 5321 §5.1 delivers to
	HostNoMX       HostStatus = "no-mx"       // neither MX nor A/AAAA
	HostNullMX     HostStatus = "null-mx"     // a null MX: it accepts no mail (RFC 7505)
	HostNXDomain   HostStatus = "nxdomain"    // the domain does not exist
	HostUnverified HostStatus = "unverified"  // outside the zone files, offline
	HostError      HostStatus = "error"       // could not check: see Err and Failure
)

// ReportHost is the check that a report destination's domain receives
// mail: its MX records (RFC 5321 §5.1, RFC 7505).
type ReportHost struct {
	Host string `json:"host"`
	// Status is one of the Host constants.
	Status HostStatus `json:"status"`
	Err    string     `json:"error,omitempty"`
	// Failure is the lookup's error when Status is HostError.
	Failure error `json:"-"`
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
	// ReportHosts are the report destinations' domains checked for MX
	// (at most MaxReportChecks).
	ReportHosts []ReportHost `json:"report_hosts,omitempty"`
	// Exists is false when the domain itself is NXDOMAIN (its
	// non-existent-subdomain policy np applies). It is asked only when a
	// policy found sets np for a subdomain; until then it is true, as
	// evaluation reads a domain not known to be missing. NODATA is read
	// as existing, as receivers read it; see ExistsNote.
	Exists bool `json:"-"`
	// Existence is what was asked to set Exists: "exists" or
	// "nxdomain"; empty when it was not asked (the JSON report claims
	// nothing it did not ask).
	Existence string `json:"existence,omitempty"`
	// ExistsNote says why Exists is not proven: the server answers NODATA
	// even for a name that cannot exist ("black lies", compact denial of
	// existence), so its NODATA for the domain shows nothing.
	ExistsNote string `json:"exists_note,omitempty"`
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
	seen map[string]*found // a pointer each: a map of the struct itself costs a kilobyte a domain
}

type found struct {
	recs   []string // v=DMARC1 records at the name
	rec    *Record  // the one record, read by RFC 9989, when there is one
	probs  []*Problem
	others []*dns.TXT // the TXT records that are not DMARC
	// The same record read by RFC 7489, parsed once (strict).
	rec7   *Record
	probs7 []*Problem
	err    error
}

// strict returns the one record at _dmarc.<domain> read by RFC 7489,
// parsing it the first time it is asked for.
func (f *finder) strict(domain string) (*Record, []*Problem) {
	f.at(domain)
	x := f.seen[domain]
	if x.rec7 == nil && len(x.recs) == 1 {
		x.rec7, x.probs7 = parse(x.recs[0], RFC7489)
	}
	return x.rec7, x.probs7
}

// multiple reports whether a name asked holds several DMARC records.
func (f *finder) multiple() bool {
	for _, x := range f.seen {
		if len(x.recs) > 1 {
			return true
		}
	}
	return false
}

func (f *finder) at(domain string) found {
	if x, ok := f.seen[domain]; ok {
		return *x
	}
	var x found
	a, err := f.r.Lookup(f.ctx, "_dmarc."+domain, dns.TypeTXT)
	if err != nil {
		x.err = err
	} else {
		for _, rr := range a.Records {
			t, ok := rr.(*dns.TXT)
			if !ok {
				continue
			}
			if txt := strings.Join(resolver.DecodeTXT(t.Txt), ""); IsDMARC(txt) {
				x.recs = append(x.recs, txt)
			} else {
				x.others = append(x.others, t)
			}
		}
		if len(x.recs) == 1 {
			x.rec, x.probs = parse(x.recs[0], RFC9989)
		}
	}
	f.seen[domain] = &x
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
	f := &finder{ctx: ctx, r: r, seen: map[string]*found{}}
	org, _, err := f.orgTreeWalk(strings.ToLower(strings.TrimSuffix(domain, ".")))
	return org, err
}

// orgTreeWalk walks the tree for the organizational domain. The error is
// the first failed lookup; the names queried up to it are returned too.
func (f *finder) orgTreeWalk(domain string) (string, []string, error) {
	org, _, queried, err := f.treeWalk(domain)
	return org, queried, err
}

// treeWalk is the DNS tree walk of RFC 9989 §4.10 from domain, and the
// choice of the organizational domain of §4.10.2 over the records it
// found. psd is the Public Suffix Domain when a record with psd=y above
// domain decided it (the organizational domain is then the name one label
// below), else "". The walk stops at a record with psd=n or psd=y (§4.10
// step 2, "If a single record remains and it contains a "psd=n" or
// "psd=y" tag, stop"), at the domain itself too: psd=y there does not
// make the name below it the organizational domain (§4.10.2 rule 2,
// "other than the one for the domain where the tree walk started"), so
// the domain is its own.
func (f *finder) treeWalk(domain string) (org, psd string, queried []string, err error) {
	targets := treeWalkTargets(domain)
	shortest := ""
	for i, t := range targets {
		x := f.at(t)
		queried = append(queried, "_dmarc."+t)
		if x.err != nil {
			return "", "", queried, x.err
		}
		rec := x.rec
		if rec == nil {
			continue
		}
		switch {
		case rec.PSD == "n" || rec.PSD == "y" && i == 0:
			return t, "", queried, nil
		case rec.PSD == "y":
			// One label below the PSD, on the way to the domain.
			labels := strings.Split(domain, ".")
			return strings.Join(labels[len(labels)-strings.Count(t, ".")-2:], "."), t, queried, nil
		}
		shortest = t
	}
	if shortest == "" {
		return domain, "", queried, nil
	}
	return shortest, "", queried, nil
}

// Lookup discovers the DMARC policy of domain by both RFC 7489 (the exact
// _dmarc name, then the organizational domain by the public suffix list)
// and RFC 9989 (the DNS tree walk, at most MaxTreeWalk queries), lints the
// records found, and checks that external report destinations authorize
// the reports (at most MaxReportChecks queries). The error is for an
// invalid domain, a cancelled context or a temporary DNS failure.
func Lookup(ctx context.Context, r resolver.Resolver, domain string) (*Discovery, []lint.Finding, error) {
	d, f, fs, err := discover(ctx, r, domain)
	if err != nil {
		return nil, nil, err
	}
	fs = append(fs, lintDiscovery(ctx, r, f, d)...)
	fs = append(fs, misplaced(ctx, r, f, d, &fs)...)
	return d, lint.Bound(fs), ctx.Err()
}

// Discover finds the DMARC policy of domain by both algorithms, as Lookup
// does, without linting it: none of the lint's questions (report
// authorization, misplaced records). It is what a receiver does.
func Discover(ctx context.Context, r resolver.Resolver, domain string) (*Discovery, error) {
	d, _, _, err := discover(ctx, r, domain)
	if err != nil {
		return nil, err
	}
	return d, ctx.Err()
}

// discover is the discovery: the policy by both algorithms, the finder
// that asked, and the findings of the discovery itself.
func discover(ctx context.Context, r resolver.Resolver, domain string) (*Discovery, *finder, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, nil, err
	}
	name = strings.TrimSuffix(name, ".")
	f := &finder{ctx: ctx, r: r, seen: map[string]*found{}}
	d := &Discovery{Domain: name, Exists: true}

	// RFC 9989 §4.10.1: "The DMARC Policy Record to be applied to an
	// email message will be the record found at any of the following
	// locations, listed from highest preference to lowest: The Author
	// Domain; The Organizational Domain of the Author Domain; The Public
	// Suffix Domain of the Author Domain." Not the first record the walk
	// meets: a record at a name between the domain and its organizational
	// domain is not the policy ("If no valid DMARC Policy Record is found
	// by the first query, then perform a DNS Tree Walk to find the Author
	// Domain's Organizational Domain or its Public Suffix Domain").
	// The record at the domain itself must be asked; a name above it that
	// cannot be (offline, REFUSED, SERVFAIL, a timeout) leaves the walk
	// incomplete, and the public suffix list stands in for it.
	p9 := &Policy{Algorithm: RFC9989.String()}
	// Every name the walk may ask, and RFC 7489's organizational domain,
	// asked at once: the walk then reads them in its order. It stops
	// early only at a record with psd=, rare, where the names above cost
	// a question each for nothing.
	targets, pslOrg := treeWalkTargets(name), OrgDomainPSL(name)
	if !slices.Contains(targets, pslOrg) {
		targets = append(targets, pslOrg)
	}
	qs := make([]ask.Question, len(targets))
	for i, t := range targets {
		qs[i] = ask.Question{Name: "_dmarc." + t + ".", Type: dns.TypeTXT} // a FQDN: canonical as it is
	}
	actx, cancel := context.WithCancel(ctx)
	early := ask.Ahead(actx, r, qs...)
	defer func() {
		// The walk's names it did not read (it stopped at psd=) are not
		// waited for; later questions go to r itself.
		cancel()
		early.Wait()
		f.r = r
	}()
	f.r = early
	org, psd, queried, err := f.treeWalk(name)
	if err != nil {
		// The domain's own record must be asked; one not verified
		// offline (a _dmarc CNAME out of the zone files) leaves the
		// discovery incomplete, not failed.
		if fatal(ctx, err) || len(queried) == 1 && !errors.Is(err, resolver.ErrUnverified) {
			return nil, nil, nil, err
		}
		p9.Incomplete, p9.Unanswered = incomplete(queried[len(queried)-1], err), resolver.Unanswered(err)
		p9.Unasked, p9.Failure = queried[len(queried)-1], err
		org, psd = pslOrg, ""
	}
	p9.OrgDomain, p9.Queried = org, queried
	candidates := []string{org, psd}
	if p9.Incomplete != "" {
		// The organizational domain as far as the walk got: the name
		// with the fewest labels that has a record, below the failure
		// (no record there had psd=, or the walk would have stopped).
		// With none, the public suffix list's answer stands in (below).
		candidates = nil
		// (targets begins with the walk's names, in its order.)
		for _, t := range targets[:len(queried)-1] {
			if x := f.at(t); x.rec != nil {
				candidates = []string{t}
			}
		}
	}
	if x := f.at(name); x.rec != nil {
		p9.PolicyDomain, p9.Record = name, x.rec
	} else {
		// Only names the walk asked: an organizational domain it skipped
		// (an 8-label name under a PSD, when the domain has 9 or more) is
		// not asked beyond MaxTreeWalk, and the PSD's record applies.
		for _, t := range candidates {
			if x, ok := f.seen[t]; ok && t != "" && x.rec != nil {
				p9.PolicyDomain, p9.Record = t, x.rec
				break
			}
		}
	}
	// RFC 7489: the domain, then its organizational domain by the PSL.
	p7 := &Policy{Algorithm: RFC7489.String(), OrgDomain: pslOrg}
	for _, t := range []string{name, p7.OrgDomain} {
		x := f.at(t)
		p7.Queried = append(p7.Queried, "_dmarc."+t)
		if x.err != nil {
			if t == name && !errors.Is(x.err, resolver.ErrUnverified) || fatal(ctx, x.err) {
				return nil, nil, nil, x.err
			}
			p7.Incomplete = incomplete("_dmarc."+t, x.err)
			p7.Unasked, p7.Failure, p7.Unanswered = "_dmarc."+t, x.err, resolver.Unanswered(x.err)
			break
		}
		if len(x.recs) == 1 {
			p7.PolicyDomain = t
			p7.Record, _ = f.strict(t)
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
	var fs []lint.Finding
	for _, p := range []*Policy{p9, p7} {
		if p.Record != nil && p.Record.NP != "" && p.PolicyDomain != name {
			fs = append(fs, existence(ctx, r, d, p)...)
			break
		}
	}

	return d, f, fs, nil
}

// existence decides whether the domain exists, for np (RFC 9989): only
// NXDOMAIN says it does not (RFC 8020). NODATA is read as existing, as
// receivers read it — but a server that answers NODATA even for names
// that do not exist ("black lies", compact denial of existence, RFC
// 9824) gives the same answer for a name that does not exist. A name no
// one publishes (a random label beside the domain) tells: when it gets
// NODATA too, the domain's NODATA proves nothing, and a finding says so.
// It costs one question, and one more for the probe after a NODATA.
func existence(ctx context.Context, r resolver.Resolver, d *Discovery, p *Policy) []lint.Finding {
	a, err := r.Lookup(ctx, d.Domain, dns.TypeA)
	if err != nil {
		return nil
	}
	// An NXDOMAIN after a CNAME is the target's (RFC 6604 §3): the
	// domain itself owns the CNAME, so it exists.
	if a.NXDomain() && len(a.Chain) == 0 {
		d.Exists, d.Existence = false, "nxdomain"
		return nil
	}
	d.Existence = "exists"
	if len(a.Records) > 0 || len(a.Chain) > 0 {
		return nil
	}
	parent := d.Domain[strings.IndexByte(d.Domain, '.')+1:]
	probe := existenceProbe() + "." + parent
	pa, err := r.Lookup(ctx, probe, dns.TypeA)
	if err != nil || pa.NXDomain() {
		return nil
	}
	rec := p.Record
	sub := rec.P
	if rec.SP != "" {
		sub = rec.SP
	}
	d.ExistsNote = fmt.Sprintf("%s answered NODATA, but so did %s, a name no one publishes: the server answers NODATA for names that do not exist (\"black lies\", or a wildcard), so whether %s exists is not known", d.Domain, probe, d.Domain)
	if sub == rec.NP {
		return nil // the same policy either way
	}
	f := ruleExistenceUnknown.New(d.Domain, fmt.Sprintf("%s has no A record and its server answered NODATA, which receivers read as \"the domain exists\": they apply %s rather than np=%s from _dmarc.%s. But the server answers NODATA even for %s, which no one publishes (\"black lies\", compact denial of existence, or a wildcard), so DNS cannot show whether %s exists",
		d.Domain, policyTag(rec), rec.NP, p.PolicyDomain, probe, d.Domain))
	return []lint.Finding{f}
}

func policyTag(rec *Record) string {
	if rec.SP != "" {
		return "sp=" + rec.SP
	}
	return "p=" + rec.P
}

// existenceProbe returns a label no one publishes.
func existenceProbe() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "domainlint-" + hex.EncodeToString(b)
}

// misplaced finds records at the wrong name (dmarc.misplaced): a
// v=DMARC1 record at the domain itself, where receivers never look for
// it (RFC 7489 §6.1: _dmarc.<domain>), or an SPF record at _dmarc, where
// SPF is never read. A misplaced DMARC record when no policy applies
// replaces dmarc.missing, as an error. It costs one question (the
// domain's TXT records, which the SPF check asks too).
func misplaced(ctx context.Context, r resolver.Resolver, f *finder, d *Discovery, fs *[]lint.Finding) []lint.Finding {
	var out []lint.Finding
	own := f.at(d.Domain)
	for _, t := range own.others {
		txt := strings.Join(resolver.DecodeTXT(t.Txt), "")
		if !spf.IsSPF(txt) {
			continue
		}
		fn := ruleMisplaced.New("_dmarc."+d.Domain, fmt.Sprintf("an SPF record is published at _dmarc.%s, where SPF is never read: SPF is read at %s itself; delete it (and check that %s has its SPF record)", d.Domain, d.Domain, d.Domain))
		fn.Type, fn.Record = "TXT", txt
		fn.Fixes = []lint.Fix{lint.EditFix("delete the record", lint.Edit{Op: lint.Delete, RR: t.String()})}
		out = append(out, fn)
	}
	a, err := r.Lookup(ctx, d.Domain, dns.TypeTXT)
	if err != nil {
		return out
	}
	for _, rr := range a.Records {
		t, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		txt := strings.Join(resolver.DecodeTXT(t.Txt), "")
		if !IsDMARC(txt) {
			continue
		}
		fn := ruleMisplaced.New(d.Domain, fmt.Sprintf("a DMARC record is published at %s itself, where receivers never look: they read _dmarc.%s", d.Domain, d.Domain))
		fn.Type, fn.Record = "TXT", txt
		del := lint.Edit{Op: lint.Delete, RR: t.String()}
		if len(own.recs) == 0 {
			add := lint.Edit{Op: lint.Add, RR: txtLine("_dmarc."+d.Domain, t.Hdr.Ttl, txt)}
			fn.Fixes = []lint.Fix{lint.EditFix("move it to _dmarc."+d.Domain, del, add)}
		} else {
			fn.Fixes = []lint.Fix{lint.EditFix("delete it: _dmarc."+d.Domain+" has the record receivers read", del)}
		}
		if eff := d.Effective(); eff.Record == nil {
			// No policy at all: this is why, and an error.
			fn.Severity = lint.Error
			fn.Message += ", so no DMARC policy applies to its mail"
			*fs = slices.DeleteFunc(*fs, func(x lint.Finding) bool { return x.Rule == ruleMissing.ID })
		}
		out = append(out, fn)
	}
	return out
}

// implicitMX reports whether a domain without MX records has an address
// that RFC 5321 §5.1 delivers to instead (the "implicit MX"): one or two
// questions. A failed lookup counts as an address: not known, no finding.
func implicitMX(ctx context.Context, r resolver.Resolver, host string) bool {
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		a, err := r.Lookup(ctx, host, t)
		if err != nil || len(a.Records) > 0 {
			return true
		}
		if a.NXDomain() {
			return false
		}
	}
	return false
}

func isNullMX(rr dns.RR) bool {
	m, ok := rr.(*dns.MX)
	return ok && m.Mx == "."
}

// txtLine is a TXT record in master-file form, split into strings of 255
// octets.
func txtLine(owner string, ttl uint32, text string) string {
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(owner), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: ttl}, Txt: resolver.EncodeTXT(text)}
	return rr.String()
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
	// Only names above the organizational domain went unasked (public
	// suffixes, where only a public suffix operator's policy can stand):
	// the organizational domain is known all the same.
	psdOnly := p9.Incomplete != "" && p7.Incomplete == "" && aboveOrg(p9.Unasked, p7.OrgDomain)
	if p9.Incomplete != "" && !psdOnly && !p9.Unanswered {
		// A name not served by the server asked (offline, REFUSED, a
		// referral) is listed as not verified, with what it was for: not
		// a finding about the domain.
		fn := ruleOrgUndetermined.New(d.Domain, fmt.Sprintf("the DNS tree walk could not ask %s, so the organizational domain is %s, by the public suffix list", p9.Unasked+" ("+p9.Why()+")", p9.OrgDomain))
		if p9.Record == nil {
			fn.Message += "; no policy was found below that name"
		}
		fs = append(fs, fn)
	}
	if p7.Record == nil && p9.Record == nil && f.multiple() {
		// Several records at a name: dmarc.multiple-records says it; no
		// record is missing (and adding one would make three).
		return fs
	}
	if p7.Record == nil && p9.Record == nil && (p7.Incomplete != "" || p9.Incomplete != "") && !psdOnly {
		// Not known to be missing: the organizational domain's record
		// could not be asked. (When it was, and only names above it
		// went unasked, the record is known to be missing.)
		return fs
	}
	// Records meant as DMARC that receivers skip (literal quotes, leading
	// whitespace): say what happened.
	unrec := false
	for _, name := range slices.Sorted(maps.Keys(f.seen)) {
		x := f.seen[name]
		if len(x.recs) > 0 {
			continue
		}
		for _, t := range x.others {
			txt := strings.Join(resolver.DecodeTXT(t.Txt), "")
			why, fixed := spf.Unwrap(txt)
			if why == "" || !IsDMARC(fixed) {
				continue
			}
			fn := ruleUnrecognized.New("_dmarc."+name, fmt.Sprintf("no DMARC record is recognized at _dmarc.%s: a TXT record there %s, so receivers skip it; publish it as %q", name, why, fixed))
			fn.Type, fn.Record = "TXT", txt
			fn.Fixes = []lint.Fix{lint.EditFix("publish the record without them",
				lint.Edit{Op: lint.Delete, RR: t.String()},
				lint.Edit{Op: lint.Add, RR: txtLine("_dmarc."+name, t.Hdr.Ttl, fixed)})}
			fs = append(fs, fn)
			unrec = true
			break
		}
	}
	if p7.Record == nil && p9.Record == nil && unrec {
		return fs
	}
	if p7.Record == nil && p9.Record == nil {
		msg := fmt.Sprintf("no DMARC record for %s or its organizational domain", d.Domain)
		if d.Domain != p7.OrgDomain {
			msg = fmt.Sprintf("no DMARC record for %s or its organizational domain %s", d.Domain, p7.OrgDomain)
		}
		if psdOnly {
			name := p9.Unasked
			msg += fmt.Sprintf(" (%s, a public suffix's name, was not asked: only a public suffix operator's policy, RFC 9989 psd=y, could stand there)", name)
		}
		fn := ruleMissing.New("_dmarc."+d.Domain, msg)
		fn.Type = "TXT"
		// Monitoring first: p=none, then reports to a mailbox that exists
		// (none is guessed), then quarantine, then reject once the reports
		// show every sender passing.
		fn.Fixes = []lint.Fix{lint.EditFix(fmt.Sprintf("start with p=none, and add rua=mailto: with a mailbox of yours that receives the aggregate reports (at %s, or one that authorizes them); move to p=quarantine, then p=reject, once the reports show every sender passing", p9.OrgDomain),
			lint.Edit{Op: lint.Add, RR: fmt.Sprintf("_dmarc.%s.\t3600\tIN\tTXT\t\"v=DMARC1; p=none\"", d.Domain)})}
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
		_, strict := f.strict(p.PolicyDomain)
		fs = append(fs, lintRecord(p.PolicyDomain, f.at(p.PolicyDomain), strict)...)
		// The destinations' authorization and MX records, asked at once
		// (an external destination's MX is read only once it authorizes
		// the reports: one question for nothing when it does not).
		early := ask.Ahead(ctx, r, reportQuestions(p.PolicyDomain, p.Record)...)
		reports := checkReports(ctx, early, p.PolicyDomain, p.Record, &fs)
		d.Reports = append(d.Reports, reports...)
		d.ReportHosts = append(d.ReportHosts, checkReportHosts(ctx, early, p.PolicyDomain, p.Record, reports, &fs)...)
		early.Wait()
	}
	return fs
}

// reportQuestions are the questions checkReports and checkReportHosts
// will ask of rec's destinations, to ask them at once: the authorization
// of external ones (at most MaxReportChecks), the MX of those in the
// organization (as many), and the MX of the first aheadExternalMX
// external ones, read only if they authorize the reports.
func reportQuestions(domain string, rec *Record) []ask.Question {
	var qs []ask.Question
	org := OrgDomainPSL(domain)
	seen := map[string]bool{}
	auth, mx, ext := 0, 0, 0
	for _, u := range append(append([]URI(nil), rec.RUA...), rec.RUF...) {
		if u.Err != "" || u.Host == "" || seen[u.Host] {
			continue
		}
		seen[u.Host] = true
		external := OrgDomainPSL(u.Host) != org
		if external && auth < MaxReportChecks {
			auth++
			qs = append(qs, ask.Question{Name: domain + "._report._dmarc." + u.Host, Type: dns.TypeTXT})
		}
		if mx < MaxReportChecks && (!external || ext < aheadExternalMX) {
			mx++
			if external {
				ext++
			}
			qs = append(qs, ask.Question{Name: u.Host, Type: dns.TypeMX})
		}
	}
	return qs
}

// aheadExternalMX bounds the external destinations whose MX is asked
// beside their authorization, before it is known: a record names one or
// two, and one that names a thousand unauthorized ones costs no more than
// these questions for nothing.
const aheadExternalMX = 2

// checkReportHosts checks that the domains of the report destinations
// receive mail: MX records, not a null MX (RFC 7505), not NXDOMAIN. A
// destination in another organization is checked only once it is known
// to authorize the reports (one finding per problem, and no more queries
// than the authorization checks allow); at most
// MaxReportChecks domains are asked: one MX question each, and A and
// AAAA for one without MX. A domain
// outside the zone files of an offline check is not verified, and a
// temporary failure is "could not check": neither is a finding.
func checkReportHosts(ctx context.Context, r resolver.Resolver, domain string, rec *Record, auth []ReportAuth, fs *[]lint.Finding) []ReportHost {
	authorized := map[string]bool{}
	for _, ra := range auth {
		authorized[ra.Host] = ra.Authorized
	}
	org := OrgDomainPSL(domain)
	var out []ReportHost
	done := map[string]bool{}
	for _, u := range append(append([]URI(nil), rec.RUA...), rec.RUF...) {
		if u.Err != "" || u.Host == "" || done[u.Host] || OrgDomainPSL(u.Host) != org && !authorized[u.Host] {
			continue
		}
		done[u.Host] = true
		if len(out) == MaxReportChecks {
			break
		}
		rh := ReportHost{Host: u.Host}
		a, err := r.Lookup(ctx, u.Host, dns.TypeMX)
		switch {
		case err != nil && errors.Is(err, resolver.ErrUnverified):
			rh.Status, rh.Err = HostUnverified, resolver.ErrUnverified.Error()
		case err != nil:
			rh.Status, rh.Err, rh.Failure = HostError, "could not check: "+err.Error(), err
		case a.NXDomain():
			rh.Status = HostNXDomain
		case len(a.Records) == 0 && implicitMX(ctx, r, u.Host):
			rh.Status = HostImplicitMX
		case len(a.Records) == 0:
			rh.Status = HostNoMX
		case len(a.Records) == 1 && isNullMX(a.Records[0]):
			rh.Status = HostNullMX
		default:
			rh.Status = HostMX
		}
		out = append(out, rh)
		why := map[HostStatus]string{
			HostNXDomain: "does not exist (NXDOMAIN)",
			HostNullMX:   "publishes a null MX: it accepts no mail",
			HostNoMX:     "has neither MX nor A/AAAA records, so no mail reaches it (RFC 5321 §5.1)",
		}[rh.Status]
		if why == "" {
			continue
		}
		f := ruleRUANoMX.New("_dmarc."+domain, fmt.Sprintf("%s: %s %s; reports sent there are lost", u.Address, u.Host, why))
		f.Type, f.Record, f.Span = "TXT", rec.Raw, u.Span
		f.Fixes = []lint.Fix{{Message: fmt.Sprintf("publish MX records for %s naming a host that receives mail, or send the reports to an address at a domain that does", u.Host)}}
		*fs = append(*fs, f)
	}
	return out
}

// aboveOrg reports whether the _dmarc name an incomplete walk could not
// ask ("_dmarc.com") is above org: a public suffix's.
func aboveOrg(unasked, org string) bool {
	if unasked == "" {
		return false
	}
	name := strings.TrimPrefix(unasked, "_dmarc.")
	return !strings.EqualFold(name, org) && dns.IsSubDomain(dns.Fqdn(name), dns.Fqdn(org))
}

// incomplete says which name could not be asked, and why: "_dmarc.com:
// not verified offline".
func incomplete(name string, err error) string {
	return name + ": " + failureText(err)
}

// failureText says why a name could not be asked: "not verified offline"
// for a name outside the zone files, else the error.
func failureText(err error) string {
	if errors.Is(err, resolver.ErrUnverified) {
		return resolver.ErrUnverified.Error()
	}
	return err.Error()
}

// Why says why the walk could not ask Unasked ("not verified offline", a
// timeout, SERVFAIL): what follows the name in Incomplete. Empty when
// the walk was complete.
func (p *Policy) Why() string {
	switch {
	case p == nil || p.Incomplete == "":
		return ""
	case p.Failure != nil:
		return failureText(p.Failure)
	}
	// A Policy read back from JSON: its Failure is not kept.
	return strings.TrimPrefix(p.Incomplete, p.Unasked+": ")
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
func lintRecord(domain string, x found, strict []*Problem) []lint.Finding {
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
		seen[p.Reason] = true
		if p.Rule.ID == ruleObsoleteTag.ID && rec != nil && rec.Pct >= 0 && rec.Pct < 100 && strings.HasPrefix(p.Reason, "pct=") {
			continue // dmarc.pct says it, RFC 9989 included: one defect, one finding
		}
		add(p.Rule, p.Severity, p.Span, p.Reason)
	}
	for _, p := range strict {
		if !seen[p.Reason] && p.Rule.ID == ruleSyntax.ID {
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
		case err != nil && errors.Is(err, resolver.ErrUnverified):
			ra.Err = resolver.ErrUnverified.Error()
		case err != nil:
			// A timeout or SERVFAIL is not a refusal: could not check,
			// never "unauthorized".
			ra.Err, ra.Failure = "could not check: "+err.Error(), err
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
