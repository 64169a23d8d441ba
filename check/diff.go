package check

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

const docM365 = "https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider"

// The rules of the Microsoft 365 diff. Their IDs never change.
var (
	ruleMissing = lint.Rule{ID: "m365.missing", Severity: lint.Error,
		Summary:  "A record Microsoft 365 expects is not published (info when the record is optional).",
		Citation: "Microsoft 365: Add DNS records to connect your domain", URL: docM365}
	ruleWrong = lint.Rule{ID: "m365.wrong", Severity: lint.Error,
		Summary:  "Records of the expected kind are published but none has the value Microsoft 365 expects: MX to the old provider, autodiscover on premises, SPF without the Microsoft 365 include, another tenant's DKIM target.",
		Citation: "Microsoft 365: Add DNS records to connect your domain", URL: docM365}
	ruleConflict = lint.Rule{ID: "m365.conflict", Severity: lint.Error,
		Summary:  "The expected record is there, but another record can take its traffic or break it: a second MX or SPF record, a CNAME beside other data, mixed DKIM formats, an _autodiscover._tcp SRV, a verification MX that competes with real mail.",
		Citation: "Microsoft 365: Add DNS records to connect your domain; RFC 1034 §3.6.2", URL: docM365}
	ruleMSOID = lint.Rule{ID: "m365.msoid", Severity: lint.Error,
		Summary:  "A msoid CNAME outside the 21Vianet cloud breaks Microsoft 365 Apps activation (\"isn't in our system\").",
		Citation: "Microsoft 365: External DNS records", URL: "https://learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records"}
)

// Rules returns the whole catalogue: this package's rules and those of
// spf, dkim, dmarc and records.
func Rules() []lint.Rule {
	out := []lint.Rule{ruleMissing, ruleWrong, ruleConflict, ruleMSOID}
	out = append(out, records.Rules()...)
	out = append(out, spf.Rules()...)
	out = append(out, dkim.Rules()...)
	out = append(out, dmarc.Rules()...)
	return out
}

// own asks name/qtype and returns the records owned by name itself (none
// when the answer was reached through a CNAME), the answer, or an error.
func own(ctx context.Context, r resolver.Resolver, name string, qtype uint16) ([]dns.RR, *resolver.Answer, error) {
	a, err := r.Lookup(ctx, name, qtype)
	if err != nil {
		return nil, nil, err
	}
	if qtype != dns.TypeCNAME && len(a.Chain) > 0 {
		return nil, a, nil
	}
	return a.Records, a, nil
}

func rdatas(rrs []dns.RR) []string {
	out := []string{}
	for _, rr := range rrs {
		out = append(out, rrtext.RData(rr))
	}
	return out
}

func zoneLine(e records.Expected) string {
	g := e.Want.Guess()
	if g == nil {
		return ""
	}
	c := dns.Copy(g)
	c.Header().Ttl = e.TTL
	return c.String()
}

// diff compares the zone with the expected set, entry by entry.
func diff(ctx context.Context, r resolver.Resolver, zone zoneHolder, rep *Report, set *records.Set) {
	rep.add(set.Findings...)
	d := &differ{ctx: ctx, r: r, rep: rep, zone: zone}
	for _, e := range set.Items {
		ent := d.entry(e)
		rep.Diff = append(rep.Diff, ent)
	}
	d.mixedDKIM()
	for i, ent := range rep.Diff {
		e := set.Items[i]
		if ent.Status == OK || ent.Status == Error {
			continue
		}
		var rule lint.Rule
		switch {
		case e.Absent:
			rule = ruleMSOID
		case ent.Status == Missing:
			rule = ruleMissing
		case ent.Status == Wrong:
			rule = ruleWrong
		default:
			rule = ruleConflict
		}
		f := rule.New(ent.Name, fmt.Sprintf("%s (%s): %s", ent.Purpose, ent.Type, ent.Why))
		f.Type = ent.Type
		if len(ent.Found) > 0 {
			f.Record = strings.Join(ent.Found, " | ")
		}
		if e.Optional || e.Hybrid && ent.Status == Wrong {
			f.Severity = lint.Info
		}
		switch {
		case ent.fix != "":
			f.Fix = ent.fix
		case !e.Absent:
			f.Fix = zoneLine(e)
		default:
			f.Fix = fmt.Sprintf("; delete: %s. CNAME %s", ent.Name, strings.Join(ent.Found, ""))
		}
		rep.add(f)
	}
}

type differ struct {
	ctx context.Context
	r   resolver.Resolver
	rep *Report
	mx  []dns.RR // the apex MX records, once asked
	// zone, when the check answers from zone files, tells which names
	// they hold: only a zone file can hold a CNAME beside other data.
	zone zoneHolder
}

// zoneHolder is implemented by resolvers that answer from zone files
// (resolver.Zones): Holds reports whether a loaded zone holds name.
type zoneHolder interface {
	Holds(name string) bool
}

func (d *differ) entry(e records.Expected) Entry {
	ent := Entry{Purpose: e.Purpose, Workload: e.Workload, Type: e.TypeString(), Name: e.Name, Optional: e.Optional, Found: []string{}}
	if e.Want != nil && !e.Absent {
		ent.Expected = e.Want.String()
		if e.Want.Exact() {
			ent.Expected = rrtext.RData(e.Want.Guess())
		}
	}
	fail := func(err error) Entry {
		ent.Status, ent.Why = Error, err.Error()
		d.rep.errorf("m365 %s: %v", e.Purpose, err)
		return ent
	}
	switch {
	case e.Absent:
		rrs, _, err := own(d.ctx, d.r, e.Name, e.Type)
		if err != nil {
			return fail(err)
		}
		ent.Expected = "no " + e.TypeString() + " record"
		ent.Found = rdatas(rrs)
		if len(rrs) == 0 {
			ent.Status = OK
			return ent
		}
		ent.Status, ent.Why = Wrong, fmt.Sprintf("%s must not exist outside the 21Vianet cloud: it breaks Microsoft 365 Apps activation; delete it", e.Name)
		return ent
	case e.Purpose == records.Verify:
		return d.verify(e, ent, fail)
	case e.Purpose == records.MX:
		return d.mxEntry(e, ent, fail)
	case e.Purpose == records.SPF:
		return d.spfEntry(e, ent, fail)
	case e.Purpose == records.DMARC:
		return d.dmarcEntry(e, ent, fail)
	case e.Type == dns.TypeCNAME:
		return d.cnameEntry(e, ent, fail)
	}
	// SRV and anything else: records of the type at the name.
	rrs, _, err := own(d.ctx, d.r, e.Name, e.Type)
	if err != nil {
		return fail(err)
	}
	ent.Found = rdatas(rrs)
	matched, others := split(rrs, e.Want)
	judge(&ent, matched, others, "another "+e.TypeString()+" record at the name can take its traffic")
	return ent
}

// split separates the records that match from the others.
func split(rrs []dns.RR, w records.Want) (matched, others []dns.RR) {
	for _, rr := range rrs {
		if w.Match(rr) {
			matched = append(matched, rr)
		} else {
			others = append(others, rr)
		}
	}
	return matched, others
}

// judge sets the status from what matched and what else is there.
func judge(ent *Entry, matched, others []dns.RR, conflictWhy string) {
	switch {
	case len(matched) == 0 && len(others) == 0:
		ent.Status, ent.Why = Missing, "not published; expected "+ent.Expected
	case len(matched) == 0:
		ent.Status, ent.Why = Wrong, fmt.Sprintf("found %s; expected %s", strings.Join(rdatas(others), ", "), ent.Expected)
	case len(others) > 0:
		ent.Status, ent.Why = Conflict, fmt.Sprintf("%s: %s", conflictWhy, strings.Join(rdatas(others), ", "))
	default:
		ent.Status = OK
	}
}

var msCode = regexp.MustCompile(`^(MS=)?ms[0-9]{8}$`)

func (d *differ) verify(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	txts, _, err := own(d.ctx, d.r, e.Name, dns.TypeTXT)
	if err != nil {
		return fail(err)
	}
	var kind []dns.RR
	for _, rr := range txts {
		if msCode.MatchString(strings.TrimSpace(rrtext.TXT(rr))) {
			kind = append(kind, rr)
		}
	}
	ent.Found = rdatas(kind)
	matched, others := split(kind, e.Want)
	mx, err := d.apexMX(e.Name)
	if err != nil {
		return fail(err)
	}
	var altMatched []string
	for _, alt := range e.Alternatives {
		switch alt.Type {
		case dns.TypeMX:
			for _, rr := range mx {
				if alt.Want.Match(rr) {
					altMatched = append(altMatched, rrtext.RData(rr))
					// A verification MX must not compete with real mail.
					for _, real := range mx {
						if !alt.Want.Match(real) && real.(*dns.MX).Preference >= rr.(*dns.MX).Preference {
							ent.Found = append(ent.Found, rdatas([]dns.RR{rr})...)
							ent.Status, ent.Why = Conflict, fmt.Sprintf("the verification MX %s has a preference at or before the real MX %s: delete it", rrtext.RData(rr), rrtext.RData(real))
							return ent
						}
					}
				}
			}
		case dns.TypeCNAME:
			rrs, _, err := own(d.ctx, d.r, alt.Name, dns.TypeCNAME)
			if err != nil {
				return fail(err)
			}
			for _, rr := range rrs {
				if alt.Want.Match(rr) {
					altMatched = append(altMatched, rrtext.RData(rr))
				}
			}
		}
	}
	ent.Found = append(ent.Found, altMatched...)
	switch {
	case len(matched) > 0 || len(altMatched) > 0:
		ent.Status = OK
	case len(others) > 0:
		ent.Status = Wrong
		ent.Why = fmt.Sprintf("found %s; expected %s (the MS= prefix is required, and the code must be the one the admin center shows)", strings.Join(rdatas(others), ", "), ent.Expected)
	default:
		ent.Status, ent.Why = Missing, "no verification record; expected "+ent.Expected
	}
	return ent
}

func (d *differ) apexMX(name string) ([]dns.RR, error) {
	if d.mx != nil {
		return d.mx, nil
	}
	rrs, _, err := own(d.ctx, d.r, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	d.mx = append([]dns.RR{}, rrs...)
	return d.mx, nil
}

func (d *differ) mxEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	all, err := d.apexMX(e.Name)
	if err != nil {
		return fail(err)
	}
	var rrs []dns.RR
	for _, rr := range all {
		if !strings.HasSuffix(strings.ToLower(rr.(*dns.MX).Mx), ".msv1.invalid.") {
			rrs = append(rrs, rr)
		}
	}
	ent.Found = rdatas(rrs)
	matched, others := split(rrs, e.Want)
	judge(&ent, matched, others, "other MX records take mail away from Microsoft 365 (at any preference they receive mail when it is busy, and DANE needs a single MX)")
	if ent.Status == OK && len(matched) > 1 {
		// Both the old mail.protection.outlook.com and the new
		// mx.microsoft host: a switch-over in progress (In-Region Routing,
		// DANE) that must end with one MX.
		ent.Status, ent.Why = Conflict, "several Microsoft 365 MX records ("+strings.Join(rdatas(matched), ", ")+"): finish the switch-over by deleting the old one; DANE needs a single MX"
		keep := matched[0]
		for _, rr := range matched[1:] {
			if rr.(*dns.MX).Preference < keep.(*dns.MX).Preference {
				keep = rr
			}
		}
		ent.fix = "keep only " + keep.String() + " and delete the other MX records"
	}
	if ent.Status == Wrong && e.Hybrid {
		ent.Why = "hybrid: MX still points on-premises (" + strings.Join(ent.Found, ", ") + "); switch it to Microsoft 365 when the migration completes"
	}
	return ent
}

var includeRE = regexp.MustCompile(`(?i)include:\s*([a-z0-9._-]+)`)

// spfEntry matches semantically: the one v=spf1 record must include the
// cloud's SPF domain, directly or through its includes.
func (d *differ) spfEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	txts, _, err := own(d.ctx, d.r, e.Name, dns.TypeTXT)
	if err != nil {
		return fail(err)
	}
	var recs []dns.RR
	for _, rr := range txts {
		if spf.IsSPF(rrtext.TXT(rr)) {
			recs = append(recs, rr)
		}
	}
	ent.Found = rdatas(recs)
	var wants []string
	for _, m := range includeRE.FindAllStringSubmatch(rrtext.TXT(e.Want.Guess()), -1) {
		wants = append(wants, strings.ToLower(strings.TrimSuffix(m[1], ".")))
	}
	ent.Expected = "a v=spf1 record that includes " + strings.Join(wants, ", ") + ", directly or through its includes"
	switch {
	case len(recs) == 0:
		ent.Status, ent.Why = Missing, "no v=spf1 record; expected one that includes "+strings.Join(wants, ", ")
	case len(recs) > 1:
		ent.Status, ent.Why = Conflict, fmt.Sprintf("%d v=spf1 records: receivers return permerror; merge them into one", len(recs))
	default:
		included := map[string]bool{}
		if d.rep.SPF != nil && d.rep.SPF.Root != nil {
			walkIncludes(d.rep.SPF.Root, included)
		}
		for _, m := range includeRE.FindAllStringSubmatch(rrtext.TXT(recs[0]), -1) {
			included[strings.ToLower(strings.TrimSuffix(m[1], "."))] = true
		}
		var lacking []string
		for _, w := range wants {
			if !included[w] {
				lacking = append(lacking, w)
			}
		}
		if len(lacking) > 0 {
			ent.Status, ent.Why = Wrong, "the SPF record does not include "+strings.Join(lacking, ", ")+", directly or through its includes"
		} else {
			ent.Status = OK
		}
	}
	return ent
}

func walkIncludes(n *spf.Node, seen map[string]bool) {
	for _, t := range n.Terms {
		if t.Child != nil {
			seen[strings.ToLower(t.Child.Domain)] = true
			walkIncludes(t.Child, seen)
		}
	}
}

func (d *differ) dmarcEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	txts, _, err := own(d.ctx, d.r, e.Name, dns.TypeTXT)
	if err != nil {
		return fail(err)
	}
	var recs []dns.RR
	for _, rr := range txts {
		if dmarc.IsDMARC(rrtext.TXT(rr)) {
			recs = append(recs, rr)
		}
	}
	ent.Found = rdatas(recs)
	matched, others := split(recs, e.Want)
	switch {
	case len(recs) > 1:
		ent.Status, ent.Why = Conflict, fmt.Sprintf("%d v=DMARC1 records: receivers discard them all", len(recs))
	case len(matched) == 0 && len(others) > 0:
		ent.Status, ent.Why = Wrong, "the DMARC record does not enforce a policy (p=quarantine or p=reject)"
	default:
		judge(&ent, matched, others, "")
	}
	return ent
}

func (d *differ) cnameEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	rrs, _, err := own(d.ctx, d.r, e.Name, dns.TypeCNAME)
	if err != nil {
		return fail(err)
	}
	ent.Found = rdatas(rrs)
	matched, others := split(rrs, e.Want)
	if len(rrs) == 0 {
		// No CNAME: addresses in its place point clients elsewhere.
		addrs, _, err := own(d.ctx, d.r, e.Name, dns.TypeA)
		if err != nil {
			return fail(err)
		}
		ent.Found = rdatas(addrs)
		others = addrs
	}
	judge(&ent, matched, others, "other records at the name")
	if ent.Status == OK && d.zone != nil && d.zone.Holds(e.Name) {
		// RFC 1034 §3.6.2: a CNAME stands alone. Only a zone file can hold
		// a CNAME beside other data (servers refuse to load one), so live
		// checks skip this question.
		addrs, _, err := own(d.ctx, d.r, e.Name, dns.TypeA)
		if err == nil && len(addrs) > 0 {
			ent.Found = append(ent.Found, rdatas(addrs)...)
			ent.Status, ent.Why = Conflict, "a CNAME beside other data (RFC 1034 §3.6.2): "+strings.Join(rdatas(addrs), ", ")
		}
	}
	if e.Purpose == records.Autodiscover && ent.Status == OK {
		srv, _, err := own(d.ctx, d.r, "_autodiscover._tcp."+strings.TrimPrefix(e.Name, "autodiscover."), dns.TypeSRV)
		if err == nil && len(srv) > 0 {
			ent.Found = append(ent.Found, rdatas(srv)...)
			ent.Status, ent.Why = Conflict, "an _autodiscover._tcp SRV record that Outlook also tries can send clients elsewhere: "+strings.Join(rdatas(srv), ", ")
		}
	}
	if ent.Status == Wrong && e.Hybrid {
		ent.Why = "hybrid: autodiscover still points on-premises (" + strings.Join(ent.Found, ", ") + ")"
	}
	return ent
}

// mixedDKIM flags selector CNAMEs of both the classic onmicrosoft.com form
// and the newer dkim.mail.microsoft form: they cannot coexist.
func (d *differ) mixedDKIM() {
	var classic, modern bool
	var idx []int
	for i, ent := range d.rep.Diff {
		if ent.Purpose != records.DKIM1 && ent.Purpose != records.DKIM2 || ent.Status != OK {
			continue
		}
		idx = append(idx, i)
		for _, f := range ent.Found {
			f = strings.ToLower(f)
			classic = classic || strings.Contains(f, ".onmicrosoft.com")
			modern = modern || strings.Contains(f, ".dkim.mail.microsoft")
		}
	}
	if !classic || !modern {
		return
	}
	for _, i := range idx {
		d.rep.Diff[i].Status = Conflict
		d.rep.Diff[i].Why = "the selectors mix the classic onmicrosoft.com and the new dkim.mail.microsoft targets; both must come from one Get-DkimSigningConfig"
	}
}
