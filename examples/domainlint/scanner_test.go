package main

import (
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver/dnstest"
)

// TestScannerFlags: -rate, -tries, -try-timeout and -inflight reach the
// resolver, and bad values are usage errors.
func TestScannerFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rate", "-1", "a.test"}, "-rate"},
		{[]string{"-tries", "0", "a.test"}, "-tries"},
		{[]string{"-try-timeout", "0s", "a.test"}, "-try-timeout"},
		{[]string{"-inflight", "0", "a.test"}, "-inflight"},
	} {
		if code, _, errs := runCLI(t, "", tc.args...); code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, errs)
		}
	}
	o := options{scannerOptions: scannerOptions{rate: 5, tries: 3, tryTimeout: time.Second, inflight: 7}}
	if cfg := o.resolverConfig(); cfg.Rate != 5 || cfg.Tries != 3 || cfg.Timeout != time.Second || cfg.MaxInFlight != 7 {
		t.Errorf("resolverConfig %+v", cfg)
	}

	// A server that never answers: one try of 100 ms per question.
	srv := server(t)
	srv.SetFault("silent.good.example", 0, dnstest.Fault{Drop: true})
	start := time.Now()
	code, out, _ := runCLI(t, "", "-server", srv.Addr, "-tries", "1", "-try-timeout", "100ms", "-format", "json", "silent.good.example")
	if took := time.Since(start); code != 2 || !strings.Contains(out, `"kind":"timeout"`) || took > 3*time.Second {
		t.Errorf("-tries 1 -try-timeout 100ms: exit %d after %v\n%.300s", code, took, out)
	}
	if n := srv.Count("silent.good.example", 0); n > 8 {
		t.Errorf("%d queries for the silent name with -tries 1", n)
	}

	// -rate: a sweep is paced, and the summary says so.
	code, _, errs := runCLI(t, "good.example\nbad.example\n", "-server", srv.Addr, "-rate", "50", "-domains", "-", "-format", "json")
	if code > 1 || !strings.Contains(errs, "held back by -rate") {
		t.Errorf("-rate 50: exit %d\n%s", code, errs)
	}
}

// TestProgressLine: on a terminal, the progress line says what is done,
// the rate and the time left.
func TestProgressLine(t *testing.T) {
	var b strings.Builder
	p := &progress{w: &b, on: true, total: 100, start: time.Now().Add(-10 * time.Second)}
	p.update(check.Progress{Done: 50, Total: 100, Errors: 2})
	if got := b.String(); !strings.Contains(got, "50/100 domains  5 domains/s") || !strings.Contains(got, "2 errors  ETA 10s") {
		t.Errorf("progress line %q", got)
	}
}
