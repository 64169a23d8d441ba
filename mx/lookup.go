package mx

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"
)

// MaxHosts is the most distinct MX target names whose addresses Lookup
// asks (at most two questions each, A then AAAA). Targets past it are
// listed with Status "not-checked" and Report.Truncated is set: a record
// set of a thousand MX names must not cost two thousand queries.
const MaxHosts = 10

// Status is what the lookup of one MX target found.
type Status string

// Host statuses.
const (
	StatusOK         Status = "ok"          // the target has A or AAAA records
	StatusNull       Status = "null"        // the "." of a null MX; not looked up
	StatusIPLiteral  Status = "ip-literal"  // an address written as a name; not looked up
	StatusMissing    Status = "missing"     // NXDOMAIN
	StatusNoAddress  Status = "no-address"  // neither A nor AAAA (NODATA)
	StatusUnverified Status = "unverified"  // outside the zone files, offline
	StatusError      Status = "error"       // a temporary failure: not known
	StatusNotChecked Status = "not-checked" // past MaxHosts
)

// Host is one MX record and what its target resolves to.
type Host struct {
	Preference uint16 `json:"preference"`
	// Target is the exchange, lowercase, without the trailing dot; "." for
	// a null MX.
	Target string `json:"target"`
	// RR is the record in master-file form, as answered.
	RR string `json:"rr"`
	// Status is one of the Status constants.
	Status Status `json:"status"`
	// Chain is the CNAMEs followed from Target (each written "owner ->
	// target" in JSON): not empty means the target is an alias (mx.cname).
	Chain []resolver.Hop `json:"chain,omitempty"`
	// Addrs are the target's addresses, A then AAAA (AAAA is asked only
	// when there is no A).
	Addrs []netip.Addr `json:"addrs,omitempty"`
	// Err says why the target could not be checked.
	Err string `json:"error,omitempty"`
}

// DomainStatus is what the MX lookup found for the domain as a whole.
type DomainStatus string

// Report statuses of the domain as a whole.
const (
	DomainMX         DomainStatus = "mx"         // MX records other than a lone null MX
	DomainNull       DomainStatus = "null"       // a null MX alone: the domain accepts no mail (RFC 7505)
	DomainNone       DomainStatus = "none"       // no MX: mail falls back to A/AAAA (RFC 5321 §5.1)
	DomainNXDomain   DomainStatus = "nxdomain"   // the domain does not exist
	DomainUnverified DomainStatus = "unverified" // the domain's MX records are outside the zone files, offline
)

// Report is what Lookup found.
type Report struct {
	Domain string `json:"domain"`
	// Status is one of the Domain constants.
	Status DomainStatus `json:"status"`
	// Hosts are the MX records, by preference then target.
	Hosts []Host `json:"hosts,omitempty"`
	// Fallback are the domain's own addresses when it has no MX: where
	// RFC 5321 §5.1 sends its mail.
	Fallback []netip.Addr `json:"fallback,omitempty"`
	// Truncated is set when more than MaxHosts targets were named.
	Truncated bool `json:"truncated,omitempty"`
	// Unverified lists the names not looked up because they are outside
	// the zone files and the check ran offline: not verified, not missing.
	Unverified []string `json:"unverified,omitempty"`
	// Errors lists lookups that failed (temporary failures, a spent
	// budget): what they would have shown is not known, and no finding is
	// made from them.
	Errors []string `json:"errors,omitempty"`

	errs []error // Errors as the resolver returned them
}

// Failures returns the lookups that failed, one per Errors entry, as the
// errors the resolver returned: errors.Is(err, resolver.ErrBudget),
// resolver.ErrTemporary or context.DeadlineExceeded tell why. For a
// report read back from JSON they are errors carrying the messages alone.
func (r *Report) Failures() []error {
	if r == nil {
		return nil
	}
	if len(r.errs) == len(r.Errors) {
		return slices.Clone(r.errs)
	}
	out := make([]error, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = errors.New(e)
	}
	return out
}

// Null reports whether the domain publishes a null MX alone: it accepts
// no mail (RFC 7505).
func (r *Report) Null() bool { return r != nil && r.Status == DomainNull }

// Lookup fetches domain's MX records and checks each target (RFC 5321
// §5.1): an alias is mx.cname, an address written as a name mx.ip-literal,
// NXDOMAIN mx.missing-target, neither A nor AAAA mx.no-address. A null MX
// alone (RFC 7505) is the valid "no mail" declaration; beside other MX
// records it is mx.null-mixed. No MX at all is mx.none, with the domain's
// A/AAAA fallback named.
//
// It costs one MX question, then at most two per distinct target (A, and
// AAAA when there is no A) for at most MaxHosts targets, or two (the
// domain's A and AAAA) when there is no MX. Answers come through r, so a
// caching resolver shares them across a sweep. A target outside the zone
// files of an offline check is "not verified" (Report.Unverified), never
// missing; a temporary failure is listed in Report.Errors, never read as
// missing. The error is for an invalid domain, a cancelled context, or a
// failure of the domain's own MX question.
func Lookup(ctx context.Context, r resolver.Resolver, domain string) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Domain: strings.TrimSuffix(name, ".")}
	a, err := r.Lookup(ctx, name, dns.TypeMX)
	switch {
	case err != nil && errors.Is(err, resolver.ErrUnverified) && ctx.Err() == nil:
		rep.Status = DomainUnverified
		rep.Unverified = append(rep.Unverified, rep.Domain)
		return rep, nil, nil
	case err != nil:
		return nil, nil, err
	case a.NXDomain():
		rep.Status = DomainNXDomain
		return rep, nil, nil
	}
	l := &looker{ctx: ctx, r: r, rep: rep}
	for _, rr := range a.Records {
		m, ok := rr.(*dns.MX)
		if !ok {
			continue
		}
		target := strings.ToLower(m.Mx)
		if target != "." {
			target = strings.TrimSuffix(target, ".")
		}
		rep.Hosts = append(rep.Hosts, Host{Preference: m.Preference, Target: target, RR: m.String()})
	}
	slices.SortStableFunc(rep.Hosts, func(x, y Host) int {
		return cmp.Or(cmp.Compare(x.Preference, y.Preference), cmp.Compare(x.Target, y.Target))
	})
	switch {
	case len(rep.Hosts) == 0:
		rep.Status = DomainNone
		l.none()
	case len(rep.Hosts) == 1 && rep.Hosts[0].Target == ".":
		rep.Status = DomainNull
		rep.Hosts[0].Status = StatusNull
	default:
		rep.Status = DomainMX
		l.hosts()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return rep, lint.Bound(l.findings), nil
}

type looker struct {
	ctx      context.Context
	r        resolver.Resolver
	rep      *Report
	findings []lint.Finding
}

func (l *looker) finding(rule lint.Rule, h *Host, msg string) *lint.Finding {
	f := rule.New(l.rep.Domain, msg)
	f.Type = "MX"
	if h != nil {
		f.Record = fmt.Sprintf("%d %s", h.Preference, fqdn(h.Target))
		f.Span = lint.Span{Start: len(f.Record) - len(fqdn(h.Target)), End: len(f.Record)}
	}
	l.findings = append(l.findings, f)
	return &l.findings[len(l.findings)-1]
}

// failed records a lookup that got no answer: outside the zone files
// offline is "not verified", anything else an error of the check.
func (l *looker) failed(h *Host, name string, err error) {
	if errors.Is(err, resolver.ErrUnverified) {
		h.Status = StatusUnverified
		if !slices.Contains(l.rep.Unverified, name) {
			l.rep.Unverified = append(l.rep.Unverified, name)
		}
		return
	}
	h.Status, h.Err = StatusError, err.Error()
	l.rep.Errors = append(l.rep.Errors, err.Error())
	l.rep.errs = append(l.rep.errs, err)
}

// none explains mx.none: where mail goes without MX, and the two choices.
func (l *looker) none() {
	d := l.rep.Domain
	var h Host // for failed(); its status is not kept
	where := ""
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		a, err := l.r.Lookup(l.ctx, fqdn(d), t)
		if err != nil {
			l.failed(&h, d, err)
			where = "whether it has A or AAAA records was not checked"
			break
		}
		l.rep.Fallback = append(l.rep.Fallback, a.Addrs()...)
		if a.NXDomain() {
			break
		}
	}
	switch {
	case where != "":
	case len(l.rep.Fallback) > 0:
		where = "senders deliver its mail to its own address (" + l.rep.Fallback[0].String() + "), as if it were its mail server"
	default:
		where = "it has no A or AAAA records either, so senders retry mail to it until it bounces"
	}
	f := l.finding(ruleNone, nil, fmt.Sprintf("%s publishes no MX records: %s (RFC 5321 §5.1). Publish MX records naming the hosts that receive its mail, or, if it sends and receives no mail, a null MX (RFC 7505)", d, where))
	f.Fixes = []lint.Fix{
		{Message: "publish MX records naming the hosts that receive mail for " + d + ", each with A or AAAA records"},
		lint.EditFix("if "+d+" sends and receives no mail, publish a null MX (and SPF \"v=spf1 -all\", DMARC p=reject)",
			lint.Edit{Op: lint.Add, RR: nullMX(d)}),
	}
}

func nullMX(domain string) string {
	return fmt.Sprintf("%s\t3600\tIN\tMX\t0 .", fqdn(domain))
}

func fqdn(name string) string {
	if name == "." {
		return name
	}
	return name + "."
}

// ipLiteral reports whether an MX target is an address written as a name:
// "192.0.2.1", "[192.0.2.1]", "2001:db8::1".
func ipLiteral(target string) (netip.Addr, bool) {
	t := strings.TrimSuffix(strings.TrimPrefix(target, "["), "]")
	t = strings.TrimPrefix(strings.TrimPrefix(t, "ipv6:"), "IPv6:")
	ip, err := netip.ParseAddr(t)
	return ip, err == nil
}

// hosts checks every MX target: null MX beside others, address literals,
// then the addresses of at most MaxHosts distinct names.
func (l *looker) hosts() {
	d := l.rep.Domain
	var null *Host
	for i := range l.rep.Hosts {
		if l.rep.Hosts[i].Target == "." {
			null = &l.rep.Hosts[i]
			null.Status = StatusNull
		}
	}
	if null != nil {
		var others []lint.Edit
		for _, h := range l.rep.Hosts {
			if h.Target != "." {
				others = append(others, lint.Edit{Op: lint.Delete, RR: h.RR})
			}
		}
		f := l.finding(ruleNullMixed, null, fmt.Sprintf("%s publishes a null MX beside %d other MX records: a null MX says the domain accepts no mail and MUST stand alone; senders may bounce mail or try the other hosts", d, len(others)))
		f.Fixes = []lint.Fix{
			lint.EditFix("if "+d+" receives mail, delete the null MX", lint.Edit{Op: lint.Delete, RR: null.RR}),
			lint.EditFix("if "+d+" receives no mail, delete the other MX records", others...),
		}
	}
	done := map[string]*Host{}
	looked := 0
	for i := range l.rep.Hosts {
		h := &l.rep.Hosts[i]
		if h.Status == StatusNull {
			continue
		}
		if ip, ok := ipLiteral(h.Target); ok {
			h.Status = StatusIPLiteral
			f := l.finding(ruleIPLiteral, h, fmt.Sprintf("MX target %s is an address written as a name: senders look up the A records of a host named %q, which does not exist; name a host that has the address instead", h.Target, fqdn(h.Target)))
			rr := "A"
			if ip.Is6() {
				rr = "AAAA"
			}
			f.Fixes = []lint.Fix{{Message: fmt.Sprintf("publish a host name with the address (mail.%s. IN %s %s) and name it in the MX record: %s. IN MX %d mail.%s.", d, rr, ip, d, h.Preference, d)}}
			continue
		}
		if prev, ok := done[h.Target]; ok {
			h.Status, h.Chain, h.Addrs, h.Err = prev.Status, prev.Chain, prev.Addrs, prev.Err
			continue
		}
		if looked == MaxHosts {
			h.Status = StatusNotChecked
			l.rep.Truncated = true
			continue
		}
		looked++
		l.host(h)
		done[h.Target] = h
	}
}

// host looks up one target's addresses: A, then AAAA when there is no A.
func (l *looker) host(h *Host) {
	a, err := l.r.Lookup(l.ctx, fqdn(h.Target), dns.TypeA)
	if err != nil {
		var re *resolver.Error
		if errors.As(err, &re) && len(re.Chain) > 0 {
			h.Chain = resolver.Hops(re.Chain)
			l.cname(h)
		}
		l.failed(h, h.Target, err)
		return
	}
	if len(a.Chain) > 0 {
		h.Chain = resolver.Hops(a.Chain)
		l.cname(h)
	}
	h.Addrs = a.Addrs()
	switch {
	case len(h.Addrs) > 0:
		h.Status = StatusOK
		return
	case a.NXDomain():
		h.Status = StatusMissing
		what := h.Target
		if len(a.Chain) > 0 {
			what += " (an alias of " + strings.TrimSuffix(a.Target(), ".") + ")"
		}
		msg := fmt.Sprintf("MX target %s does not exist (NXDOMAIN): mail routed to it cannot be delivered", what)
		if meant, ok := dotless(h.Target, l.rep.Domain); ok && len(a.Chain) == 0 {
			msg += fmt.Sprintf(". If the host is %s, the zone file wrote it without its trailing dot, and the zone's origin was appended: write it as %s.", meant, meant)
		}
		l.finding(ruleMissingTarget, h, msg)
		return
	}
	aaaa, err := l.r.Lookup(l.ctx, fqdn(h.Target), dns.TypeAAAA)
	if err != nil {
		l.failed(h, h.Target, err)
		return
	}
	h.Addrs = aaaa.Addrs()
	if len(h.Addrs) > 0 {
		h.Status = StatusOK
		return
	}
	h.Status = StatusNoAddress
	l.finding(ruleNoAddress, h, fmt.Sprintf("MX target %s has neither A nor AAAA records: mail routed to it cannot be delivered", h.Target))
}

// cname reports an MX target that is an alias, with the fix that names
// the canonical host instead.
func (l *looker) cname(h *Host) {
	canon := h.Chain[len(h.Chain)-1].Target
	f := l.finding(ruleCNAME, h, fmt.Sprintf("MX target %s is an alias of %s: an MX record must name the host's canonical name, and some senders refuse the alias", h.Target, canon))
	f.Fixes = []lint.Fix{lint.EditFix("name the canonical host in the MX record",
		lint.Edit{Op: lint.Delete, RR: h.RR},
		lint.Edit{Op: lint.Add, RR: fmt.Sprintf("%s\t3600\tIN\tMX\t%d %s", fqdn(l.rep.Domain), h.Preference, fqdn(canon))})}
}

// dotless returns the target meant, when target looks like a full name
// written without its trailing dot under domain's zone (rrtext.Dotless),
// the origin being domain or one of its parents down to the registrable
// domain: a public suffix (co.uk) is no zone the domain's owner writes,
// and under it a missing mx.eu.shop.co.uk would read as "mx.eu.shop".
func dotless(target, domain string) (string, bool) {
	for d := strings.TrimSuffix(strings.ToLower(domain), "."); strings.Contains(d, "."); {
		if suffix, _ := publicsuffix.PublicSuffix(d); suffix == d {
			break
		}
		if meant, ok := rrtext.Dotless(target, d); ok {
			return meant, true
		}
		_, d, _ = strings.Cut(d, ".")
	}
	return "", false
}
