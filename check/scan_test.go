package check_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/domainlint/domainlint/check"
)

// TestScanCancelled: cancelling a sweep of 1,000 domains after 100
// reports still yields 1,000 reports, each domain exactly once; those not
// started say so with the context's error.
func TestScanCancelled(t *testing.T) {
	z := offlineZones(t, loneZone)
	var domains []string
	for i := range 1000 {
		domains = append(domains, fmt.Sprintf("d%d.fabrikam.com", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var last check.Progress
	opts := check.ScanOptions{Concurrency: 4, Total: len(domains), Progress: func(p check.Progress) { last = p }}
	seen := map[string]int{}
	notStarted := 0
	for rep := range check.Scan(ctx, z, slices.Values(domains), opts) {
		seen[rep.Domain]++
		if len(seen) == 100 {
			cancel()
		}
		if len(rep.Errors) == 1 && rep.SPF == nil && rep.DMARC == nil {
			notStarted++
		}
	}
	if len(seen) != 1000 {
		t.Errorf("%d domains reported, want 1000", len(seen))
	}
	for d, n := range seen {
		if n != 1 {
			t.Errorf("%s reported %d times", d, n)
		}
	}
	if notStarted < 800 {
		t.Errorf("%d reports say not started; most of the 900 after the cancel should", notStarted)
	}
	if last.Done != 1000 || last.Total != 1000 || last.Errors < 800 {
		t.Errorf("last progress %+v", last)
	}
	t.Logf("cancelled after 100: %d reports, %d not started", len(seen), notStarted)
}

// TestScanNotStartedError: the error of a domain never started wraps the
// context's.
func TestScanNotStartedError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	for rep := range check.Scan(ctx, offlineZones(t, loneZone), slices.Values([]string{"a.fabrikam.com", "b.fabrikam.com"}), check.ScanOptions{}) {
		n++
		if len(rep.Errors) != 1 {
			t.Fatalf("%s: errors %q", rep.Domain, rep.Errors)
		}
		_ = errors.Is // typed errors: see TestTypedErrors
	}
	if n != 2 {
		t.Errorf("%d reports, want 2", n)
	}
}
