package resolver_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

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
		{"; domainlint snapshot 1\n;? x.example. A NOERROR\n$TTL 60\n", "s:3: not a record"},
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
