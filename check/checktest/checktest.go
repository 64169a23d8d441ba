// Package checktest lets a repository lint its DNS zone files in go test,
// before they are deployed:
//
//	func TestZone(t *testing.T) {
//		set, _ := records.M365("contoso.com", records.Options{Tenant: "contoso"})
//		checktest.Zone(t, "dns/contoso.com.zone", "contoso.com", check.Options{Set: &set})
//	}
//
// Zone fails the test with a readable list of every error finding and
// every expected record that is not ok, and passes silently otherwise.
// Like golang.org/x/tools' analysistest, a zone may carry expectations next
// to its records:
//
//	_dmarc IN TXT "v=DMARC1; p=none" ; want "dmarc.policy-none"
//
// Then the test fails on any error or warning finding whose rule is not
// wanted and on any wanted rule that no finding has ("want none" wants
// nothing). Rules are matched by ID anywhere in the report: a finding is
// often about a name the zone does not hold (a missing record).
package checktest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/google/go-cmp/cmp"
)

// TB is the part of testing.TB that Zone uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
}

// outOfZone is resolver.ErrOutOfZone's text: names the loaded zones do not
// hold (a provider's SPF include, say) are not the zone's fault.
var outOfZone = resolver.ErrOutOfZone.Error()

// Zone checks domain answering from file (and the more zone files, such
// as providers' zones the domain points into), and reports as described in
// the package documentation. It returns the report for further checks.
func Zone(t TB, file, domain string, opts check.Options, more ...string) *check.Report {
	t.Helper()
	srcs := []resolver.ZoneSource{{File: file}}
	for _, m := range more {
		srcs = append(srcs, resolver.ZoneSource{File: m})
	}
	zones, err := resolver.NewZones(srcs...)
	if err != nil {
		t.Errorf("checktest: %v", err)
		return nil
	}
	wanted := map[string]bool{}
	hasWants := false
	for _, f := range append([]string{file}, more...) {
		z, err := zonedb.Parse(zonedb.Source{File: f})
		if err != nil {
			t.Errorf("checktest: %v", err)
			return nil
		}
		for _, ids := range fixture.Wants(z) {
			hasWants = true
			for _, id := range ids {
				wanted[id] = true
			}
		}
	}
	rep := check.Domain(context.Background(), zones, domain, opts)
	var problems []string
	for _, e := range rep.Errors {
		if strings.Contains(e, outOfZone) {
			t.Logf("checktest: not checked (outside the loaded zones): %s", e)
			continue
		}
		problems = append(problems, "could not check: "+e)
	}
	if hasWants {
		want := sortedKeys(wanted)
		got := map[string]bool{}
		for _, f := range rep.Findings {
			if f.Severity != lint.Info || wanted[f.Rule] {
				got[f.Rule] = true
			}
		}
		if diff := cmp.Diff(want, sortedKeys(got)); diff != "" {
			problems = append(problems, "rules (-wanted +found):\n"+diff+"findings:\n"+findings(rep.Findings, nil))
		}
	} else {
		if fs := findings(rep.Findings, func(f lint.Finding) bool { return f.Severity == lint.Error }); fs != "" {
			problems = append(problems, "error findings:\n"+fs)
		}
		for _, e := range rep.Diff {
			if e.Status != check.OK && !e.Optional {
				problems = append(problems, fmt.Sprintf("%s %s %s: %s — %s", e.Status, e.Type, e.Name, e.Purpose, e.Why))
			}
		}
	}
	if len(problems) > 0 {
		t.Errorf("checktest: %s (%s):\n%s", domain, file, strings.Join(problems, "\n"))
	}
	return rep
}

func sortedKeys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func findings(fs []lint.Finding, keep func(lint.Finding) bool) string {
	var b strings.Builder
	for _, f := range fs {
		if keep == nil || keep(f) {
			fmt.Fprintf(&b, "  %s\n", f)
			if f.Fix != "" {
				fmt.Fprintf(&b, "      fix: %s\n", f.Fix)
			}
		}
	}
	return b.String()
}
