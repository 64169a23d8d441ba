package zonedb

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// generateAttack is the zone of issue 19, item 5: n $GENERATE lines of 65,536
// records each, about 60 octets a line.
func generateAttack(n int) string {
	var b strings.Builder
	b.WriteString("$TTL 3600\n@ IN SOA ns h 1 3600 600 86400 60\n")
	for i := range n {
		fmt.Fprintf(&b, "$GENERATE 0-65535 h$-%d IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n", i)
	}
	return b.String()
}

// TestGenerateBound: forty $GENERATE lines (2.4 KB) expanded to 2.6 million
// records and 1.1 GB. Loading stops at DefaultMaxRecords with an error that
// names the file, the line and the bound, having allocated a bounded amount
// (measured with runtime.MemStats).
func TestGenerateBound(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("expands a million records")
	}
	text := generateAttack(40)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	z, err := Parse(Source{Origin: "example", File: "attack.zone", Text: []byte(text)})
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatalf("%d records loaded", len(z.Entries))
	}
	// 1,000,000 records in, the bound breaks on the 16th $GENERATE (line 18).
	for _, want := range []string{"attack.zone", "line 18", "1000000 records", "$GENERATE 0-65535 h$-15"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d octets of zone file: %v; %d MB allocated", len(text), err, alloc>>20)
	if alloc > 1<<30 {
		t.Errorf("allocated %d MB on the way to the bound", alloc>>20)
	}
}

// TestExpansionBounds: the bounds in records and in estimated bytes, as a
// Source sets them, hold for $GENERATE, for plain records and for large
// TXT records repeated, and a zone within them loads.
func TestExpansionBounds(t *testing.T) {
	big := `"` + strings.Repeat(`a" "`, 2000) + `a"`
	for _, tc := range []struct {
		name, text string
		src        Source
		want       string // "" to load
	}{
		{"generate within", generateAttack(1), Source{MaxRecords: 65537}, ""},
		{"generate past records", generateAttack(2), Source{MaxRecords: 100_000}, "line 4: the zone expands to more than 100000 records"},
		{"plain past records", "@ IN SOA ns h 1 2 3 4 5\na A 192.0.2.1\nb A 192.0.2.1\nc A 192.0.2.1\n", Source{MaxRecords: 3}, "line 4"},
		{"plain within", "@ IN SOA ns h 1 2 3 4 5\na A 192.0.2.1\nb A 192.0.2.1\n", Source{MaxRecords: 3}, ""},
		{"one-octet strings past bytes", "@ IN SOA ns h 1 2 3 4 5\n$GENERATE 0-1000 t$ TXT " + big + "\n", Source{MaxRecordBytes: 8 << 20}, "line 2: the zone expands to more than 8 MiB of records in memory"},
		{"last line without newline", "@ IN SOA ns h 1 2 3 4 5\na A 192.0.2.1\nb A 192.0.2.1", Source{MaxRecords: 2}, `line 3: the zone expands to more than 2 records ("b A 192.0.2.1")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src
			src.Origin, src.File, src.Text = "example", "x.zone", []byte(tc.text)
			z, err := Parse(src)
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && err == nil:
				t.Fatalf("%d records loaded", len(z.Entries))
			case tc.want != "" && !strings.Contains(err.Error(), "x.zone: "+tc.want):
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

// TestByteOrderMark: a UTF-8 BOM before $TTL or the first record, as Windows
// editors write it, is skipped; it used to fail as "not a TTL".
func TestByteOrderMark(t *testing.T) {
	for _, text := range []string{
		"\xef\xbb\xbf$TTL 3600\n@ IN SOA ns h 1 2 3 4 5\nwww A 192.0.2.1\n",
		"\xef\xbb\xbf@ 3600 IN SOA ns h 1 2 3 4 5\nwww A 192.0.2.1\n",
	} {
		z, err := Parse(Source{Origin: "example", File: "bom.zone", Text: []byte(text)})
		if err != nil {
			t.Errorf("%q: %v", text[:12], err)
			continue
		}
		if len(z.Entries) != 2 || z.SOA().Hdr.Name != "example." {
			t.Errorf("%q: %d records, SOA %v", text[:12], len(z.Entries), z.SOA())
		}
	}
}
