package lint_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/lint"
)

// TestCollectorIsBound: a Collector's findings are exactly Bound of every
// finding added, whatever the mix of rules, names, severities and spans.
func TestCollectorIsBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		var all []lint.Finding
		var c lint.Collector
		n := rng.IntN(200)
		for i := range n {
			f := lint.Finding{
				Rule:     fmt.Sprintf("r.x%d", rng.IntN(3)),
				Name:     fmt.Sprintf("n%d.example", rng.IntN(3)),
				Severity: lint.Severity(rng.IntN(3)),
				Span:     lint.Span{Start: rng.IntN(10), End: 20},
				Message:  fmt.Sprintf("m%d", rng.IntN(4)),
				Record:   strings.Repeat("x", rng.IntN(3)*1000),
			}
			if rng.IntN(5) == 0 {
				f.Message = fmt.Sprintf("unique %d", i)
			}
			all = append(all, f)
			c.Add(f)
		}
		want := lint.Bound(append([]lint.Finding(nil), all...))
		got := c.Findings()
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d, %d findings: Collector gave\n%v\nBound gives\n%v", round, n, got, want)
		}
	}
}

// TestCollectorMemory: a million findings of one rule at one name hold
// what 21 do.
func TestCollectorMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var c lint.Collector
	for i := range 1_000_000 {
		c.Add(lint.Finding{Rule: "spf.string-boundary", Name: "x.example", Message: fmt.Sprintf("a TXT string ends inside %q at offset %d", "ip4:192.0.2.1", i), Span: lint.Span{Start: i, End: i + 1}})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	fs := c.Findings()
	if len(fs) != lint.MaxPerRule+1 || !slices.ContainsFunc(fs, func(f lint.Finding) bool { return strings.Contains(f.Message, "and 999980 more") }) {
		t.Errorf("%d findings: %v", len(fs), fs)
	}
	if held := int64(after.HeapInuse) - int64(before.HeapInuse); held > 1<<20 {
		t.Errorf("%d KB held for a million findings", held>>10)
	}
}
