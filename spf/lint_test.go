package spf_test

import (
	"context"
	"testing"

	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
	"go.uber.org/goleak"
)

func ruleIDs(fs []lint.Finding) []string { return fixture.RuleIDs(fs) }

func lintClient(t *testing.T, file string) (*dnstest.Server, *resolver.Client) {
	t.Helper()
	srv := dnstest.New(t, resolver.ZoneSource{File: file})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// TestLintFixtures lints every fixture name served by dnstest and compares
// the rules that fire with the zone's "want" comments.
func TestLintFixtures(t *testing.T) {
	const file = "testdata/lint.zone"
	_, c := lintClient(t, file)
	fixture.Check(t, file, spf.Rules(), func(t *testing.T, name string) []lint.Finding {
		rep, fs, err := spf.Lint(context.Background(), c, name)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("tree:\n%s", rep.Tree())
		return fs
	})
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(spf.Rules()); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
