package spf_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/domainlint/domainlint/spf"
	"github.com/google/go-cmp/cmp"
)

var wantRE = regexp.MustCompile(`want (none|(?:"[a-z0-9.-]+"\s*)+)`)

// wants reads "; want" comments from a fixture zone: owner → rule IDs.
func wants(t *testing.T, file string) map[string][]string {
	t.Helper()
	z, err := zonedb.Parse(zonedb.Source{File: file})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range z.Entries {
		m := wantRE.FindStringSubmatch(e.Comment)
		if m == nil {
			continue
		}
		name := strings.TrimSuffix(e.RR.Header().Name, ".")
		ids := []string{}
		if m[1] != "none" {
			for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
				ids = append(ids, q[1])
			}
		}
		out[name] = ids
	}
	return out
}

func ruleIDs(fs []lint.Finding) []string {
	ids := []string{}
	for _, f := range fs {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	return ids
}

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
	covered := map[string]bool{}
	for name, want := range wants(t, file) {
		t.Run(name, func(t *testing.T) {
			rep, fs, err := spf.Lint(context.Background(), c, name)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, ruleIDs(fs)); diff != "" {
				t.Errorf("rules (-want +got):\n%s\nfindings:\n%s\ntree:\n%s", diff, findingsText(fs), rep.Tree())
			}
			for _, f := range fs {
				covered[f.Rule] = true
			}
		})
	}
	for _, r := range spf.Rules() {
		if !covered[r.ID] {
			t.Errorf("no fixture triggers %s", r.ID)
		}
	}
}

func findingsText(fs []lint.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(spf.Rules()); err != nil {
		t.Fatal(err)
	}
}
