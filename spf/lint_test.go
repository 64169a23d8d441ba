package spf_test

import (
	"context"
	"slices"
	"strings"
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

// TestLintOffline lints a domain's own zone alone, offline, as a user's
// repository holds it: targets outside it are not verified, the count is a
// lower bound, and the limit fires only on what was verified.
func TestLintOffline(t *testing.T) {
	const file = "testdata/offline.zone"
	z, err := resolver.NewZones(resolver.ZoneSource{File: file})
	if err != nil {
		t.Fatal(err)
	}
	fixture.Check(t, file, nil, func(t *testing.T, name string) []lint.Finding {
		rep, fs, err := spf.Lint(context.Background(), z, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Errors) > 0 {
			t.Errorf("errors: %q: a target not verified offline is not an error", rep.Errors)
		}
		// Not verified is listed, not a finding about the domain.
		if name != "inside.offline.test" && (len(rep.Unverified) == 0 || !strings.Contains(rep.Tree(), "not verified offline")) {
			t.Errorf("unverified targets not listed: %v\n%s", rep.Unverified, rep.Tree())
		}
		t.Logf("tree:\n%s", rep.Tree())
		return fs
	})

	rep, _, err := spf.Lint(context.Background(), z, "offline.test")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lookups != 3 || !slices.Equal(rep.Unverified, []string{"spf.protection.outlook.com", "sendgrid.net"}) {
		t.Errorf("lookups %d, unverified %q; want 3 and the two includes", rep.Lookups, rep.Unverified)
	}
	if tree := rep.Tree(); !strings.Contains(tree, "at least 3 of 10 DNS lookups") || !strings.Contains(tree, "2 targets not verified offline: spf.protection.outlook.com, sendgrid.net") {
		t.Errorf("tree:\n%s", tree)
	}
	if rep.Root.Terms[0].Child == nil || rep.Root.Terms[0].Child.Status != "unverified" {
		t.Errorf("include node: %+v", rep.Root.Terms[0])
	}
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(spf.Rules()); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEscapedDotTarget: in an SPF domain-spec every character is literal,
// so include:a\.b.example names the labels "a\" and "b", never the single
// label "a.b" (issue 19).
func TestEscapedDotTarget(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "esc.test", Text: `
@       IN SOA ns h 1 3600 600 86400 300
@       IN TXT "v=spf1 include:a\\.b.esc.test -all"
a\.b    IN TXT "v=spf1 ip4:192.0.2.1 -all"
a\\.b   IN TXT "v=spf1 ip4:198.51.100.1 -all"
`})
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := spf.Lint(context.Background(), z, "esc.test")
	if err != nil {
		t.Fatal(err)
	}
	child := rep.Root.Terms[0].Child
	if child == nil || child.Record != "v=spf1 ip4:198.51.100.1 -all" {
		t.Errorf("include:a\\.b.esc.test reached %+v; want the record at the labels a\\ and b", child)
	}
}

// TestOneDefectOneFinding: a term broken across a TXT string boundary is
// one spf.syntax finding that names the boundary, not a syntax error, a
// boundary warning and a missing all.
func TestOneDefectOneFinding(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "split.test", Text: "@ IN SOA ns h 1 3600 600 86400 300\n@ IN TXT \"v=spf1 ip4:192.0.\" \"2.300 -all\"\n"})
	if err != nil {
		t.Fatal(err)
	}
	_, fs, err := spf.Lint(context.Background(), z, "split.test")
	if err != nil {
		t.Fatal(err)
	}
	if ids := fixture.RuleIDs(fs); len(ids) != 1 || ids[0] != "spf.syntax" || !strings.Contains(fs[0].Message, "a TXT string ends inside it") {
		t.Errorf("findings %v", fs)
	}
}
