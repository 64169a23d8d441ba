package dnssec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Status is the DNSSEC outcome of one answer.
type Status string

const (
	// Secure: a validating resolver authenticated the answer (AD set).
	Secure Status = "secure"
	// Insecure: a validating resolver returned it without AD: unsigned,
	// or below a delegation without DS.
	Insecure Status = "insecure"
	// Bogus: a validating resolver answered SERVFAIL, most often because
	// validation failed (confirmed when Options.Server is set).
	Bogus Status = "bogus"
	// Indeterminate: the resolver does not validate (or could not be
	// shown to), so the missing AD bit says nothing.
	Indeterminate Status = "indeterminate"
	// ZoneFile: answered from a loaded zone file, which has no AD bit:
	// not verifiable offline.
	ZoneFile Status = "zone-file"
	// Unverified: the name is outside the zone files and the run is
	// offline (resolver.ErrUnverified): not asked.
	Unverified Status = "unverified"
	// Failed: the lookup failed (timeout, REFUSED, a SERVFAIL not known
	// to be a validation failure).
	Failed Status = "failed"
)

// Validation says whether the resolver in use validates DNSSEC.
type Validation string

const (
	// Validating: some answer, or the probe, carried the AD bit.
	Validating Validation = "validating"
	// NotValidating: the probe came back without the AD bit.
	NotValidating Validation = "not-validating"
	// Offline: every answer came from zone files or was not asked.
	Offline Validation = "offline"
	// Unknown: nothing was authenticated and the probe failed.
	Unknown Validation = "unknown"
)

// Question is a name and a record type.
type Question struct {
	Name string
	Type uint16
}

// DefaultProbe is the probe asked when Options.Probe is zero: the root
// zone's DNSKEY RRset, which every validating resolver authenticates with
// its root trust anchor.
var DefaultProbe = Question{Name: ".", Type: dns.TypeDNSKEY}

// Result is one question and what the resolver returned for it.
type Result struct {
	Name   string
	Type   uint16
	Answer *resolver.Answer // nil when Err is set
	Err    error
}

// Check is the classified outcome of one question.
type Check struct {
	Name string `json:"name"` // FQDN without the trailing dot
	Type string `json:"type"` // "MX", "TLSA", …
	// Status says whether the answer was authenticated.
	Status Status `json:"status"`
	// Records is how many records of Type the answer held.
	Records int `json:"records"`
	// NXDomain is set when the name does not exist.
	NXDomain bool `json:"nxdomain,omitempty"`
	// Detail explains a status other than secure, in words.
	Detail string `json:"detail,omitempty"`
}

// Assessment is the classification of a set of answers.
type Assessment struct {
	Resolver Validation `json:"resolver"`
	// Probe is the probe's outcome, when one was asked.
	Probe *Check `json:"probe,omitempty"`
	// Checks are the results' outcomes, in the order given.
	Checks []Check `json:"checks"`
}

// AssessOptions are the parts of Options that Assess uses.
type AssessOptions struct {
	// Probe is asked when no answer was authenticated, to tell an
	// unsigned zone from a resolver that does not validate. Zero:
	// DefaultProbe. Pick a name the resolver can authenticate: with a
	// private trust anchor, a name under it.
	Probe Question
	// Server is the validating resolver's address ("host:port"), when
	// known. A SERVFAIL is then asked again there with CD=1 (RFC 4035
	// §3.2.2): an answer with checking disabled proves a validation
	// failure (bogus), another SERVFAIL a broken zone. Empty: not asked.
	Server string
}

// holder is what resolver.Zones offers to tell zone-file answers apart.
type holder interface{ Holds(name string) bool }

// raw classifications, before the resolver's validation is known.
const (
	rawAuthenticated = iota
	rawUnauthenticated
	rawServfail
	rawZoneFile
	rawUnverified
	rawFailed
)

// Assess classifies results as answered by r: it finds out whether r
// validates from the results (any AD bit) or else from the probe (one
// query), and confirms SERVFAILs with CD=1 when opts.Server is set (one
// query each). The error is for a cancelled context or a spent budget.
func Assess(ctx context.Context, r resolver.Resolver, results []Result, opts AssessOptions) (*Assessment, error) {
	if opts.Probe.Name == "" {
		opts.Probe = DefaultProbe
	}
	h, _ := r.(holder)
	raws := make([]int, len(results))
	as := &Assessment{Checks: make([]Check, len(results))}
	anyAD, anyLive := false, false
	for i, res := range results {
		if err := fatal(ctx, res.Err); err != nil {
			return nil, err
		}
		raws[i], as.Checks[i] = classify(h, res)
		switch raws[i] {
		case rawAuthenticated:
			anyAD, anyLive = true, true
		case rawUnauthenticated, rawServfail, rawFailed:
			anyLive = true
		}
	}
	switch {
	case anyAD:
		as.Resolver = Validating
	case !anyLive:
		as.Resolver = Offline
	default:
		a, err := r.Lookup(ctx, opts.Probe.Name, opts.Probe.Type)
		if err := fatal(ctx, err); err != nil {
			return nil, err
		}
		raw, c := classify(h, Result{Name: opts.Probe.Name, Type: opts.Probe.Type, Answer: a, Err: err})
		switch raw {
		case rawAuthenticated:
			as.Resolver = Validating
		case rawUnauthenticated:
			as.Resolver = NotValidating
			c.Status, c.Detail = Indeterminate, "answered without the AD bit: the resolver does not validate"
		case rawZoneFile, rawUnverified:
			as.Resolver = Unknown
			c.Status, c.Detail = Indeterminate, "the probe is not answered by a live resolver"
		default:
			as.Resolver = Unknown
		}
		as.Probe = &c
	}
	for i := range as.Checks {
		c := &as.Checks[i]
		switch raws[i] {
		case rawUnauthenticated:
			if as.Resolver == Validating {
				c.Status, c.Detail = Insecure, "answered without the AD bit by a validating resolver"
			} else {
				c.Status, c.Detail = Indeterminate, "answered without the AD bit by a resolver that does not validate (or was not shown to)"
			}
		case rawServfail:
			c.Status = Failed
			if opts.Server != "" {
				switch ok, err := cdAnswers(ctx, opts.Server, results[i].Name, results[i].Type); {
				case err != nil:
					c.Detail += fmt.Sprintf("; asking %s again with checking disabled failed: %v", opts.Server, err)
				case ok:
					c.Status = Bogus
					c.Detail = fmt.Sprintf("SERVFAIL, but with checking disabled (CD=1) %s answers: DNSSEC validation fails", opts.Server)
				default:
					c.Detail += "; SERVFAIL with checking disabled too: the zone's servers fail, not validation"
				}
			} else if as.Resolver == Validating {
				c.Status = Bogus
				c.Detail = "SERVFAIL from a validating resolver: most often a DNSSEC validation failure (a broken or expired RRSIG, a DS that matches no DNSKEY), sometimes unreachable servers"
			}
		}
	}
	return as, nil
}

// classify reads one result without knowing whether the resolver validates.
func classify(h holder, res Result) (int, Check) {
	c := Check{Name: strings.TrimSuffix(strings.ToLower(res.Name), "."), Type: typeString(res.Type)}
	if c.Name == "" {
		c.Name = "."
	}
	if res.Err != nil {
		var e *resolver.Error
		switch {
		case errors.Is(res.Err, resolver.ErrUnverified):
			c.Status, c.Detail = Unverified, resolver.ErrUnverified.Error()
			return rawUnverified, c
		case resolver.Unanswered(res.Err):
			// The server asked does not serve the name (REFUSED, or a
			// referral from an authoritative server): it tells nothing
			// about the name's DNSSEC, as a name not asked tells nothing.
			c.Status, c.Detail = Unverified, "the server asked does not serve this name (REFUSED or a referral)"
			return rawUnverified, c
		case errors.As(res.Err, &e) && e.Rcode == dns.RcodeServerFailure:
			c.Status, c.Detail = Failed, "SERVFAIL"
			return rawServfail, c
		}
		c.Status, c.Detail = Failed, res.Err.Error()
		return rawFailed, c
	}
	a := res.Answer
	c.Records, c.NXDomain = len(a.Records), a.NXDomain()
	if h != nil && (holds(h, a.Name) || holds(h, a.Target())) {
		c.Status, c.Detail = ZoneFile, "answered from a zone file, which has no AD bit: not verifiable offline"
		return rawZoneFile, c
	}
	if a.AD {
		c.Status = Secure
		return rawAuthenticated, c
	}
	return rawUnauthenticated, c
}

func holds(h holder, name string) bool {
	n, err := resolver.CanonicalName(name)
	return err == nil && h.Holds(n)
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return fmt.Sprintf("TYPE%d", t)
}

// fatal returns the error that ends a check: a cancelled context or a
// spent budget.
func fatal(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if errors.Is(err, resolver.ErrBudget) {
		return err
	}
	return nil
}

// cdAnswers asks server name/qtype with checking disabled (RFC 4035
// §3.2.2) and reports whether it answered (NOERROR or NXDOMAIN).
func cdAnswers(ctx context.Context, server, name string, qtype uint16) (bool, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.CheckingDisabled = true
	m.SetEdns0(1232, true)
	c := &dns.Client{Timeout: 2 * time.Second}
	r, _, err := c.ExchangeContext(ctx, m, server)
	if err != nil {
		return false, err
	}
	return r.Rcode == dns.RcodeSuccess || r.Rcode == dns.RcodeNameError, nil
}
