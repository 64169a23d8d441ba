package dnssec

import (
	"context"
	"fmt"
	"github.com/domainlint/domainlint/internal/ask"
	"net/netip"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// MaxHosts bounds the MX hosts whose TLSA RRset is asked.
const MaxHosts = 10

// MaxNames bounds the extra names of Options.Names that are asked.
const MaxNames = 20

// Options configures Lookup. The zero value asks everything itself and
// probes the root's DNSKEY.
type Options struct {
	// MX is the domain's MX answer, when the caller already has it (with
	// its AD bit); nil: asked.
	MX *resolver.Answer
	// Names are more questions whose answers should be authenticated (at
	// most MaxNames): _mta-sts, _dmarc, a DKIM selector…
	Names []Question
	AssessOptions
}

// Report is the DNSSEC status of one domain's mail records.
type Report struct {
	Domain string `json:"domain"`
	// Resolver says whether the resolver validates; Offline for zone files.
	Resolver Validation `json:"resolver"`
	// Status is the MX RRset's status: the domain's own.
	Status Status `json:"status"`
	// Signed is set when the domain's zone publishes DNSKEY records (as
	// answered: from a zone file offline).
	Signed bool `json:"signed"`
	// Probe is the probe's outcome, when one was asked.
	Probe *Check `json:"probe,omitempty"`
	// Checks are the MX, DNSKEY, TLSA and extra questions, in that order.
	Checks []Check `json:"checks"`
	// Note says what the resolver in use (one that does not validate) or
	// zone files (no AD bit) leave unknown: not a finding, since it is
	// not about the domain.
	Note string `json:"note,omitempty"`
	// Truncated is set when MX hosts or names past the bounds were left out.
	Truncated bool `json:"truncated,omitempty"`
}

// Lookup asks the questions that matter for domain's mail (MX, DNSKEY, the
// TLSA RRset of each MX host, opts.Names) and reports whether each answer
// was authenticated. The error is for an invalid domain, a cancelled
// context or a spent budget: failed lookups are statuses and findings.
func Lookup(ctx context.Context, r resolver.Resolver, domain string, opts Options) (*Report, []lint.Finding, error) {
	name, err := resolver.CanonicalName(domain)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Domain: strings.TrimSuffix(name, ".")}
	var results []Result
	// Asked at once: MX, DNSKEY and the extra names; then the MX hosts'
	// TLSA RRsets, at once.
	first := []ask.Question{{Name: name, Type: dns.TypeMX}, {Name: name, Type: dns.TypeDNSKEY}}
	if opts.MX != nil {
		first = first[1:]
	}
	for i, q := range opts.Names {
		if i == MaxNames {
			rep.Truncated = true
			break
		}
		first = append(first, ask.Question{Name: q.Name, Type: q.Type})
	}
	got := ask.All(ctx, r, first...)
	if opts.MX != nil {
		got = append([]ask.Result{{Answer: opts.MX}}, got...)
		first = append([]ask.Question{{Name: name, Type: dns.TypeMX}}, first...)
	}
	for i := range 2 {
		results = append(results, Result{Name: first[i].Name, Type: first[i].Type, Answer: got[i].Answer, Err: got[i].Err})
	}
	if err := fatal(ctx, results[0].Err); err != nil {
		return nil, nil, err
	}
	if a := results[1].Answer; a != nil && len(a.Records) > 0 {
		rep.Signed = true
	}
	hosts, more := MXHosts(results[0].Answer, MaxHosts)
	rep.Truncated = rep.Truncated || more
	var tlsa []ask.Question
	for _, h := range hosts {
		tlsa = append(tlsa, ask.Question{Name: "_25._tcp." + h, Type: dns.TypeTLSA})
	}
	for i, res := range ask.All(ctx, r, tlsa...) {
		results = append(results, Result{Name: tlsa[i].Name, Type: tlsa[i].Type, Answer: res.Answer, Err: res.Err})
	}
	for i := 2; i < len(first); i++ {
		results = append(results, Result{Name: first[i].Name, Type: first[i].Type, Answer: got[i].Answer, Err: got[i].Err})
	}
	as, err := Assess(ctx, r, results, opts.AssessOptions)
	if err != nil {
		return nil, nil, err
	}
	rep.Resolver, rep.Probe, rep.Checks = as.Resolver, as.Probe, as.Checks
	rep.Status = as.Checks[0].Status
	rep.Note = note(rep)
	return rep, lint.Bound(findings(rep)), nil
}

// MXHosts returns the hosts of an MX answer, lowercase without the
// trailing dot, by preference then name, without duplicates or a null
// MX's "." — at most max of them, and whether more were left out.
func MXHosts(a *resolver.Answer, max int) ([]string, bool) {
	if a == nil {
		return nil, false
	}
	mxs := make([]*dns.MX, 0, len(a.Records))
	for _, rr := range a.Records {
		if mx, ok := rr.(*dns.MX); ok && mx.Mx != "." {
			mxs = append(mxs, mx)
		}
	}
	slices.SortStableFunc(mxs, func(x, y *dns.MX) int {
		if x.Preference != y.Preference {
			return int(x.Preference) - int(y.Preference)
		}
		return strings.Compare(strings.ToLower(x.Mx), strings.ToLower(y.Mx))
	})
	var out []string
	for _, mx := range mxs {
		h := strings.TrimSuffix(strings.ToLower(mx.Mx), ".")
		if _, err := netip.ParseAddr(h); err == nil {
			continue // an address written as an MX host names no TLSA (mx reports it)
		}
		if slices.Contains(out, h) {
			continue
		}
		if len(out) == max {
			return out, true
		}
		out = append(out, h)
	}
	return out, false
}

// note says what the resolver's part means for the report: a fact about
// the resolver or the zone files, not about the domain, so never a
// finding.
func note(rep *Report) string {
	switch rep.Resolver {
	case NotValidating:
		probe := "the probe"
		if rep.Probe != nil {
			probe = fmt.Sprintf("the probe (%s %s)", rep.Probe.Name, rep.Probe.Type)
		}
		return fmt.Sprintf("the resolver in use does not validate DNSSEC: no answer, not even %s, carried the AD bit, so whether %s is signed cannot be told from here; ask through a validating resolver to know", probe, rep.Domain)
	case Unknown:
		probe := "the probe"
		if rep.Probe != nil {
			probe = fmt.Sprintf("the probe (%s %s)", rep.Probe.Name, rep.Probe.Type)
		}
		return fmt.Sprintf("no answer carried the AD bit and %s failed (%s), so whether the resolver validates, and whether %s is signed, cannot be told", probe, probeDetail(rep.Probe), rep.Domain)
	case Offline:
		n := "not verifiable offline: zone files carry no AD bit"
		if rep.Signed {
			return n + "; the zone file publishes DNSKEY records, so it is signed: check online that the parent has its DS"
		}
		return n + "; the zone file publishes no DNSKEY (a zone signed by its server when loaded looks the same)"
	}
	return ""
}

func findings(rep *Report) []lint.Finding {
	var fs []lint.Finding
	domainInsecure := false
	for i, c := range rep.Checks {
		switch c.Status {
		case Insecure:
			if i == 1 {
				if c.Records > 0 {
					f := ruleIsland.New(c.Name, fmt.Sprintf("%s publishes %d DNSKEY records, but a validating resolver does not authenticate them: the parent zone has no DS record for %s", c.Name, c.Records, c.Name))
					f.Type = "DNSKEY"
					f.Fixes = []lint.Fix{{Message: "publish the DS of the zone's key-signing key at the parent (the registrar), e.g. from keymgr <zone> ds or dnssec-dsfromkey"}}
					fs = append(fs, f)
					domainInsecure = true
				}
				continue
			}
			if i > 1 && domainInsecure && (c.Name == rep.Domain || strings.HasSuffix(c.Name, "."+rep.Domain)) {
				continue // said once, at the domain
			}
			if i == 0 {
				domainInsecure = true
				if rep.Signed && rep.Checks[1].Status == Insecure {
					continue // the island says it
				}
			}
			msg := fmt.Sprintf("%s %s is not authenticated by DNSSEC: ", c.Name, c.Type)
			if i == 0 {
				msg += fmt.Sprintf("%s is not signed (or its parent has no DS), so its MX can be forged and senders cannot use DANE", rep.Domain)
			} else {
				msg += "its zone is not signed (or has no DS at its parent), so the answer can be forged"
				if c.Type == "TLSA" {
					msg += " and senders ignore TLSA records there"
				}
			}
			f := ruleInsecure.New(c.Name, msg)
			f.Type = c.Type
			fs = append(fs, f)
		case Bogus:
			f := ruleBogus.New(c.Name, fmt.Sprintf("%s %s: %s; validating resolvers fail this lookup, and senders defer mail that depends on it", c.Name, c.Type, c.Detail))
			f.Type = c.Type
			fs = append(fs, f)
		case Failed:
			f := ruleLookupFailed.New(c.Name, fmt.Sprintf("%s %s: %s", c.Name, c.Type, c.Detail))
			f.Type = c.Type
			fs = append(fs, f)
		}
	}
	return fs
}

func probeDetail(c *Check) string {
	if c == nil || c.Detail == "" {
		return "no answer"
	}
	return c.Detail
}
