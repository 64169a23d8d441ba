package mtasts

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/domainlint/domainlint/internal/httpfetch"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// MaxPolicyBytes bounds the policy body read (RFC 8461 §3.3 suggests
// senders cap it at 64 KiB).
const MaxPolicyBytes = 64 << 10

// DefaultTimeout bounds the policy fetch when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// MaxMX bounds the MX hosts checked against the policy.
const MaxMX = 32

// Options configure Lookup. The zero value checks the DNS records and the
// MX hosts but fetches nothing over HTTPS.
type Options struct {
	// Fetch fetches the policy from https://mta-sts.<domain>/.well-known/mta-sts.txt.
	// It is off by default: the caller turns it on for a live check and
	// leaves it off for an offline one (zone files with no fallback),
	// which must not reach the network; the report then says the policy
	// was not fetched. The host name is resolved through the resolver
	// given to Lookup, so an offline zone can never point a fetch
	// anywhere unless Fetch is on.
	Fetch bool
	// Policy, when not empty, is linted as the policy file instead of
	// fetching one: a policy about to be deployed beside its zone file.
	Policy string
	// Timeout bounds the fetch (DefaultTimeout when 0).
	Timeout time.Duration
	// Roots are trusted for the policy host in addition to the system
	// roots (and SSL_CERT_FILE / SSL_CERT_DIR, as Go reads them).
	Roots []*x509.Certificate
	// Port replaces 443 when connecting to the policy host (tests).
	Port int
	// AllowPrivate lets the policy host resolve to loopback, private,
	// link-local or any other non-global address (tests; an intranet).
	// Off, such a host is reported as unreachable and not contacted.
	AllowPrivate bool
	// Previous is what an earlier check saw (Report.Seen): with it, a
	// policy that changed while the id did not is reported.
	Previous *Seen
}

// Seen identifies a policy instance: the id published in DNS and the
// SHA-256 of the policy body. Keep Report.Seen from one check and pass it
// as Options.Previous to the next to catch an id left unchanged.
type Seen struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
}

// Status says what a domain publishes at _mta-sts.
type Status string

const (
	// StatusNone: no v=STSv1 record; MTA-STS is not published.
	StatusNone Status = "none"
	// StatusPublished: exactly one valid record; senders fetch the policy.
	StatusPublished Status = "published"
	// StatusInvalid: records that senders ignore (several, or broken).
	StatusInvalid Status = "invalid"
	// StatusUnverified: _mta-sts is outside the zone files and the check
	// is offline.
	StatusUnverified Status = "unverified"
)

// FetchStatus says what became of the policy file.
type FetchStatus string

const (
	Fetched     FetchStatus = "fetched"
	Given       FetchStatus = "given"       // Options.Policy
	NotFetched  FetchStatus = "not-fetched" // Options.Fetch off
	Unverified  FetchStatus = "unverified"  // the host is outside the zone files, offline
	FetchFailed FetchStatus = "failed"      // see Error and the findings
	FetchError  FetchStatus = "error"       // a temporary DNS failure: not the domain's fault, maybe
)

// PolicyResult is the fetch and parse of the policy file.
type PolicyResult struct {
	URL         string      `json:"url"`
	Status      FetchStatus `json:"status"`
	Error       string      `json:"error,omitempty"`
	ContentType string      `json:"content_type,omitempty"`
	// SHA256 is the hex SHA-256 of the body.
	SHA256 string  `json:"sha256,omitempty"`
	Policy *Policy `json:"policy,omitempty"`
	// Valid: the policy parsed without errors.
	Valid bool `json:"valid"`
}

// MXStatus says whether the MX hosts were checked against the policy.
type MXStatus string

const (
	MXChecked    MXStatus = "checked"
	MXNotChecked MXStatus = "not-checked" // no valid policy, or mode none
	MXUnverified MXStatus = "unverified"  // the MX question was not asked offline
	MXError      MXStatus = "error"       // a temporary DNS failure
	MXNull       MXStatus = "null-mx"     // the domain accepts no mail (RFC 7505)
)

// MXHost is one MX host and the pattern it matched.
type MXHost struct {
	Host       string `json:"host"`
	Preference uint16 `json:"preference"`
	// Implicit: no MX records, so the domain itself is the MX (RFC 5321
	// §5.1).
	Implicit bool   `json:"implicit,omitempty"`
	Pattern  string `json:"pattern,omitempty"`
	Covered  bool   `json:"covered"`
}

// Report is what Lookup found for a domain.
type Report struct {
	Domain string `json:"domain"`
	Status Status `json:"status"`
	// Records are the v=STSv1 TXT records at _mta-sts.<domain>.
	Records []string `json:"records,omitempty"`
	// Record is the one record, parsed, when there is exactly one.
	Record   *Record       `json:"record,omitempty"`
	Policy   *PolicyResult `json:"policy,omitempty"`
	MXStatus MXStatus      `json:"mx_status,omitempty"`
	MXError  string        `json:"mx_error,omitempty"`
	MX       []MXHost      `json:"mx,omitempty"`
}

// Published reports whether senders find an MTA-STS record: what makes a
// TLS-RPT record expected (tlsrpt.Options.MTASTS).
func (r *Report) Published() bool { return r.Status == StatusPublished }

// Seen returns the id and policy hash this check saw, for
// Options.Previous next time; nil when either is unknown.
func (r *Report) Seen() *Seen {
	if r.Record == nil || r.Policy == nil || r.Policy.SHA256 == "" {
		return nil
	}
	return &Seen{ID: r.Record.ID, SHA256: r.Policy.SHA256}
}

// Lookup checks the MTA-STS deployment of domain: the _mta-sts TXT record
// (one query), the policy file when Options.Fetch is set or
// Options.Policy given (two address queries and one HTTPS GET of at most
// MaxPolicyBytes within Options.Timeout), and the domain's MX hosts (one
// query) against the policy's mx patterns.
//
// Whether the id changes with the policy cannot be seen from one look:
// pass the previous check's Report.Seen as Options.Previous.
//
// The error is for an invalid domain, a cancelled context or a failed
// lookup of the _mta-sts record other than "not verified offline", which
// is Report.Status StatusUnverified.
func Lookup(ctx context.Context, r resolver.Resolver, domain string, opts Options) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSuffix(name, ".")
	rep := &Report{Domain: name, Status: StatusNone}
	owner := "_mta-sts." + name
	a, err := r.Lookup(ctx, owner, dns.TypeTXT)
	if err != nil {
		if errors.Is(err, resolver.ErrUnverified) && ctx.Err() == nil {
			rep.Status = StatusUnverified
			return rep, []lint.Finding{}, nil
		}
		return nil, nil, err
	}
	var fs []lint.Finding
	for _, ss := range a.TXT() {
		txt := strings.Join(ss, "")
		switch {
		case IsSTS(txt):
			rep.Records = append(rep.Records, txt)
		case len(txt) >= 7 && strings.EqualFold(txt[:7], "v=STSv1"):
			f := ruleSyntax.New(owner, fmt.Sprintf("%q: the version is case-sensitive (v=STSv1); senders discard this record", txt[:7]))
			f.Type, f.Record, f.Span = "TXT", txt, lint.Span{Start: 0, End: 7}
			fs = append(fs, f)
			rep.Status = StatusInvalid
		}
	}
	switch len(rep.Records) {
	case 0:
		return rep, lint.Bound(fs), ctx.Err()
	case 1:
		rec, probs := parseRecord(rep.Records[0])
		rep.Record = rec
		rep.Status = StatusPublished
		for _, p := range probs {
			if p.Rule == ruleIgnoredField.ID {
				f := ruleIgnoredField.New(owner, p.Reason)
				f.Type, f.Record, f.Span = "TXT", rec.Raw, p.Span
				fs = append(fs, f)
				continue
			}
			f := ruleSyntax.New(owner, p.Reason)
			f.Type, f.Record, f.Span, f.Severity = "TXT", rec.Raw, p.Span, p.Severity
			if p.Severity == lint.Error {
				f.Message += "; senders ignore the record"
				rep.Status = StatusInvalid
			}
			fs = append(fs, f)
		}
	default:
		rep.Status = StatusInvalid
		f := ruleMultipleRecords.New(owner, fmt.Sprintf("%d v=STSv1 records at %s: senders assume there is no MTA-STS policy", len(rep.Records), owner))
		f.Type, f.Record = "TXT", strings.Join(rep.Records, " | ")
		fs = append(fs, f)
	}

	rep.Policy = policy(ctx, r, name, opts, &fs)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	pr := rep.Policy
	if pr.Policy != nil && pr.Valid {
		p := pr.Policy
		switch p.Mode {
		case Testing:
			f := ruleModeTesting.New("mta-sts."+name, "mode: testing: senders deliver even when TLS to an MX fails or the MX is not in the policy, and report it (TLS-RPT); set mode: enforce once the reports are clean")
			f.Record, f.Span = p.Raw, p.spans["mode"]
			fs = append(fs, f)
		case None:
			f := ruleModeNone.New("mta-sts."+name, "mode: none: senders apply no MTA-STS policy; keep it published for max_age before removing the records")
			f.Record, f.Span = p.Raw, p.spans["mode"]
			fs = append(fs, f)
		}
		if p.Mode != None && p.MaxAge >= 0 && p.MaxAge < 86400 {
			f := ruleMaxAgeShort.New("mta-sts."+name, fmt.Sprintf("max_age: %d is under a day: senders refetch often, and an attacker who blocks a refetch strips MTA-STS; weeks (e.g. 1209600) or more are advised", p.MaxAge))
			f.Record, f.Span = p.Raw, p.spans["max_age"]
			fs = append(fs, f)
		}
		if opts.Previous != nil && rep.Record != nil && opts.Previous.ID == rep.Record.ID && opts.Previous.SHA256 != "" && opts.Previous.SHA256 != pr.SHA256 {
			f := ruleIDUnchanged.New(owner, fmt.Sprintf("the policy changed since the previous check (SHA-256 %.12s… now %.12s…) but id=%s did not: senders keep the old policy until it expires; publish a new id", opts.Previous.SHA256, pr.SHA256, rep.Record.ID))
			f.Type, f.Record, f.Span = "TXT", rep.Record.Raw, rep.Record.IDSpan
			fs = append(fs, f)
		}
		if p.Mode == Enforce || p.Mode == Testing {
			checkMX(ctx, r, rep, a, &fs)
		} else {
			rep.MXStatus = MXNotChecked
		}
	} else {
		rep.MXStatus = MXNotChecked
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return rep, lint.Bound(fs), nil
}

// policy fetches (or takes) and lints the policy file.
func policy(ctx context.Context, r resolver.Resolver, domain string, opts Options, fs *[]lint.Finding) *PolicyResult {
	host := "mta-sts." + domain
	pr := &PolicyResult{URL: "https://" + host + "/.well-known/mta-sts.txt"}
	var body string
	switch {
	case opts.Policy != "":
		pr.Status, body = Given, opts.Policy
	case !opts.Fetch:
		pr.Status = NotFetched
		return pr
	default:
		timeout := opts.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		res, err := httpfetch.Get(ctx, r, pr.URL, httpfetch.Options{Timeout: timeout, MaxBytes: MaxPolicyBytes, Roots: opts.Roots, Port: opts.Port, AllowPrivate: opts.AllowPrivate})
		if err != nil {
			pr.Error = err.Error()
			var fe *httpfetch.Error
			if !errors.As(err, &fe) {
				pr.Status = FetchError
				return pr
			}
			pr.Status = FetchFailed
			var (
				rule lint.Rule
				msg  string
			)
			switch fe.Reason {
			case httpfetch.Unverified:
				pr.Status, pr.Error = Unverified, ""
				return pr
			case httpfetch.DNSTemporary:
				pr.Status = FetchError
				return pr
			case httpfetch.Certificate:
				rule = rulePolicyCertificate
				msg = fmt.Sprintf("%s: the TLS certificate does not verify for %s (%v); senders do not accept the policy", pr.URL, host, fe.Err)
			case httpfetch.Redirect:
				rule = rulePolicyRedirect
				msg = fmt.Sprintf("%s answers %d, a redirect to %q; senders do not follow redirects, so the policy is not found (serve it at this URL)", pr.URL, fe.StatusCode, fe.Location)
			case httpfetch.Status:
				rule = rulePolicyStatus
				msg = fmt.Sprintf("%s answers %d, not 200: senders find no policy", pr.URL, fe.StatusCode)
			case httpfetch.DNS:
				rule = rulePolicyUnreachable
				msg = fmt.Sprintf("%s has no A or AAAA record: senders cannot fetch the policy, so _mta-sts announces a policy nobody can read", host)
			default:
				rule = rulePolicyUnreachable
				msg = fmt.Sprintf("%s cannot be fetched: %v", pr.URL, err)
			}
			f := rule.New(host, msg)
			*fs = append(*fs, f)
			return pr
		}
		pr.Status, body, pr.ContentType = Fetched, string(res.Body), res.ContentType
		if mt, _, err := mime.ParseMediaType(res.ContentType); err != nil || mt != "text/plain" {
			f := rulePolicyMediaType.New(host, fmt.Sprintf("%s is served as %q, not text/plain: senders should refuse it", pr.URL, res.ContentType))
			*fs = append(*fs, f)
		}
	}
	sum := sha256.Sum256([]byte(body))
	pr.SHA256 = hex.EncodeToString(sum[:])
	p, probs := parsePolicy(body)
	pr.Policy, pr.Valid = p, true
	for _, pb := range probs {
		rule := rulePolicySyntax
		if pb.Rule == ruleIgnoredField.ID {
			rule = ruleIgnoredField
		}
		f := rule.New(host, pb.Reason)
		f.Severity, f.Record, f.Span = pb.Severity, body, pb.Span
		if pb.Severity == lint.Error {
			pr.Valid = false
			f.Message += "; senders reject the whole policy"
		}
		*fs = append(*fs, f)
	}
	return pr
}

// checkMX looks up the domain's MX hosts and matches each against the
// policy's patterns (RFC 8461 §4.1). txt is the _mta-sts answer, for the
// id change that a fix needs.
func checkMX(ctx context.Context, r resolver.Resolver, rep *Report, txt *resolver.Answer, fs *[]lint.Finding) {
	p := rep.Policy.Policy
	a, err := r.Lookup(ctx, rep.Domain, dns.TypeMX)
	switch {
	case err != nil && errors.Is(err, resolver.ErrUnverified):
		rep.MXStatus = MXUnverified
		return
	case err != nil:
		rep.MXStatus, rep.MXError = MXError, err.Error()
		return
	}
	var hosts []MXHost
	for _, rr := range a.Records {
		if mx, ok := rr.(*dns.MX); ok {
			hosts = append(hosts, MXHost{Host: strings.ToLower(strings.TrimSuffix(mx.Mx, ".")), Preference: mx.Preference})
		}
	}
	if len(hosts) == 1 && hosts[0].Host == "" {
		rep.MXStatus = MXNull
		return
	}
	if len(hosts) == 0 {
		// RFC 5321 §5.1: the domain itself is the implicit MX.
		hosts = []MXHost{{Host: rep.Domain, Implicit: true}}
	}
	slices.SortStableFunc(hosts, func(a, b MXHost) int { return int(a.Preference) - int(b.Preference) })
	if len(hosts) > MaxMX {
		hosts = hosts[:MaxMX]
	}
	rep.MXStatus = MXChecked
	var missing []string
	for i := range hosts {
		h := &hosts[i]
		if h.Host == "" {
			continue
		}
		h.Pattern, h.Covered = p.Matches(h.Host)
		if !h.Covered {
			missing = append(missing, h.Host)
		}
	}
	rep.MX = hosts
	covered := len(hosts) - len(missing)
	for _, h := range hosts {
		if h.Covered || h.Host == "" {
			continue
		}
		f := ruleMXNotCovered.New(rep.Domain, "")
		f.Type = "MX"
		f.Record = fmt.Sprintf("%d %s.", h.Preference, h.Host)
		if h.Implicit {
			f.Record = ""
			f.Message = fmt.Sprintf("the domain has no MX records, so %s itself is the MX, and no mx pattern of the policy matches it", h.Host)
		} else {
			f.Message = fmt.Sprintf("MX %s matches no mx pattern of the policy (%s)", h.Host, strings.Join(p.MX, ", "))
		}
		if p.Mode == Enforce {
			if covered == 0 {
				f.Message += "; no MX matches, so senders that honour MTA-STS will not deliver mail to the domain at all (they queue it and eventually bounce it)"
			} else {
				f.Message += "; senders that honour MTA-STS skip it and deliver only to the MX hosts that match, and queue the mail while those are down"
			}
		} else {
			f.Severity = lint.Warning
			f.Message += "; in mode testing senders deliver to it anyway and report the failure (TLS-RPT): with mode enforce they would not"
		}
		f.Fixes = []lint.Fix{coverFix(rep, h.Host, txt)}
		*fs = append(*fs, f)
	}
}

// coverFix adds the host to the policy and publishes a new id, so senders
// fetch the new policy. The new id is derived from the new policy text.
func coverFix(rep *Report, host string, txt *resolver.Answer) lint.Fix {
	p := rep.Policy.Policy
	eol := "\n"
	if strings.Contains(p.Raw, "\r\n") {
		eol = "\r\n"
	}
	raw := p.Raw
	if raw != "" && !strings.HasSuffix(raw, "\n") {
		raw += eol
	}
	sum := sha256.Sum256([]byte(raw + "mx: " + host + eol))
	msg := fmt.Sprintf("add the line \"mx: %s\" to the policy at %s, then publish a new id in _mta-sts.%s so that senders fetch it again", host, rep.Policy.URL, rep.Domain)
	if rep.Record == nil || len(rep.Records) != 1 || len(txt.Chain) > 0 {
		return lint.Fix{Message: msg}
	}
	old := rep.Record.Raw
	rec := *rep.Record
	rec.ID = hex.EncodeToString(sum[:])[:20]
	owner := "_mta-sts." + rep.Domain + "."
	return lint.EditFix(msg,
		lint.Edit{Op: lint.Delete, RR: owner + "\t3600\tIN\tTXT\t" + quote(old)},
		lint.Edit{Op: lint.Add, RR: owner + "\t3600\tIN\tTXT\t" + quote(rec.String())})
}

// quote renders TXT data in master-file form.
func quote(s string) string {
	parts := resolver.EncodeTXT(s)
	for i, p := range parts {
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, " ")
}
