package check_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// TestFixesStaySafe: a fix is an edit only when applying it cannot break
// mail: adding Microsoft's include to a record already at 10 lookups would
// pass the limit (permerror), -all on a record that may not list every sender
// fails them, and optional records are the user's choice.
func TestFixesStaySafe(t *testing.T) {
	z, err := resolver.NewZones(resolver.ZoneSource{Origin: "nine.example", Text: `
@      IN SOA ns h 1 3600 600 86400 300
@      IN TXT "v=spf1 a:a1.nine.example a:a2.nine.example a:a3.nine.example a:a4.nine.example a:a5.nine.example a:a6.nine.example a:a7.nine.example a:a8.nine.example a:a9.nine.example a:a10.nine.example ip4:192.0.2.1"
a1     IN A 192.0.2.1
a2     IN A 192.0.2.1
a3     IN A 192.0.2.1
a4     IN A 192.0.2.1
a5     IN A 192.0.2.1
a6     IN A 192.0.2.1
a7     IN A 192.0.2.1
a8     IN A 192.0.2.1
a9     IN A 192.0.2.1
a10    IN A 192.0.2.1
`})
	if err != nil {
		t.Fatal(err)
	}
	set, err := records.M365("nine.example", records.Options{Workloads: []records.Workload{records.WorkloadExchange, records.WorkloadTeams}, Legacy: false})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), z, "nine.example", check.Options{Set: &set})
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		edits := len(f.Fixes) > 0 && len(f.Fixes[0].Edits) > 0
		switch {
		case f.Rule == "m365.wrong" && f.Type == "TXT":
			seen[f.Rule] = true
			if edits || !strings.Contains(f.FixText(), "more than 10") {
				t.Errorf("SPF include fix at 10 lookups: %q", f.FixText())
			}
		case f.Rule == "spf.no-all":
			seen[f.Rule] = true
			if edits {
				t.Errorf("spf.no-all fix is an edit: %q", f.FixText())
			}
		case f.Severity == lint.Info && f.Rule == "m365.missing":
			seen[f.Rule] = true
			if edits {
				t.Errorf("optional record fix is an edit: %s %q", f.Name, f.FixText())
			}
		}
	}
	for _, r := range []string{"m365.wrong", "spf.no-all", "m365.missing"} {
		if !seen[r] {
			t.Errorf("no %s finding: %v", r, rep.Findings)
		}
	}
}
