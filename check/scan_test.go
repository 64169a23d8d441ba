package check_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/domainlist"
	"github.com/domainlint/domainlint/resolver"
)

// junk reports whether rep is a report of a domain never checked.
func junk(rep *check.Report) bool {
	return slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool { return errors.Is(e, check.ErrNotStarted) })
}

// TestScanCancelled: cancelling a sweep of 1,000 domains after 100
// reports ends it with the checks in flight: each domain reported at most
// once, no report of a domain never started, and at most Concurrency
// reports after the cancel.
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
	after := 0
	for rep := range check.Scan(ctx, z, slices.Values(domains), opts) {
		seen[rep.Domain]++
		if ctx.Err() != nil {
			after++
		}
		if len(seen) == 100 {
			cancel()
		}
		if junk(rep) {
			t.Errorf("%s: a report of a domain never started: %v", rep.Domain, rep.Errors)
		}
	}
	for d, n := range seen {
		if n != 1 {
			t.Errorf("%s reported %d times", d, n)
		}
	}
	if len(seen) < 100 || after > opts.Concurrency {
		t.Errorf("%d reports, %d after the cancel; want 100 and at most %d in flight", len(seen), after, opts.Concurrency)
	}
	if last.Done != len(seen) || last.Total != 1000 {
		t.Errorf("last progress %+v", last)
	}
}

// TestScanCancelledMillion: cancelling a sweep of a generated list of a
// million names returns within a second, reads no more of the list, and
// yields no report of a domain never started.
func TestScanCancelledMillion(t *testing.T) {
	z := offlineZones(t, loneZone)
	const n = 1_000_000
	read := 0
	domains := func(yield func(string) bool) {
		for i := range n {
			read++
			if !yield(fmt.Sprintf("d%d.fabrikam.com", i)) {
				return
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	reports, after := 0, 0
	opts := check.ScanOptions{Concurrency: 8}
	for rep := range check.Scan(ctx, z, domains, opts) {
		reports++
		if junk(rep) {
			t.Fatalf("%s: a report of a domain never started: %v", rep.Domain, rep.Errors)
		}
		if !cancelled.IsZero() {
			after++
		}
		if reports == 50 {
			cancelled = time.Now()
			cancel()
		}
	}
	took := time.Since(cancelled)
	t.Logf("returned %v after the cancel: %d reports, %d after it; %d names read", took, reports, after, read)
	if took > time.Second {
		t.Errorf("Scan returned %v after the cancel, want within 1 s", took)
	}
	if after > opts.Concurrency || read > 50+2*opts.Concurrency+1 {
		t.Errorf("%d reports after the cancel, %d of %d names read", after, read, n)
	}
}

// TestScanBlockedInput: a cancelled sweep returns while its domains
// sequence is blocked in a read.
func TestScanBlockedInput(t *testing.T) {
	z := offlineZones(t, loneZone)
	unblock := make(chan struct{})
	defer close(unblock)
	domains := func(yield func(string) bool) {
		if !yield("a.fabrikam.com") {
			return
		}
		<-unblock // a read of a pipe that never ends
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	go func() {
		n := 0
		for range check.Scan(ctx, z, domains, check.ScanOptions{}) {
			n++
		}
		done <- n
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	cancelled := time.Now()
	select {
	case n := <-done:
		t.Logf("returned %v after the cancel", time.Since(cancelled))
		if n != 1 {
			t.Errorf("%d reports, want 1", n)
		}
	case <-time.After(time.Second):
		t.Fatal("Scan still waits for a blocked domains sequence 1 s after the cancel")
	}
}

// TestScanCancelledBefore: a sweep cancelled before it starts yields
// nothing.
func TestScanCancelledBefore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for rep := range check.Scan(ctx, offlineZones(t, loneZone), slices.Values([]string{"a.fabrikam.com", "b.fabrikam.com"}), check.ScanOptions{}) {
		t.Errorf("%s reported: %v", rep.Domain, rep.Errors)
	}
}

// TestScanLines: a line that is not a domain name is a report of its
// own, holding its reason; the sweep goes on.
func TestScanLines(t *testing.T) {
	z := offlineZones(t, loneZone)
	lines := func(yield func(string, error) bool) {
		_, err := domainlist.Normalize("https://fabrikam.com/")
		_ = yield("fabrikam.com", nil) && yield("https://fabrikam.com/", err) && yield("b.fabrikam.com", nil)
	}
	got := map[string]string{}
	for rep := range check.ScanLines(context.Background(), z, lines, check.ScanOptions{Concurrency: 2}) {
		kind := ""
		if len(rep.Errors) > 0 {
			kind = rep.Errors[0].Kind() + ": " + rep.Errors[0].Error()
		}
		got[rep.Domain] = kind
	}
	want := map[string]string{"fabrikam.com": "", "b.fabrikam.com": "", "https://fabrikam.com/": "invalid-name: a URL, not a domain name: give its host, fabrikam.com"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	_ = resolver.ErrInvalidName
}
