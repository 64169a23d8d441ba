package bimi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/httpfetch"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// MaxSVGBytes bounds the indicator fetched: the size receivers are known
// to accept. A compressed (SVGZ) indicator is read up to
// MaxSVGBytes*MaxInflation once inflated.
const (
	MaxSVGBytes  = 32 << 10
	MaxInflation = 8
)

// DefaultTimeout bounds the indicator fetch when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// Options configure Lookup. The zero value checks the record for the
// default selector, fetches nothing, and leaves the DMARC requirement
// unchecked.
type Options struct {
	// Selector is the BIMI selector ("default" when empty).
	Selector string
	// DMARC is the domain's DMARC discovery (dmarc.Lookup of the same
	// domain): BIMI requires DMARC at enforcement. Nil: not checked
	// (Report.DMARC is DMARCNotChecked); Lookup never asks for _dmarc
	// records itself.
	DMARC *dmarc.Discovery
	// OrgDMARC is the organizational domain's DMARC discovery, needed
	// only when the domain is a subdomain with a DMARC record of its own
	// (otherwise DMARC already holds the organizational domain's record).
	// Nil then: Report.DMARC is DMARCOrgNotChecked.
	OrgDMARC *dmarc.Discovery
	// Fetch fetches the indicator at l= and checks the SVG. Off by
	// default: the caller turns it on for a live check and leaves it off
	// for an offline one, which must not reach the network.
	Fetch bool
	// Timeout bounds the fetch (DefaultTimeout when 0).
	Timeout time.Duration
	// Roots are trusted in addition to the system roots (tests).
	Roots []*x509.Certificate
	// Port replaces 443 when fetching (tests).
	Port int
	// AllowPrivate lets the indicator's host resolve to loopback, private
	// or any other non-global address (tests; an intranet).
	AllowPrivate bool
}

// Status says what the domain publishes for the selector.
type Status string

const (
	StatusNone       Status = "none"       // no record, at the domain or its organizational domain
	StatusPublished  Status = "published"  // one valid record with an indicator
	StatusDeclined   Status = "declined"   // l= and a= empty
	StatusInvalid    Status = "invalid"    // records receivers reject
	StatusUnverified Status = "unverified" // a name outside the zone files, offline
)

// DMARCStatus says whether DMARC meets BIMI's requirement.
type DMARCStatus string

const (
	DMARCEnforced      DMARCStatus = "enforced"
	DMARCNotEnforced   DMARCStatus = "not-enforced"
	DMARCNotChecked    DMARCStatus = "not-checked"     // Options.DMARC nil, or nothing to check
	DMARCOrgNotChecked DMARCStatus = "org-not-checked" // the domain's own policy is enforced; Options.OrgDMARC nil
	DMARCUnverified    DMARCStatus = "unverified"      // the DMARC discovery could not complete offline
)

// FetchStatus says what became of the indicator.
type FetchStatus string

const (
	Fetched     FetchStatus = "fetched"
	NotFetched  FetchStatus = "not-fetched" // Options.Fetch off, or no usable l=
	Unverified  FetchStatus = "unverified"  // the host is outside the zone files, offline
	FetchFailed FetchStatus = "failed"
	FetchError  FetchStatus = "error" // a temporary DNS failure
)

// Indicator is the fetch and check of the l= SVG.
type Indicator struct {
	URL         string      `json:"url"`
	Status      FetchStatus `json:"status"`
	Error       string      `json:"error,omitempty"`
	ContentType string      `json:"content_type,omitempty"`
	Bytes       int         `json:"bytes,omitempty"`
	SHA256      string      `json:"sha256,omitempty"`
	SVG         *SVG        `json:"svg,omitempty"`
	Problems    []string    `json:"problems,omitempty"`
}

// Report is what Lookup found.
type Report struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	Status   Status `json:"status"`
	// Name is where the record was found (or the domain's name, asked
	// first, when none was).
	Name string `json:"name"`
	// Inherited: found at the organizational domain (§7.2).
	Inherited bool     `json:"inherited,omitempty"`
	Records   []string `json:"records,omitempty"`
	Record    *Record  `json:"record,omitempty"`
	// Error is a temporary failure asking the organizational domain.
	Error     string      `json:"error,omitempty"`
	DMARC     DMARCStatus `json:"dmarc"`
	DMARCWhy  []string    `json:"dmarc_why,omitempty"`
	Indicator *Indicator  `json:"indicator,omitempty"`
}

// Lookup checks the BIMI Assertion Record of domain: <selector>._bimi.<domain>,
// then, when there is none, <selector>._bimi.<organizational domain> (at
// most two queries; the organizational domain by the public suffix list,
// as the draft has it); the DMARC requirement against Options.DMARC and
// Options.OrgDMARC (no queries); and, when Options.Fetch is set, the SVG
// at l= (two address queries and one HTTPS GET of at most MaxSVGBytes
// within Options.Timeout; the a= evidence document is not fetched).
//
// The error is for an invalid domain or selector, a cancelled context or
// a failed lookup of the domain's own record other than "not verified
// offline" (Report.Status StatusUnverified).
func Lookup(ctx context.Context, r resolver.Resolver, domain string, opts Options) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSuffix(name, ".")
	sel := strings.ToLower(opts.Selector)
	if sel == "" {
		sel = "default"
	}
	owner := sel + "._bimi." + name
	if _, err := resolver.CanonicalName(owner); err != nil {
		return nil, nil, fmt.Errorf("bimi: selector %q: %w", opts.Selector, err)
	}
	rep := &Report{Domain: name, Selector: sel, Status: StatusNone, Name: owner, DMARC: DMARCNotChecked}
	recs, err := ask(ctx, r, owner)
	if err != nil {
		if errors.Is(err, resolver.ErrUnverified) && ctx.Err() == nil {
			rep.Status = StatusUnverified
			return rep, []lint.Finding{}, nil
		}
		return nil, nil, err
	}
	if org := dmarc.OrgDomainPSL(name); len(recs) == 0 && org != name {
		orgOwner := sel + "._bimi." + org
		orgRecs, err := ask(ctx, r, orgOwner)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, nil, ctx.Err()
		case err != nil && errors.Is(err, resolver.ErrUnverified):
			rep.Status = StatusUnverified
			return rep, []lint.Finding{}, nil
		case err != nil:
			rep.Error = err.Error()
			return rep, []lint.Finding{}, nil
		case len(orgRecs) > 0:
			rep.Inherited, rep.Name, recs = true, orgOwner, orgRecs
		}
	}
	rep.Records = recs
	var fs []lint.Finding
	switch len(recs) {
	case 0:
		return rep, []lint.Finding{}, ctx.Err()
	case 1:
	default:
		rep.Status = StatusInvalid
		f := ruleMultipleRecords.New(rep.Name, fmt.Sprintf("%d v=BIMI1 records at %s: receivers show no indicator", len(recs), rep.Name))
		f.Type, f.Record = "TXT", strings.Join(recs, " | ")
		return rep, lint.Bound(append(fs, f)), ctx.Err()
	}
	rec, probs := parse(recs[0])
	rep.Record, rep.Status = rec, StatusPublished
	usableL := rec.L != ""
	for _, p := range probs {
		rule := ruleSyntax
		if p.Rule == ruleNotHTTPS.ID {
			rule = ruleNotHTTPS
		}
		f := rule.New(rep.Name, p.Reason)
		f.Severity, f.Type, f.Record, f.Span = p.Severity, "TXT", rec.Raw, p.Span
		fs = append(fs, f)
		if p.Severity == lint.Error {
			rep.Status = StatusInvalid
			if p.Span == rec.LSpan {
				usableL = false
			}
		}
	}
	if rep.Inherited {
		f := ruleInherited.New(name, fmt.Sprintf("%s has no BIMI record of its own for selector %s: receivers use %s", name, sel, rep.Name))
		fs = append(fs, f)
	}
	if rep.Status == StatusPublished && rec.Declined() {
		rep.Status = StatusDeclined
		f := ruleDeclined.New(rep.Name, "l= and a= are empty: the domain declines BIMI, and receivers show no indicator for mail with this selector")
		f.Type, f.Record = "TXT", rec.Raw
		return rep, lint.Bound(append(fs, f)), ctx.Err()
	}
	if opts.DMARC != nil {
		checkDMARC(rep, opts, &fs)
	}
	if rec.A == "" && rec.L != "" {
		f := ruleNoEvidence.New(rep.Name, "no a= evidence document: Gmail and Apple Mail show an indicator only with a Verified or Common Mark Certificate at a=")
		f.Type, f.Record = "TXT", rec.Raw
		fs = append(fs, f)
	}
	if usableL {
		rep.Indicator = indicator(ctx, r, rep, opts, &fs)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return rep, lint.Bound(fs), nil
}

// ask returns the v=BIMI1 records at name.
func ask(ctx context.Context, r resolver.Resolver, name string) ([]string, error) {
	a, err := r.Lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ss := range a.TXT() {
		if txt := strings.Join(ss, ""); IsBIMI(txt) {
			out = append(out, txt)
		}
	}
	return out, nil
}

func strength(p string) int {
	switch p {
	case dmarc.Quarantine:
		return 1
	case dmarc.Reject:
		return 2
	}
	return 0
}

// checkDMARC holds the DMARC policies against BIMI's requirement (§1):
// quarantine or reject for the domain and its organizational domain, no
// pct below 100, no t=y, and no sp=none at the organizational domain.
func checkDMARC(rep *Report, opts Options, fs *[]lint.Finding) {
	d := opts.DMARC
	eff := d.Effective()
	org := eff.OrgDomain
	if eff.Record == nil {
		if eff.Incomplete != "" {
			rep.DMARC = DMARCUnverified
			return
		}
		rep.DMARC = DMARCNotEnforced
		rep.DMARCWhy = []string{fmt.Sprintf("no DMARC record for %s or its organizational domain", rep.Domain)}
		f := ruleDMARCNotEnforced.New("_dmarc."+rep.Domain, rep.DMARCWhy[0]+": receivers show no BIMI indicator")
		f.Type = "TXT"
		*fs = append(*fs, f)
		return
	}
	var why []string
	weak := func(where, tag, value string) {
		why = append(why, fmt.Sprintf("%s at _dmarc.%s", tag+"="+value, where))
	}
	rec := eff.Record
	tag, disp := "p", rec.P
	if eff.PolicyDomain != rep.Domain && rec.SP != "" {
		tag, disp = "sp", rec.SP
	}
	if strength(disp) < 1 {
		weak(eff.PolicyDomain, tag, disp)
	}
	pctT := func(where string, r *dmarc.Record) {
		if r.Pct >= 0 && r.Pct < 100 {
			weak(where, "pct", fmt.Sprint(r.Pct))
		}
		if r.T == "y" {
			weak(where, "t", "y")
		}
	}
	pctT(eff.PolicyDomain, rec)
	// The organizational domain's own record.
	var orgRec *dmarc.Record
	switch {
	case eff.PolicyDomain == org:
		orgRec = rec
	case opts.OrgDMARC != nil:
		oe := opts.OrgDMARC.Effective()
		if oe.Record != nil && oe.PolicyDomain == org {
			orgRec = oe.Record
		} else if oe.Record == nil && oe.Incomplete == "" {
			why = append(why, fmt.Sprintf("no DMARC record at _dmarc.%s, the organizational domain", org))
		}
	}
	if orgRec != nil && orgRec != rec {
		if strength(orgRec.P) < 1 {
			weak(org, "p", orgRec.P)
		}
		pctT(org, orgRec)
	}
	if orgRec != nil && orgRec.SP == dmarc.None && !(orgRec == rec && tag == "sp") {
		weak(org, "sp", "none")
	}
	rep.DMARCWhy = why
	switch {
	case len(why) > 0:
		rep.DMARC = DMARCNotEnforced
		f := ruleDMARCNotEnforced.New("_dmarc."+eff.PolicyDomain, fmt.Sprintf("DMARC is not at enforcement (%s): receivers show no BIMI indicator; move to p=quarantine or p=reject for all mail once the DMARC reports show every sender passing", strings.Join(why, "; ")))
		f.Type, f.Record = "TXT", rec.Raw
		*fs = append(*fs, f)
	case orgRec == nil:
		rep.DMARC = DMARCOrgNotChecked
	default:
		rep.DMARC = DMARCEnforced
	}
}

// indicator fetches the SVG at l= and checks it.
func indicator(ctx context.Context, r resolver.Resolver, rep *Report, opts Options, fs *[]lint.Finding) *Indicator {
	rec := rep.Record
	ind := &Indicator{URL: rec.L, Status: NotFetched}
	if !opts.Fetch {
		return ind
	}
	add := func(rule lint.Rule, sev lint.Severity, msg string) {
		f := rule.New(rep.Name, msg)
		f.Severity, f.Type, f.Record, f.Span = sev, "TXT", rec.Raw, rec.LSpan
		*fs = append(*fs, f)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	res, err := httpfetch.Get(ctx, r, rec.L, httpfetch.Options{Timeout: timeout, MaxBytes: MaxSVGBytes, Roots: opts.Roots, Port: opts.Port, AllowPrivate: opts.AllowPrivate})
	if err != nil {
		ind.Error = err.Error()
		var fe *httpfetch.Error
		if !errors.As(err, &fe) {
			ind.Status = FetchError
			return ind
		}
		ind.Status = FetchFailed
		switch fe.Reason {
		case httpfetch.Unverified:
			ind.Status, ind.Error = Unverified, ""
		case httpfetch.DNSTemporary:
			ind.Status = FetchError
		case httpfetch.TooLarge:
			add(ruleSVGTooLarge, ruleSVGTooLarge.Severity, fmt.Sprintf("the indicator at %s is larger than %d bytes: receivers may refuse it", rec.L, MaxSVGBytes))
		case httpfetch.Redirect:
			add(ruleSVGUnreachable, lint.Warning, fmt.Sprintf("%s answers %d, a redirect to %q: not followed here, and receivers may not follow it either; put the indicator's own URL in l=", rec.L, fe.StatusCode, fe.Location))
		default:
			add(ruleSVGUnreachable, ruleSVGUnreachable.Severity, fmt.Sprintf("the indicator cannot be fetched: %v", err))
		}
		return ind
	}
	ind.Status, ind.ContentType, ind.Bytes = Fetched, res.ContentType, len(res.Body)
	body := res.Body
	if bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(io.LimitReader(zr, MaxSVGBytes*MaxInflation+1))
		}
		switch {
		case err != nil:
			add(ruleSVGProfile, ruleSVGProfile.Severity, fmt.Sprintf("the indicator at %s is gzip-compressed (SVGZ) but does not inflate: %v", rec.L, err))
			return ind
		case len(body) > MaxSVGBytes*MaxInflation:
			add(ruleSVGTooLarge, ruleSVGTooLarge.Severity, fmt.Sprintf("the indicator at %s inflates to more than %d bytes", rec.L, MaxSVGBytes*MaxInflation))
			return ind
		}
	}
	sum := sha256.Sum256(body)
	ind.SHA256 = hex.EncodeToString(sum[:])
	ind.SVG, ind.Problems = CheckSVG(body)
	for _, p := range ind.Problems {
		add(ruleSVGProfile, ruleSVGProfile.Severity, fmt.Sprintf("the indicator at %s: %s", rec.L, p))
	}
	return ind
}
