// Package check is the driver: it runs a domain's checks and assembles
// their report.
//
// [Domain] runs a slice of analysis.Check values (package analysis, in the
// shape of x/tools' go/analysis): each after the checks it requires,
// concurrently otherwise, handing each the typed results of the checks it
// requires. [Checks] returns the default slice — the checks the protocol
// packages export (spf, dmarc, dkim, mx, parked, dnssec, dane, mtasts,
// tlsrpt, bimi, enforce, smtpprobe), the Microsoft 365 diff (package
// m365) and the zone-file check — and Options.DefaultChecks the slice
// configured by other options; append a check of your own to run it too.
// [Rules] is the catalogue they declare, and a finding of an undeclared
// rule is an error, never a silent finding. Rules are selected with
// Options.Enable and Disable, and a zone file may waive one beside a
// record with `; ignore "rule-id"`.
//
// Domain answers from any resolver.Resolver: live DNS, a domain's own
// nameservers ([Authoritative]) or zone files before they are deployed
// (resolver.Zones, offline or with the rest of the world live or from a
// snapshot). [CompareViews] reports where two views of the same questions
// differ (split DNS, caches still holding old answers).
//
// A Report holds findings (lint.Finding, bounded by lint.Bound, each with
// its fixes as edits), the checks' typed results (the Microsoft 365 diff,
// the SPF tree, DMARC, DKIM, MX, …), the onboarding stage, per-domain
// query counts, the questions not verified offline, and the errors for
// what could not be checked: *CheckError values wrapping the cause, so
// errors.Is(err, resolver.ErrBudget) and the like tell why. A temporary
// DNS failure is reported as such, never as a missing record.
//
// [Scan] sweeps many domains with bounded concurrency and one shared cache,
// streaming reports. Package sarif writes reports for code-scanning tools,
// and package check/checktest runs a check of a zone file inside go test.
package check

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/bimi"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/internal/ask"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/m365"
	"github.com/domainlint/domainlint/mtasts"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/spf"
	"github.com/domainlint/domainlint/tlsrpt"
	"github.com/miekg/dns"
)

// DefaultBudget is the DNS packets one domain's check may send.
const DefaultBudget = 400

// DefaultTimeout bounds one domain's check.
const DefaultTimeout = 30 * time.Second

// Options configure a check. The zero Options are useful: they run every
// check of Checks() — SPF, DMARC, DKIM (the selectors a zone file holds;
// over live DNS none, unless Selectors, Discover or Set ask for some),
// MX, parked domains, DNSSEC, DANE, MTA-STS, TLS-RPT and BIMI records,
// and with zone files what their server refuses — within DefaultBudget
// packets and DefaultTimeout, with no Microsoft 365 diff (Set, Expect),
// no HTTPS fetch (Fetch) and no DMARC report replay (Reports).
type Options struct {
	// Set is the Microsoft 365 record set to diff against; nil: no diff.
	Set *records.Set
	// Expect, when Set is nil, gives each domain its own set (nil: no
	// diff); Scan uses it to sweep many domains against one template.
	Expect func(domain string) (*records.Set, error)
	// Selectors are DKIM selectors to look up; selector1 and selector2 are
	// added whenever Set expects DKIM, and a zone file's own selectors
	// (the names under _domainkey it holds) are always looked up.
	Selectors []string
	// Budget bounds the packets sent for the domain (DefaultBudget when 0;
	// negative: no bound). When ctx already carries a budget
	// (resolver.WithBudget), the check draws on that one instead, so that
	// work around it for the same domain (finding its nameservers,
	// CompareViews) counts against one bound and in one Stats.Queries.
	Budget int
	// Timeout bounds the whole check (DefaultTimeout when 0).
	Timeout time.Duration
	// SPF configures the SPF walk.
	SPF spf.Linter
	// Checks are the checks to run, as they were built (with their own
	// options); nil: DefaultChecks() of these Options. The checks carry
	// their options: to run a check of your own beside the default ones
	// configured by these Options (Set, SPF, Selectors, …), append it to
	// opts.DefaultChecks(), not to Checks(), which are the zero Options'.
	Checks []*analysis.Check
	// ZoneFiles, when the resolver given to Domain answers from zone
	// files but wraps them (so does not implement resolver.ZoneFiles
	// itself), is their capability; nil: the resolver's own, if any.
	ZoneFiles resolver.ZoneFiles
	// Parked grades the domain as one that sends and receives no mail,
	// as a null MX does: v=spf1 -all, DMARC p=reject, no DKIM keys.
	Parked bool
	// Discover probes the common DKIM selectors (dkim.Discover: about 30
	// questions) besides Selectors.
	Discover bool
	// Fetch allows the HTTPS fetches some checks make: the MTA-STS policy
	// and the BIMI indicator. Off, nothing but DNS is asked; leave it off
	// for zone files checked offline.
	Fetch bool
	// HTTPS bounds and trusts the fetches.
	HTTPS FetchOptions
	// DANE requires Microsoft 365's inbound DANE: a single MX
	// <token>.<letter>-v1.mx.microsoft on a DNSSEC-signed domain.
	DANE bool
	// Reports, when set, yields the rows of the domain's DMARC aggregate
	// reports (each call a fresh sequence, read under the check's context:
	// its deadline ends a stalled mailbox): the enforce check replays them
	// against the zone and says which mail its policy would quarantine or
	// reject (package enforce). EnforcePolicy asks about a policy other
	// than the zone's ("quarantine", "reject"); empty: the zone's, or
	// quarantine when it is p=none.
	Reports func(ctx context.Context) iter.Seq[enforce.Row]
	// SMTP, when set, probes each MX host on port 25 (STARTTLS, TLS,
	// certificates, TLSA and MTA-STS matched against what it serves): live
	// runs only, never for zone files offline unless the prober replays a
	// recording (smtpprobe.NewReplay).
	SMTP          *smtpprobe.Prober
	EnforcePolicy string
	// Enable, when not empty, keeps only the findings of these rules: IDs
	// ("spf.lookup-limit") or prefixes ("spf", "m365"). Disable drops the
	// findings of the rules it names. A check none of whose rules is left
	// is not run (unless another check requires it).
	Enable, Disable []string

	// defaults are DefaultChecks, built once by a sweep whose domains
	// share their options (no Expect), and plan their order.
	defaults []*analysis.Check
	plan     *plan
}

// Status of one diff entry (m365.Status).
type Status = m365.Status

// The statuses of a diff entry.
const (
	OK       = m365.OK
	Missing  = m365.Missing
	Wrong    = m365.Wrong
	Conflict = m365.Conflict
	Error    = m365.Error
)

// Entry is the diff of one expected record (m365.Entry).
type Entry = m365.Entry

// Stage is where a domain stands in Microsoft 365's onboarding order
// (m365.Stage); Onboarding is the stage and the one next step.
type (
	Stage      = m365.Stage
	Onboarding = m365.Onboarding
)

// The onboarding stages, in Microsoft's order (see m365.Stage).
const (
	StageUnknown     = m365.StageUnknown
	StageUnverified  = m365.StageUnverified
	StageVerified    = m365.StageVerified
	StageOldProvider = m365.StageOldProvider
	StageCutOver     = m365.StageCutOver
	StageDKIMPending = m365.StageDKIMPending
	StageSigning     = m365.StageSigning
	StageMonitoring  = m365.StageMonitoring
	StageEnforcing   = m365.StageEnforcing
)

// Stats count what one domain's check cost.
type Stats struct {
	// Queries is the packets sent for this domain (cache hits are free).
	Queries int `json:"queries"`
	// Questions is the questions whose answers the check read, cache
	// hits and CNAME steps included (a question asked ahead counts once
	// read; one never read counts only in Queries); Questions - Queries
	// is roughly what a shared cache saved.
	Questions int   `json:"questions"`
	Elapsed   int64 `json:"elapsed_ms"`
}

// Report is the result of checking one domain.
type Report struct {
	Domain   string           `json:"domain"`
	Findings []lint.Finding   `json:"findings"`
	Diff     []Entry          `json:"diff"`
	SPF      *spf.Report      `json:"spf_tree"`
	DMARC    *dmarc.Discovery `json:"dmarc,omitempty"`
	DKIM     []*dkim.Selector `json:"dkim,omitempty"`
	Views    []ViewDifference `json:"views,omitempty"`
	Stats    Stats            `json:"stats"`
	// Errors are what could not be checked, each wrapping its cause.
	Errors []*CheckError `json:"errors"`
	// NXDomain is set when the domain itself does not exist (NXDOMAIN
	// at its name): nothing else is reported.
	NXDomain bool `json:"nxdomain,omitempty"`
	// Waived counts the findings a zone file waived with `; ignore`.
	Waived int `json:"waived,omitempty"`
	// Waivers are the `; ignore` comments that waived findings: the name,
	// the rule (or prefix) written, and how many findings each waived. A
	// comment not among them waived nothing.
	Waivers []Waiver `json:"waivers,omitempty"`
	// Unverified are the questions not asked because their names are
	// outside the zone files and the check ran offline (or a snapshot did
	// not record them): resolver.ErrUnverified. They are not errors: the
	// rest was checked, and what depends on them says so.
	Unverified []Unverified `json:"unverified,omitempty"`
	// MX is the domain's MX records and their targets.
	MX *mx.Report `json:"mx,omitempty"`
	// Parked is set when the domain is graded as one that sends and
	// receives no mail (null MX, or Options.Parked).
	Parked bool `json:"parked,omitempty"`
	// DNSSEC says whether the mail records' answers were authenticated.
	DNSSEC *dnssec.Report `json:"dnssec,omitempty"`
	// DANE is the TLSA status of each MX host.
	DANE *dane.Report `json:"dane,omitempty"`
	// MTASTS, TLSRPT and BIMI are those records (and, with Fetch, the
	// MTA-STS policy and the BIMI indicator).
	MTASTS *mtasts.Report `json:"mta_sts,omitempty"`
	TLSRPT *tlsrpt.Report `json:"tls_rpt,omitempty"`
	BIMI   *bimi.Report   `json:"bimi,omitempty"`
	// Onboarding is where the domain stands in Microsoft's onboarding
	// order and the one next step; nil without a Microsoft 365 diff.
	Onboarding *Onboarding `json:"onboarding,omitempty"`
	// Enforcement is what the domain's aggregate reports say the policy
	// would quarantine or reject (with Options.Reports).
	Enforcement *enforce.Result `json:"enforcement,omitempty"`
	// SMTP is each MX host as it answered (with Options.SMTP).
	SMTP  *smtpprobe.Report `json:"smtp,omitempty"`
	asked []question        // questions asked, repeats included, for CompareViews
	// verifyRecord: the domain publishes an MS= verification record
	// (read when the expected set does not ask for one).
	verifyRecord bool
	// parentVerified: the parent domain whose MS= record shows it
	// verified (m365.Result.ParentVerified).
	parentVerified string
	mu             sync.Mutex
}

// Waiver is one `; ignore "rule"` comment that waived findings.
type Waiver struct {
	Name     string `json:"name"`
	Rule     string `json:"rule"`
	Findings int    `json:"findings"`
}

// FetchOptions configure the HTTPS fetches of Options.Fetch.
type FetchOptions struct {
	// Timeout bounds each fetch (the package's default when 0); the
	// domain's deadline bounds them all.
	Timeout time.Duration
	// Roots are trusted besides the system roots (and SSL_CERT_FILE).
	Roots []*x509.Certificate
	// Port replaces 443 (tests).
	Port int
	// AllowPrivate lets hosts resolve to loopback, private and every other
	// non-global address; off, a hostile zone cannot point a fetch at the
	// machine running it or its network (global means by IANA's
	// special-purpose registries; SECURITY.md lists what is refused).
	AllowPrivate bool
}

// Unverified is one question a check did not ask.
type Unverified struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// For says what the answer was needed for, e.g. "SPF include target".
	For string `json:"for,omitempty"`
	// Check is the Name of the check that said so ("dnssec" for its probe
	// of the resolver); empty when none did.
	Check string `json:"-"`
}

func (u Unverified) String() string {
	s := u.Name + " " + u.Type
	if u.For != "" {
		s += " (" + u.For + ")"
	}
	return s
}

// ErrorReport returns the report of a domain that could not be checked
// at all (its nameservers not found, a check never started): err is its
// only content.
func ErrorReport(domain string, err error) *Report {
	d := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	return &Report{Domain: d, Findings: []lint.Finding{}, Diff: []Entry{}, Errors: []*CheckError{{Name: d, Err: err}}}
}

// Stage recognises the onboarding stage from the report's Microsoft 365
// diff (and its DKIM lookups). It is StageUnknown without a diff.
func (r *Report) Stage() Stage { return r.onboarding().Stage }

// NextStep returns the one thing to do next, in Microsoft's order; empty
// without a diff.
func (r *Report) NextStep() string { return r.onboarding().NextStep }

// onboarding returns the stage and the next step together (Domain stores
// them in Report.Onboarding).
func (r *Report) onboarding() Onboarding {
	if r == nil {
		return Onboarding{}
	}
	return m365.Onboard(m365.StageInput{Domain: r.Domain, Diff: r.Diff, VerifyRecord: r.verifyRecord, ParentVerified: r.parentVerified, DKIM: r.DKIM,
		DMARC: r.DMARC, Enforcement: r.Enforcement, Findings: r.Findings})
}

// Failed reports whether the report has error findings.
func (r *Report) Failed() bool { return lint.Count(r.Findings, lint.Error) > 0 }

func (r *Report) fail(e *CheckError) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Errors = append(r.Errors, e)
}

func (r *Report) add(fs ...lint.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Findings = append(r.Findings, fs...)
}

// Domain checks domain through r: it runs opts.Checks (opts.DefaultChecks() when
// nil) concurrently, each after the checks it requires. It never returns
// nil; what could not be checked is in Report.Errors (an invalid domain, a
// cancelled context, a temporary DNS failure, an exhausted budget), each a
// *CheckError wrapping the cause.
//
// When r answers from zone files (resolver.Zones), the rules only a file
// can break are checked too (a CNAME beside other data), and a comment
// `; ignore "rule-id"` beside a record waives that rule's findings at the
// record's name.
func Domain(ctx context.Context, r resolver.Resolver, domain string, opts Options) *Report {
	start := time.Now()
	rep := &Report{Domain: strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), ".")), Findings: []lint.Finding{}, Diff: []Entry{}, Errors: []*CheckError{}, asked: make([]question, 0, 32)}
	name, err := resolver.CanonicalName(rep.Domain)
	if err != nil {
		rep.fail(&CheckError{Name: rep.Domain, Err: err})
		return rep
	}
	rep.Domain = strings.TrimSuffix(name, ".")
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if resolver.BudgetFrom(ctx) == nil {
		budget := opts.Budget
		if budget == 0 {
			budget = DefaultBudget
		}
		ctx = resolver.WithBudget(ctx, max(budget, 0))
	}
	if opts.Set == nil && opts.Expect != nil {
		set, err := opts.Expect(rep.Domain)
		if err != nil {
			rep.fail(&CheckError{Check: "m365", Name: rep.Domain, Err: err})
			return rep
		}
		opts.Set = set
	}
	checks, valid := opts.Checks, false
	if checks == nil {
		// The default checks are valid (TestDefaultChecksValid); a sweep
		// without Expect builds them once (ScanOptions).
		checks, valid = opts.defaults, true
		if checks == nil {
			checks = opts.DefaultChecks()
		}
	}
	zone := opts.ZoneFiles
	if zone == nil {
		zone, _ = r.(resolver.ZoneFiles)
	}
	d := &driver{rep: rep, sel: &selection{enable: opts.Enable, disable: opts.Disable}, zone: zone, plan: opts.plan}
	d.res = &recorder{r: r, rep: rep}
	if zone != nil {
		// Checks that tell zone-file answers from live ones see through
		// the recorder.
		d.res = zoneRecorder{d.res.(*recorder), zone}
		d.sel.comments = zone.Comments
	}
	d.run(ctx, checks, valid)
	if err := ctx.Err(); err != nil {
		rep.fail(&CheckError{Name: rep.Domain, Err: fmt.Errorf("check stopped: %w", err)})
	}
	if nxdomain(ctx, r, name, rep.MX) {
		// The domain does not exist: said once (Report.NXDomain), not as
		// every record missing with fixes that add them.
		rep.NXDomain = true
		// What the zone file's server refuses is still said: a file
		// whose records all landed elsewhere ($ORIGIN . before relative
		// names) is why the domain has none.
		rep.Findings = slices.DeleteFunc(rep.Findings, func(f lint.Finding) bool { return !strings.HasPrefix(f.Rule, "zone.") })
		rep.Diff = []Entry{}
		rep.Stats.Queries = resolver.BudgetFrom(ctx).Used()
		rep.Stats.Elapsed = time.Since(start).Milliseconds()
		return rep
	}
	// The stage reads every check's results: after they all ran.
	if o := rep.onboarding(); o.Stage != StageUnknown {
		rep.Onboarding = &o
	}
	d.explainUnverified()
	rep.Findings = lint.Bound(rep.Findings)
	slices.SortFunc(rep.Waivers, func(a, b Waiver) int { return strings.Compare(a.Name+" "+a.Rule, b.Name+" "+b.Rule) })
	slices.SortFunc(rep.Errors, func(a, b *CheckError) int { return strings.Compare(a.Error(), b.Error()) })
	rep.Errors = slices.CompactFunc(rep.Errors, func(a, b *CheckError) bool { return a.Error() == b.Error() })
	rep.Stats.Queries = resolver.BudgetFrom(ctx).Used()
	rep.Stats.Elapsed = time.Since(start).Milliseconds()
	return rep
}

// nxdomain reports whether name itself does not exist. The SPF check
// asked the same question, so a caching resolver answers from its cache.
// A second answer must agree: the MX check's (or an A question's), so
// that a server answering NXDOMAIN for one type alone hides nothing.
func nxdomain(ctx context.Context, r resolver.Resolver, name string, m *mx.Report) bool {
	if ctx.Err() != nil {
		return false
	}
	a, err := r.Lookup(ctx, name, dns.TypeTXT)
	if err != nil || !a.NXDomain() || len(a.Chain) > 0 {
		return false
	}
	if m != nil {
		return m.Status == mx.DomainNXDomain
	}
	b, err := r.Lookup(ctx, name, dns.TypeA)
	return err == nil && b.NXDomain() && len(b.Chain) == 0
}

// zoneRecorder is a recorder over zone files: it passes their capability
// on.
type zoneRecorder struct {
	*recorder
	resolver.ZoneFiles
}

// question is one DNS question the check asked.
type question struct {
	name  string
	qtype uint16
}

// recorder remembers the questions asked, for CompareViews, and holds
// the questions asked ahead (analysis.Check.Ahead) until a check asks
// them.
type recorder struct {
	r   resolver.Resolver
	rep *Report

	early  *ask.Early // the questions asked ahead
	cancel context.CancelFunc
}

// ahead asks qs now, each once, in the background (analysis.Check.Ahead).
// A check that asks one later waits for its answer instead of asking
// again; the questions are counted (Stats.Questions, the views,
// Unverified) when a check asks them, not before. It returns at once,
// and is called once, before the checks run.
func (c *recorder) ahead(ctx context.Context, qs []analysis.Question) {
	if len(qs) == 0 {
		return
	}
	ctx, c.cancel = context.WithCancel(ctx)
	aqs := make([]ask.Question, len(qs))
	for i, q := range qs {
		aqs[i] = ask.Question{Name: q.Name, Type: q.Type}
	}
	c.early = ask.Ahead(ctx, c.r, aqs...)
}

// settle ends the questions asked ahead that no check asked after all,
// once the checks are done, and waits for them.
func (c *recorder) settle() {
	if c.early != nil {
		c.cancel()
		c.early.Wait()
	}
}

// lookup asks r, or waits for the answer to the question asked ahead.
func (c *recorder) lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if c.early != nil {
		return c.early.Lookup(ctx, name, qtype)
	}
	return c.r.Lookup(ctx, name, qtype)
}

func (c *recorder) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	a, err := c.lookup(ctx, name, qtype)
	c.Note(name, qtype, a, err)
	return a, err
}

// Speculate returns the resolver questions asked ahead go through: not
// counted as asked until Note says a check read the answer
// (resolver.Speculator).
func (c *recorder) Speculate() resolver.Resolver { return c.r }

// Note counts a question as asked, with its answer: for the views, the
// statistics and the names not verified.
func (c *recorder) Note(name string, qtype uint16, a *resolver.Answer, err error) {
	c.rep.mu.Lock()
	c.rep.asked = append(c.rep.asked, question{name, qtype}) // normalised and deduplicated by CompareViews
	c.rep.Stats.Questions++
	c.rep.mu.Unlock()
	var re *resolver.Error
	if err != nil && errors.Is(err, resolver.ErrUnverified) && errors.As(err, &re) {
		// The name that was not asked: past a CNAME chain, its target.
		name := strings.ToLower(re.Name)
		if name != "." {
			name = strings.TrimSuffix(name, ".")
		}
		u := Unverified{Name: name, Type: dns.TypeToString[re.Type]}
		c.rep.mu.Lock()
		if !slices.Contains(c.rep.Unverified, u) {
			c.rep.Unverified = append(c.rep.Unverified, u)
		}
		c.rep.mu.Unlock()
	}
}
