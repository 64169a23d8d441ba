// Package zonefix applies a check's fixes to a zone file, each one proven
// before it is written: the edit is made in memory, the result loaded as
// its server loads it and checked again with the same options, and kept
// only when the finding it fixes is gone, no finding as severe appears,
// and nothing the owner published is lost or weakened. Every other fix
// stays advice, with the reason.
//
// A Go program or a bot can open the pull request itself:
//
//	res, err := zonefix.Fix(ctx, []resolver.ZoneSource{{File: "dns/contoso.com.zone", Domain: "contoso.com"}}, "contoso.com", zonefix.Options{})
//	os.WriteFile("dns/contoso.com.zone", []byte(res.After), 0o644)
//	fmt.Print(zonefix.Diff("dns/contoso.com.zone", res.Before, res.After))
//
// What "weakened" means, checked on the records before and after:
//   - a name that holds a record of a kind (SPF, DMARC, MTA-STS, TLS-RPT,
//     BIMI) never gets a second one;
//   - SPF keeps every mechanism and never a weaker all (-all > ~all >
//     ?all > +all);
//   - DMARC keeps every report address, and never a weaker p, sp or np,
//     a relaxed alignment where it was strict, a lower pct or t=y;
//   - no MX host is removed (a route mail may still take), nor a null MX.
//
// The fixes themselves never carry a guessed value (a verification
// code, an MX token, a report mailbox): those are advice from the start.
package zonefix

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/miekg/dns"
)

// Options configure Fix.
type Options struct {
	// Check are the options the zone is checked with, before and after
	// every fix.
	Check check.Options
	// Outside answers names outside the zone files: live DNS, a
	// snapshot; nil: none (offline).
	Outside resolver.Resolver
	// Info applies the fixes of info findings too; off, only those of
	// errors and warnings are applied.
	Info bool
	// KeepSerial leaves the SOA serial as written; off, it is raised once
	// when anything changed (YYYYMMDDnn as a date, otherwise by one), so
	// that secondaries transfer the change.
	KeepSerial bool
	// Now is today's date for the serial; zero: time.Now().
	Now time.Time
}

// Applied is one finding a fix resolved.
type Applied struct {
	Finding lint.Finding `json:"finding"`
	Fix     lint.Fix     `json:"fix"`
}

// Refused is a fix with edits that was not applied: it stays advice.
type Refused struct {
	Finding lint.Finding `json:"finding"`
	Fix     lint.Fix     `json:"fix"`
	// Why says what applying it would have done.
	Why string `json:"why"`
}

// Result is what Fix did.
type Result struct {
	// File is the zone file fixed (the first source); Before and After
	// its text.
	File          string
	Before, After string
	Applied       []Applied
	Refused       []Refused
	// Serial is the SOA serial written, when it was raised.
	Serial uint32
	// Report is the check of the zone as written (After); Initial the
	// check of the zone as it was (Before).
	Report, Initial *check.Report
}

// Changed reports whether any fix was applied.
func (r *Result) Changed() bool { return len(r.Applied) > 0 }

// maxFixes bounds the fixes tried: each costs one check of the zone.
const maxFixes = 200

// Fix checks domain from the zone files (the first is the one edited; its
// Text is read from File when empty), applies every fix that is proven
// safe, one at a time, and returns the result. The error is for files
// that do not load and for a check that could not run whole (fixes from a
// partial check could contradict what was not checked).
func Fix(ctx context.Context, sources []resolver.ZoneSource, domain string, opts Options) (*Result, error) {
	if len(sources) == 0 {
		return nil, errors.New("zonefix: no zone file")
	}
	srcs := slices.Clone(sources)
	if srcs[0].Text == "" {
		if srcs[0].File == "" {
			return nil, errors.New("zonefix: the first zone source has neither File nor Text")
		}
		// Read as the loader reads a zone file: a regular file within
		// the same bound, a FIFO or a device refused unread.
		b, err := zonedb.ReadRegular(srcs[0].File, zonedb.DefaultMaxBytes)
		if err != nil {
			return nil, fmt.Errorf("zonefix: %s: %w", srcs[0].File, err)
		}
		srcs[0].Text = string(b)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Candidates are checked without the aggregate reports and the SMTP
	// probe: no fix is about them, and reading a mailbox or probing port
	// 25 once per candidate would be slow, and could answer differently
	// each time. The zone as it was and as written are checked whole.
	quick := opts
	quick.Check.Reports, quick.Check.SMTP = nil, nil
	f := &fixer{ctx: ctx, srcs: srcs, domain: domain, opts: quick}
	res := &Result{File: srcs[0].File, Before: srcs[0].Text}
	cur, err := f.state(srcs[0].Text)
	if err != nil {
		return nil, err
	}
	if len(cur.rep.Errors) > 0 {
		return nil, fmt.Errorf("zonefix: %s could not be checked whole: %w", domain, cur.rep.Errors[0])
	}
	res.Initial = cur.rep
	origin := cur.z.Zone(domain)
	if origin == "" || cur.z.Origins()[0] != origin {
		return nil, fmt.Errorf("zonefix: %s is not in the first zone file (%s), the one fixes are written to", domain, srcs[0].File)
	}
	cur = f.dropBOM(cur, res)
	tried := map[string]bool{}
	for n := 0; n < maxFixes; n++ {
		next, done := f.step(cur, origin, tried, res)
		if done {
			break
		}
		cur = next
	}
	if res.Changed() && !opts.KeepSerial {
		zf, err := zoneedit.Parse(cur.text, origin)
		if err == nil {
			if _, serial, ok := zf.BumpSerial(now); ok {
				if st, err := f.state(zf.String()); err == nil {
					cur, res.Serial = st, serial
				}
			}
		}
	}
	res.After, res.Report = cur.text, cur.rep
	if opts.Check.Reports != nil || opts.Check.SMTP != nil {
		whole := &fixer{ctx: ctx, srcs: srcs, domain: domain, opts: opts}
		if st, err := whole.state(res.Before); err == nil {
			res.Initial = st.rep
		}
		if st, err := whole.state(res.After); err == nil {
			res.Report = st.rep
		}
	}
	return res, nil
}

// dropBOM removes a byte order mark (zone.byte-order-mark) from the
// file: no record changes, and BIND and Knot load the result. It is
// checked as any fix is.
func (f *fixer) dropBOM(cur *state, res *Result) *state {
	const bom = "\ufeff"
	if !strings.HasPrefix(cur.text, bom) {
		return cur
	}
	for _, fd := range cur.rep.Findings {
		if fd.Rule != "zone.byte-order-mark" || len(fd.Fixes) == 0 {
			continue
		}
		next, err := f.state(strings.TrimPrefix(cur.text, bom))
		if err != nil || verify(cur, next, fd, fd.Fixes[0], f.domain) != "" {
			return cur
		}
		res.Applied = append(res.Applied, Applied{Finding: fd, Fix: fd.Fixes[0]})
		return next
	}
	return cur
}

type fixer struct {
	ctx    context.Context
	srcs   []resolver.ZoneSource
	domain string
	opts   Options
}

// state is a version of the zone: its text, as loaded, and its check.
type state struct {
	text string
	z    *resolver.Zones
	rep  *check.Report
}

func (f *fixer) state(text string) (*state, error) {
	srcs := slices.Clone(f.srcs)
	srcs[0].Text = text
	z, err := resolver.NewZones(srcs...)
	if err != nil {
		return nil, err
	}
	if f.opts.Outside != nil {
		z = z.WithFallback(f.opts.Outside)
	}
	return &state{text: text, z: z, rep: check.Domain(f.ctx, z, f.domain, f.opts.Check)}, nil
}

func findingKey(x lint.Finding) string {
	return x.Rule + "\x00" + strings.ToLower(x.Name) + "\x00" + x.Type
}

// step tries the fixes of cur's findings in order and applies the first
// that is proven; done when none is left to try.
func (f *fixer) step(cur *state, origin string, tried map[string]bool, res *Result) (*state, bool) {
	for _, fd := range cur.rep.Findings {
		if len(fd.Fixes) == 0 || len(fd.Fixes[0].Edits) == 0 || tried[findingKey(fd)] {
			continue
		}
		tried[findingKey(fd)] = true
		x := fd.Fixes[0]
		refuse := func(why string) {
			res.Refused = append(res.Refused, Refused{Finding: fd, Fix: x, Why: why})
		}
		if fd.Severity == lint.Info && !f.opts.Info {
			refuse("an info finding's fix is applied only when asked (Options.Info, the CLI's -fix-info)")
			continue
		}
		zf, err := zoneedit.Parse(cur.text, origin)
		if err != nil {
			refuse(err.Error())
			continue
		}
		if err := zf.Apply(origin, x.Edits); err != nil {
			if inc := f.included(x.Edits); inc != "" {
				refuse(fmt.Sprintf("the record to change is in %s, a file the zone file includes: fixes are written to the zone file itself only; make the change there by hand", inc))
				continue
			}
			refuse(err.Error())
			continue
		}
		next, err := f.state(zf.String())
		if err != nil {
			refuse("the result does not load as its server loads it: " + err.Error())
			continue
		}
		if why := verify(cur, next, fd, x, f.domain); why != "" {
			refuse(why)
			continue
		}
		res.Applied = append(res.Applied, Applied{Finding: fd, Fix: x})
		return next, false
	}
	return cur, true
}

// included returns the $INCLUDEd file that holds a record an edit
// deletes, or "".
func (f *fixer) included(edits []lint.Edit) string {
	src := f.srcs[0]
	z, err := zonedb.Parse(zonedb.Source{Origin: src.Origin, Domain: src.Domain, File: src.File, Text: []byte(src.Text), AllowInclude: src.AllowInclude, IncludeRoot: src.IncludeRoot, AnyNames: src.AnyNames})
	if err != nil {
		return ""
	}
	for _, e := range edits {
		if e.Op != lint.Delete {
			continue
		}
		rr, err := dns.NewRR(e.RR)
		if err != nil || rr == nil {
			continue
		}
		for _, en := range z.Entries {
			if en.File != src.File && strings.EqualFold(en.RR.Header().Name, rr.Header().Name) && dns.IsDuplicate(en.RR, rr) {
				return en.File
			}
		}
	}
	return ""
}

// verify says why the step from before to after, made by fix x of
// finding fd, is not safe; "" when it is.
func verify(before, after *state, fd lint.Finding, x lint.Fix, domain string) string {
	if len(after.rep.Errors) > 0 {
		return "after it, the check could not run whole: " + after.rep.Errors[0].Error()
	}
	for _, g := range after.rep.Findings {
		if g.Rule == fd.Rule && strings.EqualFold(g.Name, fd.Name) && g.Type == fd.Type {
			return "the finding is still there after it"
		}
	}
	// A record deleted and not replaced (same owner and type) is one the
	// finding is about: a fix deletes nothing else.
	for _, e := range x.Edits {
		if e.Op != lint.Delete {
			continue
		}
		del, err := dns.NewRR(e.RR)
		if err != nil || del == nil {
			continue
		}
		owner := strings.TrimSuffix(strings.ToLower(del.Header().Name), ".")
		replaced := slices.ContainsFunc(x.Edits, func(a lint.Edit) bool {
			rr, err := dns.NewRR(a.RR)
			return a.Op == lint.Add && err == nil && rr != nil && strings.EqualFold(rr.Header().Name, del.Header().Name) && rr.Header().Rrtype == del.Header().Rrtype
		})
		if !replaced && !strings.EqualFold(owner, fd.Name) {
			return fmt.Sprintf("it deletes %s, which the finding (at %s) is not about", strings.TrimSpace(e.RR), fd.Name)
		}
	}
	// Nothing published is lost or weakened, at the names it edits and at
	// the domain's own SPF and DMARC names.
	names := []string{domain, "_dmarc." + domain}
	for _, e := range x.Edits {
		if rr, err := dns.NewRR(e.RR); err == nil && rr != nil {
			names = append(names, strings.TrimSuffix(strings.ToLower(rr.Header().Name), "."))
		}
	}
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		if why := weakened(before.z.Owned(name), after.z.Owned(name), name); why != "" {
			return why
		}
	}
	// No finding as severe as the one fixed appears.
	had := map[string]int{}
	for _, g := range before.rep.Findings {
		had[findingKey(g)]++
	}
	for _, g := range after.rep.Findings {
		k := findingKey(g)
		if had[k] > 0 {
			had[k]--
			continue
		}
		if g.Severity <= fd.Severity { // Error is 0: as severe or more
			return fmt.Sprintf("it brings a new %s: %s %s: %s", g.Severity, g.Rule, g.Name, g.Message)
		}
	}
	return ""
}

// kindOf names the kind of a TXT record a name may hold one of, as
// receivers recognise it (a record they skip is not published).
func kindOf(txt string) string {
	switch {
	case spf.IsSPF(txt):
		return "v=spf1"
	case dmarc.IsDMARC(txt):
		return "v=dmarc1"
	}
	l := strings.ToLower(txt)
	for _, k := range []string{"v=stsv1", "v=tlsrptv1", "v=bimi1"} {
		if strings.HasPrefix(l, k) && (len(l) == len(k) || l[len(k)] == ';' || l[len(k)] == ' ') {
			return k
		}
	}
	return ""
}

func byKind(rrs []dns.RR) map[string][]string {
	out := map[string][]string{}
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeTXT {
			continue
		}
		t := rrtext.TXT(rr)
		if k := kindOf(t); k != "" {
			out[k] = append(out[k], t)
		}
	}
	return out
}

var kindNames = map[string]string{"v=spf1": "SPF", "v=dmarc1": "DMARC", "v=stsv1": "MTA-STS", "v=tlsrptv1": "TLS-RPT", "v=bimi1": "BIMI"}

// weakened compares the records at name before and after.
func weakened(before, after []dns.RR, name string) string {
	b, a := byKind(before), byKind(after)
	for k, recs := range a {
		if n := len(b[k]); n > 0 && len(recs) > n {
			return fmt.Sprintf("it adds a second %s record at %s, beside the one published: receivers would discard both", kindNames[k], name)
		}
	}
	if len(b["v=spf1"]) > 0 && len(a["v=spf1"]) > 0 {
		if why := spfWeaker(b["v=spf1"], a["v=spf1"]); why != "" {
			return "at " + name + ", " + why
		}
	}
	if len(b["v=dmarc1"]) > 0 {
		if len(a["v=dmarc1"]) == 0 {
			return "it removes the DMARC record at " + name
		}
		if why := dmarcWeaker(b["v=dmarc1"], a["v=dmarc1"][0]); why != "" {
			return "at " + name + ", " + why
		}
	}
	for k := range b {
		if len(a[k]) == 0 {
			return fmt.Sprintf("it removes the %s record at %s", kindNames[k], name)
		}
	}
	if hasNullMX(before) && !hasNullMX(after) {
		return "it removes the null MX at " + name + " (the domain says it receives no mail)"
	}
	if host := lostRoute(before, after); host != "" {
		return fmt.Sprintf("it removes the MX host %s at %s, a route mail may still take (a gateway, a migration's other side): delete it by hand once nothing depends on it", host, name)
	}
	return ""
}

// lostRoute returns an MX host of before that after has not, or "". The
// null MX and hosts under .invalid (a verification MX such as Microsoft
// 365's ms########.msv1.invalid, RFC 6761 §6.4: never resolved) are no
// route.
func lostRoute(before, after []dns.RR) string {
	hosts := map[string]bool{}
	for _, rr := range after {
		if mx, ok := rr.(*dns.MX); ok {
			hosts[strings.ToLower(dns.Fqdn(mx.Mx))] = true
		}
	}
	for _, rr := range before {
		mx, ok := rr.(*dns.MX)
		if !ok {
			continue
		}
		h := strings.ToLower(dns.Fqdn(mx.Mx))
		if h != "." && !strings.HasSuffix(h, ".invalid.") && !hosts[h] {
			return strings.TrimSuffix(h, ".")
		}
	}
	return ""
}

func hasNullMX(rrs []dns.RR) bool {
	for _, rr := range rrs {
		if mx, ok := rr.(*dns.MX); ok && mx.Mx == "." {
			return true
		}
	}
	return false
}

var allRank = map[byte]int{'+': 0, '?': 1, '~': 2, '-': 3}

// spfWeaker: the record after passes no host the records before did
// not. Every mechanism before (up to its all; receivers never reach what
// follows) is in the record after, in the same order; the record after
// adds nothing but include terms (a provider's sender, which the lookup
// count and the check of the result bound), no address range and no
// catch-all; and its all is not weaker than the strongest before.
func spfWeaker(before []string, after []string) string {
	if len(after) != 1 {
		return ""
	}
	ra, _ := spf.Parse(after[0])
	if ra == nil {
		return "the SPF record after it does not parse"
	}
	live := func(r *spf.Record) []spf.Term {
		var out []spf.Term
		for _, t := range r.Terms {
			if t.Kind != spf.Mechanism {
				continue
			}
			if t.Name == "all" {
				break
			}
			out = append(out, t)
		}
		return out
	}
	key := func(t spf.Term) string { return strings.TrimPrefix(strings.ToLower(t.String()), "+") }
	afterTerms := live(ra)
	pos := map[string]int{}
	for i, t := range afterTerms {
		if _, ok := pos[key(t)]; !ok {
			pos[key(t)] = i
		}
	}
	// Redirects merged as includes stand for themselves.
	old := map[string]bool{}
	strongest := -1
	for _, txt := range before {
		rb, _ := spf.Parse(txt)
		if rb == nil {
			continue
		}
		last := -1
		for _, t := range live(rb) {
			k := key(t)
			old[k] = true
			i, ok := pos[k]
			if !ok {
				return fmt.Sprintf("it drops %s from the SPF record", t.String())
			}
			if i < last {
				return fmt.Sprintf("it moves %s before a term it stood after: which mechanism matches first changes", t.String())
			}
			last = i
		}
		if rd := rb.Redirect(); rd != nil {
			old["include:"+strings.ToLower(rd.Domain)] = true
		}
		if all := rb.All(); all != nil {
			strongest = max(strongest, allRank[qualifier(all)])
		}
	}
	for _, t := range afterTerms {
		if !old[key(t)] && t.Name != "include" {
			return fmt.Sprintf("it adds %s to the SPF record: only a provider's include is ever added", t.String())
		}
	}
	if all := ra.All(); strongest >= 0 && (all == nil || allRank[qualifier(all)] < strongest) {
		return "it weakens the SPF record's all"
	}
	return ""
}

func qualifier(t *spf.Term) byte {
	if t.Qualifier == 0 {
		return '+'
	}
	return t.Qualifier
}

var policyRank = map[string]int{"": -1, "none": 0, "quarantine": 1, "reject": 2}

// dmarcWeaker: the record after keeps every report address and is not
// weaker in policy, alignment, pct or testing than any record before.
func dmarcWeaker(before []string, after string) string {
	ra, _ := dmarc.Parse(after, dmarc.RFC9989)
	if ra == nil {
		return "the DMARC record after it does not parse"
	}
	uris := map[string]bool{}
	for _, u := range append(slices.Clone(ra.RUA), ra.RUF...) {
		uris[strings.ToLower(u.Address)] = true
	}
	eff := func(r *dmarc.Record) (p, sp, np string) {
		p, sp, np = strings.ToLower(r.P), strings.ToLower(r.SP), strings.ToLower(r.NP)
		if sp == "" {
			sp = p
		}
		if np == "" {
			np = sp
		}
		return
	}
	ap, asp, anp := eff(ra)
	for _, txt := range before {
		rb, _ := dmarc.Parse(txt, dmarc.RFC9989)
		if rb == nil {
			continue
		}
		for _, u := range append(slices.Clone(rb.RUA), rb.RUF...) {
			if u.Address != "" && !uris[strings.ToLower(u.Address)] {
				return "it drops the report address " + u.Address + " from the DMARC record"
			}
		}
		bp, bsp, bnp := eff(rb)
		for _, c := range []struct{ tag, b, a string }{{"p", bp, ap}, {"sp", bsp, asp}, {"np", bnp, anp}} {
			if policyRank[c.a] < policyRank[c.b] {
				return fmt.Sprintf("it weakens the DMARC %s from %s to %s", c.tag, c.b, c.a)
			}
		}
		if strings.EqualFold(rb.ADKIM, "s") && !strings.EqualFold(ra.ADKIM, "s") || strings.EqualFold(rb.ASPF, "s") && !strings.EqualFold(ra.ASPF, "s") {
			return "it relaxes the DMARC alignment"
		}
		if pct := func(r *dmarc.Record) int {
			if r.Pct < 0 {
				return 100
			}
			return r.Pct
		}; pct(ra) < pct(rb) {
			return "it lowers the DMARC pct"
		}
		if strings.EqualFold(ra.T, "y") && !strings.EqualFold(rb.T, "y") {
			return "it puts the DMARC policy in test mode (t=y)"
		}
	}
	return ""
}
