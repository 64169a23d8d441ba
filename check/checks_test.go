package check_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// TestCatalogueIsWhatRuns: the catalogue is derived from the checks, and
// every check declares rules.
func TestCatalogueIsWhatRuns(t *testing.T) {
	var ids []string
	for _, c := range check.Checks() {
		if c.Name == "" || c.Run == nil || len(c.Rules) == 0 {
			t.Errorf("check %q is not well formed", c.Name)
		}
		for _, r := range c.Rules {
			ids = append(ids, r.ID)
		}
	}
	var cat []string
	for _, r := range check.Rules() {
		cat = append(cat, r.ID)
	}
	slices.Sort(ids)
	slices.Sort(cat)
	if !slices.Equal(slices.Compact(ids), cat) {
		t.Errorf("Rules() is not the union of the checks' rules")
	}
	if err := check.CheckRules(check.Rules(), "spf", "m365.missing", "dmarc."); err != nil {
		t.Error(err)
	}
	if err := check.CheckRules(check.Rules(), "spf.no-such-rule"); err == nil {
		t.Error("an unknown rule ID passes")
	}
}

// TestUndeclaredRule: a finding of a rule its check does not declare is an
// error of the check, never a silent finding; a panicking check is an
// error too, and the other checks still run.
func TestUndeclaredRule(t *testing.T) {
	declared := lint.Rule{ID: "custom.declared", Severity: lint.Warning, Summary: "s", Citation: "c"}
	custom := &analysis.Check{Name: "custom", Doc: "d", Rules: []lint.Rule{declared}, Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
		p.Report(declared.New(p.Domain, "fine"))
		p.Report(lint.Rule{ID: "custom.undeclared", Citation: "c"}.New(p.Domain, "not in the catalogue"))
		return nil, nil
	}}
	boom := &analysis.Check{Name: "boom", Doc: "d", Rules: []lint.Rule{declared}, Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
		panic("a bug")
	}}
	checks := append(check.Checks(), custom, boom)
	rep := check.Domain(context.Background(), offlineZones(t, loneZone), loneDomain, check.Options{Checks: checks})
	if !slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool {
		return errors.Is(e, check.ErrUndeclaredRule) && e.Check == "custom"
	}) {
		t.Errorf("undeclared rule not reported: %v", rep.Errors)
	}
	if !slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool { return errors.Is(e, check.ErrCheckPanicked) && e.Check == "boom" }) {
		t.Errorf("panic not reported: %v", rep.Errors)
	}
	if !ruleSet(rep.Findings)["custom.declared"] || ruleSet(rep.Findings)["custom.undeclared"] || rep.SPF == nil {
		t.Errorf("findings %v", rep.Findings)
	}
}

// TestRuleSelection: Enable and Disable by ID or prefix; a check whose
// rules are all disabled is not run and asks nothing.
func TestRuleSelection(t *testing.T) {
	z := offlineZones(t, loneZone)
	ctx := context.Background()
	all := check.Domain(ctx, z, loneDomain, check.Options{})
	bad := offlineZones(t, "testdata/bad.example.zone")
	if !ruleSet(check.Domain(ctx, bad, "bad.example", check.Options{}).Findings)["spf.softfail-all"] {
		t.Fatal("fixture lacks spf.softfail-all")
	}
	off := check.Domain(ctx, bad, "bad.example", check.Options{Disable: []string{"spf.softfail-all"}})
	if ruleSet(off.Findings)["spf.softfail-all"] || len(off.Findings) == 0 {
		t.Errorf("Disable spf.softfail-all: %v", off.Findings)
	}
	only := check.Domain(ctx, z, loneDomain, check.Options{Enable: []string{"dmarc"}})
	for _, f := range only.Findings {
		if !strings.HasPrefix(f.Rule, "dmarc.") {
			t.Errorf("Enable dmarc kept %s", f.Rule)
		}
	}
	if only.SPF != nil {
		t.Errorf("the SPF check ran with only dmarc enabled")
	}
	if only.Stats.Questions >= all.Stats.Questions {
		t.Errorf("questions: %d with only dmarc, %d with all", only.Stats.Questions, all.Stats.Questions)
	}
}

// TestZoneWaiver: `; ignore "rule-id"` beside a record waives that rule
// at the record's name, and only there.
func TestZoneWaiver(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "waive.example", Text: `
@      IN SOA ns h 1 3600 600 86400 300
@      IN TXT "v=spf1 ip4:192.0.2.1 ~all" ; ignore "spf.softfail-all"
_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:d@waive.example" ; we know; ignore "dmarc.policy-none"
`})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), z, "waive.example", check.Options{})
	if rules := ruleSet(rep.Findings); rules["spf.softfail-all"] || rules["dmarc.policy-none"] || rep.Waived != 2 {
		t.Errorf("waived %d, findings %v", rep.Waived, rep.Findings)
	}
}

// TestTypedErrors: a spent budget and a timeout are told apart with
// errors.Is, and errors marshal as check, name, kind and message.
func TestTypedErrors(t *testing.T) {
	srv := dnstest.New(t, resolver.ZoneSource{File: loneZone})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rep := check.Domain(context.Background(), c, loneDomain, check.Options{Budget: 2})
	budget := slices.IndexFunc(rep.Errors, func(e *check.CheckError) bool { return errors.Is(e, resolver.ErrBudget) })
	if budget < 0 {
		t.Fatalf("no error wraps resolver.ErrBudget: %v", rep.Errors)
	}
	b, err := json.Marshal(rep.Errors[budget])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || m["kind"] != "budget" || m["check"] == "" || m["message"] == "" {
		t.Errorf("JSON %s", b)
	}
	var back check.CheckError
	if err := json.Unmarshal(b, &back); err != nil || back.Error() != rep.Errors[budget].Error() || back.Kind() != "budget" {
		t.Errorf("round trip: %v %q %s", err, back.Error(), back.Kind())
	}
	if (&check.CheckError{}).Error() == "" {
		t.Error("the zero CheckError has no message")
	}
}

// TestRequiresCycle: checks that require each other are an error of the
// check, not a hang.
func TestRequiresCycle(t *testing.T) {
	a := &analysis.Check{Name: "a", Doc: "d", Rules: check.Rules()[:1], Run: func(context.Context, *analysis.Pass) (any, error) { return nil, nil }}
	b := &analysis.Check{Name: "b", Doc: "d", Rules: check.Rules()[:1], Requires: []*analysis.Check{a}, Run: a.Run}
	a.Requires = []*analysis.Check{b}
	rep := check.Domain(context.Background(), offlineZones(t, loneZone), loneDomain, check.Options{Checks: []*analysis.Check{a, b}})
	if !slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool { return errors.Is(e, check.ErrBadCheck) }) {
		t.Errorf("errors %v", rep.Errors)
	}
}

// wrapped hides a Zones behind another Resolver, as a user's logging or
// caching layer would.
type wrapped struct{ r resolver.Resolver }

func (w wrapped) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	return w.r.Lookup(ctx, name, qtype)
}

// TestZoneFilesThroughAWrapper: waivers and zone-only rules work through
// a wrapping resolver when Options.ZoneFiles names the files.
func TestZoneFilesThroughAWrapper(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "waive.example", Text: `
@      IN SOA ns h 1 3600 600 86400 300
@      IN TXT "v=spf1 ip4:192.0.2.1 ~all" ; ignore "spf.softfail-all"
`})
	if err != nil {
		t.Fatal(err)
	}
	plain := check.Domain(context.Background(), wrapped{z}, "waive.example", check.Options{})
	told := check.Domain(context.Background(), wrapped{z}, "waive.example", check.Options{ZoneFiles: z})
	if !ruleSet(plain.Findings)["spf.softfail-all"] || ruleSet(told.Findings)["spf.softfail-all"] || told.Waived != 1 {
		t.Errorf("without ZoneFiles %v; with it %v (waived %d)", plain.Findings, told.Findings, told.Waived)
	}
}

// failHost fails every address lookup of one host with err, and passes
// the rest to r.
type failHost struct {
	r    resolver.Resolver
	host string
	err  error
}

func (f failHost) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if strings.EqualFold(strings.TrimSuffix(name, "."), f.host) && (qtype == dns.TypeA || qtype == dns.TypeAAAA) {
		return nil, &resolver.Error{Name: name, Type: qtype, Rcode: -1, Err: f.err}
	}
	return f.r.Lookup(ctx, name, qtype)
}

// TestMXErrorKinds: a budget, temporary or timeout failure looking up an
// MX host keeps its kind through the report's CheckError (it was rebuilt
// from its text, and reported as "other").
func TestMXErrorKinds(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "kinds.example", Text: `
@  IN SOA ns h 1 3600 600 86400 300
@  IN MX 10 mail
@  IN TXT "v=spf1 -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		kind string
	}{
		{resolver.ErrBudget, "budget"},
		{resolver.ErrTemporary, "temporary"},
		{context.DeadlineExceeded, "timeout"},
	} {
		rep := check.Domain(context.Background(), failHost{z, "mail.kinds.example", tc.err}, "kinds.example", check.Options{})
		i := slices.IndexFunc(rep.Errors, func(e *check.CheckError) bool { return e.Check == "mx" })
		if i < 0 {
			t.Errorf("%v: no mx error in %v", tc.err, rep.Errors)
			continue
		}
		if e := rep.Errors[i]; !errors.Is(e, tc.err) || e.Kind() != tc.kind {
			t.Errorf("%v: mx error %v is of kind %q (errors.Is %v), want %q", tc.err, e, e.Kind(), errors.Is(e, tc.err), tc.kind)
		}
	}
}

// budgetAt fails the questions for one name as a spent budget would.
type budgetAt struct {
	r    resolver.Resolver
	name string
}

func (b budgetAt) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	if strings.EqualFold(strings.TrimSuffix(name, "."), b.name) {
		return nil, fmt.Errorf("lookup %s: %w", name, resolver.ErrBudget)
	}
	return b.r.Lookup(ctx, name, qtype)
}

// TestMXTargetBudgetKept (issue 26 bug a): a budget spent on an MX
// target's lookup reaches Report.Errors as the mx check's, kind budget,
// errors.Is(err, resolver.ErrBudget) — not "other".
func TestMXTargetBudgetKept(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Domain: "mxb.example", Text: "@ 3600 IN SOA ns h 1 3600 600 86400 300\n@ 3600 IN NS ns\nns 3600 IN A 192.0.2.53\n@ 3600 IN MX 10 mail\nmail 3600 IN A 192.0.2.25\n"})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), budgetAt{z, "mail.mxb.example"}, "mxb.example", check.Options{Enable: []string{"mx"}})
	if !slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool {
		return e.Check == "mx" && errors.Is(e, resolver.ErrBudget) && e.Kind() == "budget"
	}) {
		t.Errorf("errors %v", rep.Errors)
	}
}

// gated answers from r, recording the questions in order; a question of
// hold waits until release is closed.
type gated struct {
	r       resolver.Resolver
	hold    string
	release chan struct{}
	mu      sync.Mutex
	asked   []string
}

func (g *gated) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	q := strings.ToLower(dns.Fqdn(name)) + " " + dns.TypeToString[qtype]
	g.mu.Lock()
	g.asked = append(g.asked, q)
	g.mu.Unlock()
	if q == g.hold {
		<-g.release
	}
	return g.r.Lookup(ctx, name, qtype)
}

// TestAheadAskedAtStart: a check's Ahead questions are asked while the
// check it requires is still waiting for its own answer, once each, and
// the check reads them as if it had asked (the answer, Stats.Questions).
func TestAheadAskedAtStart(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "example.", Text: `$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
first TXT "slow"
second TXT "ahead"
`})
	if err != nil {
		t.Fatal(err)
	}
	g := &gated{r: z, hold: "first.example. TXT", release: make(chan struct{})}
	var got string
	slow := &analysis.Check{Name: "slow", Rules: []lint.Rule{{ID: "slow.x", Severity: lint.Info, Summary: "x"}},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			_, err := p.Resolver.Lookup(ctx, "first.example", dns.TypeTXT)
			return nil, err
		}}
	after := &analysis.Check{Name: "after", Rules: []lint.Rule{{ID: "after.x", Severity: lint.Info, Summary: "x"}}, Requires: []*analysis.Check{slow},
		Ahead: func(domain string) []analysis.Question {
			return []analysis.Question{{Name: "second." + domain, Type: dns.TypeTXT}}
		},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			a, err := p.Resolver.Lookup(ctx, "second.example", dns.TypeTXT)
			if err == nil && len(a.Records) == 1 {
				got = a.Records[0].(*dns.TXT).Txt[0]
			}
			return nil, err
		}}
	done := make(chan *check.Report)
	go func() {
		done <- check.Domain(context.Background(), g, "example", check.Options{Checks: []*analysis.Check{slow, after}})
	}()
	// The Ahead question is asked before the slow check's answer comes.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		g.mu.Lock()
		asked := slices.Contains(g.asked, "second.example. TXT")
		g.mu.Unlock()
		if asked {
			break
		}
		if time.Now().After(deadline) {
			close(g.release)
			<-done
			t.Fatal("the Ahead question was not asked while the check it waits for ran")
		}
	}
	close(g.release)
	rep := <-done
	if got != "ahead" {
		t.Errorf("after read %q, want the answer asked ahead", got)
	}
	n := 0
	for _, q := range g.asked {
		if q == "second.example. TXT" {
			n++
		}
	}
	if n != 1 || rep.Stats.Questions != 2 || len(rep.Errors) > 0 {
		t.Errorf("second asked %d times (want 1), Stats.Questions %d (want 2), errors %v", n, rep.Stats.Questions, rep.Errors)
	}
}

// TestDefaultChecksValid: the default checks, as any options configure
// them, pass analysis.Validate — Domain does not validate them per domain.
func TestDefaultChecksValid(t *testing.T) {
	set, err := records.M365("contoso.com", records.Options{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []check.Options{{}, {Set: &set, DANE: true, Parked: true, Fetch: true, Discover: true, Selectors: []string{"s1"}}} {
		if err := analysis.Validate(o.DefaultChecks()); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// TestUnreadNotUnverified: a question asked ahead and never read (the MX
// of a report destination whose authorization could not be verified
// offline) is not listed as asked, nor as not verified.
func TestUnreadNotUnverified(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "d.example.", Text: `$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 192.0.2.53
_dmarc TXT "v=DMARC1; p=reject; rua=mailto:r@reports.other.net"
`})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), z, "d.example", check.Options{Checks: []*analysis.Check{dmarc.NewCheck()}})
	for _, u := range rep.Unverified {
		if u.Name == "reports.other.net" && u.Type == "MX" {
			t.Errorf("unverified %s %s (%q): never read", u.Name, u.Type, u.For)
		}
	}
	if !slices.ContainsFunc(rep.Unverified, func(u check.Unverified) bool { return strings.HasPrefix(u.Name, "d.example._report._dmarc.") }) {
		t.Errorf("the authorization question is not listed as not verified: %+v", rep.Unverified)
	}
}
