package dane_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dnssec"
	"github.com/domainlint/domainlint/internal/fixture"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
)

func TestRules(t *testing.T) {
	if err := lint.Validate(dane.Rules()); err != nil {
		t.Fatal(err)
	}
	for _, r := range dane.Rules() {
		if !strings.HasPrefix(r.ID, "dane.") || r.URL == "" {
			t.Errorf("%s: want a dane.* ID and a URL", r.ID)
		}
	}
}

func loadZones(t *testing.T) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: "testdata/dane.zone"})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func lookup(t *testing.T, zones *resolver.Zones, name string) (*dane.Report, []lint.Finding) {
	t.Helper()
	var r resolver.Resolver = simulated{Zones: zones, Validating: true}
	if strings.HasPrefix(name, "offline.") {
		r = zones
	}
	rep, fs, err := dane.Lookup(context.Background(), r, name, dane.Options{RequireM365: strings.HasPrefix(name, "m365")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Fatal(err)
	}
	return rep, fs
}

func TestFixtures(t *testing.T) {
	zones := loadZones(t)
	fixture.Check(t, "testdata/dane.zone", dane.Rules(), func(t *testing.T, name string) []lint.Finding {
		_, fs := lookup(t, zones, name)
		return fs
	})
}

func TestReport(t *testing.T) {
	zones := loadZones(t)
	rep, _ := lookup(t, zones, "twohosts.fx.test")
	if rep.Resolver != dnssec.Validating || rep.MXStatus != dnssec.Secure || len(rep.Hosts) != 2 {
		t.Fatalf("report %+v", rep)
	}
	for _, h := range rep.Hosts {
		if h.DANE != dane.Authenticated || h.Usable != 1 || h.Status != dnssec.Secure {
			t.Errorf("host %+v: want authenticated", h)
		}
	}
	rep, _ = lookup(t, zones, "m365none.fx.test")
	if got := strings.Join(rep.M365.Missing, ","); got != "mx,single-mx" {
		t.Errorf("m365none missing %q", got)
	}
	rep, _ = lookup(t, zones, "m365ok.fx.test")
	if len(rep.M365.Missing) != 0 || rep.Hosts[0].Status != dnssec.Unverified {
		t.Errorf("m365ok: %+v %+v", rep.M365, rep.Hosts)
	}
	rep, fs := lookup(t, zones, "m365two.fx.test")
	if rep.M365.MX != "m365two-fx-test.b-v1.mx.microsoft" {
		t.Errorf("m365two: %+v", rep.M365)
	}
	for _, f := range fs {
		if f.Rule == "dane.m365-single-mx" && (len(f.Fixes) != 1 || !strings.Contains(f.FixText(), "; delete: m365two.fx.test.\t3600\tIN\tMX\t10 mx.good.fx.test.")) {
			t.Errorf("single-mx fix: %q", f.FixText())
		}
	}
}

// TestOfflineM365: offline, a zone file without DNSKEY is reported as
// probably unsigned, a warning, not as verified.
func TestOfflineM365(t *testing.T) {
	zones := loadZones(t)
	_, fs, err := dane.Lookup(context.Background(), zones, "m365ok.fx.test", dane.Options{RequireM365: true})
	if err != nil {
		t.Fatal(err)
	}
	if ids := fixture.RuleIDs(fs); len(ids) != 1 || ids[0] != "dane.m365-dnssec" || fs[0].Severity != lint.Warning {
		t.Errorf("offline m365ok: %v", fs)
	}
	// Outside the zone files: unverified, no findings, no error.
	rep, fs, err := dane.Lookup(context.Background(), zones, "contoso.com", dane.Options{RequireM365: true})
	if err != nil || len(fs) != 0 || rep.MXStatus != dnssec.Unverified {
		t.Errorf("outside: %v %v %+v", err, fs, rep)
	}
}
