package analysis_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
)

const zone = `
@      3600 IN SOA ns1 hostmaster 1 3600 600 86400 300
@      3600 IN NS  ns1
ns1    3600 IN A   192.0.2.53
@      3600 IN TXT "v=spf1 -all"
_dmarc 3600 IN TXT "v=DMARC1; p=none; rua=mailto:d@example.org"
`

func zones(t *testing.T) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{Domain: "example.org", Text: zone})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func rules(fs []lint.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// TestOutsideCheck: a check written outside the module, against the
// framework alone, runs beside the default checks through check.Domain:
// it reads the DMARC check's typed result (ResultOf), reports a finding
// of its own rule, says why a name was not verified, and supersedes the
// DMARC check's finding it declares (and no other).
func TestOutsideCheck(t *testing.T) {
	checks := check.Checks()
	i := slices.IndexFunc(checks, func(c *analysis.Check) bool { return c.Name == "dmarc" })
	dmarcCheck := checks[i]
	rule := lint.Rule{ID: "house.monitoring", Severity: lint.Info, Summary: "DMARC at p=none, as our rollout plan has it.", Citation: "house rule"}
	var seen *dmarc.Discovery
	house := &analysis.Check{Name: "house", Doc: "our rollout plan", Rules: []lint.Rule{rule},
		Requires: []*analysis.Check{dmarcCheck}, Supersedes: []string{"dmarc.policy-none"},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			seen, _ = p.ResultOf[dmarcCheck].(*dmarc.Discovery)
			if seen == nil || seen.Effective().Record == nil || seen.Effective().Record.P != dmarc.None {
				return nil, nil
			}
			p.Report(rule.New("_dmarc."+p.Domain, "p=none: monitoring, as planned"))
			p.Supersede(func(fs []lint.Finding, drop []bool) {
				for i, f := range fs {
					// Only the rules declared, and the check's own, are
					// handed over: spf's findings never are.
					if strings.HasPrefix(f.Rule, "spf.") {
						t.Errorf("fold handed %s, not declared", f.Rule)
					}
					drop[i] = f.Rule == "dmarc.policy-none"
				}
			})
			return nil, nil
		}}
	rep := check.Domain(context.Background(), zones(t), "example.org", check.Options{Checks: append(checks, house)})
	got := rules(rep.Findings)
	if seen == nil || !slices.Contains(got, "house.monitoring") || slices.Contains(got, "dmarc.policy-none") {
		t.Errorf("findings %v (DMARC result %v)", got, seen)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors %v", rep.Errors)
	}
	// Without the house check, the DMARC check says p=none itself.
	rep = check.Domain(context.Background(), zones(t), "example.org", check.Options{Checks: check.Checks()})
	if !slices.Contains(rules(rep.Findings), "dmarc.policy-none") {
		t.Errorf("default checks: %v", rules(rep.Findings))
	}
}

// TestFail: a failure keeps its cause, so errors.Is tells why.
func TestFail(t *testing.T) {
	rule := lint.Rule{ID: "house.x", Severity: lint.Info, Summary: "s", Citation: "c"}
	c := &analysis.Check{Name: "house", Doc: "d", Rules: []lint.Rule{rule}, Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
		p.Fail("www."+p.Domain, resolver.ErrBudget)
		return nil, nil
	}}
	rep := check.Domain(context.Background(), zones(t), "example.org", check.Options{Checks: []*analysis.Check{c}})
	if len(rep.Errors) != 1 || !errors.Is(rep.Errors[0], resolver.ErrBudget) || rep.Errors[0].Kind() != "budget" || rep.Errors[0].Name != "www.example.org" || rep.Errors[0].Check != "house" {
		t.Errorf("errors %v", rep.Errors)
	}
}

func TestValidate(t *testing.T) {
	run := func(context.Context, *analysis.Pass) (any, error) { return nil, nil }
	rule := lint.Rule{ID: "house.x"}
	for _, tc := range []struct {
		name   string
		checks []*analysis.Check
		want   string
	}{
		{"no name", []*analysis.Check{{Run: run}}, "no name"},
		{"no run", []*analysis.Check{{Name: "a"}}, "no Run"},
		{"twice", []*analysis.Check{{Name: "a", Run: run}, {Name: "a", Run: run}}, "two checks"},
		{"own rules", []*analysis.Check{{Name: "a", Run: run, Rules: []lint.Rule{rule}, Supersedes: []string{"house"}}}, "its own rules"},
		{"empty", []*analysis.Check{{Name: "a", Run: run, Supersedes: []string{"."}}}, "empty"},
	} {
		err := analysis.Validate(tc.checks)
		if !errors.Is(err, analysis.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if err := analysis.Validate(check.Checks()); err != nil {
		t.Error(err)
	}
	if u := analysis.SupersedesUnknown(check.Checks(), check.Rules()); len(u) > 0 {
		t.Errorf("the default checks supersede rules no check declares: %v", u)
	}
}
