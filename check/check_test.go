package check_test

import (
	"context"
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
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func m365(t *testing.T, domain, tenant, code string) *records.Set {
	t.Helper()
	set, err := records.M365(domain, records.Options{Tenant: tenant, VerifyCode: code})
	if err != nil {
		t.Fatal(err)
	}
	return &set
}

const providers = "testdata/providers.zone"

// fixtures are the domains checked several ways below.
var fixtures = []struct{ domain, file, tenant, code string }{
	{"good.example", "testdata/good.example.zone", "good", "MS=ms11111111"},
	{"bad.example", "testdata/bad.example.zone", "bad", "MS=ms22222222"},
}

func TestFixtures(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.domain, func(t *testing.T) {
			checktest.Zone(t, fx.file, fx.domain, check.Options{Set: m365(t, fx.domain, fx.tenant, fx.code)}, providers)
		})
	}
	t.Run("cname-conflict", func(t *testing.T) {
		set, _ := records.M365("cname-conflict.example", records.Options{Workloads: []records.Workload{records.WorkloadExchange}})
		set = records.Set{Domain: set.Domain, Items: set.ByPurpose(records.Autodiscover)}
		checktest.Zone(t, "testdata/cname-conflict.example.zone", "cname-conflict.example", check.Options{Set: &set}, providers)
	})
}

func TestDiffEntries(t *testing.T) {
	zones, err := resolver.NewZones(resolver.ZoneSource{File: fixtures[1].file}, resolver.ZoneSource{File: providers})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), zones, "bad.example", check.Options{Set: m365(t, "bad.example", "bad", "MS=ms22222222")})
	got := map[string]check.Status{}
	for _, e := range rep.Diff {
		got[string(e.Purpose)] = e.Status
	}
	want := map[string]check.Status{
		"verify": check.Wrong, "mx": check.Conflict, "spf": check.Wrong, "autodiscover": check.Wrong, "msoid": check.Wrong,
		"sip-federation": check.Missing, "sip": check.OK, "lyncdiscover": check.Missing, "sip-tls": check.Missing,
		"enterpriseregistration": check.OK, "enterpriseenrollment": check.OK, "dkim1": check.Wrong, "dkim2": check.Missing, "dmarc": check.OK,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	for _, f := range rep.Findings {
		if f.Rule == "m365.missing" && f.Name == "lyncdiscover.bad.example" && f.Severity != lint.Info {
			t.Errorf("optional record missing must be info: %v", f)
		}
		if f.Rule == "m365.missing" && f.Name == "_sipfederationtls._tcp.bad.example" && f.FixText() != "_sipfederationtls._tcp.bad.example.\t3600\tIN\tSRV\t100 1 5061 sipfed.online.lync.com." {
			t.Errorf("fix = %q", f.FixText())
		}
	}
	for i := 1; i < len(rep.Findings); i++ {
		if rep.Findings[i-1].Severity > rep.Findings[i].Severity {
			t.Fatalf("findings not sorted by severity")
		}
	}
}

// TestZonesAndDnstestAgree: the same fixtures checked from zone files and
// through dnstest serving the same zones give identical reports.
func TestZonesAndDnstestAgree(t *testing.T) {
	srv := dnstest.New(t, fixtureSources()...)
	agree(t, "dnstest", srv.Addr)
}

// fixtureSources are the fixture zones and the providers' zone.
func fixtureSources() []resolver.ZoneSource {
	srcs := []resolver.ZoneSource{{File: providers}}
	for _, fx := range fixtures {
		srcs = append(srcs, resolver.ZoneSource{File: fx.file})
	}
	return srcs
}

// agree checks every fixture from the zone files and through the server
// at addr serving the same zones, and wants identical reports.
func agree(t *testing.T, server, addr string) {
	t.Helper()
	zones, err := resolver.NewZones(fixtureSources()...)
	if err != nil {
		t.Fatal(err)
	}
	client, err := resolver.New(resolver.Config{Servers: []string{addr}})
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range fixtures {
		opts := check.Options{Set: m365(t, fx.domain, fx.tenant, fx.code), Selectors: []string{"s1"}}
		a := check.Domain(context.Background(), zones, fx.domain, opts)
		b := check.Domain(context.Background(), client, fx.domain, opts)
		if diff := cmp.Diff(comparable(a), comparable(b), cmpopts.IgnoreUnexported(check.Entry{})); diff != "" {
			t.Errorf("%s: zone files vs %s (-zones +%s):\n%s", fx.domain, server, server, diff)
		}
		if b.Stats.Queries == 0 {
			t.Errorf("%s: no queries counted through %s", fx.domain, server)
		}
	}
}

// comparable drops what legitimately differs between resolvers: whether
// answers could be authenticated (zone files carry no AD bit; a stub
// server is no validating resolver).
func comparable(r *check.Report) any {
	var fs []lint.Finding
	for _, f := range r.Findings {
		if !strings.HasPrefix(f.Rule, "dnssec.") && f.Rule != "dane.unverifiable" {
			fs = append(fs, f)
		}
	}
	return struct {
		F []lint.Finding
		D []check.Entry
		T string
		E string
	}{fs, r.Diff, r.SPF.Tree(), errText(r)}
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(check.Rules()); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	zones, _ := resolver.NewZones(resolver.ZoneSource{File: providers})
	for _, d := range []string{"", "bad domain", "xn--", "a..b"} {
		rep := check.Domain(context.Background(), zones, d, check.Options{})
		if len(rep.Errors) == 0 {
			t.Errorf("Domain(%q): no error reported", d)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := check.Domain(ctx, zones, "good.example", check.Options{})
	if len(rep.Errors) == 0 {
		t.Error("cancelled context: no error reported")
	}
}

func TestNameServers(t *testing.T) {
	zones, err := resolver.NewZones(fixtureSources()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"good.example", "selector1._domainkey.good.example"} {
		addrs, err := check.NameServers(context.Background(), zones, d)
		if err != nil || len(addrs) != 1 || addrs[0] != "192.0.2.53" {
			t.Errorf("NameServers(%s) = %v, %v", d, addrs, err)
		}
	}
	if _, err := check.NameServers(context.Background(), zones, "nowhere.invalid"); err == nil {
		t.Error("NameServers of a name without NS: no error")
	}
}

func TestScan(t *testing.T) {
	srv := dnstest.New(t, fixtureSources()...)
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	domains := func(yield func(string) bool) {
		for range 20 {
			for _, d := range []string{"good.example", "bad.example"} {
				if !yield(d) {
					return
				}
			}
		}
	}
	n := 0
	for rep := range check.Scan(context.Background(), c, domains, check.ScanOptions{Concurrency: 4}) {
		if rep.SPF == nil || len(rep.Errors) > 0 {
			t.Errorf("%s: %v", rep.Domain, rep.Errors)
		}
		n++
	}
	if n != 40 {
		t.Errorf("%d reports, want 40", n)
	}
	// One shared cache: 40 checks of 2 domains ask each question once.
	if st := c.Stats(); st.Sent > 40 {
		t.Errorf("sent %d packets for 2 distinct domains, want each question once", st.Sent)
	}
	// Breaking out early stops the sweep (goleak checks nothing is left).
	for range check.Scan(context.Background(), c, domains, check.ScanOptions{Concurrency: 4}) {
		break
	}
}

// TestMXSwitchOver: the old and the new Microsoft 365 MX side by side is a
// switch-over to finish: conflict, and the fix keeps the preferred one.
func TestMXSwitchOver(t *testing.T) {
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: "irr.example", Text: `
@ IN SOA ns h 1 3600 600 86400 300
@ IN MX 0 irr-example.b-v1.mx.microsoft.
@ IN MX 30 irr-example.mail.protection.outlook.com.
`}, resolver.ZoneSource{File: providers})
	if err != nil {
		t.Fatal(err)
	}
	set, _ := records.M365("irr.example", records.Options{Workloads: []records.Workload{records.WorkloadExchange}})
	rep := check.Domain(context.Background(), zones, "irr.example", check.Options{Set: &set})
	if rep.Diff[0].Purpose != records.MX || rep.Diff[0].Status != check.Conflict {
		t.Fatalf("mx entry: %+v", rep.Diff[0])
	}
	for _, f := range rep.Findings {
		if f.Rule == "m365.conflict" && f.Name == "irr.example" && !strings.Contains(f.FixText(), "; delete: irr.example.\t3600\tIN\tMX\t30 irr-example.mail.protection.outlook.com.") {
			t.Errorf("fix = %q", f.FixText())
		}
	}
}
