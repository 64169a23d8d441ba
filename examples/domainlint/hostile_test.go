package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The CLI's file and flag cases of the third hostile round (issue 24):
// each runs through run(), as the command does.

// TestReplayReadsNoFile: -replay reads the snapshot and nothing else: an
// $INCLUDE line is refused without opening what it names, and the error
// echoes neither that file nor the snapshot's text.
func TestReplayReadsNoFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "environ")
	if err := os.WriteFile(secret, []byte("TOPSECRET=hunter2\x00PATH=/usr/bin\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	snap := writeTemp(t, "; domainlint snapshot 1\n;? x.example. TXT NOERROR\n$INCLUDE "+secret+"\n")
	code, out, errs := runCLI(t, "", "-zone", "testdata/good.example.zone", "-replay", snap)
	if code != exitFailure || !strings.Contains(errs, "directive") {
		t.Errorf("exit %d, stderr %q; want 2 and the directive refused", code, errs)
	}
	if strings.Contains(out+errs, "hunter2") {
		t.Errorf("the output echoes the included file:\n%s%s", out, errs)
	}
}

// allocated runs f and returns the bytes it allocated (all goroutines).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDKIMConfigBounded: -dkim-config is refused past 16 MiB without
// being read whole first (a 256 MiB file, sparse here, was read into
// memory, and /dev/zero ran the process out of it), and it is parsed
// once per run, not once per domain (a 15 MB file over 200 domains took
// 1.5 GB).
func TestDKIMConfigBounded(t *testing.T) {
	huge := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(256 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var code int
	var errs string
	n := allocated(func() {
		code, _, errs = runCLI(t, "", "-zone", "testdata/good.example.zone", "-offline", "-m365", "good", "-dkim-config", huge, "good.example")
	})
	t.Logf("a 256 MiB file: exit %d, %s; %d MiB allocated", code, strings.TrimSpace(errs), n>>20)
	if code != exitFailure || !strings.Contains(errs, "larger than") {
		t.Errorf("exit %d, %s; want the size bound", code, errs)
	}
	// 34 MiB (69 MiB with -race); it was 546 MiB.
	if n > 128<<20 {
		t.Errorf("%d MiB allocated refusing it", n>>20)
	}

	// About 8 MiB of config and 20 domains: parsed once.
	const domains = 20
	var b strings.Builder
	var list strings.Builder
	b.WriteString("[")
	for i := 0; b.Len() < 8<<20; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"Domain": "d%d.good.example", "Enabled": true, "Selector1CNAME": "selector1-d%d-good-example._domainkey.good.onmicrosoft.com", "Selector2CNAME": "selector2-d%d-good-example._domainkey.good.onmicrosoft.com"}`, i, i, i)
		if i < domains {
			fmt.Fprintf(&list, "d%d.good.example\n", i)
		}
	}
	b.WriteString("]")
	cfg := writeTemp(t, b.String())
	listFile := writeTemp(t, list.String())
	var out string
	n = allocated(func() {
		code, out, errs = runCLI(t, "", "-zone", "testdata/good.example.zone", "-offline", "-m365", "good", "-dkim-config", cfg, "-domains", listFile, "-format", "json")
	})
	t.Logf("%d MiB of config over %d domains: exit %d; %d MiB allocated", b.Len()>>20, domains, code, n>>20)
	if got := strings.Count(out, "\n"); got != domains || code == exitFailure {
		t.Fatalf("exit %d, %d reports; %s", code, got, errs)
	}
	// 59 MiB (93 MiB with -race); it was 1.3 GB, parsed per domain.
	if n > 256<<20 {
		t.Errorf("%d MiB allocated for %d domains: the config is parsed more than once", n>>20, domains)
	}
}

// notifyWriter is a stdout that says when a text first appears in it.
type notifyWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *notifyWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(b)
	if w.seen != nil && strings.Contains(w.buf.String(), w.want) {
		close(w.seen)
		w.seen = nil
	}
	return n, err
}

// TestSARIFStreams: -format sarif writes each report's results as the
// report comes, as JSON does; it kept every report in memory until the
// sweep ended (1.0 GB RSS for 300 domains against 136 MB for JSON). The
// first domain's results must be written while the list is still open.
func TestSARIFStreams(t *testing.T) {
	pr, pw := io.Pipe()
	out := &notifyWriter{want: `"ruleId"`, seen: make(chan struct{})}
	seen := out.seen
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"-zone", "testdata/bad.example.zone", "-offline", "-format", "sarif", "-domains", "-"}, pr, out, &errb)
	}()
	fmt.Fprintln(pw, "bad.example")
	select {
	case <-seen:
	case <-time.After(5 * time.Second):
		t.Error("no result written 5 s after the first domain, while the list is open: the reports are held")
	}
	fmt.Fprintln(pw, "mail.bad.example") // a name the zone holds (c.bad.example does not exist: no findings)
	pw.Close()
	if code := <-done; code == exitFailure {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Properties struct{ Domain string }
			}
		}
	}
	if err := json.Unmarshal(out.buf.Bytes(), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("not one SARIF log: %v", err)
	}
	domains := map[string]bool{}
	for _, r := range log.Runs[0].Results {
		domains[r.Properties.Domain] = true
	}
	if !domains["bad.example"] || !domains["mail.bad.example"] {
		t.Errorf("results for %v", domains)
	}
}
