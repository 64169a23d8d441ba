package check_test

import (
	"os"
	"testing"

	"github.com/domainlint/domainlint/internal/unboundtest"
	"github.com/miekg/dns"
)

// startKnot serves the zone files (origin → file) with Knot DNS on a
// loopback port, for as long as the test runs (internal/unboundtest). It
// skips the test when knotd is not installed (.ci/run installs it).
func startKnot(t *testing.T, zones map[string]string) string {
	t.Helper()
	var zs []unboundtest.Zone
	for origin, file := range zones {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		zs = append(zs, unboundtest.Zone{Origin: origin, Text: string(text)})
	}
	return unboundtest.StartKnot(t, zs...).Addr
}

// TestKnotAgrees: our own server must not be the only one we are tested
// against. Knot, like real authoritative servers, answers a CNAME into
// another zone with the alias only, so this also proves the client chases
// chains itself.
func TestKnotAgrees(t *testing.T) {
	zoneFiles := map[string]string{".": providers}
	for _, fx := range fixtures {
		zoneFiles[fx.domain] = fx.file
	}
	addr := startKnot(t, zoneFiles)
	agree(t, "knot", addr)
	// Knot answers the cross-zone alias without its target.
	m := new(dns.Msg)
	m.SetQuestion("selector1._domainkey.good.example.", dns.TypeTXT)
	r, _, err := new(dns.Client).Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 1 {
		t.Logf("knot answered %d records for the cross-zone alias (expected the CNAME alone)", len(r.Answer))
	}
}
