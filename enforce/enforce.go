// Package enforce answers the question the last step of onboarding turns
// on: if this zone is deployed, which legitimate mail would DMARC
// enforcement quarantine or reject — and what should be added so that it
// is not?
//
// It replays the rows of a domain's DMARC aggregate reports (what
// receivers saw: a source address, a count, the From domain, the SPF and
// DKIM results) against a proposed zone: SPF check_host() again for the
// source and envelope domain (spf.Check, exactly), each reported DKIM
// signature again against the key the proposed zone publishes for its
// selector (removed, revoked or broken keys fail; keys outside the domain
// are taken as reported), and DMARC by both discovery algorithms with the
// proposed p, sp, np, pct and t (dmarc.Evaluate). Rows are grouped by
// what decides their fate, so a year of reports evaluates once per
// distinct source and identity set, whatever the row count.
//
// Sources that fail today (already lost, or delivered only because of
// p=none) are told apart from those the change would break, and the
// suggestions are computed, not curated: the provider include whose SPF
// record passes the source (with the lookup count after the change), the
// report-learned DKIM selectors the zone must keep. Mail a receiver
// delivered although DMARC failed, as forwarded or list mail (the row's
// policy_evaluated reason, or local_policy with ARC passing), is said to
// be such, and no SPF include is suggested for the forwarder that
// relayed it, nor where another receiver, giving no reason, reports the
// same mail from the same source.
package enforce

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// Row is one row of an aggregate report, as the what-if reads it.
type Row struct {
	Source netip.Addr
	Count  int
	// HeaderFrom is the RFC5322.From domain; EnvelopeFrom the MAIL FROM
	// domain (often absent: then the SPF result's domain stands in).
	HeaderFrom, EnvelopeFrom string
	// DKIM and SPF are the authentication results the receiver reported.
	DKIM []DKIM
	SPF  []SPF
	// Reported is the receiver's policy_evaluated: disposition, and the
	// DMARC-aligned DKIM and SPF results ("pass" or "fail").
	Reported Reported
}

// DKIM is one reported DKIM result.
type DKIM struct {
	Domain, Selector string
	Result           string // pass, fail, none, neutral, policy, temperror, permerror
}

// SPF is one reported SPF result.
type SPF struct {
	Domain, Scope string // scope: mfrom or helo
	Result        string
}

// Reported is what the receiver applied.
type Reported struct {
	Disposition string // none, quarantine, reject
	DKIM, SPF   string // pass or fail (aligned)
	// Override is the receiver's reason for a disposition other than the
	// policy's (a policy_evaluated reason type: forwarded,
	// trusted_forwarder, mailing_list, local_policy, sampled_out, …; of
	// several, RowOf takes the first that says the mail was relayed);
	// empty when none was given. OverrideComment is its comment, such as
	// Google's "arc=pass".
	Override, OverrideComment string
}

// overridden returns the reason the receiver gave for delivering mail
// that failed DMARC, because it is forwarded or list mail or by its local
// policy (RFC 7489 §6.7, Appendix C PolicyOverrideType), or "".
// sampled_out, policy_test_mode and other are not such a reason: the
// policy itself let the mail through. Nor is a reason given for mail that
// passed DMARC (an aligned DKIM signature that survived forwarding):
// nothing failed to be let through. A local_policy override whose
// comment says ARC passed (RFC 8617: the receiver trusted the chain of a
// forwarder or list) is given as "local_policy arc=pass".
func (r Reported) overridden() string {
	if r.PassedToday() {
		return ""
	}
	switch strings.ToLower(r.Disposition) {
	case "", "none", "pass":
		if name, rank := classify(r.Override, r.OverrideComment); rank >= relayRank || name == "local_policy" {
			return name
		}
	}
	return ""
}

// relayRank is classify's rank of a reason that says the mail was
// relayed.
const relayRank = 2

// classify names a policy_evaluated reason as overridden gives it, and
// ranks it: 3 forwarded, trusted_forwarder, mailing_list; 2 (relayRank)
// local_policy with ARC passing; 1 another type; 0 none.
func classify(typ, comment string) (name string, rank int) {
	switch t := strings.ToLower(typ); {
	case t == "forwarded", t == "trusted_forwarder", t == "mailing_list":
		return t, 3
	case t == "local_policy" && strings.Contains(strings.ToLower(comment), "arc=pass"):
		return t + " arc=pass", relayRank
	case t != "":
		return t, 1
	}
	return "", 0
}

// isRelay reports whether reason, as overridden names it, says the mail
// was relayed by a forwarder or list.
func isRelay(reason string) bool {
	switch reason {
	case "forwarded", "trusted_forwarder", "mailing_list", "local_policy arc=pass":
		return true
	}
	return false
}

// PassedToday reports whether the receiver saw the row pass DMARC.
func (r Reported) PassedToday() bool {
	return strings.EqualFold(r.DKIM, "pass") || strings.EqualFold(r.SPF, "pass")
}

// Options configure Evaluate.
type Options struct {
	// Policy, when set ("quarantine", "reject"), evaluates as if the
	// proposed record's p (and sp, np when they are weaker) said it: the
	// question "what if I enforce?" asked of a zone still at p=none.
	Policy string
	// MaxKeys bounds the distinct (source, identities) groups evaluated;
	// rows past it are counted as not evaluated. 0: DefaultMaxKeys.
	MaxKeys int
	// PTR looks up each source's name (live runs only: it costs a query
	// per source).
	PTR bool
}

// DefaultMaxKeys bounds the groups one evaluation keeps: a year of
// reports of a large domain holds a few thousand distinct sources.
const DefaultMaxKeys = 100_000

// Fate is what happens to a group of messages under the proposal.
type Fate string

const (
	// Delivered: DMARC passes under the proposal.
	Delivered Fate = "delivered"
	// Quarantined, Rejected: DMARC fails and the proposal's policy says so.
	Quarantined Fate = "quarantined"
	Rejected    Fate = "rejected"
	// Unpoliced: DMARC fails, but no enforcing policy applies (p=none,
	// t=y, pct), so the mail is delivered.
	Unpoliced Fate = "unpoliced"
)

// Change says how a group fares under the proposal against today.
type Change string

const (
	Unchanged Change = "unchanged" // passes today and under the proposal
	Breaks    Change = "breaks"    // passes today, fails under the proposal
	Lost      Change = "lost"      // fails today too: already unauthenticated
	Fixed     Change = "fixed"     // fails today, passes under the proposal
)

// Source is the messages of one source address under the proposal.
type Source struct {
	Addr netip.Addr `json:"source"`
	// PTR is the source's name, when looked up.
	PTR string `json:"ptr,omitempty"`
	// From, Envelope and DKIMDomains are the identities it sent with.
	From        []string `json:"header_from"`
	Envelope    []string `json:"envelope_from,omitempty"`
	DKIMDomains []string `json:"dkim_domains,omitempty"`
	Messages    int      `json:"messages"`
	Delivered   int      `json:"delivered"`
	Quarantined int      `json:"quarantined"`
	Rejected    int      `json:"rejected"`
	// Breaks counts messages that pass today and fail under the
	// proposal; Lost those that fail today too.
	Breaks int `json:"breaks"`
	Lost   int `json:"lost"`
	// Why says, for the failing messages, what failed; Advice what to
	// add so they pass (computed: a provider include that passes the
	// address, a DKIM selector to keep).
	Why    []string `json:"why,omitempty"`
	Advice []string `json:"advice,omitempty"`
}

// Result is the what-if of one domain.
type Result struct {
	Domain string `json:"domain"`
	// Policy is the policy evaluated: the proposed record's, or
	// Options.Policy.
	Policy      string `json:"policy"`
	Messages    int    `json:"messages"`
	Delivered   int    `json:"delivered"`
	Quarantined int    `json:"quarantined"`
	Rejected    int    `json:"rejected"`
	Unpoliced   int    `json:"unpoliced,omitempty"`
	// Breaks: messages that pass DMARC today and would not.
	Breaks int `json:"breaks"`
	// NotEvaluated counts rows past MaxKeys, or of other domains.
	NotEvaluated int `json:"not_evaluated,omitempty"`
	// Sources are the sources with messages that would not be delivered,
	// most messages first; passing sources are counted, not listed.
	Sources []Source `json:"sources"`
	// Differ counts messages whose fate differs between RFC 7489 and RFC
	// 9989 receivers (the fate above is RFC 9989's).
	Differ int `json:"algorithms_differ,omitempty"`
}

// Safe reports whether no message that passes today would be quarantined
// or rejected, and every source of at least min messages is delivered.
// Relayed mail a receiver let through today by its own override
// (forwarded, mailing_list, local_policy with ARC passing) counts as the
// policy would have it, quarantined or rejected, and Lost: the override
// is the receiver's to give, not the proposal's.
func (r *Result) Safe(min int) bool {
	if r.Breaks > 0 {
		return false
	}
	for _, s := range r.Sources {
		if s.Messages >= min && s.Quarantined+s.Rejected > 0 {
			return false
		}
	}
	return true
}

// key is what decides a row's fate: rows that share it are evaluated once.
type key struct {
	relayKey
	passedToday       bool
	reportedSPFResult string
	overridden        string
}

// relayKey is what a row was sent with: the source and the identities.
// Rows that share it are the same mail, whichever receiver reported it.
type relayKey struct {
	src            netip.Addr
	from, envelope string
	dkim           string // canonical signature list
	spfDomain      string
}

type group struct {
	row   Row
	count int
}

// Evaluate replays rows for domain (and its subdomains) against r, the
// proposed zone (a resolver.Zones, with the rest of the world live, from
// a snapshot, or offline). The error is for a cancelled context, a spent
// budget, or a domain whose own DMARC discovery failed.
func Evaluate(ctx context.Context, r resolver.Resolver, domain string, rows iter.Seq[Row], opts Options) (*Result, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, err
	}
	domain = strings.TrimSuffix(name, ".")
	maxKeys := opts.MaxKeys
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	res := &Result{Domain: domain, Sources: []Source{}}
	groups := map[key]*group{}
	for row := range rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if row.Count <= 0 {
			continue
		}
		from := canon(row.HeaderFrom)
		if from != domain && !strings.HasSuffix(from, "."+domain) {
			res.NotEvaluated += row.Count
			continue
		}
		k := keyOf(row)
		g, ok := groups[k]
		if !ok {
			if len(groups) >= maxKeys {
				res.NotEvaluated += row.Count
				continue
			}
			g = &group{row: row}
			groups[k] = g
		}
		g.count += row.Count
	}
	e := &evaluator{ctx: ctx, r: r, domain: domain, opts: opts, disc: map[string]*dmarc.Discovery{}, keys: map[string]keyState{}, spfc: map[string]spf.Result{}, spfReps: map[string]*spf.Report{},
		relays: map[relayKey]string{}}
	for k := range groups {
		if isRelay(k.overridden) {
			e.relays[k.relayKey] = k.overridden
		}
	}
	if _, err := e.discovery(domain); err != nil {
		return nil, err
	}
	bySource := map[netip.Addr]*Source{}
	ordered := slices.Collect(func(yield func(key) bool) {
		for k := range groups {
			if !yield(k) {
				return
			}
		}
	})
	// Forwarded mail last: a source's first advice, the one findings
	// show, is then about its own mail, not about mail it relayed.
	slices.SortFunc(ordered, func(a, b key) int {
		if fa, fb := a.overridden != "" || e.relays[a.relayKey] != "", b.overridden != "" || e.relays[b.relayKey] != ""; fa != fb {
			if fa {
				return 1
			}
			return -1
		}
		return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	for _, k := range ordered {
		g := groups[k]
		o, err := e.outcome(g.row)
		if err != nil {
			return nil, err
		}
		n := g.count
		res.Messages += n
		s := bySource[g.row.Source]
		if s == nil {
			s = &Source{Addr: g.row.Source}
			bySource[g.row.Source] = s
		}
		s.Messages += n
		addUnique(&s.From, canon(g.row.HeaderFrom))
		if env := canon(g.row.EnvelopeFrom); env != "" {
			addUnique(&s.Envelope, env)
		}
		for _, d := range g.row.DKIM {
			addUnique(&s.DKIMDomains, canon(d.Domain))
		}
		switch o.fate {
		case Delivered, Unpoliced:
			s.Delivered += n
			if o.fate == Delivered {
				res.Delivered += n
			} else {
				res.Unpoliced += n
			}
		case Quarantined:
			s.Quarantined += n
			res.Quarantined += n
		case Rejected:
			s.Rejected += n
			res.Rejected += n
		}
		if o.fate != Delivered {
			switch o.change {
			case Breaks:
				s.Breaks += n
				res.Breaks += n
			case Lost:
				s.Lost += n
			}
			for _, w := range o.why {
				addUnique(&s.Why, w)
			}
			for _, a := range o.advice {
				addUnique(&s.Advice, a)
			}
		}
		if o.differ {
			res.Differ += n
		}
	}
	res.Policy = e.policy
	for _, s := range bySource {
		if s.Quarantined+s.Rejected+s.Breaks == 0 && len(s.Why) == 0 {
			continue
		}
		if opts.PTR {
			s.PTR = e.ptr(s.Addr)
		}
		res.Sources = append(res.Sources, *s)
	}
	slices.SortFunc(res.Sources, func(a, b Source) int {
		if c := cmp.Compare(b.Quarantined+b.Rejected, a.Quarantined+a.Rejected); c != 0 {
			return c
		}
		return a.Addr.Compare(b.Addr)
	})
	return res, nil
}

func keyOf(row Row) key {
	var sigs []string
	for _, d := range row.DKIM {
		sigs = append(sigs, canon(d.Domain)+"/"+strings.ToLower(d.Selector)+"/"+strings.ToLower(d.Result))
	}
	slices.Sort(sigs)
	sd, sr := spfOf(row)
	return key{relayKey: relayKey{src: row.Source, from: canon(row.HeaderFrom), envelope: canon(row.EnvelopeFrom), dkim: strings.Join(sigs, ","), spfDomain: sd},
		passedToday: row.Reported.PassedToday(), reportedSPFResult: sr, overridden: row.Reported.overridden()}
}

// spfOf returns the domain SPF checked for the row (MAIL FROM, else the
// reported mfrom result's domain) and the reported result.
func spfOf(row Row) (domain, result string) {
	for _, s := range row.SPF {
		if s.Scope == "" || strings.EqualFold(s.Scope, "mfrom") {
			domain, result = canon(s.Domain), strings.ToLower(s.Result)
			break
		}
	}
	if env := canon(row.EnvelopeFrom); env != "" {
		domain = env
	}
	return domain, result
}

type outcome struct {
	fate   Fate
	change Change
	differ bool
	why    []string
	advice []string
}

type keyState struct {
	usable bool
	known  bool // false: not verified (outside the zone, offline)
	why    string
}

type evaluator struct {
	ctx     context.Context
	r       resolver.Resolver
	domain  string
	opts    Options
	policy  string
	disc    map[string]*dmarc.Discovery
	keys    map[string]keyState
	spfc    map[string]spf.Result
	spfReps map[string]*spf.Report // spfReport's
	// relays are the rows some receiver reported as relayed (a relay
	// reason), by what they were sent with, and the reason.
	relays map[relayKey]string
}

func (e *evaluator) outcome(row Row) (outcome, error) {
	var o outcome
	from := canon(row.HeaderFrom)
	d, err := e.discovery(from)
	if err != nil {
		return o, err
	}
	// SPF, again, under the proposed zone: for the envelope domain when it
	// is the domain's (its record is what the zone proposes), as reported
	// otherwise.
	spfDomain, reported := spfOf(row)
	spfResult := spf.Result(reported)
	if spfDomain != "" && e.ours(spfDomain) {
		r, err := e.spf(row.Source, spfDomain)
		if err != nil {
			return o, err
		}
		// A temperror is what the proposal could not tell (an include
		// outside the zone files, offline): the receiver's result stands.
		if r != spf.TempError || reported == "" {
			spfResult = r
		}
	}
	// DKIM, again: a signature that passed still passes if the proposed
	// zone publishes a usable key at its selector (a key outside the
	// domain is taken as reported).
	ids := dmarc.Identifiers{From: from, SPF: spfResult, MailFrom: spfDomain}
	for _, sig := range row.DKIM {
		res := dkim.Result(strings.ToLower(sig.Result))
		if res == dkim.Pass && sig.Selector != "" && e.ours(sig.Domain) {
			ks := e.key(sig.Domain, sig.Selector)
			if ks.known && !ks.usable {
				res = dkim.Fail
				o.why = append(o.why, fmt.Sprintf("DKIM d=%s s=%s: %s in the proposed zone", canon(sig.Domain), sig.Selector, ks.why))
				o.advice = append(o.advice, fmt.Sprintf("keep the DKIM key at %s._domainkey.%s: reports show mail signed with it", sig.Selector, canon(sig.Domain)))
			}
		}
		ids.DKIM = append(ids.DKIM, dmarc.DKIMResult{Domain: canon(sig.Domain), Result: res})
	}
	ev, err := dmarc.Evaluate(e.ctx, e.r, d, ids)
	if err != nil {
		return o, err
	}
	v9, v7 := ev.RFC9989, ev.RFC7489
	o.differ = v9.Disposition != v7.Disposition
	switch {
	case v9.Result == dmarc.ResultPass:
		o.fate = Delivered
	case v9.Disposition == dmarc.Reject:
		o.fate = Rejected
	case v9.Disposition == dmarc.Quarantine:
		o.fate = Quarantined
	default:
		o.fate = Unpoliced
	}
	passes := v9.Result == dmarc.ResultPass
	switch today := row.Reported.PassedToday(); {
	case today && passes:
		o.change = Unchanged
	case today:
		o.change = Breaks
	case passes:
		o.change = Fixed
	default:
		o.change = Lost
	}
	if !passes {
		o.why = append(o.why, e.explain(row, ids, v9, spfResult, spfDomain)...)
		reason := row.Reported.overridden()
		switch other := e.relays[keyOf(row).relayKey]; {
		case isRelay(reason):
			// The source relays someone else's mail: authorizing it in
			// SPF would let it send as the domain.
			o.why = append(o.why, fmt.Sprintf("the receiver delivered this mail today although DMARC failed (reason %s): forwarded or list mail, which it may let through under enforcement too", reason))
			o.advice = append(o.advice, e.relayed(row))
		case other != "" && !row.Reported.PassedToday():
			// Not every receiver gives reasons: the same mail, from the
			// same source, is relayed all the same.
			o.why = append(o.why, fmt.Sprintf("another receiver reported the same mail from this source as forwarded or list mail (reason %s)", other))
			o.advice = append(o.advice, e.relayed(row))
		case reason == "local_policy":
			o.why = append(o.why, "the receiver delivered this mail today although DMARC failed (reason local_policy), and may do so under enforcement too")
			fallthrough
		default:
			o.advice = append(o.advice, e.advise(row, v9, spfResult, spfDomain)...)
		}
	}
	return o, nil
}

// relayed is the advice for mail a forwarder or list relayed: never an
// SPF include for the relay (that would let it send as the domain), but
// aligned DKIM where the mail starts, which survives a relay that leaves
// the message as it is. Mail signed so already, whose signature failed
// (fail: not a temperror, which is the receiver's DNS), was altered on
// the way (a list adding a footer or a subject tag): no record of the
// zone mends that.
func (e *evaluator) relayed(row Row) string {
	for _, d := range row.DKIM {
		if e.ours(d.Domain) && strings.EqualFold(d.Result, "fail") {
			return fmt.Sprintf("add no SPF include for this forwarder: the mail is signed with DKIM d=%s where it starts, and the signature did not survive the relay (a list that alters the message breaks it); no record of the zone mends that: such mail passes where the receiver trusts the relay's ARC seal (RFC 8617)", canon(d.Domain))
		}
	}
	return fmt.Sprintf("add no SPF include for this forwarder: sign with DKIM d=%s where the mail starts (aligned DKIM survives forwarding that leaves the message unaltered)", e.dkimDomain(row))
}

// alignsWith is the domain an identifier must be in to align with the
// row's From domain under the proposal: the domain (or any name under
// it) in relaxed mode, the From domain itself (strict true) when the
// tag (adkim, aspf) is strict.
func (e *evaluator) alignsWith(row Row, tag string) (domain string, strict bool) {
	from := canon(row.HeaderFrom)
	if d := e.disc[from]; d != nil {
		if eff := d.Effective(); eff.Record != nil {
			mode := eff.Record.ADKIM
			if tag == "aspf" {
				mode = eff.Record.ASPF
			}
			if strings.EqualFold(mode, "s") {
				return from, true
			}
		}
	}
	return e.domain, false
}

// dkimDomain is the d= a signature must have to align with the row's
// From domain (alignsWith).
func (e *evaluator) dkimDomain(row Row) string {
	d, _ := e.alignsWith(row, "adkim")
	return d
}

// ours reports whether name is the domain or under it: its records are
// the proposal's.
func (e *evaluator) ours(name string) bool {
	n := canon(name)
	return n == e.domain || strings.HasSuffix(n, "."+e.domain)
}

func (e *evaluator) discovery(from string) (*dmarc.Discovery, error) {
	if d, ok := e.disc[from]; ok {
		return d, nil
	}
	d, err := dmarc.Discover(e.ctx, e.r, from)
	if err != nil {
		return nil, fmt.Errorf("enforce: DMARC policy of %s: %w", from, err)
	}
	if e.opts.Policy != "" {
		d = withPolicy(d, e.opts.Policy)
	}
	if e.policy == "" {
		if eff := d.Effective(); eff.Record != nil {
			e.policy = eff.Record.P
		} else {
			e.policy = "none (no record)"
		}
	}
	e.disc[from] = d
	return d, nil
}

// withPolicy returns d with its records' policies raised to p: p, and sp
// and np where they are weaker (or absent).
func withPolicy(d *dmarc.Discovery, p string) *dmarc.Discovery {
	c := *d
	raise := func(pol *dmarc.Policy) *dmarc.Policy {
		if pol == nil || pol.Record == nil {
			return pol
		}
		pc, rc := *pol, *pol.Record
		rc.P = p
		if rc.SP != "" && strength(rc.SP) < strength(p) {
			rc.SP = p
		}
		if rc.NP != "" && strength(rc.NP) < strength(p) {
			rc.NP = p
		}
		pc.Record = &rc
		return &pc
	}
	c.RFC9989, c.RFC7489 = raise(d.RFC9989), raise(d.RFC7489)
	return &c
}

func strength(p string) int {
	return map[string]int{"none": 0, "quarantine": 1, "reject": 2}[strings.ToLower(p)]
}

func (e *evaluator) spf(ip netip.Addr, domain string) (spf.Result, error) {
	k := ip.String() + " " + domain
	if r, ok := e.spfc[k]; ok {
		return r, nil
	}
	v, err := spf.Check(e.ctx, e.r, ip, domain, "postmaster@"+domain)
	if err != nil {
		return "", err
	}
	e.spfc[k] = v.Result
	return v.Result, nil
}

func (e *evaluator) key(domain, selector string) keyState {
	k := canon(domain) + " " + strings.ToLower(selector)
	if s, ok := e.keys[k]; ok {
		return s
	}
	var ks keyState
	s, _, err := dkim.Lookup(e.ctx, e.r, domain, selector)
	switch {
	case err != nil, s.Status == dkim.StatusUnverified:
		// Not verified offline, or a failed lookup: not known.
		ks = keyState{known: false}
	case s.Status == dkim.StatusOK:
		ks = keyState{known: true, usable: true}
	default:
		ks = keyState{known: true, why: "the key is " + string(s.Status)}
	}
	e.keys[k] = ks
	return ks
}

func (e *evaluator) explain(row Row, ids dmarc.Identifiers, v dmarc.Verdict, spfResult spf.Result, spfDomain string) []string {
	var why []string
	switch {
	case spfResult == spf.Pass && !v.SPFAligned:
		why = append(why, fmt.Sprintf("SPF passes for %s, which is not aligned with %s", orNone(spfDomain), canon(row.HeaderFrom)))
	case spfResult != spf.Pass:
		why = append(why, fmt.Sprintf("SPF %s for %s", spfResult, orNone(spfDomain)))
	}
	// The signatures as they fare under the proposal (a removed key
	// fails, and says so above).
	var passing []string
	for _, d := range ids.DKIM {
		if d.Result == dkim.Pass {
			passing = append(passing, d.Domain)
		}
	}
	switch {
	case len(row.DKIM) == 0:
		why = append(why, "no DKIM signature")
	case len(passing) > 0 && !v.DKIMAligned:
		why = append(why, fmt.Sprintf("DKIM d=%s is not aligned", strings.Join(passing, ", d=")))
	case len(passing) == 0 && !slices.ContainsFunc(row.DKIM, func(d DKIM) bool { return strings.EqualFold(d.Result, "pass") }):
		// (A signature that passed and fails under the proposal is
		// explained where its key is found missing or broken.)
		why = append(why, "DKIM fails")
	}
	return why
}

// advise computes what would make the source pass: which provider's SPF
// record passes the address (from the identities it sent with), and where
// an include of it helps — the domain's own MAIL FROM record, with the
// lookup count after adding it; with a third party's MAIL FROM, SPF cannot
// align at all, and aligned DKIM (or a MAIL FROM under the domain) is the
// way.
func (e *evaluator) advise(row Row, v dmarc.Verdict, spfResult spf.Result, spfDomain string) []string {
	var out []string
	if spfResult == spf.Pass && v.SPFAligned {
		return nil
	}
	cands := map[string]bool{}
	if spfDomain != "" && !e.ours(spfDomain) {
		cands[dmarc.OrgDomainPSL(spfDomain)] = true
	}
	for _, d := range row.DKIM {
		if d.Domain != "" && !e.ours(d.Domain) {
			cands[dmarc.OrgDomainPSL(canon(d.Domain))] = true
		}
	}
	signed := ""
	ownSig := slices.ContainsFunc(row.DKIM, func(d DKIM) bool { return e.ours(d.Domain) })
	if len(row.DKIM) > 0 && !v.DKIMAligned && !ownSig {
		signed = "; or sign with DKIM d=" + e.dkimDomain(row) + " there (aligned DKIM passes DMARC whatever the MAIL FROM)"
	}
	for _, c := range slices.Sorted(func(yield func(string) bool) {
		for k := range cands {
			if !yield(k) {
				return
			}
		}
	}) {
		r, err := e.spf(row.Source, c)
		if err != nil || r != spf.Pass {
			continue
		}
		c = e.narrowest(row.Source, c)
		cost := 1 + e.costOf(c)
		if spfDomain != "" && e.ours(spfDomain) {
			if !e.canAlign(row, spfDomain) {
				continue // aspf=s: the MAIL FROM domain is not the From domain
			}
			adv := fmt.Sprintf("add include:%s to the SPF record of %s (%s's record passes %s; +%s", c, spfDomain, c, row.Source, lookups(cost))
			if n := e.ownLookups(); n >= 0 && spfDomain == e.domain {
				adv += fmt.Sprintf(": %d of 10", n+cost)
				if n+cost > 10 {
					adv += ", over the limit: flatten or drop an include first"
				}
			}
			out = append(out, adv+")"+signed)
			continue
		}
		bounce := "a MAIL FROM (bounce) domain under " + e.domain
		if d, strict := e.alignsWith(row, "aspf"); strict {
			bounce = "the MAIL FROM (bounce) domain " + d
		}
		out = append(out, fmt.Sprintf("%s sends with its own MAIL FROM (%s), so SPF cannot align: set up DKIM signing with d=%s at %s, or %s whose SPF record includes %s (+%s)",
			c, orNone(spfDomain), e.dkimDomain(row), c, bounce, c, lookups(cost)))
	}
	if len(out) == 0 && signed != "" {
		out = append(out, strings.TrimPrefix(signed, "; or "))
	}
	return out
}

// canAlign reports whether SPF for spfDomain can align with the row's
// From domain under the proposed aspf (strict: the same domain).
func (e *evaluator) canAlign(row Row, spfDomain string) bool {
	from := canon(row.HeaderFrom)
	d := e.disc[from]
	if d == nil {
		return true
	}
	if eff := d.Effective(); eff.Record != nil && strings.EqualFold(eff.Record.ASPF, "s") {
		return canon(spfDomain) == from
	}
	return true
}

// narrowest returns, of the SPF tree of domain (domain and the includes
// below it), the name with the fewest lookups whose record passes ip:
// the include to suggest, rather than a provider's company-wide record.
func (e *evaluator) narrowest(ip netip.Addr, domain string) string {
	rep := e.spfReport(domain)
	if rep == nil || rep.Root == nil {
		return domain
	}
	best, bestCost := domain, e.costOf(domain)
	var walk func(n *spf.Node, depth int)
	walk = func(n *spf.Node, depth int) {
		if n == nil || depth > 4 {
			return
		}
		for _, t := range n.Terms {
			c := t.Child
			if c == nil || c.Domain == "" {
				continue
			}
			d := canon(c.Domain)
			if cost := e.costOf(d); cost < bestCost {
				if r, err := e.spf(ip, d); err == nil && r == spf.Pass {
					best, bestCost = d, cost
				}
			}
			walk(c, depth+1)
		}
	}
	walk(rep.Root, 0)
	return best
}

// spfReport is the SPF walk of domain (spf.Linter's report), once per
// domain: nil when it failed. narrowest, costOf and ownLookups read it.
func (e *evaluator) spfReport(domain string) *spf.Report {
	if rep, ok := e.spfReps[domain]; ok {
		return rep
	}
	rep, _, err := (spf.Linter{}).Lint(e.ctx, e.r, domain)
	if err != nil {
		rep = nil
	}
	e.spfReps[domain] = rep
	return rep
}

// costOf is the lookups an include of domain adds below it.
func (e *evaluator) costOf(domain string) int {
	if rep := e.spfReport(domain); rep != nil {
		return rep.Lookups
	}
	return 0
}

// ownLookups is the domain's SPF lookup count under the proposal (-1 when
// unknown).
func (e *evaluator) ownLookups() int {
	if rep := e.spfReport(e.domain); rep != nil && len(rep.Unverified) == 0 {
		return rep.Lookups
	}
	return -1
}

func (e *evaluator) ptr(ip netip.Addr) string {
	name, err := dns.ReverseAddr(ip.String())
	if err != nil {
		return ""
	}
	a, err := e.r.Lookup(e.ctx, name, dns.TypePTR)
	if err != nil || len(a.Records) == 0 {
		return ""
	}
	if p, ok := a.Records[0].(*dns.PTR); ok {
		return strings.TrimSuffix(p.Ptr, ".")
	}
	return ""
}

func lookups(n int) string {
	if n == 1 {
		return "1 lookup"
	}
	return fmt.Sprintf("%d lookups", n)
}

func canon(s string) string { return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ".")) }

func orNone(s string) string {
	if s == "" {
		return "(no envelope domain)"
	}
	return s
}

func addUnique(l *[]string, s string) {
	if s != "" && !slices.Contains(*l, s) {
		*l = append(*l, s)
	}
}
