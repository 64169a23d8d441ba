package m365

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

const (
	docM365 = "https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider"
	docEFC  = "https://learn.microsoft.com/exchange/mail-flow-best-practices/use-connectors-to-configure-mail-flow/enhanced-filtering-for-connectors"
)

// The rules of the Microsoft 365 diff. Their IDs never change. A finding
// cites the Learn page of the expectation's own cloud (records.DocTitle of
// Expected.Doc and its address) rather than the rule's generic citation.
var (
	ruleMissing = lint.Rule{ID: "m365.missing", Severity: lint.Error,
		Summary:  "A record Microsoft 365 expects is not published (info when the record is optional).",
		Citation: "Microsoft 365: Add DNS records to connect your domain", URL: docM365}
	ruleWrong = lint.Rule{ID: "m365.wrong", Severity: lint.Error,
		Summary:  "Records of the expected kind are published but none has the value Microsoft 365 expects: autodiscover on premises after the cut-over, SPF without the Microsoft 365 include, another tenant's DKIM target, a DMARC record without a policy (a warning for p=none without rua).",
		Citation: "Microsoft 365: Add DNS records to connect your domain", URL: docM365}
	ruleConflict = lint.Rule{ID: "m365.conflict", Severity: lint.Error,
		Summary:  "The expected record is there, but another record can take its traffic or break it: a second MX or SPF record, a CNAME beside other data, mixed DKIM formats or partition letters, an _autodiscover._tcp SRV.",
		Citation: "Microsoft 365: Add DNS records to connect your domain; RFC 1034 §3.6.2", URL: docM365}
	ruleMSOID = lint.Rule{ID: "m365.msoid", Severity: lint.Error,
		Summary:  "A msoid CNAME outside the 21Vianet cloud breaks Microsoft 365 Apps activation (\"isn't in our system\").",
		Citation: "Microsoft 365: External DNS records", URL: "https://learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records"}
	ruleMissingDot = lint.Rule{ID: "m365.missing-dot", Severity: lint.Error,
		Summary:  "A record's target was written without its trailing dot, so the zone appended its own origin (selector1-….onmicrosoft.com.fabrikam.com.): the record points nowhere.",
		Citation: "RFC 1035 §5.1 (relative names in master files)", URL: "https://www.rfc-editor.org/rfc/rfc1035#section-5.1"}
	ruleLeftover = lint.Rule{ID: "m365.leftover", Severity: lint.Warning,
		Summary:  "A verification record (the ms########.msv1.invalid MX, or the legacy ms######## CNAME) is left behind on a domain that already receives mail in Microsoft 365: delete it.",
		Citation: "Microsoft 365: Add DNS records to connect your domain", URL: docM365}
	ruleNotCutOver = lint.Rule{ID: "m365.not-cut-over", Severity: lint.Warning,
		Summary:  "Mail (MX) and clients (autodiscover) still go to the previous provider: verifying the domain does not route mail. Not wrong before the cut-over, but mail does not reach Microsoft 365 yet.",
		Citation: "Microsoft 365: Add DNS records to connect your domain", URL: docM365}
	ruleGateway = lint.Rule{ID: "m365.gateway", Severity: lint.Warning,
		Summary:  "MX points at a host other than Microsoft 365 while SPF includes Microsoft's: a third-party filtering gateway in front of Microsoft 365, a documented setup (Enhanced Filtering for Connectors). Name it as the gateway to make it expected.",
		Citation: "Microsoft Learn: Enhanced Filtering for Connectors in Exchange Online", URL: docEFC}
	rulePreferred = lint.Rule{ID: "m365.preferred", Severity: lint.Info,
		Summary:  "The record works, but Microsoft prefers another value (enterpriseenrollment-s.manage.microsoft.com, which does not prompt users).",
		Citation: "Microsoft Learn: Enable auto-discovery of Intune enrollment server", URL: "https://learn.microsoft.com/mem/intune/enrollment/windows-enrollment-create-cname"}
)

// Rules returns the rules of the Microsoft 365 check: the diff's and
// those of records (the expected set's own findings).
func Rules() []lint.Rule {
	out := []lint.Rule{ruleMissing, ruleWrong, ruleConflict, ruleMSOID, ruleMissingDot, ruleLeftover, ruleNotCutOver, ruleGateway, rulePreferred}
	return append(out, records.Rules()...)
}

// own asks name/qtype and returns the records owned by name itself (none
// when the answer was reached through a CNAME), or an error.
func (d *differ) own(name string, qtype uint16) ([]dns.RR, error) {
	a, err := d.pass.Resolver.Lookup(d.ctx, name, qtype)
	if err != nil {
		return nil, err
	}
	if qtype != dns.TypeCNAME && len(a.Chain) > 0 {
		return nil, nil
	}
	return a.Records, nil
}

// ownTXT returns the TXT records name owns whose text is of the kind
// (spf.IsSPF, dmarc.IsDMARC), and their texts.
func (d *differ) ownTXT(name string, kind func(string) bool) (recs []dns.RR, texts []string, err error) {
	txts, err := d.own(name, dns.TypeTXT)
	if err != nil {
		return nil, nil, err
	}
	for _, rr := range txts {
		if t := rrtext.TXT(rr); kind(t) {
			recs = append(recs, rr)
			texts = append(texts, t)
		}
	}
	return recs, texts, nil
}

func rdatas(rrs []dns.RR) []string {
	out := []string{}
	for _, rr := range rrs {
		out = append(out, rrtext.RData(rr))
	}
	return out
}

// zoneLine is the fix that publishes e's record: an add when the value is
// known, advice when it is guessed, nothing without a guess.
func zoneLine(e records.Expected) fix {
	g := e.Want.Guess()
	if g == nil {
		return fix{}
	}
	c := dns.Copy(g)
	c.Header().Ttl = e.TTL
	if e.Type == dns.TypeMX && !e.Want.Exact() {
		// An MX token is not derivable (hyphens dropped, suffixes added):
		// a guessed host may not exist and mail sent to it would bounce.
		// Advice, never an edit: the exact value comes from the admin
		// center, Graph (-graph) or Get-AcceptedDomain.
		return advise("publish the MX Microsoft 365 shows for this domain in the admin center or Graph (the token is not derivable; it looks like " + c.String() + ")")
	}
	if !e.Want.Exact() {
		// A guessed value is never written as data (a verification code,
		// a DKIM CNAME whose form depends on when the domain was added, a
		// report mailbox that may not exist): say where the value is.
		switch e.Purpose {
		case records.Verify:
			return advise("publish the TXT record with the MS=ms… code the admin center shows for this domain (Settings > Domains; -verify CODE makes it exact)")
		case records.DKIM1, records.DKIM2:
			return advise(fmt.Sprintf("publish the CNAME Get-DkimSigningConfig -Identity %s shows (Selector1CNAME, Selector2CNAME; -dkim-config makes it exact); it looks like %s", strings.TrimPrefix(strings.TrimPrefix(e.Name, "selector1._domainkey."), "selector2._domainkey."), c.String()))
		case records.DMARC:
			return advise(fmt.Sprintf("publish a DMARC record: p=none with rua=mailto: and a mailbox of yours that reads the aggregate reports, e.g. %s", c.String()))
		}
	}
	return add(c)
}

// citation names the Learn page of the expectation's cloud.
func citation(e records.Expected, rule lint.Rule) string {
	if t := records.DocTitle(e.Doc); t != "" {
		return t + " <" + e.Doc + ">"
	}
	if e.Doc != "" {
		return e.Doc
	}
	return rule.Citation
}

// override changes how diff turns an entry into a finding.
type override struct {
	rule  *lint.Rule
	sev   *lint.Severity
	noFix bool // the entry offers no fix line (what to do is in the message)
}

// diff compares the zone with the expected set, entry by entry, and
// reports the findings; spf and sels are the SPF and DKIM checks' results.
func diff(ctx context.Context, p *analysis.Pass, set *records.Set, sr *spf.Report, sels []*dkim.Selector) []Entry {
	p.Report(set.Findings...)
	d := &differ{ctx: ctx, pass: p, spf: sr, dkim: sels, diff: []Entry{}, domain: strings.TrimSuffix(strings.ToLower(set.Domain), "."), over: map[int]*override{}}
	if d.domain == "" {
		d.domain = p.Domain
	}
	for i, e := range set.Items {
		d.cur = i
		ent := d.entry(e)
		d.diff = append(d.diff, ent)
	}
	d.dkimSelectors()
	d.stageMX(set)
	for i, ent := range d.diff {
		if ent.Status == OK || ent.Status == Error {
			continue
		}
		o := d.over[i]
		if o == nil {
			o = &override{}
		}
		p.Report(entryFinding(set.Items[i], ent, o))
	}
	p.Report(d.notes...)
	p.Supersede(d.blameMissingDot)
	p.Supersede(fold)
	return d.diff
}

// entryFinding turns an entry that is not OK into its finding: rule,
// severity and fixes as the entry and its override decide.
func entryFinding(e records.Expected, ent Entry, o *override) lint.Finding {
	rule := entryRule(e, ent, o)
	f := rule.New(ent.Name, fmt.Sprintf("%s (%s): %s", ent.Purpose, ent.Type, ent.Why))
	f.Type = ent.Type
	f.Citation = citation(e, rule)
	if o.rule != nil && (o.rule.ID == ruleGateway.ID || o.rule.ID == ruleMissingDot.ID) {
		f.Citation = rule.Citation
	}
	if len(ent.Found) > 0 {
		f.Record = strings.Join(ent.Found, " | ")
	}
	f.Severity = entrySeverity(e, ent, o, f.Severity)
	f.Fixes = entryFixes(e, ent, o)
	return f
}

// entryRule decides which rule an entry breaks: the override's, else
// m365.msoid for a record that must not exist, else by the entry's status.
func entryRule(e records.Expected, ent Entry, o *override) lint.Rule {
	switch {
	case o.rule != nil:
		return *o.rule
	case e.Absent:
		return ruleMSOID
	case ent.Status == Missing:
		return ruleMissing
	case ent.Status == Wrong:
		return ruleWrong
	}
	return ruleConflict
}

// entrySeverity decides how severe an entry's finding is: the override's,
// else lower for a hybrid or optional record, else the rule's own (def).
func entrySeverity(e records.Expected, ent Entry, o *override, def lint.Severity) lint.Severity {
	switch {
	case o.sev != nil:
		return *o.sev
	case e.Hybrid && ent.Status == Wrong:
		return lint.Info
	case e.Optional && ent.Status == Missing:
		return lint.Info
	case e.Optional:
		// Optional, but published with a value that does not work.
		return lint.Warning
	}
	return def
}

// entryFixes decides which fixes an entry's finding offers: none when the
// override says so, advice for an optional record, else the entry's own
// or the line that publishes the record.
func entryFixes(e records.Expected, ent Entry, o *override) []lint.Fix {
	switch {
	case o.noFix:
	case e.Optional && ent.Status == Missing:
		// Optional (legacy Skype for Business, Intune enrollment):
		// the user's choice, never an edit -fix makes unasked.
		if z := zoneLine(e); len(z.edits) > 0 {
			return []lint.Fix{{Message: "optional: publish it if the domain uses " + string(e.Workload) + ": " + z.edits[0].RR}}
		}
	case !ent.fix.empty():
		return ent.fix.fixes()
	case !e.Absent:
		// An absent record's entry always carries its deletes.
		return zoneLine(e).fixes()
	}
	return nil
}

// blameMissingDot rewrites the DKIM lookup's dangling-selector finding at a
// name whose CNAME target lacks its trailing dot: the DKIM lookup explains
// a dangling selector as signing not being enabled; here the cause is the
// missing dot.
func (d *differ) blameMissingDot(fs []lint.Finding, drop []bool) {
	for i, f := range fs {
		if f.Rule != "dkim.dangling-cname" || !slices.Contains(d.dotless, f.Name) {
			continue
		}
		for _, s := range d.dkim {
			if s.Name == f.Name && s.Status == dkim.StatusDangling {
				fs[i].Message = s.Dangling() + ": the CNAME's target lacks its trailing dot (see m365.missing-dot)"
				break
			}
		}
	}
}

// cnameBesideWhy starts the Why of a diff entry whose CNAME stands beside
// other data.
const cnameBesideWhy = "a CNAME beside other data (RFC 1034 §3.6.2)"

type differ struct {
	ctx context.Context
	// pass asks (Resolver) and tells, when the check answers from zone
	// files, which names they hold (Zone): only a zone file can hold a
	// CNAME beside other data.
	pass *analysis.Pass
	spf  *spf.Report      // the SPF check's result
	dkim []*dkim.Selector // the DKIM check's result
	diff []Entry          // the entries so far
	// dotless are the names whose targets lack their trailing dot.
	dotless []string
	mx      []dns.RR // the apex MX records, once asked
	// domain is the set's domain: the origin a target without its
	// trailing dot was made relative to.
	domain string
	cur    int               // the index of the entry being diffed
	over   map[int]*override // by entry index
	notes  []lint.Finding    // findings beside the entries' own
}

func (d *differ) set(o override) {
	if d.over[d.cur] == nil {
		d.over[d.cur] = &override{}
	}
	p := d.over[d.cur]
	if o.rule != nil {
		p.rule = o.rule
	}
	if o.sev != nil {
		p.sev = o.sev
	}
	p.noFix = p.noFix || o.noFix
}

func sevp(s lint.Severity) *lint.Severity { return &s }

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
		d.pass.Fail(e.Name, fmt.Errorf("m365 %s: %w", e.Purpose, err))
		return ent
	}
	switch {
	case e.Absent:
		rrs, err := d.own(e.Name, e.Type)
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
		ent.fix = deletes(rrs)
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
	rrs, err := d.own(e.Name, e.Type)
	if err != nil {
		return fail(err)
	}
	ent.Found = rdatas(rrs)
	matched, others := split(rrs, e.Want)
	judge(&ent, matched, others, "another "+e.TypeString()+" record at the name can take its traffic")
	switch ent.Status {
	case Wrong:
		ent.fix = replace(others, zoneLine(e))
	case Conflict:
		ent.fix = deletes(others)
	}
	d.missingDot(e, &ent, rrs)
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

// withTarget returns a copy of rr pointing at target.
func withTarget(rr dns.RR, target string) dns.RR {
	c := dns.Copy(rr)
	switch v := c.(type) {
	case *dns.CNAME:
		v.Target = dns.Fqdn(target)
	case *dns.MX:
		v.Mx = dns.Fqdn(target)
	case *dns.SRV:
		v.Target = dns.Fqdn(target)
	}
	return c
}

// missingDot looks for targets written without their trailing dot among
// the records found for an entry, and makes the entry's finding a
// m365.missing-dot with the corrected lines.
func (d *differ) missingDot(e records.Expected, ent *Entry, rrs []dns.RR) {
	var edits fix
	var why []string
	for _, rr := range rrs {
		meant, ok := rrtext.Dotless(rrTarget(rr), d.domain)
		if !ok {
			continue
		}
		fixed := withTarget(rr, meant)
		edits = edits.then(deletes([]dns.RR{rr}), add(fixed))
		w := fmt.Sprintf("the target %s was written without its trailing dot, so the zone made it %s", meant, strings.TrimSuffix(strings.ToLower(rrTarget(rr)), "."))
		if e.Want != nil && !e.Absent && e.Want.Match(fixed) {
			w += "; with the dot it is the expected value"
		}
		why = append(why, w)
	}
	if edits.empty() {
		return
	}
	if ent.Status == OK {
		ent.Status = Wrong
	}
	ent.Why = strings.Join(why, "; ") + ": end the target with a dot (" + e.Name + " now points nowhere)"
	ent.fix = edits
	d.set(override{rule: &ruleMissingDot, sev: sevp(lint.Error)})
	d.dotless = append(d.dotless, e.Name)
}

func rrTarget(rr dns.RR) string {
	switch v := rr.(type) {
	case *dns.CNAME:
		return v.Target
	case *dns.MX:
		return v.Mx
	case *dns.SRV:
		return v.Target
	}
	return ""
}

var msCode = regexp.MustCompile(`^(MS=)?ms[0-9]{8}$`)

// verify: the TXT record, or one of its alternatives (the MX, the legacy
// CNAME). Today's "Add DNS records" page gives a verification MX the
// highest priority, so its priority is not judged; a verification MX left
// after the cut-over is reported by the MX entry (m365.leftover).
func (d *differ) verify(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	txts, err := d.own(e.Name, dns.TypeTXT)
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
				}
			}
		case dns.TypeCNAME:
			rrs, err := d.own(alt.Name, dns.TypeCNAME)
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
		if g := e.Want.Guess(); g != nil && e.Want.Exact() {
			ent.fix = replace(others, zoneLine(e))
		}
	default:
		ent.Status, ent.Why = Missing, "no verification record; expected "+ent.Expected
	}
	return ent
}

func (d *differ) apexMX(name string) ([]dns.RR, error) {
	if d.mx != nil {
		return d.mx, nil
	}
	rrs, err := d.own(name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	d.mx = append([]dns.RR{}, rrs...)
	return d.mx, nil
}

func isVerifyMX(rr dns.RR) bool {
	mx, ok := rr.(*dns.MX)
	return ok && strings.HasSuffix(strings.ToLower(mx.Mx), ".msv1.invalid.")
}

func (d *differ) mxEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	all, err := d.apexMX(e.Name)
	if err != nil {
		return fail(err)
	}
	var rrs, verifying []dns.RR
	for _, rr := range all {
		if isVerifyMX(rr) {
			verifying = append(verifying, rr)
		} else {
			rrs = append(rrs, rr)
		}
	}
	ent.Found = rdatas(rrs)
	matched, others := split(rrs, e.Want)
	judge(&ent, matched, others, "other MX records take mail away from Microsoft 365 (at any preference they receive mail when it is busy, and DANE needs a single MX): remove any other MX records")
	switch ent.Status {
	case Conflict:
		ent.fix = deletes(others)
	case Wrong:
		if e.Want.Exact() {
			ent.fix = replace(others, zoneLine(e))
		} else {
			// The token is not derivable: deleting the old MX before the
			// right one is published would leave mail nowhere to go.
			ent.fix = advise(strings.Join(append(zoneLine(e).advice, "then delete the other MX records: "+strings.Join(rdatas(others), ", ")), "; "))
		}
	}
	if ent.Status == OK && len(matched) > 1 && len(e.Gateways) == 0 {
		// Both the old mail.protection.outlook.com and the new
		// mx.microsoft host: a switch-over in progress (In-Region Routing,
		// DANE) that must end with one MX.
		ent.Status, ent.Why = Conflict, "several Microsoft 365 MX records ("+strings.Join(rdatas(matched), ", ")+"): finish the switch-over by deleting the old one; DANE needs a single MX"
		keep := matched[0]
		for _, rr := range matched[1:] {
			if mxPref(rr) < mxPref(keep) {
				keep = rr
			}
		}
		var others []dns.RR
		for _, rr := range matched {
			if rr != keep {
				others = append(others, rr)
			}
		}
		ent.fix = advise("keep only " + keep.String()).then(deletes(others))
	}
	if ent.Status == Wrong && e.Hybrid {
		ent.Why = "hybrid: MX still points on-premises (" + strings.Join(ent.Found, ", ") + "); switch it to Microsoft 365 when the migration completes"
	}
	if len(matched) > 0 && len(verifying) > 0 {
		// Mail reaches Microsoft 365, so the domain is verified: the
		// verification MX has done its work.
		f := ruleLeftover.New(e.Name, fmt.Sprintf("the verification MX %s is left behind: the domain already receives mail in Microsoft 365, so it is verified; delete the verification MX", strings.Join(rdatas(verifying), ", ")))
		f.Type, f.Record, f.Citation, f.Fixes = "MX", strings.Join(rdatas(verifying), " | "), citation(e, ruleLeftover), deletes(verifying).fixes()
		d.notes = append(d.notes, f)
	}
	d.missingDot(e, &ent, rrs)
	return ent
}

// stageMX grades the MX and autodiscover entries by the onboarding stage:
// before the cut-over, MX and autodiscover pointing at the previous
// provider are where the domain stands, not mistakes (m365.not-cut-over,
// a warning); an MX elsewhere while SPF includes Microsoft's domain looks
// like a filtering gateway in front of Microsoft 365 (m365.gateway).
func (d *differ) stageMX(set *records.Set) {
	at := map[records.Purpose]int{}
	for i, ent := range d.diff {
		if _, ok := at[ent.Purpose]; !ok {
			at[ent.Purpose] = i
		}
	}
	status := func(p records.Purpose) Status { return d.statusAt(at, p) }
	mxAt, ok := at[records.MX]
	if !ok {
		return
	}
	if s := status(records.MX); (s == OK || s == Conflict) && status(records.Verify) == Missing {
		// Mail reaches Microsoft 365, so the domain is verified: its
		// verification record may go ("can be removed after verification").
		v := &d.diff[at[records.Verify]]
		v.Status, v.Why = OK, ""
	}
	if d.diff[mxAt].Status != Wrong || set.Items[mxAt].Hybrid || d.over[mxAt] != nil {
		return
	}
	mx := &d.diff[mxAt]
	hosts := strings.Join(mx.Found, ", ")
	if d.commercialForGov(set.Items[mxAt]) {
		// Microsoft 365's commercial MX, checked against a government
		// cloud's set: the cloud is the likelier mistake.
		mx.Why = fmt.Sprintf("MX points at the commercial cloud (%s), but the expected records are GCC High's or DoD's (%s): check -cloud (a commercial tenant's domain is checked with -cloud commercial)", hosts, mx.Expected)
		mx.otherCloud = true
		d.over[mxAt] = &override{noFix: true}
		return
	}
	adAt, hasAD := at[records.Autodiscover]
	clientsMoved := !hasAD || status(records.Autodiscover) == OK
	if status(records.SPF) == OK && clientsMoved {
		// Clients and SPF already point at Microsoft 365, mail does not:
		// a filtering gateway in front of it.
		mx.Why = fmt.Sprintf("MX points at %s, not at Microsoft 365, while SPF includes Microsoft's domain and autodiscover points at Microsoft 365: if %s is a third-party filtering gateway in front of Microsoft 365, that is a documented setup (turn on Enhanced Filtering for Connectors and name it as the gateway to make it expected); if not, point MX at Microsoft 365", hosts, hosts)
		d.over[mxAt] = &override{rule: &ruleGateway, sev: sevp(lint.Warning), noFix: true}
		return
	}
	// Before the cut-over: Microsoft's step moves MX and autodiscover
	// together, so each finding's fix does both.
	mx.Why = fmt.Sprintf("mail still flows to %s: verifying the domain does not route mail. When the mailboxes are ready, point MX at Microsoft 365 (expected %s) and remove the other MX records", hosts, mx.Expected)
	d.over[mxAt] = &override{rule: &ruleNotCutOver, sev: sevp(lint.Warning)}
	if !hasAD || status(records.Autodiscover) != Wrong || d.over[adAt] != nil || set.Items[adAt].Hybrid {
		return
	}
	ad := &d.diff[adAt]
	ad.Why = "autodiscover still points at the previous provider (" + strings.Join(ad.Found, ", ") + "): move it with the MX at the cut-over"
	d.over[adAt] = &override{rule: &ruleNotCutOver, sev: sevp(lint.Warning)}
	step := cutOverStep(mx.fix, ad.fix)
	mx.fix, ad.fix = step, step
}

// statusAt is the status of the first entry of purpose p, "" when the set
// expects none; at indexes the entries by purpose.
func (d *differ) statusAt(at map[records.Purpose]int, p records.Purpose) Status {
	if i, ok := at[p]; ok {
		return d.diff[i].Status
	}
	return ""
}

// commercialForGov decides whether the apex MX points at Microsoft 365's
// commercial cloud while e expects a GCC High or DoD host.
func (d *differ) commercialForGov(e records.Expected) bool {
	return govMX(e) && slices.ContainsFunc(d.mx, func(rr dns.RR) bool {
		return records.MXKindOf(rrTarget(rr)).In(records.Commercial)
	})
}

// cutOverStep joins the MX move and the autodiscover move into the one
// step both findings offer: edits when the MX move is, advice otherwise.
func cutOverStep(mxFix, adFix fix) fix {
	step := mxFix.then(adFix)
	if len(mxFix.edits) > 0 {
		return step
	}
	// The MX move is advice (its token is not derivable): so is the
	// whole step, or autodiscover would move without the mail.
	var advice []string
	for _, x := range step.fixes() {
		advice = append(advice, x.Message)
		for _, e := range x.Edits {
			advice = append(advice, string(e.Op)+" "+e.RR)
		}
	}
	return advise(strings.Join(advice, "; "))
}

// govMX reports whether e expects a GCC High or DoD MX host.
func govMX(e records.Expected) bool {
	return e.Want != nil && records.MXKindOf(rrTarget(e.Want.Guess())) == records.MXGov
}

// spfDomains returns the domains the published SPF record includes,
// directly or through its includes.
func (d *differ) spfDomains(recs []dns.RR) map[string]bool {
	included := map[string]bool{}
	if d.spf != nil && d.spf.Root != nil {
		walkIncludes(d.spf.Root, included)
	}
	for _, rr := range recs {
		for _, d := range includes(rrtext.TXT(rr)) {
			included[d] = true
		}
	}
	return included
}

// includes returns the domains an SPF record's include terms name, as the
// spf package reads them (lowercase, no trailing dot); none for a record
// that does not parse.
func includes(txt string) []string {
	rec, _ := spf.Parse(txt)
	if rec == nil {
		return nil
	}
	var out []string
	for _, t := range rec.Terms {
		if t.Kind == spf.Mechanism && t.Name == "include" {
			out = append(out, strings.ToLower(strings.TrimSuffix(t.Domain, ".")))
		}
	}
	return out
}

// spfEntry matches semantically: the one v=spf1 record must include the
// cloud's SPF domain, directly or through its includes. Its fixes keep
// every published term: several records are merged into one, and a
// missing include is added to the record.
func (d *differ) spfEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	recs, texts, err := d.ownTXT(e.Name, spf.IsSPF)
	if err != nil {
		return fail(err)
	}
	ent.Found = rdatas(recs)
	wants := includes(rrtext.TXT(e.Want.Guess()))
	ent.Expected = "a v=spf1 record that includes " + strings.Join(wants, ", ") + ", directly or through its includes"
	included := d.spfDomains(recs)
	var lacking []string
	for _, w := range wants {
		if !included[w] {
			lacking = append(lacking, w)
		}
	}
	merged := func() fix {
		// A merge never chooses the policy: records that end differently
		// (-all beside ~all), or in +all, are merged by hand (spf.Merge).
		text, err := spf.Merge(texts, lacking...)
		switch {
		case errors.Is(err, spf.ErrMergeByHand):
			return advise(spf.MergeAdvice(err, text))
		case err != nil:
			return advise(fmt.Sprintf("fix the record first (%v), then publish one record with every sender", err))
		}
		// The merged record must stay within 10 lookups (RFC 7208
		// §4.6.4): at least what the records cost now, plus one per
		// include added (more below them). Past 10, the edit would turn
		// SPF into a permerror: advice only.
		cost := len(lacking)
		if d.spf != nil && len(recs) == 1 {
			cost += d.spf.Lookups
		} else {
			cost += staticLookups(texts)
		}
		if cost > 10 {
			return advise(fmt.Sprintf("the merged record %q would need at least %d DNS lookups, more than 10 (RFC 7208 §4.6.4): first remove or flatten includes the domain no longer needs, then publish one record with every sender", text, cost))
		}
		return deletes(recs).then(add(txtRR(e.Name, e.TTL, text)))
	}
	switch {
	case len(recs) == 0:
		ent.Status, ent.Why = Missing, "no v=spf1 record; expected one that includes "+strings.Join(wants, ", ")
	case len(recs) > 1:
		ent.Status, ent.Why = Conflict, fmt.Sprintf("%d v=spf1 records: receivers return permerror; merge them into one, keeping every term of every record", len(recs))
		ent.fix = merged()
	case len(lacking) > 0:
		ent.Status, ent.Why = Wrong, "the SPF record does not include "+strings.Join(lacking, ", ")+", directly or through its includes; add it to the record (the fix keeps every other term)"
		ent.fix = merged()
	default:
		ent.Status = OK
	}
	return ent
}

// liveSelector returns the DKIM check's result for selector when its key
// resolved (status ok), else nil.
func (d *differ) liveSelector(selector string) *dkim.Selector {
	for _, s := range d.dkim {
		if s.Selector == selector && s.Status == dkim.StatusOK {
			return s
		}
	}
	return nil
}

// tenantOf names the tenant a DKIM target points into: the label before
// onmicrosoft.com or before <c>-v1.dkim.mail.microsoft.
func tenantOf(target string) string {
	labels := strings.Split(strings.TrimSuffix(target, "."), ".")
	for i, l := range labels {
		if i > 0 && (l == "onmicrosoft" || strings.HasSuffix(l, "-v1") && i+1 < len(labels) && labels[i+1] == "dkim") {
			return "tenant " + labels[i-1]
		}
	}
	return target
}

func walkIncludes(n *spf.Node, seen map[string]bool) {
	for _, t := range n.Terms {
		if t.Child != nil {
			seen[strings.ToLower(t.Child.Domain)] = true
			walkIncludes(t.Child, seen)
		}
	}
}

// dmarcEntry: Microsoft's DMARC page starts at p=none with reports (rua),
// then quarantine, then reject, so p=none with rua is ok. p=none without
// rua gives no way to see reports: a warning. A record without a valid
// policy is an error. Fixes change only the tag at fault.
func (d *differ) dmarcEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	recs, texts, err := d.ownTXT(e.Name, dmarc.IsDMARC)
	if err != nil {
		return fail(err)
	}
	ent.Found = rdatas(recs)
	matched, others := split(recs, e.Want)
	domain := strings.TrimPrefix(e.Name, "_dmarc.")
	if len(recs) == 0 {
		if via, crecs, ctexts, err := d.dmarcViaCNAME(e.Name); err != nil {
			return fail(err)
		} else if via != "" {
			return d.dmarcThroughCNAME(e, ent, via, crecs, ctexts)
		}
	}
	if len(recs) == 0 {
		// Microsoft's DMARC page: subdomains inherit the parent domain's
		// DMARC record, which may be the only one.
		why, err := d.inheritedDMARC(domain)
		if err != nil {
			return fail(err)
		}
		if why != "" {
			ent.Status, ent.Why = OK, why
			return ent
		}
	}
	switch {
	case len(recs) > 1:
		ent.Status, ent.Why = Conflict, fmt.Sprintf("%d v=DMARC1 records: receivers discard them all; merge them into one (the fix keeps every tag and report address)", len(recs))
		m, err := dmarc.Merge(texts)
		advice := ""
		switch {
		case err != nil:
			// Which policy was meant is the owner's choice: a merge
			// never picks the weaker one for them.
			advice = dmarc.MergeAdvice(err, m)
		case !e.Want.Match(txtRR(e.Name, e.TTL, m)):
			m, _, advice = dmarc.Repair(m, domain)
		}
		if advice != "" {
			ent.fix = advise(advice)
		} else {
			ent.fix = deletes(recs).then(add(txtRR(e.Name, e.TTL, m)))
		}
	case len(matched) == 0 && len(others) > 0:
		fixed, what, advice := dmarc.Repair(texts[0], domain)
		if rec, _ := dmarc.Parse(texts[0], dmarc.RFC9989); rec != nil && rec.P == dmarc.None {
			ent.Status, ent.Why = Wrong, "p=none without rua: monitoring with no way to see the reports; add an aggregate report address (rua) and, once the reports show every legitimate sender passing, move to quarantine, then reject"
			d.set(override{sev: sevp(lint.Warning)})
		} else {
			ent.Status, ent.Why = Wrong, "the DMARC record has no valid policy (p=none, quarantine or reject)"
		}
		switch {
		case what != "" && advice != "":
			ent.fix = advise("set "+what+"; then "+advice).then(deletes(others), add(txtRR(e.Name, e.TTL, fixed)))
		case what != "":
			ent.fix = advise("set "+what).then(deletes(others), add(txtRR(e.Name, e.TTL, fixed)))
		case advice != "":
			ent.fix = advise(advice)
		}
	default:
		judge(&ent, matched, others, "")
	}
	return ent
}

// dmarcViaCNAME returns, when name is a CNAME (chain), the name it leads
// to and the v=DMARC1 records there: receivers' TXT query follows the
// CNAME (RFC 1034 §3.6.2), so a _dmarc CNAME to a shared policy or a
// DMARC service's record publishes that record. via is "" without a CNAME.
func (d *differ) dmarcViaCNAME(name string) (via string, recs []dns.RR, texts []string, err error) {
	a, err := d.pass.Resolver.Lookup(d.ctx, name, dns.TypeTXT)
	if err != nil {
		return "", nil, nil, err
	}
	if len(a.Chain) == 0 {
		return "", nil, nil, nil
	}
	via = strings.TrimSuffix(rrTarget(a.Chain[len(a.Chain)-1]), ".")
	for _, rr := range a.Records {
		if t := rrtext.TXT(rr); dmarc.IsDMARC(t) {
			recs = append(recs, rr)
			texts = append(texts, t)
		}
	}
	return via, recs, texts, nil
}

// dmarcThroughCNAME diffs the DMARC record a _dmarc CNAME leads to. It is
// edited where it lives, so the fixes are advice: never a TXT record
// beside the CNAME.
func (d *differ) dmarcThroughCNAME(e records.Expected, ent Entry, via string, recs []dns.RR, texts []string) Entry {
	ent.Found = rdatas(recs)
	matched, _ := split(recs, e.Want)
	switch {
	case len(recs) == 0:
		ent.Status, ent.Why = Missing, fmt.Sprintf("%s is a CNAME to %s, which holds no v=DMARC1 record", e.Name, via)
		ent.fix = advise(fmt.Sprintf("publish the DMARC record at %s (the CNAME's target), or replace the CNAME with the record: p=none with rua=mailto: and a mailbox of yours that reads the aggregate reports", via))
	case len(recs) > 1:
		ent.Status, ent.Why = Conflict, fmt.Sprintf("%d v=DMARC1 records at %s (the CNAME's target): receivers discard them all; merge them into one there", len(recs), via)
		ent.fix = advise("merge the records at " + via)
	case len(matched) > 0:
		ent.Status = OK
	default:
		if rec, _ := dmarc.Parse(texts[0], dmarc.RFC9989); rec != nil && rec.P == dmarc.None {
			ent.Status, ent.Why = Wrong, fmt.Sprintf("p=none without rua at %s (the CNAME's target): monitoring with no way to see the reports; add an aggregate report address (rua) there", via)
			d.set(override{sev: sevp(lint.Warning)})
		} else {
			ent.Status, ent.Why = Wrong, fmt.Sprintf("the DMARC record at %s (the CNAME's target) has no valid policy (p=none, quarantine or reject)", via)
		}
		ent.fix = advise("edit the record at " + via + ", where the CNAME at " + e.Name + " leads")
	}
	return ent
}

// inheritedDMARC says, for a subdomain (by the public suffix list) without
// a DMARC record of its own, where the record that applies to it is: the
// organizational domain's, which Microsoft's DMARC page says subdomains
// inherit ("you can eliminate the DMARC TXT records in the subdomains and
// rely on the single DMARC TXT record in the parent domain"). It is "" when
// the domain is an organizational domain or no record applies, and the
// error when the organizational domain's record could not be asked (not
// verified offline, a timeout): nothing is known to be missing then.
func (d *differ) inheritedDMARC(domain string) (string, error) {
	org := dmarc.OrgDomainPSL(domain)
	if org == "" || strings.EqualFold(strings.TrimSuffix(org, "."), strings.TrimSuffix(domain, ".")) {
		return "", nil
	}
	disc, err := dmarc.Discover(d.ctx, d.pass.Resolver, domain)
	if err != nil || disc == nil {
		return "", nil
	}
	if pol := inheritedPolicy(disc, domain); pol != nil {
		return fmt.Sprintf("no DMARC record of its own: the subdomain inherits _dmarc.%s's (p=%s%s)", strings.TrimSuffix(pol.PolicyDomain, "."), pol.Record.P, spOf(pol.Record)), nil
	}
	if pol := disc.RFC7489; pol != nil && pol.Record == nil && pol.Failure != nil &&
		strings.EqualFold(strings.TrimSuffix(pol.Unasked, "."), "_dmarc."+strings.TrimSuffix(org, ".")) {
		return "", fmt.Errorf("the organizational domain's record, which the subdomain inherits, could not be asked: %w", pol.Failure)
	}
	return "", nil
}

// inheritedPolicy returns the policy disc found above domain, the one a
// subdomain without a record of its own inherits; nil when there is none,
// or domain has its own.
func inheritedPolicy(disc *dmarc.Discovery, domain string) *dmarc.Policy {
	if disc == nil {
		return nil
	}
	pol := disc.Effective()
	if pol == nil || pol.Record == nil || pol.PolicyDomain == "" ||
		strings.EqualFold(strings.TrimSuffix(pol.PolicyDomain, "."), strings.TrimSuffix(domain, ".")) {
		return nil
	}
	return pol
}

func spOf(rec *dmarc.Record) string {
	if rec.SP == "" {
		return ""
	}
	return ", sp=" + rec.SP
}

// cnameEntry diffs an expected CNAME (autodiscover, a DKIM selector,
// Intune enrollment, the legacy Skype names): the CNAME at the name, else
// the addresses published in its place.
func (d *differ) cnameEntry(e records.Expected, ent Entry, fail func(error) Entry) Entry {
	rrs, err := d.own(e.Name, dns.TypeCNAME)
	if err != nil {
		return fail(err)
	}
	ent.Found = rdatas(rrs)
	matched, others := split(rrs, e.Want)
	if len(rrs) == 0 {
		// No CNAME: addresses in its place point clients elsewhere.
		addrs, err := d.own(e.Name, dns.TypeA)
		if err != nil {
			return fail(err)
		}
		ent.Found = rdatas(addrs)
		others = addrs
	}
	matched, others = d.dkimByMXToken(e, matched, others)
	judge(&ent, matched, others, "other records at the name")
	if d.keepWorkingDKIM(e, &ent) {
		return ent
	}
	if ent.Status == Wrong {
		ent.fix = replace(others, zoneLine(e))
		if zoneLine(e).empty() {
			ent.fix = fix{}
		}
	}
	d.cnameBesideData(e, &ent)
	d.autodiscoverSRV(e, &ent)
	if ent.Status == Wrong && e.Hybrid {
		ent.Why = "hybrid: autodiscover still points on-premises (" + strings.Join(ent.Found, ", ") + ")"
	}
	d.notePreferred(e, ent, matched)
	if e.Want != nil && e.Want.Guess() == nil && ent.Status == Missing {
		ent.fix = advise(e.Note)
	}
	d.missingDot(e, &ent, rrs)
	return ent
}

// dkimByMXToken moves to matched the DKIM CNAMEs whose target names the
// domain by the token of its published Microsoft 365 MX instead of by the
// domain with dots as dashes: Microsoft has documented the custom-domain
// part of the target as the <DomainGUID>, "the text to the left of
// .mail.protection.outlook.com in the customized MX record for the custom
// domain" (Microsoft Learn, Use DKIM to validate outbound email sent from
// your custom domain), and the token differs from the dashed domain when
// the domain has hyphens or the token a suffix (ima-citizensrights.org.uk:
// imacitizensrights-org-uk0i). The rest of the target must still be what
// the set expects (the tenant, onmicrosoft.com or <c>-v1.dkim.mail.microsoft).
func (d *differ) dkimByMXToken(e records.Expected, matched, others []dns.RR) (m, o []dns.RR) {
	if e.Purpose != records.DKIM1 && e.Purpose != records.DKIM2 || len(others) == 0 || e.Want == nil {
		return matched, others
	}
	mxs, err := d.apexMX(d.domain)
	if err != nil {
		return matched, others
	}
	tokens := map[string]bool{}
	for _, rr := range mxs {
		host := strings.ToLower(strings.TrimSuffix(rrTarget(rr), "."))
		if records.MXKindOf(host) != records.NotM365MX {
			token, _, _ := strings.Cut(host, ".")
			tokens[token] = true
		}
	}
	sel := strings.ToLower(strings.SplitN(e.Name, ".", 2)[0])
	dashed := strings.ReplaceAll(d.domain, ".", "-")
	for _, rr := range others {
		c, ok := rr.(*dns.CNAME)
		if !ok {
			o = append(o, rr)
			continue
		}
		label, rest, _ := strings.Cut(strings.ToLower(c.Target), ".")
		token, found := strings.CutPrefix(label, sel+"-")
		if found && tokens[token] && e.Want.Match(withTarget(rr, sel+"-"+dashed+"."+rest)) {
			matched = append(matched, rr)
			continue
		}
		o = append(o, rr)
	}
	return matched, o
}

// keepWorkingDKIM decides whether a wrong DKIM CNAME is kept as it is,
// with a warning and no fix, because its key resolves.
func (d *differ) keepWorkingDKIM(e records.Expected, ent *Entry) bool {
	if ent.Status != Wrong || e.Purpose != records.DKIM1 && e.Purpose != records.DKIM2 {
		return false
	}
	s := d.liveSelector(strings.TrimSuffix(strings.SplitN(e.Name, ".", 2)[0], "."))
	if s == nil {
		return false
	}
	// The published CNAME works: its key resolves. A record that works
	// is never replaced by one not verified to work; the likelier mistake
	// is the tenant named to the check.
	ent.Why = fmt.Sprintf("the DKIM CNAME points into %s, whose key resolves (%s); the expected set says %s: check the tenant given to the check (a typo?) before changing a record that works", tenantOf(s.Target), s.Target, ent.Expected)
	d.set(override{sev: sevp(lint.Warning), noFix: true})
	return true
}

// cnameBesideData decides whether a right CNAME is a conflict because the
// zone file holds other data at its name.
func (d *differ) cnameBesideData(e records.Expected, ent *Entry) {
	if ent.Status != OK || d.pass.Zone == nil {
		return
	}
	// RFC 1034 §3.6.2: a CNAME stands alone. Only a zone file can hold a
	// CNAME beside other data (servers refuse to load one), so it is read
	// from the file itself; live checks skip it.
	var addrs []dns.RR
	for _, rr := range d.pass.Zone.Owned(e.Name) {
		if t := rr.Header().Rrtype; t != dns.TypeCNAME && t != dns.TypeRRSIG && t != dns.TypeNSEC {
			addrs = append(addrs, rr)
		}
	}
	if len(addrs) > 0 {
		ent.Found = append(ent.Found, rdatas(addrs)...)
		ent.Status, ent.Why = Conflict, cnameBesideWhy+": "+strings.Join(rdatas(addrs), ", ")
		ent.cnameBeside = true
		ent.fix = deletes(addrs)
	}
}

// autodiscoverSRV decides whether a right autodiscover CNAME is a conflict
// because an _autodiscover._tcp SRV record can send Outlook elsewhere.
func (d *differ) autodiscoverSRV(e records.Expected, ent *Entry) {
	if e.Purpose != records.Autodiscover || ent.Status != OK {
		return
	}
	name := "_autodiscover._tcp." + strings.TrimPrefix(e.Name, "autodiscover.")
	srv, err := d.own(name, dns.TypeSRV)
	if err != nil && !errors.Is(err, resolver.ErrUnverified) {
		d.pass.Fail(name, err)
	}
	if err == nil && len(srv) > 0 {
		ent.Found = append(ent.Found, rdatas(srv)...)
		ent.Status, ent.Why = Conflict, "an _autodiscover._tcp SRV record that Outlook also tries can send clients elsewhere: "+strings.Join(rdatas(srv), ", ")
		ent.fix = deletes(srv)
	}
}

// notePreferred decides whether a right record gets an m365.preferred note:
// it works, but Microsoft prefers another value.
func (d *differ) notePreferred(e records.Expected, ent Entry, matched []dns.RR) {
	if ent.Status != OK || e.Preferred == nil {
		return
	}
	var not []dns.RR
	for _, rr := range matched {
		if !e.Preferred.Match(rr) {
			not = append(not, rr)
		}
	}
	if len(not) == 0 {
		return
	}
	f := rulePreferred.New(e.Name, fmt.Sprintf("%s (%s): %s works; %s", e.Purpose, ent.Type, strings.Join(rdatas(not), ", "), e.Note))
	f.Type, f.Record, f.Citation = ent.Type, strings.Join(rdatas(not), " | "), citation(e, rulePreferred)
	p := dns.Copy(e.Preferred.Guess())
	p.Header().Ttl = e.TTL
	f.Fixes = deletes(not).then(add(p)).fixes()
	d.notes = append(d.notes, f)
}

// v1DKIM matches the partition letter of the dkim.mail.microsoft form.
var v1DKIM = regexp.MustCompile(`\.([a-z])-v1\.dkim\.mail\.microsoft\.?$`)

// dkimSelectors compares the two selectors: both the classic
// onmicrosoft.com and the newer dkim.mail.microsoft form cannot coexist,
// and in the newer form both carry one partition letter.
func (d *differ) dkimSelectors() {
	var classic, modern bool
	var idx []int
	letters := map[string]bool{}
	for i, ent := range d.diff {
		if ent.Purpose != records.DKIM1 && ent.Purpose != records.DKIM2 || ent.Status != OK {
			continue
		}
		idx = append(idx, i)
		for _, f := range ent.Found {
			f = strings.ToLower(f)
			classic = classic || strings.Contains(f, ".onmicrosoft.")
			if m := v1DKIM.FindStringSubmatch(f); m != nil {
				modern = true
				letters[m[1]] = true
			}
		}
	}
	var why string
	switch {
	case classic && modern:
		why = "the selectors mix the classic onmicrosoft.com and the new dkim.mail.microsoft targets; both must come from one Get-DkimSigningConfig"
	case len(letters) > 1:
		why = "the selectors' dkim.mail.microsoft targets carry different partition letters; both come from one Get-DkimSigningConfig and share one letter"
	default:
		return
	}
	for _, i := range idx {
		d.diff[i].Status = Conflict
		d.diff[i].Why = why + ": run Get-DkimSigningConfig -Identity " + d.domain + " | Format-List Selector1CNAME,Selector2CNAME"
		d.over[i] = &override{noFix: true}
	}
}

// staticLookups counts the terms of the records that cost a DNS lookup,
// not what lies below them: a lower bound.
func staticLookups(texts []string) int {
	n := 0
	for _, t := range texts {
		rec, err := spf.Parse(t)
		if err != nil {
			continue
		}
		for _, term := range rec.Terms {
			if term.CostsLookup() {
				n++
			}
		}
	}
	return n
}

// mxPref is an MX record's preference (the largest for anything else).
func mxPref(rr dns.RR) uint16 {
	if m, ok := rr.(*dns.MX); ok {
		return m.Preference
	}
	return 65535
}

// supersedes are the rules of other checks the diff edits or drops:
// the protocol's halves of sameDefect, dkim.dangling-cname, whose cause a
// target without its trailing dot is, and zone.cname-and-other-data, which
// the diff reports with the records to delete.
func supersedes() []string {
	out := []string{"dkim.dangling-cname", "zone.cname-and-other-data"}
	for _, pair := range sameDefect {
		if !slices.Contains(out, pair[1]) {
			out = append(out, pair[1])
		}
	}
	return out
}

// sameDefect are the pairs of rules that report one defect at one name
// from two sides: the Microsoft 365 diff, and the protocol's own check.
var sameDefect = [][2]string{
	{"m365.missing", "dkim.missing"},
	{"m365.wrong", "dkim.missing"},
	{"m365.conflict", "spf.multiple-records"},
	{"m365.conflict", "dmarc.multiple-records"},
	{"m365.wrong", "dmarc.syntax"},
	{"m365.wrong", "dmarc.no-rua"},
	{"m365.missing", "dmarc.missing"},
	{"m365.wrong", "spf.syntax"},
}

// fold reports each defect once: of two findings of a sameDefect pair at
// one name, the protocol's is kept (it is the more exact, with the
// record's span and the RFC), with the diff's fixes before its own (the
// records Microsoft expects), and the diff's rule listed as related.
func fold(fs []lint.Finding, drop []bool) {
	for _, pair := range sameDefect {
		for i := range fs {
			if fs[i].Rule != pair[0] || drop[i] {
				continue
			}
			for j := range fs {
				if fs[j].Rule != pair[1] || drop[j] || !strings.EqualFold(fs[i].Name, fs[j].Name) {
					continue
				}
				keep, other := j, i
				// The diff's fixes first (the records Microsoft expects),
				// then the protocol's own.
				fixes := slices.Clone(fs[other].Fixes)
				for _, x := range fs[keep].Fixes {
					if !slices.ContainsFunc(fixes, func(y lint.Fix) bool { return y.Message == x.Message }) {
						fixes = append(fixes, x)
					}
				}
				fs[keep].Fixes = fixes
				fs[keep].Related = append(fs[keep].Related, fs[other].Rule)
				if fs[other].Severity < fs[keep].Severity { // Error is 0: the more severe
					fs[keep].Severity = fs[other].Severity
				}
				drop[other] = true
				break
			}
		}
	}
}
