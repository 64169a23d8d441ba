package check_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/check/checktest"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The zone a downstream repository holds: its own, alone.
const (
	loneZone   = "testdata/fabrikam.com.zone"
	loneDomain = "fabrikam.com"
	world      = "testdata/world/providers.zone" // the rest of the world, for "live" runs
)

func loneOptions(t *testing.T) check.Options {
	return check.Options{Set: m365(t, loneDomain, "fabrikam", "")}
}

func offlineZones(t *testing.T, file string) *resolver.Zones {
	t.Helper()
	z, err := resolver.NewZones(resolver.ZoneSource{File: file})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestLoneZoneOffline: the domain's own zone, offline, is checked
// completely: its DMARC record linted, the SPF count a lower bound with the
// targets named, DKIM selectors pointing into the tenant not verified
// (never dangling), and nothing "could not check".
func TestLoneZoneOffline(t *testing.T) {
	rep := check.Domain(context.Background(), offlineZones(t, loneZone), loneDomain, loneOptions(t))
	if len(rep.Errors) > 0 {
		t.Errorf("errors on a lone zone offline: %q", rep.Errors)
	}
	for _, f := range rep.Findings {
		if f.Severity == lint.Error {
			t.Errorf("error finding on a correct zone: %s", f)
		}
	}
	if rep.DMARC == nil || rep.DMARC.Effective().PolicyDomain != loneDomain || rep.DMARC.Effective().Record == nil {
		t.Fatalf("the zone's own DMARC record was not found: %+v", rep.DMARC)
	}
	if got := fmt.Sprint(rep.SPF.Lookups, rep.SPF.Unverified); got != "2 [spf.protection.outlook.com sendgrid.net]" {
		t.Errorf("SPF lookups and unverified = %s", got)
	}
	if tree := rep.SPF.Tree(); !strings.Contains(tree, "at least 2 of 10 DNS lookups") {
		t.Errorf("SPF tree does not say the count is a lower bound:\n%s", tree)
	}
	for _, s := range rep.DKIM {
		if s.Status != "unverified" || !strings.HasSuffix(s.Target, ".fabrikam.onmicrosoft.com") {
			t.Errorf("DKIM %s: status %s, target %s; want unverified into the tenant", s.Selector, s.Status, s.Target)
		}
	}
	rules := ruleSet(rep.Findings)
	// Targets outside the zone are listed as not verified, not findings.
	if rules["spf.unverified"] || len(rep.SPF.Unverified) == 0 {
		t.Errorf("SPF targets outside the zone: findings %v, unverified %v", rep.Findings, rep.SPF.Unverified)
	}
	// _dmarc.com, a public suffix's name, is not verified offline: a
	// note in the list, not a finding (the organizational domain is
	// fabrikam.com all the same).
	if rules["dmarc.org-undetermined"] {
		t.Errorf("dmarc.org-undetermined offline: it is a not-verified name, not a finding")
	}
	if !slices.ContainsFunc(rep.Unverified, func(u check.Unverified) bool { return u.Name == "_dmarc.com" }) {
		t.Errorf("_dmarc.com not listed as not verified: %v", rep.Unverified)
	}
	for _, never := range []string{"dkim.dangling-cname", "spf.include-missing", "dmarc.missing"} {
		if rules[never] {
			t.Errorf("%s on names that were not asked", never)
		}
	}
	var names []string
	for _, u := range rep.Unverified {
		names = append(names, u.Name+" "+u.Type)
		if u.For == "" && strings.HasSuffix(u.Type, "TXT") {
			t.Errorf("unverified %s says not what it was for", u)
		}
	}
	for _, want := range []string{
		"spf.protection.outlook.com TXT", "sendgrid.net TXT", "_dmarc.com TXT",
		"selector1-fabrikam-com._domainkey.fabrikam.onmicrosoft.com TXT",
		"fabrikam.com._report._dmarc.reports.example.net TXT",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("unverified %q lacks %s", names, want)
		}
	}
}

func ruleSet(fs []lint.Finding) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.Rule] = true
	}
	return m
}

// TestLoneZoneThreeWays: the same one-zone fixture offline, live against
// dnstest and live against Knot (both authoritative-only: REFUSED for
// _dmarc.com) gives the same DMARC findings and policy.
func TestLoneZoneThreeWays(t *testing.T) {
	ctx := context.Background()
	dmarcOf := func(rep *check.Report) any {
		var fs []lint.Finding
		for _, f := range rep.Findings {
			if strings.HasPrefix(f.Rule, "dmarc.") {
				f.Message = "" // the cause quoted differs: not verified offline, REFUSED
				fs = append(fs, f)
			}
		}
		eff := rep.DMARC.Effective()
		return struct {
			F               []lint.Finding
			Org, PolicyFrom string
			Record          string
		}{fs, eff.OrgDomain, eff.PolicyDomain, eff.Record.Raw}
	}
	offline := check.Domain(ctx, offlineZones(t, loneZone), loneDomain, check.Options{})
	want := dmarcOf(offline)
	if ruleSet(offline.Findings)["dmarc.org-undetermined"] {
		t.Fatalf("offline: dmarc.org-undetermined on a name above the organizational domain: %v", offline.Findings)
	}
	servers := map[string]func(t *testing.T) string{
		"dnstest": func(t *testing.T) string { return dnstest.New(t, resolver.ZoneSource{File: loneZone}).Addr },
		"knot":    func(t *testing.T) string { return startKnot(t, map[string]string{loneDomain: loneZone}) },
	}
	for _, name := range []string{"dnstest", "knot"} {
		t.Run(name, func(t *testing.T) {
			c, err := resolver.New(resolver.Config{Servers: []string{servers[name](t)}, Tries: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			rep := check.Domain(ctx, c, loneDomain, check.Options{})
			if rep.DMARC == nil {
				t.Fatalf("DMARC discovery failed: %q", rep.Errors)
			}
			if diff := cmp.Diff(want, dmarcOf(rep)); diff != "" {
				t.Errorf("DMARC offline vs live %s (-offline +live):\n%s", name, diff)
			}
		})
	}
}

// TestSnapshotRoundTrip: a live run that records the answers for names
// outside the zone, then an offline run from the snapshot, give the same
// findings, diff, SPF tree and counts.
func TestSnapshotRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv := dnstest.New(t, resolver.ZoneSource{File: world})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := resolver.NewRecorder(c)
	opts := loneOptions(t)
	live := check.Domain(ctx, offlineZones(t, loneZone).WithFallback(rec), loneDomain, opts)
	if len(live.Unverified) > 0 || len(live.Errors) > 0 {
		t.Fatalf("live run: unverified %v, errors %q", live.Unverified, live.Errors)
	}
	var buf bytes.Buffer
	if err := rec.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	t.Logf("snapshot:\n%s", buf.String())
	snap, err := resolver.ReadSnapshot(bytes.NewReader(buf.Bytes()), "snapshot")
	if err != nil {
		t.Fatal(err)
	}
	// Written again, the snapshot is the same file.
	var again bytes.Buffer
	rec2 := resolver.NewRecorder(snap)
	replay := check.Domain(ctx, offlineZones(t, loneZone).WithFallback(rec2), loneDomain, opts)
	if err := rec2.WriteSnapshot(&again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(buf.String(), again.String()); diff != "" {
		t.Errorf("snapshot recorded from the snapshot differs:\n%s", diff)
	}
	if len(replay.Unverified) > 0 {
		t.Errorf("replay: unverified %v", replay.Unverified)
	}
	if diff := cmp.Diff(comparable(live), comparable(replay), cmpopts.IgnoreUnexported(check.Entry{})); diff != "" {
		t.Errorf("live vs replay (-live +replay):\n%s", diff)
	}
	if live.SPF.Lookups != replay.SPF.Lookups || live.SPF.Lookups != 2 {
		t.Errorf("SPF lookups: live %d, replay %d", live.SPF.Lookups, replay.SPF.Lookups)
	}
	for i := range live.DKIM {
		if live.DKIM[i].Status != "ok" || replay.DKIM[i].Status != "ok" {
			t.Errorf("DKIM %s: live %s, replay %s", live.DKIM[i].Selector, live.DKIM[i].Status, replay.DKIM[i].Status)
		}
	}
	// A name the snapshot does not hold stays unverified, never NXDOMAIN.
	short, err := resolver.ReadSnapshot(strings.NewReader("; domainlint snapshot 1\n"), "empty")
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(ctx, offlineZones(t, loneZone).WithFallback(short), loneDomain, opts)
	if rep.SPF.Lookups != 2 || len(rep.SPF.Unverified) != 2 || ruleSet(rep.Findings)["spf.include-missing"] {
		t.Errorf("empty snapshot: %+v %v", rep.SPF, rep.Findings)
	}
}

// tb records what checktest.Zone says.
type tb struct{ errs, logs []string }

func (*tb) Helper() {}
func (r *tb) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *tb) Logf(format string, args ...any) { r.logs = append(r.logs, fmt.Sprintf(format, args...)) }

// TestChecktestTellsTheTruth: a lone zone in checktest fails on a broken
// DMARC record and on an empty expected set, lists what was not verified,
// and with FailUnverified fails on it.
func TestChecktestTellsTheTruth(t *testing.T) {
	good, err := os.ReadFile(loneZone)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opts := loneOptions(t)

	var ok tb
	checktest.Zone(&ok, loneZone, loneDomain, opts)
	if len(ok.errs) > 0 {
		t.Errorf("a correct zone fails:\n%s", strings.Join(ok.errs, "\n"))
	}
	if log := strings.Join(ok.logs, "\n"); !strings.Contains(log, "not verified offline") || !strings.Contains(log, "sendgrid.net TXT") {
		t.Errorf("the unverified names are not listed in the log:\n%s", log)
	}

	nonee := write("nonee.zone", strings.Replace(string(good), "p=quarantine", "p=nonee", 1))
	var bad tb
	checktest.Zone(&bad, nonee, loneDomain, opts)
	if msg := strings.Join(bad.errs, "\n"); !strings.Contains(msg, "dmarc.syntax") {
		t.Errorf("p=nonee in a lone zone does not fail with dmarc.syntax:\n%s", msg)
	}

	var empty tb
	checktest.Zone(&empty, loneZone, loneDomain, check.Options{Set: &records.Set{Domain: loneDomain}})
	if msg := strings.Join(empty.errs, "\n"); !strings.Contains(msg, "expected record set is empty") {
		t.Errorf("an empty expected set passes:\n%s", msg)
	}

	var strict tb
	checktest.Config{FailUnverified: true}.Zone(&strict, loneZone, loneDomain, opts)
	if msg := strings.Join(strict.errs, "\n"); !strings.Contains(msg, "not verified offline") {
		t.Errorf("FailUnverified does not fail:\n%s", msg)
	}

	// With a snapshot recorded live, nothing is left unverified.
	srv := dnstest.New(t, resolver.ZoneSource{File: world})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := resolver.NewRecorder(c)
	check.Domain(context.Background(), offlineZones(t, loneZone).WithFallback(rec), loneDomain, opts)
	var buf bytes.Buffer
	if err := rec.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	var snapped tb
	rep := checktest.Config{Snapshot: write("snap.txt", buf.String()), FailUnverified: true}.Zone(&snapped, loneZone, loneDomain, opts)
	if len(snapped.errs) > 0 || rep == nil || len(rep.Unverified) > 0 {
		t.Errorf("with a snapshot: %s", strings.Join(snapped.errs, "\n"))
	}
}

// TestCNAMEBesideSaidOnce: a CNAME beside other data is one defect. With
// the Microsoft 365 diff reporting it (with the records to delete), the
// zone check's finding is folded into it; with the diff's rules not
// selected, the zone check says it — it used to say nothing, waiting for
// a diff whose finding was then dropped.
func TestCNAMEBesideSaidOnce(t *testing.T) {
	set, err := records.M365("cname-conflict.example", records.Options{Workloads: []records.Workload{records.WorkloadExchange}})
	if err != nil {
		t.Fatal(err)
	}
	const name = "autodiscover.cname-conflict.example"
	for _, tc := range []struct {
		enable []string
		want   string
	}{
		{nil, "m365.conflict"},
		{[]string{"zone"}, "zone.cname-and-other-data"},
		{[]string{"zone", "m365"}, "m365.conflict"},
	} {
		rep := check.Domain(context.Background(), offlineZones(t, "testdata/cname-conflict.example.zone"), "cname-conflict.example",
			check.Options{Set: &set, Enable: tc.enable})
		var got []string
		for _, f := range rep.Findings {
			if f.Name == name && (f.Rule == "m365.conflict" || f.Rule == "zone.cname-and-other-data") {
				got = append(got, f.Rule)
			}
		}
		if !slices.Equal(got, []string{tc.want}) {
			t.Errorf("enable %v: %v at %s, want %s alone", tc.enable, got, name, tc.want)
		}
	}
}
