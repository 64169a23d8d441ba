package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// sweepReport is what these tests read of a report line.
type sweepReport struct {
	Domain string
	Errors []struct{ Kind, Message string }
}

func sweepReports(t *testing.T, out string) []sweepReport {
	t.Helper()
	var reps []sweepReport
	for _, o := range decodeLines(t, out) {
		var r sweepReport
		json.Unmarshal(o["domain"], &r.Domain)
		json.Unmarshal(o["errors"], &r.Errors)
		reps = append(reps, r)
	}
	return reps
}

// TestDomainsListCleaned: -domains reads its list with package
// domainlist: names normalised (case, trailing dot, U-labels), repeats
// dropped, and every line that is not a name a report of its own with
// the reason, the sweep going on; a summary ends it on stderr.
func TestDomainsListCleaned(t *testing.T) {
	srv := server(t)
	list := "# sweep\nGood.Example.\nhttps://bad.example/login\nadmin@good.example\ngood.example,bad.example\nbad.example\ngood.example\nbücher.good.example\n\n"
	code, out, errs := runCLI(t, list, "-server", srv.Addr, "-domains", "-", "-format", "json", "-concurrency", "2")
	if code != 2 {
		t.Errorf("exit %d, want 2 (lines that could not be checked)", code)
	}
	got := map[string]string{}
	for _, r := range sweepReports(t, out) {
		if _, dup := got[r.Domain]; dup {
			t.Errorf("%s reported twice", r.Domain)
		}
		got[r.Domain] = ""
		if len(r.Errors) > 0 {
			got[r.Domain] = r.Errors[0].Kind + ": " + r.Errors[0].Message
		}
	}
	want := map[string]string{
		"good.example":               "",
		"bad.example":                "",
		"xn--bcher-kva.good.example": "",
		"https://bad.example/login":  "invalid-name: line 3: a URL, not a domain name: give its host, bad.example",
		"admin@good.example":         "invalid-name: line 4: a mail address, not a domain name: give its domain, good.example",
		"good.example,bad.example":   "invalid-name: line 5: a list, not a domain name: give one name a line",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reports:\n%q\nwant\n%q", got, want)
	}
	for _, s := range []string{"swept 6 domains", "3 could not be checked (invalid-name 3)", "3 not domain names, 1 repeats dropped", "queries sent"} {
		if !strings.Contains(errs, s) {
			t.Errorf("summary lacks %q:\n%s", s, errs)
		}
	}
}

func countDomains(t *testing.T, path string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, r := range sweepReports(t, string(b)) {
		n[r.Domain]++
	}
	return n
}

// TestResumeRetries: -resume checks again a domain whose reports hold
// only temporary failures, at most resumeRetries times, and a run that
// finds nothing left to check exits 0 (a Kubernetes Job run again after
// its sweep finished succeeds).
func TestResumeRetries(t *testing.T) {
	srv := server(t)
	srv.SetFault("flaky.good.example", 0, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	srv.SetFault("mended.good.example", 0, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	list := writeTemp(t, "good.example\nflaky.good.example\nmended.good.example\nhttps://bad.example/\n")
	out := t.TempDir() + "/sweep.jsonl"
	sweep := func() (int, string) {
		code, stdout, errs := runCLI(t, "", "-server", srv.Addr, "-domains", list, "-format", "json", "-resume", out)
		if stdout != "" {
			t.Errorf("-resume wrote to stdout: %s", stdout)
		}
		return code, errs
	}
	code, errs := sweep()
	if code != 2 || !strings.Contains(errs, "2 domains failed only temporarily") {
		t.Errorf("first run: exit %d, want 2\n%s", code, errs)
	}
	for _, r := range sweepReports(t, mustRead(t, out)) {
		if strings.HasSuffix(r.Domain, "flaky.good.example") && (len(r.Errors) == 0 || r.Errors[0].Kind != "temporary") {
			t.Fatalf("flaky: %+v", r)
		}
	}
	srv.SetFault("mended.good.example", 0, dnstest.Fault{})
	for run := 2; run <= 1+resumeRetries; run++ {
		code, errs = sweep()
		if code != 2 {
			t.Errorf("run %d: exit %d, want 2 (flaky still fails)\n%s", run, code, errs)
		}
	}
	want := map[string]int{"good.example": 1, "flaky.good.example": 1 + resumeRetries, "mended.good.example": 2, "https://bad.example/": 1}
	if got := countDomains(t, out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("reports per domain %v, want %v", got, want)
	}
	code, errs = sweep()
	if code != 0 || !strings.Contains(errs, "nothing left to check") {
		t.Errorf("run after the retries: exit %d, want 0\n%s", code, errs)
	}
	if got := countDomains(t, out); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the run with nothing left wrote: %v", got)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSweepInterrupted: a sweep whose context is cancelled (the first
// SIGINT) stops reading the list, reports no domain it never started,
// and says how far it came and how to go on; resumed, it finishes.
func TestSweepInterrupted(t *testing.T) {
	srv := server(t)
	var names []string
	for i := range 200 {
		d := fmt.Sprintf("d%d.good.example", i)
		names = append(names, d)
		srv.SetFault(d, 0, dnstest.Fault{Delay: 20 * time.Millisecond})
	}
	list := writeTemp(t, strings.Join(names, "\n"))
	out := t.TempDir() + "/sweep.jsonl"
	args := []string{"-server", srv.Addr, "-domains", list, "-format", "json", "-concurrency", "4", "-resume", out}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if b, _ := os.ReadFile(out); strings.Count(string(b), "\n") >= 10 {
				break
			}
		}
		cancel()
	}()
	var stdout, stderr strings.Builder
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	errs := stderr.String()
	if code != exitFailure || !strings.Contains(errs, "interrupted: ") || !strings.Contains(errs, "of 200 checked") || !strings.Contains(errs, "run the same command again") {
		t.Errorf("exit %d\n%s", code, errs)
	}
	t.Logf("stderr:\n%s", errs)
	first := countDomains(t, out)
	if len(first) == 0 || len(first) >= 200 {
		t.Fatalf("%d domains reported before the interruption", len(first))
	}
	code, _, errs = runCLI(t, "", args...)
	if code != exitFindings { // the names do not exist: NXDOMAIN
		t.Errorf("resumed: exit %d\n%s", code, errs)
	}
	all := countDomains(t, out)
	for _, d := range names {
		if all[d] != 1 {
			t.Errorf("%s reported %d times", d, all[d])
		}
	}
	if len(all) != len(names) {
		t.Errorf("%d domains reported, want %d", len(all), len(names))
	}
}
