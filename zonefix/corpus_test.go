package zonefix_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonefix"
)

const corpusDir = "../check/testdata/corpus"

// TestCorpusFixesAreSafe is the property test over the repository's zone
// corpus: every fix of every finding, info included, is applied or refused
// with a reason; and the zone as written has no error finding it did not
// have, no enforcement weaker than published, and loads in Knot (when
// kzonecheck is installed) whenever the original did.
func TestCorpusFixesAreSafe(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	kz, kerr := exec.LookPath("kzonecheck")
	applied, refused := 0, 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".zone") || strings.HasPrefix(name, "db.")) {
			continue
		}
		domain := strings.TrimPrefix(strings.TrimSuffix(name, ".zone"), "db.")
		file := filepath.Join(corpusDir, name)
		src := resolver.ZoneSource{File: file, Domain: domain, AllowInclude: true}
		if _, err := resolver.NewZones(src); err != nil {
			continue // a file servers refuse: nothing to fix in place
		}
		t.Run(name, func(t *testing.T) {
			res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{src}, domain, zonefix.Options{Info: true, Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Skipf("not fixed: %v", err)
			}
			applied += len(res.Applied)
			refused += len(res.Refused)
			for _, r := range res.Refused {
				if r.Why == "" {
					t.Errorf("%s %s refused without a reason", r.Finding.Rule, r.Finding.Name)
				}
			}
			before, err := resolver.NewZones(src)
			if err != nil {
				t.Fatal(err)
			}
			rep := check.Domain(context.Background(), before, domain, check.Options{})
			errsBefore := map[string]int{}
			for _, f := range rep.Findings {
				if f.Severity == lint.Error {
					errsBefore[f.Rule+" "+f.Name]++
				}
			}
			for _, f := range res.Report.Findings {
				if f.Severity == lint.Error && errsBefore[f.Rule+" "+f.Name] == 0 {
					t.Errorf("the fixed zone has a new error: %s\n%s", f, zonefix.Diff(name, res.Before, res.After))
				}
			}
			if res.Report.DMARC != nil && rep.DMARC != nil {
				if b, a := rep.DMARC.Effective().Record, res.Report.DMARC.Effective().Record; b != nil && (a == nil || rank(a.P) < rank(b.P)) {
					t.Errorf("DMARC weakened: %v -> %v", b.Raw, a)
				}
			}
			if kerr == nil && res.Changed() {
				out := filepath.Join(t.TempDir(), name)
				os.WriteFile(out, []byte(res.After), 0o644)
				orig, _ := exec.Command(kz, "-o", domain, file).CombinedOutput()
				got, _ := exec.Command(kz, "-o", domain, out).CombinedOutput()
				if refusedByKnot(got) && !refusedByKnot(orig) {
					t.Errorf("Knot refuses the fixed zone:\n%s\n%s", got, zonefix.Diff(name, res.Before, res.After))
				}
			}
		})
	}
	t.Logf("corpus: %d fixes applied, %d refused (advice)", applied, refused)
}

func rank(p string) int {
	return map[string]int{"none": 0, "quarantine": 1, "reject": 2}[strings.ToLower(p)]
}

// refusedByKnot reads kzonecheck's verdict: a load error or a serious
// semantic error.
func refusedByKnot(out []byte) bool {
	s := string(out)
	return strings.Contains(s, "Serious semantic error") || strings.Contains(s, "error: ") && strings.Contains(s, "failed")
}
