package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// DefaultMaxWalk bounds the DNS-querying terms a Linter walks. Past it the
// walk stops (Report.Truncated): a hostile include tree with fan-out 10 at
// every level must not cost thousands of queries to prove it is over 10.
const DefaultMaxWalk = 40

// Linter lints a domain's SPF policy. The zero Linter is ready to use.
type Linter struct {
	// MaxWalk bounds the terms that cost a lookup walked in all
	// (default DefaultMaxWalk); counting stops there.
	MaxWalk int
	// SkipSPFType skips the query for obsolete type-99 SPF records
	// (spf.spf-rr), saving one query per domain.
	SkipSPFType bool
}

// Report is the result of a policy walk.
type Report struct {
	Domain string `json:"domain"`
	// Root is the domain's own record and, below it, every record reached
	// through include and redirect.
	Root *Node `json:"root"`
	// Lookups is the number of terms that count toward the limit of 10,
	// counted through the whole tree (RFC 7208 §4.6.4). It is a lower
	// bound when Unverified is not empty.
	Lookups int `json:"lookups"`
	// CrossedAt names the term whose lookup was the 11th, if any.
	CrossedAt string `json:"crossed_at,omitempty"`
	// VoidLookups counts lookups that returned NXDOMAIN or no records;
	// VoidNames lists them in order.
	VoidLookups int      `json:"void_lookups"`
	VoidNames   []string `json:"void_names,omitempty"`
	// VoidIPv4 and VoidIPv6 count the void lookups a client of that
	// address family meets: VoidLookups, and the a terms whose name has
	// addresses of the other family only (RFC 7208 §5.3 compares the
	// client with its own family's records, so a name with only AAAA
	// records is a void lookup for an IPv4 client, §4.6.4). Either may
	// pass the limit of 2 while VoidLookups does not.
	VoidIPv4 int `json:"void_ipv4"`
	VoidIPv6 int `json:"void_ipv6"`
	// VoidNamesIPv4 and VoidNamesIPv6 list the names void for that
	// family only, in order.
	VoidNamesIPv4 []string `json:"void_names_ipv4,omitempty"`
	VoidNamesIPv6 []string `json:"void_names_ipv6,omitempty"`
	// Truncated is set when the walk stopped at MaxWalk terms.
	Truncated bool `json:"truncated,omitempty"`
	// Unverified lists the targets that were not looked up because they
	// are outside the zone files and the check ran offline
	// (resolver.ErrUnverified): what they cost is not counted.
	Unverified []string `json:"unverified,omitempty"`
	// Errors lists branches that could not be checked (temporary DNS
	// failures and the like); they are not findings about the records.
	Errors []string `json:"errors,omitempty"`
	// failures are Errors with their causes, for the check.
	failures []failure
}

// Status is what the lookup of one record in the tree found.
type Status string

// The statuses of a Node.
const (
	StatusOK         Status = "ok"         // exactly one SPF record
	StatusNone       Status = "none"       // no SPF record
	StatusMultiple   Status = "multiple"   // more than one SPF record (permerror)
	StatusError      Status = "error"      // a temporary failure
	StatusUnverified Status = "unverified" // outside the zone files, offline
)

// Node is one record in the tree.
type Node struct {
	Domain string `json:"domain"`
	// Via is "include" or "redirect"; empty at the root.
	Via string `json:"via,omitempty"`
	// Strings are the TXT character-strings of each v=spf1 record at the
	// name, as published, even when they do not parse.
	Strings [][]string `json:"strings,omitempty"`
	// Record is the text evaluated (the strings joined), when there is
	// exactly one SPF record.
	Record string `json:"record,omitempty"`
	// Status is one of the Status constants.
	Status Status `json:"status"`
	// Own is the lookups this record's own terms cost; Total adds every
	// record below it.
	Own   int `json:"own"`
	Total int `json:"total"`
	// Terms are this record's terms that cost a lookup, in evaluation
	// order, with the running count.
	Terms []TermCost `json:"terms,omitempty"`
	// Void are the names this record's terms looked up in vain.
	Void []string `json:"void,omitempty"`

	void       bool // the lookup of this record itself was void
	alwaysPass bool // every client passes: included, it always matches
}

// TermCost is one lookup-costing term in the walk.
type TermCost struct {
	Term string `json:"term"`
	// Running is the overall count after this term (1-based).
	Running int `json:"running"`
	// Target is the name the term looked up (after %{d} expansion).
	Target string `json:"target,omitempty"`
	// Void is set when the lookup returned NXDOMAIN or no records.
	Void bool `json:"void,omitempty"`
	// VoidFor is "ipv4" or "ipv6" when the lookup is void for clients
	// of that family only: an a term whose name has addresses of the
	// other family alone.
	VoidFor string `json:"void_for,omitempty"`
	// Note says more: "3 MX names", "depends on macros", …
	Note string `json:"note,omitempty"`
	// Child is the record reached by include or redirect.
	Child *Node `json:"child,omitempty"`
}

// Lint walks domain's SPF policy with the zero Linter.
func Lint(ctx context.Context, r resolver.Resolver, domain string) (*Report, []lint.Finding, error) {
	return Linter{}.Lint(ctx, r, domain)
}

// Lint fetches domain's SPF record, follows include and redirect through
// the whole tree, counts lookups exactly as RFC 7208 §4.6.4 (see the
// package documentation for the cost model) and returns the tree and the
// findings. The error is for what made the walk impossible: an invalid
// domain, a cancelled context, or a temporary failure of the root lookup.
// Failures deeper in the tree are listed in Report.Errors.
func (l Linter) Lint(ctx context.Context, r resolver.Resolver, domain string) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSuffix(name, ".")
	w := &walker{ctx: ctx, r: r, max: l.MaxWalk, rep: &Report{Domain: name}, path: map[string]bool{}, root: name}
	if w.max <= 0 {
		w.max = DefaultMaxWalk
	}
	// The tree's questions are asked ahead of the walk (prefetcher); when
	// Lint returns, none is still running.
	ctx, cancel := context.WithCancel(ctx)
	w.ctx = ctx
	spec, note := resolver.Speculate(r)
	w.pf = &prefetcher{ctx: ctx, r: r, spec: spec, note: note, root: name, max: w.max, m: map[pkey]*future{}, done: map[string]bool{}, recs: map[string]parsed{}}
	defer w.pf.wg.Wait()
	defer cancel()
	if !l.SkipSPFType {
		w.pf.ask(name, dns.TypeSPF, "")
	}
	root, err := w.node(name, "", true)
	if err != nil {
		return nil, nil, err
	}
	w.rep.Root = root
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if !l.SkipSPFType {
		a, err := w.pf.lookup(name, dns.TypeSPF)
		switch {
		case err != nil:
			if !errors.Is(err, resolver.ErrUnverified) {
				w.fail(name, err)
			}
		case len(a.Records) > 0:
			var txt string
			if r, ok := a.Records[0].(*dns.SPF); ok {
				txt = strings.Join(resolver.DecodeTXT(r.Txt), "")
			}
			f := ruleSPFRR.New(name, "an obsolete type-99 SPF record is published; remove it and keep the TXT record")
			f.Type, f.Record = "SPF", txt
			w.add(f)
		}
	}
	rep := w.rep
	atLeast := ""
	if len(rep.Unverified) > 0 {
		atLeast = "at least "
	}
	switch {
	case rep.Lookups > 10:
		f := ruleLookupLimit.New(name, fmt.Sprintf("evaluation needs %s%d DNS lookups, more than 10 (the 11th is %s): receivers return permerror", atLeast, rep.Lookups, rep.CrossedAt))
		f.Type, f.Record = "TXT", root.Record
		if rep.Truncated {
			f.Message = fmt.Sprintf("evaluation needs more than %d DNS lookups (the walk stopped there; the 11th is %s): receivers return permerror", rep.Lookups, rep.CrossedAt)
		}
		w.add(f)
	case rep.Lookups >= 9:
		f := ruleLookupLimit.New(name, fmt.Sprintf("evaluation needs %s%d of the 10 DNS lookups allowed: one more include and receivers return permerror", atLeast, rep.Lookups))
		f.Severity, f.Type, f.Record = lint.Warning, "TXT", root.Record
		w.add(f)
	}
	if rep.VoidLookups > 2 {
		f := ruleVoidLookupLimit.New(name, fmt.Sprintf("%d lookups return NXDOMAIN or no records (%s); more than 2 is a permerror", rep.VoidLookups, namesOnce(rep.VoidNames)))
		f.Type, f.Record = "TXT", root.Record
		w.add(f)
	} else {
		for _, fam := range []struct {
			name, other string
			n           int
			names       []string
		}{{"IPv4", "AAAA", rep.VoidIPv4, rep.VoidNamesIPv4}, {"IPv6", "A", rep.VoidIPv6, rep.VoidNamesIPv6}} {
			if fam.n <= 2 {
				continue
			}
			// The names void for every client are listed first; when
			// there are none, the names of this family's voids are the
			// whole list, said once.
			all := ""
			if len(rep.VoidNames) > 0 {
				all = " (" + namesOnce(append(append([]string(nil), rep.VoidNames...), fam.names...)) + ")"
			}
			has, its := "has", "its lookup is"
			if len(fam.names) > 1 {
				has, its = "have", "their lookups are"
			}
			f := ruleVoidLookupLimit.New(name, fmt.Sprintf("for an %s client, %d lookups return no records%s: %s %s only %s records, which a client of the other family does not use (RFC 7208 §5.3), so %s void; more than 2 is a permerror for %s senders",
				fam.name, fam.n, all, namesOnce(fam.names), has, fam.other, its, fam.name))
			// Only clients of one family meet it: a warning.
			f.Severity, f.Type, f.Record = lint.Warning, "TXT", root.Record
			w.add(f)
		}
	}
	return rep, w.findings.Findings(), nil
}

// namesOnce lists names in the order first met, each once, with how many
// terms looked it up when more than one did ("h.example (3 terms)").
func namesOnce(names []string) string {
	count := map[string]int{}
	var order []string
	for _, n := range names {
		if count[n]++; count[n] == 1 {
			order = append(order, n)
		}
	}
	for i, n := range order {
		if c := count[n]; c > 1 {
			order[i] = fmt.Sprintf("%s (%d terms)", n, c)
		}
	}
	return strings.Join(order, ", ")
}

type walker struct {
	ctx      context.Context
	r        resolver.Resolver
	max      int
	rep      *Report
	findings lint.Collector  // bounded as they come: a record of one-octet strings makes thousands
	path     map[string]bool // domains on the include/redirect path
	root     string
	pf       *prefetcher
}

// txtLine is a TXT record in master-file form, split into strings of 255
// octets.
func txtLine(owner string, ttl uint32, text string) string {
	rr := &dns.TXT{Hdr: dns.RR_Header{Name: dns.Fqdn(owner), Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: ttl}, Txt: resolver.EncodeTXT(text)}
	return rr.String()
}

// own reports whether domain is the linted domain or below it: records the
// owner controls. Records of third parties reached by include get only the
// checks that break evaluation (syntax, limits, +all, missing targets), not
// advice the owner cannot act on.
func (w *walker) own(domain string) bool {
	return domain == w.root || strings.HasSuffix(domain, "."+w.root)
}

func (w *walker) add(f lint.Finding) { w.findings.Add(f) }

// fail records a lookup of the walk that failed: as text in Errors, and
// typed for the check (Pass.Fail). Only the walk's own: a question asked
// ahead that the walk never read is no failure of it.
func (w *walker) fail(name string, err error) {
	w.rep.Errors = append(w.rep.Errors, err.Error())
	w.rep.failures = append(w.rep.failures, failure{name, err})
}

// failure is a lookup of the walk that failed.
type failure struct {
	name string
	err  error
}

func (w *walker) void(name string) {
	w.rep.VoidLookups++
	w.rep.VoidNames = append(w.rep.VoidNames, name)
	w.rep.VoidIPv4++
	w.rep.VoidIPv6++
}

// voidFor counts a lookup void for clients of one address family only.
func (w *walker) voidFor(family, name string) {
	switch family {
	case "ipv4":
		w.rep.VoidIPv4++
		w.rep.VoidNamesIPv4 = append(w.rep.VoidNamesIPv4, name)
	case "ipv6":
		w.rep.VoidIPv6++
		w.rep.VoidNamesIPv6 = append(w.rep.VoidNamesIPv6, name)
	}
}

// node fetches and walks the record at domain. policy is true for the
// root and for records reached by redirect from it: their all decides.
func (w *walker) node(domain, via string, policy bool) (*Node, error) {
	n := &Node{Domain: domain, Via: via}
	a, err := w.pf.lookup(w.dnsName(domain, via != ""), dns.TypeTXT)
	if err != nil {
		if via == "" || w.ctx.Err() != nil {
			return nil, err
		}
		if errors.Is(err, resolver.ErrUnverified) {
			n.Status = StatusUnverified // the caller reports it, with the term
			return n, nil
		}
		n.Status = StatusError
		w.fail(domain, err)
		return n, nil
	}
	if via != "" && a.Void() {
		// An include or redirect target that does not exist, or has no
		// TXT records at all, is a void lookup too.
		n.void = true
	}
	var recs []string
	var others []*dns.TXT // TXT records that are not SPF, for what they may be
	for _, rr := range a.Records {
		t, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}
		ss := resolver.DecodeTXT(t.Txt)
		if !IsSPF(strings.Join(ss, "")) {
			others = append(others, t)
		}
		if IsSPF(strings.Join(ss, "")) {
			n.Strings = append(n.Strings, ss)
			recs = append(recs, strings.Join(ss, ""))
		}
	}
	if via == "" {
		w.senderID(domain, len(recs) > 0, others)
	}
	switch {
	case len(recs) == 0:
		n.Status = StatusNone
		unrec, why, fixed := unrecognized(others)
		switch {
		case via == "" && unrec != nil:
			// A record meant as SPF that receivers skip: say what
			// happened, not just "missing".
			f := ruleUnrecognized.New(domain, fmt.Sprintf("no SPF record is recognized: a TXT record here %s, so receivers skip it and SPF result is none; publish it as %q", why, fixed))
			f.Type, f.Record = "TXT", strings.Join(resolver.DecodeTXT(unrec.Txt), "")
			f.Fixes = []lint.Fix{lint.EditFix("publish the record as it was meant",
				lint.Edit{Op: lint.Delete, RR: unrec.String()},
				lint.Edit{Op: lint.Add, RR: txtLine(domain, unrec.Hdr.Ttl, fixed)})}
			w.add(f)
			return n, nil
		case via != "" && unrec != nil:
			why = fmt.Sprintf(" (a TXT record there %s, so it is not recognized)", why)
		default:
			why = ""
		}
		switch via {
		case "":
			f := ruleMissing.New(domain, "no v=spf1 TXT record: SPF result is none for mail from this domain")
			// No edit to apply blindly: -all for a domain that sends mail
			// would fail all of it.
			f.Type, f.Fixes = "TXT", []lint.Fix{
				{Message: "publish one v=spf1 record listing every host that sends mail as " + domain + " (ip4:, ip6:, include: of each provider), ending with -all"},
				lint.EditFix("if the domain sends no mail at all", lint.Edit{Op: lint.Add, RR: txtLine(domain, 3600, "v=spf1 -all")}),
			}
			w.add(f)
		case "include":
			w.add(withType(ruleIncludeMissing.New(domain, fmt.Sprintf("include target %s publishes no SPF record%s: the include is a permerror", domain, why))))
		case "redirect":
			w.add(withType(ruleRedirectMissing.New(domain, fmt.Sprintf("redirect target %s publishes no SPF record%s: permerror", domain, why))))
		}
		return n, nil
	case len(recs) > 1:
		n.Status = StatusMultiple
		f := ruleMultipleRecords.New(domain, fmt.Sprintf("%d v=spf1 TXT records at %s: receivers return permerror; merge them into one", len(recs), domain))
		f.Type, f.Record = "TXT", strings.Join(recs, " | ")
		if w.own(domain) {
			f.Fixes = []lint.Fix{mergeFix(domain, recs)}
		}
		w.add(f)
		for _, rec := range recs {
			_, errs := parse(rec)
			w.syntax(domain, rec, nil, errs)
		}
		return n, nil
	}
	n.Status = StatusOK
	n.Record = recs[0]
	w.pf.record(a, domain, n.Record)
	rec, errs := w.pf.parse(a, n.Record)
	w.syntax(domain, n.Record, n.Strings[0], errs)
	w.path[domain] = true
	defer delete(w.path, domain)
	// A record with a broken term is a permerror whatever it ends with:
	// its all says nothing, so the all rules do not speak of it.
	w.recordLints(domain, rec, policy && len(errs) == 0)

	// Terms in evaluation order: mechanisms left to right, redirect last
	// and only without all (RFC 7208 §6.1). Evaluation stops at the first
	// match (§4.6.2): mechanisms after all, or after an include whose
	// record passes every client, are never reached and cost nothing.
	hasAll := rec.All() != nil
	var dead []Term // mechanisms never reached
	deadAfter := ""
	n.alwaysPass = hasAll
	for _, t := range rec.Terms {
		if t.Kind != Mechanism {
			continue
		}
		if deadAfter != "" {
			dead = append(dead, t)
			continue
		}
		if t.Result() != Pass {
			n.alwaysPass = false
		}
		if t.CostsLookup() {
			w.term(n, rec, t, policy)
		}
		switch {
		case t.Name == "all":
			deadAfter = rec.Raw[t.Span.Start:t.Span.End]
		case t.Name == "include" && t.Result() == Pass && len(n.Terms) > 0 && n.Terms[len(n.Terms)-1].Child != nil && n.Terms[len(n.Terms)-1].Child.alwaysPass:
			deadAfter = rec.Raw[t.Span.Start:t.Span.End] + ", whose record passes every client,"
		}
	}
	if len(dead) > 0 && w.own(domain) {
		first, last := dead[0].Span, dead[len(dead)-1].Span
		f := ruleDeadTerms.New(domain, fmt.Sprintf("%s: evaluation stops at %s, so these mechanisms are never reached (and cost no lookups); remove them or move them before it", rec.Raw[first.Start:last.End], deadAfter))
		f.Type, f.Record, f.Span = "TXT", rec.Raw, lint.Span{Start: first.Start, End: last.End}
		w.add(f)
	}
	if rd := rec.Redirect(); rd != nil && !hasAll {
		w.term(n, rec, *rd, policy)
	}
	n.Total = n.Own
	for _, tc := range n.Terms {
		if tc.Child != nil {
			n.Total += tc.Child.Total
		}
	}
	return n, nil
}

// dnsName is the name to look up for a domain: a target taken from a
// record is raw text, every character literal ("a\.b" is the label
// "a\" then "b"), and is escaped; the domain checked is already a name.
func (w *walker) dnsName(domain string, fromRecord bool) string {
	if fromRecord {
		return resolver.EscapeName(domain)
	}
	return domain
}

func withType(f lint.Finding) lint.Finding {
	f.Type = "TXT"
	return f
}

// count charges one lookup and remembers where the count crossed 10.
func (w *walker) count(n *Node, tc *TermCost) {
	w.rep.Lookups++
	n.Own++
	tc.Running = w.rep.Lookups
	if w.rep.Lookups == 11 {
		w.rep.CrossedAt = fmt.Sprintf("%q in the record of %s", tc.Term, n.Domain)
	}
}

func (w *walker) term(n *Node, rec *Record, t Term, policy bool) {
	tc := TermCost{Term: rec.Raw[t.Span.Start:t.Span.End]}
	w.count(n, &tc)
	// failed records a lookup that got no answer: a temporary failure is
	// an error of the walk; a name outside the zone files, offline, is a
	// target not verified.
	failed := func(err error) bool {
		switch {
		case err == nil:
			return false
		case errors.Is(err, resolver.ErrUnverified):
			w.unverified(n, rec, t, &tc)
		default:
			w.fail(tc.Target, err)
		}
		return true
	}
	defer func() {
		if tc.Void {
			w.void(tc.Target)
			n.Void = append(n.Void, tc.Target)
		} else if tc.VoidFor != "" {
			w.voidFor(tc.VoidFor, tc.Target)
		}
		n.Terms = append(n.Terms, tc)
	}()
	if t.Name == "ptr" {
		tc.Note = "not looked up: depends on the client address"
		return
	}
	target := n.Domain
	if t.Domain != "" {
		exp, ok := expandStatic(t.Domain, n.Domain, w.root)
		if !ok {
			tc.Note = "depends on macros: not statically countable below this term"
			f := ruleMacro.New(n.Domain, fmt.Sprintf("%s depends on the message (macros): its target and any lookups below it cannot be known statically", tc.Term))
			f.Type, f.Record, f.Span = "TXT", rec.Raw, t.Span
			w.add(f)
			return
		}
		target = exp
	}
	tc.Target = target
	if w.rep.Lookups > w.max {
		w.rep.Truncated = true
		tc.Note = "not walked: the walk's bound was reached"
		return
	}
	if _, err := resolver.CanonicalName(w.dnsName(target, true)); err != nil {
		// RFC 7208 §4.8: an invalid target name is treated as not existing.
		tc.Void = true
		return
	}
	switch t.Name {
	case "include", "redirect":
		if w.path[target] {
			tc.Note = "loop"
			f := ruleIncludeLoop.New(n.Domain, fmt.Sprintf("%s leads back to %s, which is already being evaluated", tc.Term, target))
			f.Type, f.Record, f.Span = "TXT", rec.Raw, t.Span
			w.add(f)
			return
		}
		child, err := w.node(target, t.Name, policy && t.Name == "redirect")
		if failed(err) {
			return
		}
		tc.Child = child
		tc.Void = child.void
		if child.Status == StatusUnverified {
			w.unverified(n, rec, t, &tc)
		}
	case "a":
		tc.Void, tc.VoidFor = w.addrVoid(target, failed)
	case "exists":
		a, err := w.pf.lookup(w.dnsName(target, true), dns.TypeA)
		if failed(err) {
			return
		}
		tc.Void = a.Void()
	case "mx":
		a, err := w.pf.lookup(w.dnsName(target, true), dns.TypeMX)
		if failed(err) {
			return
		}
		if a.Void() {
			tc.Void = true
			return
		}
		tc.Note = plural(len(a.Records), "MX name")
		if len(a.Records) == 1 {
			if m, ok := a.Records[0].(*dns.MX); ok && m.Mx == "." {
				tc.Note = "null MX: matches no host"
				if w.own(n.Domain) {
					f := ruleNullMX.New(n.Domain, fmt.Sprintf("%s: %s publishes a null MX (it receives no mail), so the mechanism matches no host; it still costs a lookup: remove it", tc.Term, target))
					f.Type, f.Record, f.Span = "TXT", rec.Raw, t.Span
					w.add(f)
				}
			}
		}
		if len(a.Records) > 10 {
			f := ruleMXLimit.New(n.Domain, fmt.Sprintf("%s: %s has %d MX records, more than 10: permerror", tc.Term, target, len(a.Records)))
			f.Type, f.Record, f.Span = "TXT", rec.Raw, t.Span
			w.add(f)
		}
	}
}

// addrVoid looks up A and AAAA for an a mechanism. The lookup is void when
// the name has neither: then it is void for clients of both families.
// When it has one family's addresses only, it is void for clients of the
// other (RFC 7208 §5.3 asks for the client's own family): voidFor is
// "ipv4" or "ipv6" then. It costs two questions, one for NXDOMAIN.
func (w *walker) addrVoid(target string, failed func(error) bool) (void bool, voidFor string) {
	target = w.dnsName(target, true)
	a, err := w.pf.lookup(target, dns.TypeA)
	if failed(err) {
		return false, ""
	}
	if a.NXDomain() {
		return true, ""
	}
	aaaa, err := w.pf.lookup(target, dns.TypeAAAA)
	if failed(err) {
		return false, ""
	}
	switch has4, has6 := len(a.Records) > 0, len(aaaa.Records) > 0; {
	case !has4 && !has6:
		return true, ""
	case !has4:
		return false, "ipv4"
	case !has6:
		return false, "ipv6"
	}
	return false, ""
}

// unverified reports a term whose target is outside the zone files in an
// offline check: listed once in the report, and noted on the term.
func (w *walker) unverified(n *Node, rec *Record, t Term, tc *TermCost) {
	tc.Note = "not verified offline"
	if !slices.Contains(w.rep.Unverified, tc.Target) {
		w.rep.Unverified = append(w.rep.Unverified, tc.Target)
	}
	// Not a finding: nothing about the domain is wrong. The tree says the
	// count is a lower bound, and Report.Unverified lists the name.
}

// boundaryIn returns the offset of a TXT string boundary inside span,
// or 0.
func boundaryIn(strs []string, span lint.Span) int {
	off := 0
	for _, s := range strs[:max(len(strs)-1, 0)] {
		off += len(s)
		if span.Start < off && off < span.End {
			return off
		}
	}
	return 0
}

// syntax reports every broken term, and string boundaries inside terms.
func (w *walker) syntax(domain, txt string, strs []string, errs []error) {
	var broken []lint.Span
	for _, err := range errs {
		var se *SyntaxError
		if errors.As(err, &se) {
			f := ruleSyntax.New(domain, se.Reason+": "+fmt.Sprintf("%q", se.Term))
			f.Type, f.Record, f.Span = "TXT", txt, se.Span
			if at := boundaryIn(strs, se.Span); at > 0 {
				// One defect, one finding: the boundary is likely why.
				f.Message += fmt.Sprintf(" (a TXT string ends inside it, at offset %d: strings are joined with no space)", at)
				f.Related = append(f.Related, ruleStringBoundary.ID)
			}
			broken = append(broken, se.Span)
			w.add(f)
		}
	}
	if len(strs) < 2 {
		return
	}
	off := 0
	for _, s := range strs[:len(strs)-1] {
		off += len(s)
		full := len(s) == 255
		// A boundary inside a term: neither side of it is a space.
		if off > 0 && off < len(txt) && txt[off-1] != ' ' && txt[off] != ' ' && !slices.ContainsFunc(broken, func(sp lint.Span) bool { return sp.Start < off && off < sp.End }) {
			start := strings.LastIndexByte(txt[:off], ' ') + 1
			end := strings.IndexByte(txt[off:], ' ')
			if end < 0 {
				end = len(txt)
			} else {
				end += off
			}
			f := ruleStringBoundary.New(domain, fmt.Sprintf("a TXT string ends inside %q at offset %d; strings are joined with no space, so check that this term is meant to continue", txt[start:end], off))
			f.Type, f.Record, f.Span = "TXT", txt, lint.Span{Start: start, End: end}
			if full {
				// A full 255-octet string: tools split long records there,
				// and the term most likely continues as meant.
				f.Severity = lint.Info
				f.Message = fmt.Sprintf("a full 255-octet TXT string ends inside %q; strings are joined with no space, which is what such a split needs", txt[start:end])
			}
			w.add(f)
		}
	}
}

// recordLints are the checks of one record on its own.
func (w *walker) recordLints(domain string, rec *Record, policy bool) {
	find := func(r lint.Rule, t *Term, msg string) {
		f := r.New(domain, msg)
		f.Type, f.Record = "TXT", rec.Raw
		if t != nil {
			f.Span = t.Span
		}
		w.add(f)
	}
	if len(rec.Raw) > 450 && w.own(domain) {
		find(ruleTooLong, nil, fmt.Sprintf("the record is %d octets long, over 450", len(rec.Raw)))
	}
	seen := map[string]bool{}
	all := rec.All()
	own := w.own(domain)
	for i := range rec.Terms {
		t := &rec.Terms[i]
		text := rec.Raw[t.Span.Start:t.Span.End]
		canon := t.String()
		if t.Qualifier == '+' {
			canon = canon[1:]
		}
		if seen[strings.ToLower(canon)] && own {
			find(ruleDuplicateTerm, t, fmt.Sprintf("%s appears more than once", text))
		}
		seen[strings.ToLower(canon)] = true
		switch {
		case !own && !(t.Kind == Mechanism && t.Name == "all"):
			// Advice on a third party's record: not the owner's to act on.
		case t.Name == "ptr" && t.Kind == Mechanism:
			find(rulePTR, t, fmt.Sprintf("%s: the ptr mechanism SHOULD NOT be used; list the senders' addresses or names instead", text))
		case t.Name == "ip4" && t.Prefix.Bits() < 16, t.Name == "ip6" && t.Prefix.Bits() < 32:
			find(ruleBroadRange, t, fmt.Sprintf("%s authorizes %s addresses", text, rangeSize(t.Prefix)))
		case t.Kind == Modifier && t.Name != "redirect" && t.Name != "exp":
			find(ruleUnknownModifier, t, fmt.Sprintf("unknown modifier %s is ignored by receivers", text))
		case t.Kind == Mechanism && t.Name == "all" && t.Result() == Pass:
			find(rulePassAll, t, fmt.Sprintf("%s lets every host on the internet pass SPF for %s", text, domain))
		case t.Kind == Mechanism && t.Name == "all" && policy && t.Result() == Neutral:
			find(ruleNeutralAll, t, "?all: unlisted hosts get neutral, which protects nothing; end with -all")
		case t.Kind == Mechanism && t.Name == "all" && policy && t.Result() == SoftFail:
			find(ruleSoftfailAll, t, "~all: unlisted hosts only softfail; once every sender is listed, end with -all")
		}
	}
	if rd := rec.Redirect(); rd != nil && all != nil && own {
		find(ruleRedirectIgnored, rd, fmt.Sprintf("%s is ignored because the record has %s", rec.Raw[rd.Span.Start:rd.Span.End], rec.Raw[all.Span.Start:all.Span.End]))
	}
	if policy && all == nil && rec.Redirect() == nil {
		f := ruleNoAll.New(domain, "the record ends with neither all nor redirect: unlisted hosts get neutral; end it with -all")
		f.Type, f.Record = "TXT", rec.Raw
		if w.own(domain) {
			// Advice, not an edit: -all fails every sender the record
			// does not list yet.
			f.Fixes = []lint.Fix{{Message: "once the record lists every host that sends mail as " + domain + ", end it with -all: " + txtLine(domain, 3600, strings.TrimRight(rec.Raw, " ")+" -all")}}
		}
		w.add(f)
	}
}

func rangeSize(p netip.Prefix) string {
	bits := 32 - p.Bits()
	if p.Addr().Is6() {
		bits = 128 - p.Bits()
	}
	if bits < 63 {
		return fmt.Sprintf("%d", uint64(1)<<bits)
	}
	return fmt.Sprintf("2^%d", bits)
}

// expandStatic expands a domain-spec whose only macros are %{d} (the
// current domain: the include's own, in an included record), %{o} (the
// domain of the sender: the domain being linted, in every record of the
// tree) and the escapes %%, %_ and %-. ok is false when the target
// depends on the message.
func expandStatic(spec, domain, sender string) (string, bool) {
	if !strings.Contains(spec, "%") {
		return strings.ToLower(strings.TrimSuffix(spec, ".")), true
	}
	var b strings.Builder
	for i := 0; i < len(spec); i++ {
		if spec[i] != '%' || i+1 >= len(spec) {
			b.WriteByte(spec[i])
			continue
		}
		switch spec[i+1] {
		case '%':
			b.WriteByte('%')
			i++
			continue
		case '_':
			b.WriteByte(' ')
			i++
			continue
		case '-':
			b.WriteString("%20")
			i++
			continue
		}
		end := strings.IndexByte(spec[i:], '}')
		if end < 0 || spec[i+1] != '{' || end < 3 {
			return "", false
		}
		switch spec[i+2] | 0x20 {
		case 'd':
			b.WriteString(transform(domain, spec[i+3:i+end]))
		case 'o':
			b.WriteString(transform(sender, spec[i+3:i+end]))
		default:
			return "", false
		}
		i += end
	}
	// RFC 7208 §7.3: an expansion over 253 characters loses labels on
	// the left, as Check's lookups do.
	return truncate(strings.ToLower(strings.TrimSuffix(b.String(), "."))), true
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// senderID reports a Sender ID record (spf2.0/…) at the domain: a
// leftover of an experiment ended in 2013.
func (w *walker) senderID(domain string, hasSPF bool, others []*dns.TXT) {
	for _, t := range others {
		txt := strings.Join(resolver.DecodeTXT(t.Txt), "")
		if len(txt) < 7 || !strings.EqualFold(txt[:7], "spf2.0/") {
			continue
		}
		msg := "a Sender ID record (spf2.0/…) is published beside the SPF record: Sender ID is historic and no receiver evaluates it, and its list of senders drifts from the SPF record's; delete it"
		if !hasSPF {
			msg = "a Sender ID record (spf2.0/…) is published, and no SPF record: Sender ID is historic, receivers evaluate only v=spf1; publish an SPF record and delete this one"
		}
		f := ruleSenderID.New(domain, msg)
		f.Type, f.Record = "TXT", txt
		f.Fixes = []lint.Fix{lint.EditFix("delete the Sender ID record", lint.Edit{Op: lint.Delete, RR: t.String()})}
		w.add(f)
	}
}

// unrecognized finds, among TXT records that are not SPF, one meant as
// SPF that receivers skip: wrapped in literal quote characters (the
// quotes of a zone file typed into a DNS panel, "\"v=spf1 -all\""),
// starting with whitespace, or written unquoted in a zone file (each word
// a string of its own: "v=spf1" "mx" "-all", which receivers join with
// no space, RFC 7208 §3.3). IsSPF rejects all three, as RFC 7208 §4.5
// does: the record must begin with "v=spf1" and a space or its end. It
// returns the record, what is wrong with it, and the text it should have.
func unrecognized(others []*dns.TXT) (rr *dns.TXT, why, fixed string) {
	for _, t := range others {
		ss := resolver.DecodeTXT(t.Txt)
		txt := strings.Join(ss, "")
		if why, fixed := Unwrap(txt); why != "" && IsSPF(fixed) {
			return t, why, fixed
		}
		if len(ss) > 1 && strings.EqualFold(ss[0], "v=spf1") && !strings.HasPrefix(ss[1], " ") {
			if fixed := strings.Join(ss, " "); IsSPF(fixed) {
				quoted := make([]string, len(ss))
				for i, s := range ss {
					quoted[i] = strconv.Quote(s)
				}
				return t, fmt.Sprintf("is the strings %s, which receivers join with no space (%q): written unquoted in a zone file, each word is a string of its own", strings.Join(quoted, " "), txt), fixed
			}
		}
	}
	return nil, "", ""
}

// Unwrap tells what keeps txt from starting with a version tag the way
// a record must: literal quote characters around it or whitespace before
// it. It returns what it found ("" when nothing) and the text without
// it. The dmarc package reads _dmarc records the same way.
func Unwrap(txt string) (why, fixed string) {
	fixed = txt
	var quoted, spaced bool
	for {
		t := strings.TrimLeft(fixed, " \t\r\n")
		if t != fixed {
			spaced = true
		}
		t = strings.TrimRight(t, " \t\r\n")
		u := trimQuotes(t)
		if u != t {
			quoted = true
		}
		if u == fixed {
			break
		}
		fixed = u
	}
	fixed = strings.TrimRight(fixed, " \t\r\n")
	switch {
	case quoted:
		return "is wrapped in literal quote characters (the quotes are part of the data)", fixed
	case spaced:
		return "starts with whitespace", fixed
	}
	return "", txt
}

// trimQuotes removes one pair of quote characters around s: straight,
// single or typographic.
func trimQuotes(s string) string {
	for _, q := range [][2]string{{`"`, `"`}, {"'", "'"}, {"\u201c", "\u201d"}, {`\"`, `\"`}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return s[len(q[0]) : len(s)-len(q[1])]
		}
	}
	// An opening quote alone, the closing one lost.
	for _, q := range []string{`"`, "'", "\u201c"} {
		if strings.HasPrefix(s, q) {
			return strings.TrimSuffix(strings.TrimSuffix(s[len(q):], `"`), "\u201d")
		}
	}
	return s
}

// mergeFix is the fix of several SPF records: one record with every term
// (spf.Merge), as an edit when the records agree on how they end, as
// advice otherwise. Whether the merged record stays within 10 lookups is
// for the check of the result (the record's includes were not walked).
func mergeFix(domain string, recs []string) lint.Fix {
	text, err := Merge(recs)
	if err != nil {
		if errors.Is(err, ErrMergeByHand) {
			return lint.Fix{Message: MergeAdvice(err, text)}
		}
		return lint.Fix{Message: "fix the broken record, then merge the records into one"}
	}
	var edits []lint.Edit
	for _, r := range recs {
		edits = append(edits, lint.Edit{Op: lint.Delete, RR: txtLine(domain, 3600, r)})
	}
	edits = append(edits, lint.Edit{Op: lint.Add, RR: txtLine(domain, 3600, text)})
	return lint.EditFix("merge the records into one, keeping every term", edits...)
}
