package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver/dnstest"
)

// resumeDomains returns the domains of each report line, failing on a
// line that is not one whole report.
func resumeDomains(t *testing.T, path string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rep struct{ Domain string }
		if line[len(line)-1] != '\n' || json.Unmarshal(line, &rep) != nil || rep.Domain == "" {
			t.Errorf("line %d is not a whole report: %.80q", i+1, line)
			continue
		}
		seen[rep.Domain]++
	}
	return seen
}

// TestResumeSharedByTwoProcesses: two -shard workers, two real processes,
// resume into one file at once: every domain is reported exactly once and
// every line is whole (without O_APPEND and a lock, they kept 83–128 of
// 300 reports and wrote corrupt lines).
func TestResumeSharedByTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command")
	}
	bin := filepath.Join(t.TempDir(), "domainlint")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := server(t)
	var list []string
	for i := range 300 {
		d := fmt.Sprintf("d%d.good.example", i)
		list = append(list, d)
		srv.SetFault(d, 0, dnstest.Fault{Delay: 2 * time.Millisecond})
	}
	file := writeTemp(t, strings.Join(list, "\n")+"\n")
	out := filepath.Join(t.TempDir(), "sweep.jsonl")
	// A sweep that already reported a few: both workers resume from it.
	var pre bytes.Buffer
	for _, d := range list[:10] {
		fmt.Fprintf(&pre, "{\"domain\":%q,\"findings\":[],\"stats\":{}}\n", d)
	}
	if err := os.WriteFile(out, pre.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for k := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "-server", srv.Addr, "-domains", file, "-format", "json", "-concurrency", "8", "-shard", fmt.Sprintf("%d/2", k), "-resume", out)
			b, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
				t.Errorf("worker %d: %v\n%s", k, err, b)
			}
		}()
	}
	wg.Wait()
	seen := resumeDomains(t, out)
	lost, twice := 0, 0
	for _, d := range list {
		switch seen[d] {
		case 0:
			lost++
		case 1:
		default:
			twice++
		}
	}
	if lost > 0 || twice > 0 || len(seen) != len(list) {
		t.Errorf("%d of %d domains reported, %d lost, %d more than once", len(seen), len(list), lost, twice)
	}
}

// TestResumeWrongFile: -resume never empties or damages a file that is
// not ours, and reads it without holding it in memory: a JSON array (no
// trailing newline) was emptied; a 256 MiB file without a newline was
// read whole into memory, then emptied; /dev/zero and a FIFO never ended.
func TestResumeWrongFile(t *testing.T) {
	srv := server(t)
	list := writeTemp(t, "good.example\nbad.example\n")
	resumeList := func(path, list string) (int, string, uint64) {
		var code int
		var errs string
		done := make(chan struct{})
		var n uint64
		go func() {
			defer close(done)
			n = allocated(func() {
				code, _, errs = runCLI(t, "", "-server", srv.Addr, "-domains", list, "-format", "json", "-resume", path)
			})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("-resume %s: still running after 20 s", path)
		}
		return code, errs, n
	}
	resume := func(path string) (int, string, uint64) { return resumeList(path, list) }
	dir := t.TempDir()
	t.Run("array", func(t *testing.T) {
		path := filepath.Join(dir, "array.json")
		text := `[{"domain":"good.example","findings":[]},{"domain":"other.example","findings":[]}]`
		os.WriteFile(path, []byte(text), 0o644)
		code, errs, _ := resume(path)
		if b, _ := os.ReadFile(path); string(b) != text {
			t.Errorf("the file was changed to %.100q", b)
		}
		if code != exitFailure || !strings.Contains(errs, "left as it is") {
			t.Errorf("exit %d, %s; want a refusal", code, errs)
		}
	})
	t.Run("another file", func(t *testing.T) {
		path := filepath.Join(dir, "zone")
		text, _ := os.ReadFile("testdata/good.example.zone")
		os.WriteFile(path, text, 0o644)
		code, errs, _ := resume(path)
		if b, _ := os.ReadFile(path); !bytes.Equal(b, text) {
			t.Errorf("the file was changed")
		}
		if code != exitFailure || !strings.Contains(errs, "left as it is") {
			t.Errorf("exit %d, %s; want a refusal", code, errs)
		}
	})
	t.Run("huge", func(t *testing.T) {
		path := filepath.Join(dir, "huge")
		f, _ := os.Create(path)
		f.Truncate(256 << 20) // sparse: 256 MiB of NULs and no newline
		f.Close()
		code, errs, n := resume(path)
		t.Logf("exit %d, %s; %d MiB allocated", code, strings.TrimSpace(errs), n>>20)
		if st, err := os.Stat(path); err != nil || st.Size() != 256<<20 {
			t.Errorf("the file was changed: %v %v", st.Size(), err)
		}
		if code != exitFailure || n > 64<<20 {
			t.Errorf("exit %d, %d MiB allocated", code, n>>20)
		}
	})
	t.Run("huge lines", func(t *testing.T) {
		// Ours in form, but lines past maxResumeLine: read a line at a
		// time, skipped, and the file kept.
		path := filepath.Join(dir, "long")
		f, _ := os.Create(path)
		f.WriteString(`{"domain":"good.example","x":"`)
		f.Write(bytes.Repeat([]byte("x"), 40<<20))
		f.WriteString("\"}\n")
		f.Close()
		code, errs, n := resume(path)
		t.Logf("exit %d, %s; %d MiB allocated", code, strings.TrimSpace(errs), n>>20)
		if n > 64<<20 {
			t.Errorf("%d MiB allocated", n>>20)
		}
		if seen := resumeDomains(t, path); seen["good.example"] != 2 || seen["bad.example"] != 1 {
			t.Errorf("reports %v", seen)
		}
	})
	t.Run("devices", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{fifo, "/dev/zero"} {
			if _, err := os.Stat(path); err != nil {
				continue
			}
			code, errs, _ := resume(path)
			if code != exitFailure || !strings.Contains(errs, "not a regular file") {
				t.Errorf("%s: exit %d, %s", path, code, errs)
			}
		}
	})
	t.Run("torn", func(t *testing.T) {
		// Our own torn last line is cut, and its domain checked again;
		// a whole last line without its newline is kept and ended.
		path := filepath.Join(dir, "torn.jsonl")
		os.WriteFile(path, []byte("{\"domain\":\"good.example\",\"findings\":[]}\n{\"domain\":\"bad.example\",\"findi"), 0o644)
		if code, errs, _ := resume(path); code == exitFailure {
			t.Fatalf("exit %d, %s", code, errs)
		}
		if seen := resumeDomains(t, path); seen["good.example"] != 1 || seen["bad.example"] != 1 || len(seen) != 2 {
			t.Errorf("reports %v", seen)
		}
		os.WriteFile(path, []byte("{\"domain\":\"good.example\",\"findings\":[]}\n{\"domain\":\"bad.example\",\"findings\":[]}"), 0o644)
		if code, errs, _ := resumeList(path, writeTemp(t, "good.example\nbad.example\nc.bad.example\n")); code == exitFailure {
			t.Fatalf("exit %d, %s", code, errs)
		}
		if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "{\"domain\":\"good.example\",\"findings\":[]}\n{\"domain\":\"bad.example\",\"findings\":[]}\n{\"domain\":\"c.bad.example\"") {
			t.Errorf("file %q", b)
		}
	})
	t.Run("locked", func(t *testing.T) {
		// Another process holding the lock for longer than one write:
		// a clear refusal, not a hang, and the file untouched.
		path := filepath.Join(dir, "locked.jsonl")
		text := "{\"domain\":\"good.example\",\"findings\":[]}\n"
		os.WriteFile(path, []byte(text), 0o644)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		code, errs, _ := resume(path)
		if code != exitFailure || !strings.Contains(errs, "another process holds a lock") {
			t.Errorf("exit %d, %s", code, errs)
		}
		if b, _ := os.ReadFile(path); string(b) != text {
			t.Errorf("file %q", b)
		}
	})
}
