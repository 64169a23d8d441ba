package resolver_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// TestSnapshotBounds: a snapshot of many small records is refused past
// MaxSnapshotRecords, so its memory is bounded as zone files' is; bad
// lines name their line.
func TestSnapshotBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("; domainlint snapshot 1\n;? many.example. TXT NOERROR\n")
	for i := 0; i <= resolver.MaxSnapshotRecords; i++ {
		fmt.Fprintf(&b, "many.example. 60 IN TXT \"%d\"\n", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := resolver.ReadSnapshot(strings.NewReader(b.String()), "many")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("error %v; want the record bound", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 512<<20 {
		t.Errorf("%d MB allocated reading a refused snapshot", grown>>20)
	}
	for _, tc := range []struct{ text, want string }{
		{"not a snapshot\n", "not a domainlint snapshot"},
		{"; domainlint snapshot 1\nx.example. 60 IN A 192.0.2.1\n", "before the first ;? question"},
		{"; domainlint snapshot 1\n;? x.example. A NOERROR\n$TTL 60\n", "s:3: a directive"},
		{"; domainlint snapshot 1\n;? x.example. A NXDOMAIN\nx.example. 60 IN A 192.0.2.1\n", "NXDOMAIN, yet"},
		{"; domainlint snapshot 1\n;? x.example. A NOERROR\n", "NOERROR with no records"},
		{"; domainlint snapshot 1\n;? x.example. A NOERROR\ny.example. 60 IN A 192.0.2.1\n", "does not answer"},
		{"; domainlint snapshot 1\n;? x.example. A NODATA\n;? x.example. A NODATA\n", "recorded twice"},
	} {
		if _, err := resolver.ReadSnapshot(strings.NewReader(tc.text), "s"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
}

// TestSnapshotReadsNoFile: a snapshot is data. An $INCLUDE (or any
// directive) is refused without opening the file it names, so nothing of
// that file is injected as an answer or echoed in the error; no error
// quotes the snapshot's own text either.
func TestSnapshotReadsNoFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("TOPSECRET=hunter2\x00PATH=/usr/bin\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	records := filepath.Join(dir, "records")
	if err := os.WriteFile(records, []byte("x.example. 60 IN A 192.0.2.66\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	head := "; domainlint snapshot 1\n;? x.example. A NOERROR\n"
	for _, line := range []string{
		"$INCLUDE " + secret,
		"$include " + secret,
		"  $INCLUDE " + secret + " x.example.",
		"$INCLUDE " + records,
		"$GENERATE 1-65535 x.example. 60 IN A 192.0.2.$",
		"$ORIGIN example.",
		"x.example. 60 IN A 192.0.2.1\r$INCLUDE " + secret,
		"x.example. 60 IN TXT \"TOPSECRET=hunter2\" (",
		"x.example. 60 IN A TOPSECRET=hunter2",
		"$INCLUDE " + fifo, // the old reader blocked here for ever
	} {
		done := make(chan struct{})
		var err error
		var s *resolver.Snapshot
		go func() {
			defer close(done)
			s, err = resolver.ReadSnapshot(strings.NewReader(head+line+"\n"), "snap")
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%q: ReadSnapshot still reading after 5 s", line)
		}
		if err == nil {
			a, _ := s.Lookup(context.Background(), "x.example", dns.TypeA)
			t.Errorf("%q: accepted, answering %v", line, a.Records)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("%q: the error echoes file contents: %v", line, err)
		}
		if !strings.Contains(err.Error(), "snap:3:") {
			t.Errorf("%q: error %v does not name the line", line, err)
		}
	}
	// A question line's fields are not echoed either.
	for _, q := range []string{";? TOPSECRET=hunter2 A NOERROR", ";? x.example. TOPSECRET NOERROR", ";? x.example. A TOPSECRET"} {
		_, err := resolver.ReadSnapshot(strings.NewReader("; domainlint snapshot 1\n"+q+"\n"), "snap")
		if err == nil || strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// TestSnapshotStreamBounds: the read is bounded whatever the source: an
// endless stream of zeros (/dev/zero) or of one line ends with an error
// after a bounded read, and a line is bounded on its own.
func TestSnapshotStreamBounds(t *testing.T) {
	for name, rd := range map[string]io.Reader{
		"zeros":        zeros{},
		"endless line": io.MultiReader(strings.NewReader("; domainlint snapshot 1\n;? x.example. TXT NOERROR\nx.example. 60 IN TXT \""), zeros{'a'}),
		"endless file": io.MultiReader(strings.NewReader("; domainlint snapshot 1\n"), repeat("; a comment, again and again\n")),
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := resolver.ReadSnapshot(rd, name)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		t.Logf("%s: %v; %d MB allocated", name, err, (after.TotalAlloc-before.TotalAlloc)>>20)
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 256<<20 {
			t.Errorf("%s: %d MB allocated", name, grown>>20)
		}
	}
}

type zeros struct{ b byte }

func (z zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = z.b
	}
	return len(p), nil
}

type repeat string

func (r repeat) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

// TestSnapshotQuestionBound: question lines count against
// MaxSnapshotRecords as records do (a million NXDOMAIN questions held 343
// MB before).
func TestSnapshotQuestionBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("; domainlint snapshot 1\n")
	for i := 0; i <= resolver.MaxSnapshotRecords; i++ {
		fmt.Fprintf(&b, ";? q%d.example. TXT NXDOMAIN\n", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := resolver.ReadSnapshot(strings.NewReader(b.String()), "questions")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("%d questions: %v; want the bound", resolver.MaxSnapshotRecords+1, err)
	}
	t.Logf("%v; %d MB allocated", err, (after.TotalAlloc-before.TotalAlloc)>>20)
	// Questions and records share the bound.
	b.Reset()
	b.WriteString("; domainlint snapshot 1\n")
	for i := 0; i < resolver.MaxSnapshotRecords/2; i++ {
		fmt.Fprintf(&b, ";? q%d.example. A NOERROR\nq%d.example. 60 IN A 192.0.2.1\n", i, i)
	}
	b.WriteString(";? last.example. A NXDOMAIN\n")
	if _, err := resolver.ReadSnapshot(strings.NewReader(b.String()), "mixed"); err == nil || !strings.Contains(err.Error(), "mixed:100002: more than") {
		t.Errorf("%d questions and records: %v; want the bound", resolver.MaxSnapshotRecords+1, err)
	}
}

func FuzzReadSnapshot(f *testing.F) {
	f.Add("; domainlint snapshot 1\n;? spf.example. TXT NOERROR\nspf.example. 60 IN TXT \"v=spf1 -all\"\n;? a.example. A NXDOMAIN\n")
	f.Add("; domainlint snapshot 1\n;? c.example. A NOERROR\nc.example. 60 IN CNAME d.example.\nd.example. 60 IN A 192.0.2.1\n")
	f.Fuzz(func(t *testing.T, text string) {
		// No panic, whatever the text; what is accepted answers.
		s, err := resolver.ReadSnapshot(strings.NewReader(text), "fuzz")
		if err != nil {
			return
		}
		s.Lookup(context.Background(), "spf.example", dns.TypeTXT)
	})
}
