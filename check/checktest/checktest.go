// Package checktest lets a repository lint its DNS zone files in go test,
// before they are deployed:
//
//	func TestZone(t *testing.T) {
//		set, err := records.M365("contoso.com", records.Options{Tenant: "contoso"})
//		if err != nil {
//			t.Fatal(err)
//		}
//		checktest.Zone(t, "dns/contoso.com.zone", "contoso.com", check.Options{Set: &set})
//	}
//
// Zone fails the test with a readable list of every error finding, every
// expected record that is not ok and everything that could not be checked,
// and passes otherwise. It also fails when the expected set is empty (a
// diff against nothing passes whatever the zone says).
//
// The check is offline and hermetic: names outside the zone file (a
// provider's SPF include, the tenant a DKIM selector points into) are not
// asked. They are listed in the test log as not verified, the SPF lookup
// count is then a lower bound, and the test does not fail for them unless
// Config.FailUnverified is set. To check them too without the network,
// record their answers once with `domainlint -zone FILE -snapshot snap.txt
// DOMAIN` (live DNS), commit the snapshot and name it in Config.Snapshot.
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
	"os"
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

// Config changes how a zone is checked. The zero Config is what Zone uses.
type Config struct {
	// Zones are more zone files loaded beside the domain's own (zones of
	// its subdomains, or of domains it points into).
	Zones []string
	// Snapshot, when set, answers names outside the zone files from a
	// snapshot file written by `domainlint -snapshot` (see
	// resolver.ReadSnapshot); names it does not hold stay unverified.
	Snapshot string
	// FailUnverified makes anything not verified fail the test.
	FailUnverified bool
}

// Zone checks domain answering from file and the more zone files,
// offline, and reports as described in the package documentation. It
// returns the report for further checks (nil when the files could not be
// loaded).
func Zone(t TB, file, domain string, opts check.Options, more ...string) *check.Report {
	t.Helper()
	return Config{Zones: more}.Zone(t, file, domain, opts)
}

// Zone checks domain answering from file as cfg says; see the package
// documentation.
func (cfg Config) Zone(t TB, file, domain string, opts check.Options) *check.Report {
	t.Helper()
	files := append([]string{file}, cfg.Zones...)
	srcs := make([]resolver.ZoneSource, len(files))
	for i, f := range files {
		srcs[i] = resolver.ZoneSource{File: f}
	}
	zones, err := resolver.NewZones(srcs...)
	if err != nil {
		t.Errorf("checktest: %v", err)
		return nil
	}
	if cfg.Snapshot != "" {
		f, err := os.Open(cfg.Snapshot)
		if err != nil {
			t.Errorf("checktest: %v", err)
			return nil
		}
		snap, err := resolver.ReadSnapshot(f, cfg.Snapshot)
		f.Close()
		if err != nil {
			t.Errorf("checktest: %v", err)
			return nil
		}
		zones = zones.WithFallback(snap)
	}
	var problems []string
	if opts.Set == nil && opts.Expect != nil {
		set, err := opts.Expect(domain)
		if err != nil {
			t.Errorf("checktest: %s: the expected record set: %v", domain, err)
			return nil
		}
		opts.Set, opts.Expect = set, nil
	}
	if opts.Set != nil && len(opts.Set.Items) == 0 {
		problems = append(problems, "the expected record set is empty, so the diff checks nothing (did records.M365 fail, or get no tenant?)")
	}
	wanted := map[string]bool{}
	hasWants := false
	for _, f := range files {
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
	for _, e := range rep.Errors {
		problems = append(problems, "could not check: "+e.Error())
	}
	if len(rep.Unverified) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "not verified offline (outside the zone files%s):", map[bool]string{false: "", true: " and the snapshot"}[cfg.Snapshot != ""])
		for _, u := range rep.Unverified {
			b.WriteString("\n  " + u.String())
		}
		if cfg.FailUnverified {
			problems = append(problems, b.String())
		} else {
			t.Logf("checktest: %s: %s", domain, b.String())
		}
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
			for _, x := range f.Fixes {
				fmt.Fprintf(&b, "      fix: %s\n", x.Message)
				for _, e := range x.Edits {
					fmt.Fprintf(&b, "        %s %s\n", map[lint.Op]string{lint.Add: "+", lint.Delete: "-"}[e.Op], e.RR)
				}
			}
		}
	}
	return b.String()
}
