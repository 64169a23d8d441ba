package zonefix_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonefix"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden fixes each zone of testdata/golden offline, as x/tools'
// analysistest checks suggested fixes: the written zone and what was
// applied and refused must equal the .golden file, and the written zone
// must load in Knot (when kzonecheck is installed).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.zone")
	if err != nil || len(files) == 0 {
		t.Fatal("no golden zones", err)
	}
	kz, kerr := exec.LookPath("kzonecheck")
	for _, file := range files {
		domain := strings.TrimSuffix(filepath.Base(file), ".zone")
		domain = domain[strings.Index(domain, ".")+1:] // "parked.example.org" -> "example.org"
		t.Run(filepath.Base(file), func(t *testing.T) {
			res, err := zonefix.Fix(context.Background(), []resolver.ZoneSource{{File: file, Domain: domain}}, domain,
				zonefix.Options{Now: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(res.After)
			b.WriteString("\n;; ---- applied ----\n")
			for _, a := range res.Applied {
				fmt.Fprintf(&b, ";; %s %s: %s\n", a.Finding.Rule, a.Finding.Name, a.Fix.Message)
			}
			b.WriteString(";; ---- refused (advice) ----\n")
			for _, r := range res.Refused {
				fmt.Fprintf(&b, ";; %s %s: %s\n", r.Finding.Rule, r.Finding.Name, r.Why)
			}
			golden := strings.TrimSuffix(file, ".zone") + ".golden"
			if *update {
				os.WriteFile(golden, []byte(b.String()), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if b.String() != string(want) {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
			}
			if kerr == nil {
				out := filepath.Join(t.TempDir(), "fixed.zone")
				os.WriteFile(out, []byte(res.After), 0o644)
				if msg, _ := exec.Command(kz, "-o", domain, out).CombinedOutput(); refusedByKnot(msg) {
					t.Errorf("Knot refuses the written zone:\n%s", msg)
				}
			}
		})
	}
}
