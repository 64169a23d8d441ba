package tlsrpt

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// Options say what else the domain publishes. A TLS-RPT record is
// optional on its own, and expected once senders can fail on the
// domain's TLS: with MTA-STS or DANE.
type Options struct {
	// MTASTS: the domain publishes an MTA-STS record (mtasts.Report.Published).
	MTASTS bool
	// DANE: an MX host of the domain publishes TLSA records at
	// _25._tcp.<mx>.
	DANE bool
}

// Status says what a domain publishes at _smtp._tls.
type Status string

const (
	StatusNone       Status = "none"       // no v=TLSRPTv1 record
	StatusPublished  Status = "published"  // exactly one valid record
	StatusInvalid    Status = "invalid"    // records that reporters ignore
	StatusUnverified Status = "unverified" // outside the zone files, offline
)

// Report is what Lookup found.
type Report struct {
	Domain string `json:"domain"`
	Status Status `json:"status"`
	// Records are the v=TLSRPTv1 TXT records at _smtp._tls.<domain>.
	Records []string `json:"records,omitempty"`
	// Record is the one record, parsed, when there is exactly one.
	Record *Record `json:"record,omitempty"`
	// Expected: MTA-STS or DANE is published (Options).
	Expected bool `json:"expected"`
}

// Lookup checks the TLS-RPT record of domain (one query) and, when
// Options say MTA-STS or DANE is published, that there is one. The error
// is for an invalid domain, a cancelled context or a failed lookup other
// than "not verified offline" (Report.Status StatusUnverified).
func Lookup(ctx context.Context, r resolver.Resolver, domain string, opts Options) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	name = strings.TrimSuffix(name, ".")
	rep := &Report{Domain: name, Status: StatusNone, Expected: opts.MTASTS || opts.DANE}
	owner := "_smtp._tls." + name
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
		case IsTLSRPT(txt):
			rep.Records = append(rep.Records, txt)
		case len(txt) >= 10 && strings.EqualFold(txt[:10], "v=TLSRPTv1"):
			f := ruleSyntax.New(owner, fmt.Sprintf("%q: the version is case-sensitive (v=TLSRPTv1); reporters discard this record", txt[:10]))
			f.Type, f.Record, f.Span = "TXT", txt, lint.Span{Start: 0, End: 10}
			fs = append(fs, f)
			rep.Status = StatusInvalid
		}
	}
	switch len(rep.Records) {
	case 0:
		if rep.Expected && rep.Status == StatusNone {
			f := ruleMissing.New(owner, fmt.Sprintf("%s publishes %s but no TLS-RPT record: senders that fail TLS to its MX hosts (an expired certificate, a policy mismatch) will not report it", name, published(opts)))
			f.Type = "TXT"
			// Advice: which mailbox reads the reports is not guessed.
			f.Fixes = []lint.Fix{{Message: fmt.Sprintf("publish %s TXT \"v=TLSRPTv1; rua=mailto:<a mailbox of yours that reads the reports>\" (an https: URI works too)", owner)}}
			fs = append(fs, f)
		}
	case 1:
		rec, probs := parse(rep.Records[0])
		rep.Record, rep.Status = rec, StatusPublished
		for _, p := range probs {
			rule := ruleSyntax
			switch {
			case p.Rule == ruleBadURI.ID:
				rule = ruleBadURI
			case p.Rule == ruleIgnoredField.ID:
				rule = ruleIgnoredField
			case p.Severity == lint.Error:
				rep.Status = StatusInvalid
			}
			f := rule.New(owner, p.Reason)
			f.Type, f.Record, f.Span = "TXT", rec.Raw, p.Span
			f.Severity = p.Severity
			if rule == ruleSyntax && p.Severity == lint.Error {
				f.Message += "; reporters ignore the record"
			}
			fs = append(fs, f)
		}
		if rep.Status == StatusPublished && len(rec.RUA) > 0 && !hasUsable(rec) {
			rep.Status = StatusInvalid
		}
	default:
		rep.Status = StatusInvalid
		f := ruleMultipleRecords.New(owner, fmt.Sprintf("%d v=TLSRPTv1 records at %s: reporters assume there is no TLS-RPT; merge their rua URIs into one record", len(rep.Records), owner))
		f.Type, f.Record = "TXT", strings.Join(rep.Records, " | ")
		fs = append(fs, f)
	}
	return rep, lint.Bound(fs), ctx.Err()
}

func hasUsable(r *Record) bool {
	for _, u := range r.RUA {
		if u.Err == "" {
			return true
		}
	}
	return false
}

func published(o Options) string {
	switch {
	case o.MTASTS && o.DANE:
		return "MTA-STS and DANE"
	case o.MTASTS:
		return "MTA-STS"
	}
	return "DANE (TLSA records for its MX hosts)"
}
