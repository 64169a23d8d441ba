package m365

import (
	"context"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/internal/rrtext"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

// Status of one diff entry.
type Status string

const (
	OK       Status = "ok"
	Missing  Status = "missing"
	Wrong    Status = "wrong"
	Conflict Status = "conflict"
	// Error: the records could not be looked up (a temporary failure).
	Error Status = "error"
)

// Entry is the diff of one expected record.
type Entry struct {
	Purpose  records.Purpose  `json:"purpose"`
	Workload records.Workload `json:"workload"`
	Type     string           `json:"type"`
	Name     string           `json:"name"`
	Expected string           `json:"expected"`
	Found    []string         `json:"found"`
	Status   Status           `json:"status"`
	Optional bool             `json:"optional"`
	// Why explains a status other than ok.
	Why string `json:"why,omitempty"`
	// otherCloud is set on a wrong MX entry whose records point at
	// Microsoft 365 in another cloud than the expected set's (the
	// commercial hosts against GCC High's or DoD's set): the likelier
	// mistake is the cloud the set was built for, and Why says so.
	otherCloud bool
	fix        fix // overrides the expectation's zone line as the finding's Fix
	// cnameBeside: the entry's CNAME stands beside other data in a zone
	// file (its Why starts with cnameBesideWhy).
	cnameBeside bool
}

// Result is the m365 check's result: the diff, and whether the domain
// publishes an MS= verification record the expected set does not ask for.
type Result struct {
	Diff         []Entry
	VerifyRecord bool
	// ParentVerified is the parent domain, up to the organizational
	// domain, whose MS= record shows it verified when the domain has none
	// of its own: a subdomain added to the tenant of a verified domain is
	// verified automatically.
	ParentVerified string
}

// Selectors are the DKIM selectors set expects keys at (selector1 and
// selector2, when it expects DKIM): give them to dkim.CheckOptions.Expected.
func Selectors(set *records.Set) []string {
	if set == nil || len(set.ByPurpose(records.DKIM1)) == 0 {
		return nil
	}
	return []string{"selector1", "selector2"}
}

// NewCheck returns the Microsoft 365 check, which diffs the zone against
// set (nil: the check does nothing) and requires the SPF and DKIM checks
// given: it reads the SPF tree (the includes behind the record) and the
// DKIM selectors (whose keys resolve). Its result is the *Result. It
// supersedes the protocol checks' findings of the defects the diff also
// reports (sameDefect, and zone.cname-and-other-data where the diff names
// the records to delete), and rewords dkim.dangling-cname where a target
// lacks its trailing dot.
func NewCheck(set *records.Set, spfCheck, dkimCheck *analysis.Check) *analysis.Check {
	return &analysis.Check{Name: "m365", Doc: "the diff against the Microsoft 365 record set (with Options.Set or Expect)",
		Rules: Rules(), Requires: []*analysis.Check{spfCheck, dkimCheck}, Supersedes: supersedes(),
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) { return run(ctx, p, set, spfCheck, dkimCheck) }}
}

func run(ctx context.Context, p *analysis.Pass, set *records.Set, spfCheck, dkimCheck *analysis.Check) (any, error) {
	if set == nil {
		return nil, nil
	}
	sr, _ := p.ResultOf[spfCheck].(*spf.Report)
	sels, _ := p.ResultOf[dkimCheck].([]*dkim.Selector)
	res := &Result{Diff: diff(ctx, p, set, sr, sels)}
	p.Supersede(func(fs []lint.Finding, drop []bool) {
		for i, f := range fs {
			// One defect, one finding: the diff's says what to delete.
			drop[i] = f.Rule == "zone.cname-and-other-data" && res.CNAMEBeside(f.Name)
		}
	})
	if len(set.ByPurpose(records.Verify)) == 0 {
		// The verify workload is not asked for, but an MS= record still
		// shows the domain was verified: the stage reads it.
		res.VerifyRecord = hasVerifyCode(ctx, p.Resolver, p.Domain)
		if !res.VerifyRecord {
			res.ParentVerified = parentVerified(ctx, p, p.Domain)
		}
	}
	return res, nil
}

// CNAMEBeside reports whether the diff reports the CNAME beside other
// data at name (a zone file's defect), with the records to delete.
func (res *Result) CNAMEBeside(name string) bool {
	if res == nil {
		return false
	}
	name = strings.TrimSuffix(name, ".")
	for _, e := range res.Diff {
		if e.Status == Conflict && strings.EqualFold(e.Name, name) && e.cnameBeside {
			return true
		}
	}
	return false
}

// parentVerified returns the nearest parent of domain, up to its
// organizational domain (by the public suffix list), that publishes an MS=
// verification record; "" when there is none or domain is an
// organizational domain. Microsoft Learn ("Add your custom domain name",
// learn.microsoft.com/entra/fundamentals/add-custom-domain): "If you want
// to add a subdomain … you should first add and verify the root domain
// … The subdomain is automatically verified".
func parentVerified(ctx context.Context, p *analysis.Pass, domain string) string {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	org := strings.TrimSuffix(strings.ToLower(dmarc.OrgDomainPSL(domain)), ".")
	if org == "" || org == domain || !strings.HasSuffix(domain, "."+org) {
		return ""
	}
	for name := domain; name != org; {
		_, parent, _ := strings.Cut(name, ".")
		name = parent
		if hasVerifyCode(ctx, p.Resolver, name) {
			return name
		}
	}
	return ""
}

// hasVerifyCode reports whether name publishes a Microsoft 365 MS= code
// (a failed lookup: no).
func hasVerifyCode(ctx context.Context, r resolver.Resolver, name string) bool {
	a, err := r.Lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(a.Records, func(rr dns.RR) bool { return verifyCodeRE.MatchString(rrtext.TXT(rr)) })
}
