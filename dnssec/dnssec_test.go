package dnssec_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

func TestRules(t *testing.T) {
	if err := lint.Validate(dnssec.Rules()); err != nil {
		t.Fatal(err)
	}
	for _, r := range dnssec.Rules() {
		if !strings.HasPrefix(r.ID, "dnssec.") || r.URL == "" {
			t.Errorf("%s: want a dnssec.* ID and a URL", r.ID)
		}
	}
}

func loadZones(t *testing.T, file string) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: file})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestFixtures(t *testing.T) {
	const file = "testdata/dnssec.zone"
	zones := loadZones(t, file)
	fixture.Check(t, file, dnssec.Rules(), func(t *testing.T, name string) []lint.Finding {
		var r resolver.Resolver = simulated{Zones: zones, Validating: true}
		switch {
		case strings.HasPrefix(name, "novalidate."):
			r = simulated{Zones: zones}
		case strings.HasPrefix(name, "offline."):
			r = zones
		}
		rep, fs, err := dnssec.Lookup(context.Background(), r, name, dnssec.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
		return fs
	})
}

// TestStatuses pins the report, not only the rule IDs.
func TestStatuses(t *testing.T) {
	zones := loadZones(t, "testdata/dnssec.zone")
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		r        resolver.Resolver
		resolver dnssec.Validation
		status   dnssec.Status
		tlsa     dnssec.Status
		signed   bool
	}{
		{"secure.fx.test", simulated{Zones: zones, Validating: true}, dnssec.Validating, dnssec.Secure, dnssec.Secure, false},
		{"unsigned.insecure.fx.test", simulated{Zones: zones, Validating: true}, dnssec.Validating, dnssec.Insecure, dnssec.Insecure, false},
		{"island.insecure.fx.test", simulated{Zones: zones, Validating: true}, dnssec.Validating, dnssec.Insecure, dnssec.Insecure, true},
		{"bogus.fx.test", simulated{Zones: zones, Validating: true}, dnssec.Validating, dnssec.Bogus, "", false},
		{"mixed.fx.test", simulated{Zones: zones, Validating: true}, dnssec.Validating, dnssec.Secure, dnssec.Insecure, false},
		{"novalidate.fx.test", simulated{Zones: zones}, dnssec.NotValidating, dnssec.Indeterminate, dnssec.Indeterminate, false},
		{"offline.fx.test", zones, dnssec.Offline, dnssec.ZoneFile, dnssec.ZoneFile, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, _, err := dnssec.Lookup(ctx, tc.r, tc.name, dnssec.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Resolver != tc.resolver || rep.Status != tc.status || rep.Signed != tc.signed {
				t.Errorf("got resolver %s, status %s, signed %v; want %s, %s, %v", rep.Resolver, rep.Status, rep.Signed, tc.resolver, tc.status, tc.signed)
			}
			var tlsa dnssec.Status
			for _, c := range rep.Checks {
				if c.Type == "TLSA" {
					tlsa = c.Status
				}
			}
			if tlsa != tc.tlsa {
				t.Errorf("TLSA status %q, want %q", tlsa, tc.tlsa)
			}
		})
	}
}

// TestOutsideZoneFiles: a name no zone file holds is unverified offline,
// a status with no finding of its own.
func TestOutsideZoneFiles(t *testing.T) {
	zones := loadZones(t, "testdata/dnssec.zone")
	rep, fs, err := dnssec.Lookup(context.Background(), zones, "offline.fx.test", dnssec.Options{
		Names: []dnssec.Question{{Name: "_dmarc.example.org", Type: dns.TypeTXT}},
	})
	if err != nil {
		t.Fatal(err)
	}
	last := rep.Checks[len(rep.Checks)-1]
	if last.Status != dnssec.Unverified {
		t.Errorf("outside the zone files: status %s, want unverified", last.Status)
	}
	if got := fixture.RuleIDs(fs); len(got) != 0 {
		t.Errorf("findings %v, want none: offline is a note (%q), not a finding about the domain", got, rep.Note)
	}
	if !strings.Contains(rep.Note, "not verifiable offline") {
		t.Errorf("note %q", rep.Note)
	}
}

func TestCancelled(t *testing.T) {
	zones := loadZones(t, "testdata/dnssec.zone")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := dnssec.Lookup(ctx, zones, "secure.fx.test", dnssec.Options{}); err == nil {
		t.Error("a cancelled context must be an error")
	}
	if _, _, err := dnssec.Lookup(context.Background(), zones, "bad..name", dnssec.Options{}); err == nil {
		t.Error("an invalid domain must be an error")
	}
}
