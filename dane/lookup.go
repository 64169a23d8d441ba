package dane

import (
	"context"
	"errors"
	"fmt"
	"github.com/domainlint/domainlint/internal/ask"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// MaxHosts bounds the MX hosts whose TLSA RRset is asked, one query each.
const MaxHosts = dnssec.MaxHosts

// Options configures Lookup. The zero value asks everything itself.
type Options struct {
	// MX is the domain's MX answer, when the caller already has it (with
	// its AD bit); nil: asked.
	MX *resolver.Answer
	// RequireM365 requires Microsoft 365's inbound DANE (what
	// Office365DnsChecker's -DANERequired does): a single MX
	// <token>.<letter>-v1.mx.microsoft on a DNSSEC-signed domain. What is
	// still missing is reported under dane.m365-*.
	RequireM365 bool
	// AssessOptions choose the probe that tells whether the resolver
	// validates, and the validating resolver to confirm SERVFAILs with.
	dnssec.AssessOptions
}

// Outcome is what a sender that validates does for an MX host.
type Outcome string

// Outcomes for Host.DANE.
const (
	Authenticated Outcome = "authenticated" // secure, usable TLSA: the server is authenticated
	TLSOnly       Outcome = "tls-required"  // secure TLSA, none usable: TLS without authentication
	NoDANE        Outcome = "none"          // no TLSA, or not authenticated: opportunistic TLS
	Defer         Outcome = "defer"         // bogus or failed lookup: mail waits
	Unknown       Outcome = "unknown"       // offline, unverified or a resolver that does not validate
)

// Host is one MX host and its TLSA RRset.
type Host struct {
	Host       string `json:"host"`
	Preference uint16 `json:"preference"`
	// TLSAName is _25._tcp.<host>.
	TLSAName string `json:"tlsa_name"`
	// Status is the TLSA answer's DNSSEC status.
	Status  dnssec.Status `json:"status"`
	Records []*TLSA       `json:"records,omitempty"`
	// Usable counts the records senders can use (RFC 7672 §3.1).
	Usable int `json:"usable"`
	// DANE is what a validating sender does for this host.
	DANE Outcome `json:"dane"`
}

// M365 is the state of Microsoft 365's inbound DANE (with RequireM365).
type M365 struct {
	// MX is the <token>.<letter>-v1.mx.microsoft host, when published.
	MX string `json:"mx,omitempty"`
	// Others are the other MX hosts.
	Others []string `json:"others,omitempty"`
	// DNSSEC is the domain's MX answer status.
	DNSSEC dnssec.Status `json:"dnssec"`
	// Missing names what is not yet shown to be in place: "mx",
	// "single-mx", "dnssec" (also when DNSSEC cannot be verified: offline,
	// or through a resolver that does not validate).
	Missing []string `json:"missing"`
}

// Report is the DANE state of one domain's inbound mail.
type Report struct {
	Domain string `json:"domain"`
	// Resolver says whether the resolver validates (dnssec.Offline for
	// zone files).
	Resolver dnssec.Validation `json:"resolver"`
	// MXStatus is the MX answer's DNSSEC status.
	MXStatus dnssec.Status `json:"mx_status"`
	// Probe is the probe's outcome, when one was asked.
	Probe *dnssec.Check `json:"probe,omitempty"`
	Hosts []Host        `json:"hosts"`
	// Truncated is set when MX hosts past MaxHosts were left out.
	Truncated bool  `json:"truncated,omitempty"`
	M365      *M365 `json:"m365,omitempty"`
}

// Lookup checks DANE for SMTP (RFC 7672) at domain: the TLSA RRset at
// _25._tcp.<host> of each MX host (at most MaxHosts, one query each),
// each record's parameters and data, and whether the MX and TLSA answers
// were authenticated by DNSSEC (dnssec.Assess: at most one probe). With
// RequireM365 it also asks the domain's DNSKEY and says what Microsoft
// 365's inbound DANE still needs. A domain without MX is its own host
// (RFC 7672 §2.2.2); a null MX has none. Names outside the zone files
// offline are statuses (dnssec.Unverified), not findings. The error is for
// an invalid domain, a cancelled context, a spent budget, or an MX lookup
// that failed for another reason than DNSSEC.
func Lookup(ctx context.Context, r resolver.Resolver, domain string, opts Options) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Domain: strings.TrimSuffix(name, "."), Hosts: []Host{}}
	mx := Result(name, dns.TypeMX, opts.MX, nil)
	if opts.MX == nil {
		a, err := r.Lookup(ctx, name, dns.TypeMX)
		mx = Result(name, dns.TypeMX, a, err)
	}
	if mx.Err != nil && (ctx.Err() != nil || errors.Is(mx.Err, resolver.ErrBudget)) {
		return nil, nil, cmpErr(ctx, mx.Err)
	}
	results := []dnssec.Result{mx}
	var dnskey *dnssec.Result
	if mx.Answer != nil {
		hosts, more := mxHosts(mx.Answer, rep.Domain)
		rep.Truncated = more
		// The hosts' TLSA RRsets (and the zone's DNSKEY) at once.
		var qs []ask.Question
		for _, h := range hosts {
			h.TLSAName = "_25._tcp." + h.Host
			rep.Hosts = append(rep.Hosts, h)
			qs = append(qs, ask.Question{Name: h.TLSAName, Type: dns.TypeTLSA})
		}
		if opts.RequireM365 {
			qs = append(qs, ask.Question{Name: name, Type: dns.TypeDNSKEY})
		}
		got := ask.All(ctx, r, qs...)
		for i, h := range rep.Hosts {
			results = append(results, Result(h.TLSAName, dns.TypeTLSA, got[i].Answer, got[i].Err))
		}
		if opts.RequireM365 {
			res := Result(name, dns.TypeDNSKEY, got[len(got)-1].Answer, got[len(got)-1].Err)
			dnskey = &res
		}
	}
	as, err := dnssec.Assess(ctx, r, results, opts.AssessOptions)
	if err != nil {
		return nil, nil, err
	}
	rep.Resolver, rep.Probe, rep.MXStatus = as.Resolver, as.Probe, as.Checks[0].Status
	var fs []lint.Finding
	switch rep.MXStatus {
	case dnssec.Unverified:
		return rep, nil, nil
	case dnssec.Failed:
		return nil, nil, mx.Err
	case dnssec.Bogus:
		f := ruleBogus.New(rep.Domain, fmt.Sprintf("the MX lookup of %s: %s; senders that validate cannot find the domain's mail servers and defer its mail", rep.Domain, as.Checks[0].Detail))
		f.Type = "MX"
		return rep, lint.Bound(append(fs, f)), nil
	}
	for i := range rep.Hosts {
		fs = append(fs, checkHost(rep, &rep.Hosts[i], results[i+1], as.Checks[i+1])...)
	}
	fs = append(fs, crossHost(rep, opts)...)
	if opts.RequireM365 {
		fs = append(fs, checkM365(rep, mx.Answer, dnskey)...)
	}
	return rep, lint.Bound(fs), nil
}

// Result makes a dnssec.Result.
func Result(name string, qtype uint16, a *resolver.Answer, err error) dnssec.Result {
	return dnssec.Result{Name: name, Type: qtype, Answer: a, Err: err}
}

func cmpErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// mxHosts returns the MX hosts by preference, each once, without a null
// MX; the domain itself when the answer has no MX records (RFC 5321 §5.1,
// RFC 7672 §2.2.2) and the name exists.
func mxHosts(a *resolver.Answer, domain string) ([]Host, bool) {
	var out []Host
	null := false
	for _, rr := range a.Records {
		mx, ok := rr.(*dns.MX)
		if !ok {
			continue
		}
		h := strings.TrimSuffix(strings.ToLower(mx.Mx), ".")
		if h == "" {
			null = true
			continue
		}
		if i := slices.IndexFunc(out, func(x Host) bool { return x.Host == h }); i >= 0 {
			out[i].Preference = min(out[i].Preference, mx.Preference)
			continue
		}
		out = append(out, Host{Host: h, Preference: mx.Preference})
	}
	if len(out) == 0 && !null && !a.NXDomain() {
		out = append(out, Host{Host: domain})
	}
	slices.SortStableFunc(out, func(x, y Host) int {
		if x.Preference != y.Preference {
			return int(x.Preference) - int(y.Preference)
		}
		return strings.Compare(x.Host, y.Host)
	})
	if len(out) > MaxHosts {
		return out[:MaxHosts], true
	}
	return out, false
}

// checkHost fills in h and lints its TLSA records.
func checkHost(rep *Report, h *Host, res dnssec.Result, c dnssec.Check) []lint.Finding {
	var fs []lint.Finding
	h.Status = c.Status
	var rrs []*dns.TLSA
	if res.Answer != nil {
		for _, rr := range res.Answer.Records {
			if t, ok := rr.(*dns.TLSA); ok {
				rrs = append(rrs, t)
			}
		}
	}
	for _, rr := range rrs {
		text := fmt.Sprintf("%d %d %d %s", rr.Usage, rr.Selector, rr.MatchingType, rr.Certificate)
		t, err := ParseTLSA(text)
		var probs []Problem
		if err != nil {
			probs = []Problem{{Rule: ruleBadRecord, Severity: ruleBadRecord.Severity, Reason: strings.TrimPrefix(err.Error(), "dane: ") + ": the record is unusable"}}
		} else {
			h.Records = append(h.Records, t)
			probs = t.Problems()
			if t.Usable() {
				h.Usable++
			}
		}
		for _, p := range probs {
			f := p.Rule.New(h.TLSAName, p.Reason)
			f.Severity, f.Type, f.Record = p.Severity, "TLSA", text
			fs = append(fs, f)
		}
	}
	if len(rrs) > 0 && h.Usable == 0 {
		// Every record unusable: a PKIX-only RRset is an error, not a
		// warning.
		for i := range fs {
			if fs[i].Rule == rulePKIXUsage.ID {
				fs[i].Severity = lint.Error
			}
		}
	}
	mxSecure := rep.MXStatus == dnssec.Secure
	switch c.Status {
	case dnssec.Secure:
		switch {
		case len(rrs) == 0:
			h.DANE = NoDANE
		case !mxSecure:
			h.DANE = NoDANE
			f := ruleUnauthenticated.New(h.TLSAName, fmt.Sprintf("the TLSA records at %s are authenticated, but the MX RRset of %s is not (%s): senders do not use DANE for MX hosts found through an insecure MX lookup; sign %s", h.TLSAName, rep.Domain, rep.MXStatus, rep.Domain))
			f.Type = "TLSA"
			fs = append(fs, f)
		case h.Usable == 0:
			h.DANE = TLSOnly
			f := ruleNoUsable.New(h.TLSAName, fmt.Sprintf("none of the %d TLSA records at %s is usable for SMTP: senders still require TLS with %s but cannot authenticate it", len(rrs), h.TLSAName, h.Host))
			f.Type = "TLSA"
			fs = append(fs, f)
		default:
			h.DANE = Authenticated
		}
	case dnssec.Insecure:
		h.DANE = NoDANE
		switch {
		case len(rrs) > 0:
			f := ruleUnauthenticated.New(h.TLSAName, fmt.Sprintf("the %d TLSA records at %s are not authenticated by DNSSEC (its zone is unsigned, or its parent has no DS): senders ignore them", len(rrs), h.TLSAName))
			f.Type = "TLSA"
			fs = append(fs, f)
		case mxSecure:
			f := ruleMXZoneUnsigned.New(h.TLSAName, fmt.Sprintf("%s is signed, but the zone of its MX host %s is not: the TLSA lookup at %s is insecure, so senders cannot use DANE for it", rep.Domain, h.Host, h.TLSAName))
			f.Type = "TLSA"
			fs = append(fs, f)
		}
	case dnssec.Bogus:
		h.DANE = Defer
		f := ruleBogus.New(h.TLSAName, fmt.Sprintf("the TLSA lookup at %s: %s; senders that validate defer mail to %s", h.TLSAName, c.Detail, h.Host))
		f.Type = "TLSA"
		fs = append(fs, f)
	case dnssec.Failed:
		h.DANE = Defer
		f := ruleLookupFailed.New(h.TLSAName, fmt.Sprintf("the TLSA lookup at %s failed (%s): DANE senders treat that as a temporary failure and defer mail to %s", h.TLSAName, c.Detail, h.Host))
		f.Type = "TLSA"
		fs = append(fs, f)
	default: // zone file, indeterminate, unverified
		h.DANE = Unknown
	}
	return fs
}

// crossHost says what is true of the host set: hosts without TLSA beside
// hosts with, no TLSA at all on a signed domain, authentication unknown.
func crossHost(rep *Report, opts Options) []lint.Finding {
	var fs []lint.Finding
	var with, without, unknown []string
	for _, h := range rep.Hosts {
		switch {
		case h.Status == dnssec.Unverified || h.Status == dnssec.Bogus || h.Status == dnssec.Failed:
		case len(h.Records) > 0 || h.DANE == TLSOnly:
			with = append(with, h.Host)
			if h.Status == dnssec.ZoneFile || h.Status == dnssec.Indeterminate {
				unknown = append(unknown, h.TLSAName)
			}
		case h.Status != dnssec.Insecure:
			without = append(without, h.Host)
		}
	}
	if len(with) > 0 && len(without) > 0 {
		f := rulePartial.New(rep.Domain, fmt.Sprintf("%s %s TLSA records but %s %s not: mail that goes to %s is not protected by DANE", strings.Join(with, ", "), verb(len(with), "publishes", "publish"), strings.Join(without, ", "), verb(len(without), "does", "do"), strings.Join(without, ", ")))
		f.Type = "MX"
		f.Fixes = []lint.Fix{{Message: "publish TLSA records (3 1 1 <SHA2-256 of the server's public key>) at _25._tcp.<host> for " + strings.Join(without, ", ") + ", or remove those MX hosts"}}
		fs = append(fs, f)
	}
	if len(with) == 0 && len(rep.Hosts) > 0 && rep.MXStatus == dnssec.Secure && !opts.RequireM365 && !slices.ContainsFunc(rep.Hosts, func(h Host) bool {
		return h.Status != dnssec.Secure
	}) {
		fs = append(fs, ruleNone.New(rep.Domain, fmt.Sprintf("%s is DNSSEC-signed, but none of its MX hosts publishes TLSA records at _25._tcp.<host>: DANE would protect its inbound mail against STARTTLS downgrade and impersonation", rep.Domain)))
	}
	if len(unknown) > 0 {
		why := "they came from zone files, which carry no AD bit: not verifiable offline"
		if rep.Resolver != dnssec.Offline {
			why = "the resolver in use does not validate (or was not shown to)"
		}
		fs = append(fs, ruleUnverifiable.New(rep.Domain, fmt.Sprintf("whether the TLSA records at %s are authenticated by DNSSEC cannot be told: %s; senders ignore them unless they are", strings.Join(unknown, ", "), why)))
	}
	return fs
}

// checkM365 says what Microsoft 365's inbound DANE still needs.
func checkM365(rep *Report, mx *resolver.Answer, dnskey *dnssec.Result) []lint.Finding {
	m := &M365{DNSSEC: rep.MXStatus, Missing: []string{}}
	rep.M365 = m
	var fs []lint.Finding
	var others []*dns.MX
	for _, rr := range mx.Records {
		r, ok := rr.(*dns.MX)
		if !ok {
			continue
		}
		h := strings.TrimSuffix(strings.ToLower(r.Mx), ".")
		if m.MX == "" && records.MXKindOf(h) == records.MXDANE {
			m.MX = h
			continue
		}
		others = append(others, r)
		m.Others = append(m.Others, h)
	}
	if m.MX == "" {
		m.Missing = append(m.Missing, "mx")
		msg := fmt.Sprintf("%s has no MX of the form <token>.<letter>-v1.mx.microsoft", rep.Domain)
		if len(m.Others) > 0 {
			msg += " (its MX: " + strings.Join(m.Others, ", ") + ")"
		}
		f := ruleM365MX.New(rep.Domain, msg+": Microsoft 365 receives with DANE only there")
		f.Type = "MX"
		f.Fixes = []lint.Fix{{Message: "run Enable-DnssecForVerifiedDomain (Exchange Online PowerShell) for the exact value; add it as MX 20, then make it 0 and the old one 30, then delete the old MX; then Enable-SmtpDaneInbound"}}
		fs = append(fs, f)
	}
	if len(m.Others) > 0 && (m.MX != "" || len(m.Others) > 1) {
		m.Missing = append(m.Missing, "single-mx")
		f := ruleM365SingleMX.New(rep.Domain, fmt.Sprintf("the mx.microsoft MX must be the only MX of %s; also published: %s", rep.Domain, strings.Join(m.Others, ", ")))
		f.Type = "MX"
		if m.MX != "" {
			var edits []lint.Edit
			for _, o := range others {
				edits = append(edits, lint.Edit{Op: lint.Delete, RR: fmt.Sprintf("%s.\t3600\tIN\tMX\t%d %s", rep.Domain, o.Preference, dns.Fqdn(strings.ToLower(o.Mx)))})
			}
			f.Fixes = []lint.Fix{lint.EditFix("delete the other MX records, once "+m.MX+" receives the domain's mail", edits...)}
		} else {
			f.Fixes = []lint.Fix{{Message: "once the mx.microsoft MX is in place, delete every other MX"}}
		}
		fs = append(fs, f)
	}
	signedFile := dnskey != nil && dnskey.Answer != nil && len(dnskey.Answer.Records) > 0
	f := ruleM365DNSSEC.New(rep.Domain, "")
	switch rep.MXStatus {
	case dnssec.Secure:
		return fs
	case dnssec.Insecure:
		f.Message = fmt.Sprintf("%s is not DNSSEC-signed (its MX answer is not authenticated)", rep.Domain)
		f.Fixes = []lint.Fix{{Message: "sign the zone (at its DNS host) and publish its DS at the registrar"}}
		if signedFile {
			f.Message = fmt.Sprintf("%s publishes DNSKEY records but its MX answer is not authenticated: the parent has no DS for it", rep.Domain)
			f.Fixes = []lint.Fix{{Message: "publish the DS of the zone's key-signing key at the registrar"}}
		}
	case dnssec.ZoneFile:
		f.Severity = lint.Info
		f.Message = fmt.Sprintf("whether %s is DNSSEC-signed is not verifiable offline", rep.Domain)
		if signedFile {
			f.Message += ": the zone file publishes DNSKEY records; check online that the DS is at the parent"
		} else {
			f.Severity = lint.Warning
			f.Message += ": the zone file publishes no DNSKEY, so unless its server signs it when loading it is unsigned"
		}
		f.Fixes = []lint.Fix{{Message: "sign the zone, publish the DS at the registrar, and check online that the MX answer carries the AD bit"}}
	default:
		f.Severity = lint.Info
		f.Message = fmt.Sprintf("whether %s is DNSSEC-signed cannot be told: the resolver in use does not validate", rep.Domain)
	}
	m.Missing = append(m.Missing, "dnssec")
	f.Type = "MX"
	return append(fs, f)
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
