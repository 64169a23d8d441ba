package records_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// TestGolden renders every cloud × workload and compares with the golden
// zone text.
func TestGolden(t *testing.T) {
	for _, c := range records.Clouds() {
		for _, w := range records.AllWorkloads() {
			t.Run(fmt.Sprintf("%s/%s", c, w), func(t *testing.T) {
				opts := records.Options{Tenant: "contoso", Cloud: c, Workloads: []records.Workload{w}}
				if w == records.WorkloadVerify {
					opts.VerifyCode = "MS=ms12345678"
				}
				set, err := records.M365("contoso.com", opts)
				if err != nil {
					t.Fatal(err)
				}
				got := set.Zone()
				if _, err := parseZone(got); err != nil {
					t.Errorf("Zone() does not parse as a master file: %v\n%s", err, got)
				}
				golden(t, fmt.Sprintf("%s-%s.zone", c, w), got)
			})
		}
	}
}

func parseZone(text string) (int, error) {
	zp := dns.NewZoneParser(strings.NewReader(text), ".", "golden")
	n := 0
	for _, ok := zp.Next(); ok; _, ok = zp.Next() {
		n++
	}
	return n, zp.Err()
}

func TestDefaultsAndErrors(t *testing.T) {
	set, err := records.M365("contoso.com", records.Options{Tenant: "contoso.onmicrosoft.com"})
	if err != nil {
		t.Fatal(err)
	}
	var purposes []string
	for _, e := range set.Items {
		purposes = append(purposes, string(e.Purpose))
	}
	want := "mx spf autodiscover msoid sip-federation sip lyncdiscover sip-tls enterpriseregistration enterpriseenrollment dkim1 dkim2 dmarc"
	if got := strings.Join(purposes, " "); got != want {
		t.Errorf("default purposes:\n got %s\nwant %s", got, want)
	}
	if len(set.ByPurpose(records.Verify)) != 0 {
		t.Error("verify included without a code")
	}
	set, _ = records.M365("contoso.com", records.Options{Tenant: "contoso", VerifyCode: "MS=ms12345678"})
	if v := set.ByPurpose(records.Verify); len(v) != 1 || len(v[0].Alternatives) != 2 {
		t.Errorf("verify with a code: %+v", v)
	}
	for _, tc := range []struct {
		domain string
		opts   records.Options
		want   string
	}{
		{"", records.Options{Tenant: "contoso"}, "empty domain"},
		{"localhost", records.Options{Tenant: "contoso"}, "fully qualified"},
		{"bücher.example", records.Options{Tenant: "contoso"}, "A-label"},
		{"xn--bcher-kva.example", records.Options{Tenant: "contoso", VerifyCode: "ms12345678"}, "verification code"},
		{"contoso.com", records.Options{Tenant: "contoso", VerifyCode: "MS=ms1234567"}, "verification code"},
		{"contoso.com", records.Options{Tenant: "contoso", Cloud: "mars"}, "unknown cloud"},
		{"contoso.com", records.Options{}, "tenant"},
		{"contoso.com", records.Options{Tenant: "con toso"}, "tenant"},
		{"contoso.com", records.Options{Tenant: "contoso", Workloads: []records.Workload{"fax"}}, "unknown workload"},
		{"contoso.com", records.Options{Cloud: records.GCCHigh, Workloads: []records.Workload{records.WorkloadExchange}}, "tenant"},
	} {
		set, err := records.M365(tc.domain, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) || len(set.Items) != 0 {
			t.Errorf("M365(%q, %+v) = %d items, %v; want an error about %q", tc.domain, tc.opts, len(set.Items), err, tc.want)
		}
	}
	if _, err := records.M365("xn--bcher-kva.example", records.Options{Tenant: "contoso"}); err != nil {
		t.Errorf("A-label domain: %v", err)
	}
}

func rr(t *testing.T, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPatterns(t *testing.T) {
	set, err := records.M365("maxx-express.com", records.Options{Tenant: "maxx"})
	if err != nil {
		t.Fatal(err)
	}
	mx := set.ByPurpose(records.MX)[0].Want
	dk := set.ByPurpose(records.DKIM1)[0].Want
	enr := set.ByPurpose(records.EnterpriseEnrollment)[0].Want
	spf := set.ByPurpose(records.SPF)[0].Want
	for _, tc := range []struct {
		want  records.Want
		rr    string
		match bool
	}{
		{mx, "maxx-express.com. IN MX 0 maxx-express-com.mail.protection.outlook.com.", true},
		{mx, "maxx-express.com. IN MX 0 maxxexpress-com01b.mail.protection.outlook.com.", true},
		{mx, "maxx-express.com. IN MX 0 maxxexpress-com.b-v1.mx.microsoft.", true},
		{mx, "maxx-express.com. IN MX 0 maxxexpress-com.mail.eo.outlook.com.", true},
		{mx, "maxx-express.com. IN MX 10 mail.maxx-express.com.", false},
		{mx, "maxx-express.com. IN MX 0 mail.protection.outlook.com.evil.example.", false},
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector1-maxx-express-com._domainkey.maxx.onmicrosoft.com.", true},
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector1-maxx-express-com._domainkey.maxx.r-v1.dkim.mail.microsoft.", true},
		// The selector must carry this domain with dots as dashes.
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector1-maxxexpress-com._domainkey.maxx.r-v1.dkim.mail.microsoft.", false},
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector1-other-com._domainkey.maxx.onmicrosoft.com.", false},
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector1-maxx-express-com._domainkey.maxx.rr-v1.dkim.mail.microsoft.", false},
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector1-maxx-express-com._domainkey.other.onmicrosoft.com.", false},
		{dk, "selector1._domainkey.maxx-express.com. IN CNAME selector2-maxx-express-com._domainkey.maxx.onmicrosoft.com.", false},
		{enr, "enterpriseenrollment.maxx-express.com. IN CNAME enterpriseenrollment-s.manage.microsoft.com.", true},
		{enr, "enterpriseenrollment.maxx-express.com. IN CNAME enterpriseenrollment.manage.microsoft.com.", true},
		{enr, "enterpriseenrollment.maxx-express.com. IN CNAME enrollment.example.", false},
		{spf, `maxx-express.com. IN TXT "v=spf1 include:spf.protection.outlook.com -all"`, true},
		{spf, `maxx-express.com. IN TXT "v=spf1 include:spf.protection.outlook.com" " ~all"`, true},
		{spf, `maxx-express.com. IN TXT "v=spf1 include:spf.protection.outlook.community -all"`, false},
	} {
		if got := tc.want.Match(rr(t, tc.rr)); got != tc.match {
			t.Errorf("%s\n  Match(%s) = %v, want %v", tc.want, tc.rr, got, tc.match)
		}
	}
}

func graph(t *testing.T, file string) (records.Set, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "graph", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return records.FromGraph(f)
}

func TestFromGraph(t *testing.T) {
	set, err := graph(t, "service.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range set.Items {
		got = append(got, fmt.Sprintf("%s %s %s %s", e.Purpose, e.Workload, e.Name, e.Want))
	}
	want := []string{
		"mx exchange contoso.com 0 contoso-com.mail.protection.outlook.com.",
		`spf exchange contoso.com "v=spf1 include:spf.protection.outlook.com -all"`,
		"autodiscover exchange autodiscover.contoso.com autodiscover.outlook.com.",
		"sip teams sip.contoso.com sipdir.online.lync.com.",
		"lyncdiscover teams lyncdiscover.contoso.com webdir.online.lync.com.",
		"enterpriseregistration intune enterpriseregistration.contoso.com enterpriseregistration.windows.net.",
		"enterpriseenrollment intune enterpriseenrollment.contoso.com enterpriseenrollment-s.manage.microsoft.com.",
		"sip-tls teams _sip._tls.contoso.com 100 1 443 sipdir.online.lync.com.",
		"sip-federation teams _sipfederationtls._tcp.contoso.com 100 1 5061 sipfed.online.lync.com.",
	}
	if diff := cmp.Diff(want, got); diff != "" || set.Domain != "contoso.com" {
		t.Errorf("service records (-want +got):\n%s\ndomain %s", diff, set.Domain)
	}
	if g := set.ByPurpose(records.SIPFederation)[0].Want.Guess(); g.Header().Name != "_sipfederationtls._tcp.contoso.com." {
		t.Errorf("SRV owner = %s", g.Header().Name)
	}

	set, err = graph(t, "verification.json")
	if v := set.ByPurpose(records.Verify); err != nil || len(v) != 1 || v[0].Type != dns.TypeTXT || len(v[0].Alternatives) != 1 || set.Items[0].Workload != records.WorkloadVerify {
		t.Errorf("verification: %+v, %v", set, err)
	}

	set, err = graph(t, "unavailable.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Findings) != 1 || set.Findings[0].Rule != "m365.unavailable" || !strings.Contains(set.Findings[0].Message, "could not be generated") {
		t.Errorf("unavailable: %+v", set.Findings)
	}
	if g := set.ByPurpose(records.SPF)[0].Want.String(); g != `"v=spf1 include: spf.protection.outlook.com ~all"` {
		t.Errorf("odd SPF text not kept exactly: %s", g)
	}

	_, err = graph(t, "broken.json")
	if err == nil || !strings.Contains(err.Error(), "offset") {
		t.Errorf("broken JSON: %v", err)
	}
	for _, bad := range []string{`{}`, `{"value": [{"@odata.type": "#microsoft.graph.domainDnsMxRecord", "label": "x.com", "mailExchange": "mx.x.com"}]}`,
		`{"value": [{"@odata.type": "#microsoft.graph.domainDnsSrvRecord", "label": "x.com", "service": "sip", "protocol": "_tls", "port": 1, "priority": 1, "weight": 1, "nameTarget": "a.b"}]}`,
		`{"value": [{"@odata.type": "#microsoft.graph.domainDnsMxRecord", "label": "x.com", "mailExchange": "mx.x.com", "preference": 70000}]}`,
		`{"value": 5}`} {
		if _, err := records.FromGraph(strings.NewReader(bad)); err == nil {
			t.Errorf("FromGraph(%s) = nil error", bad)
		}
	}
}

func TestDKIMSigningConfig(t *testing.T) {
	f, err := os.Open("testdata/graph/dkimconfig.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exact, err := records.FromDKIMSigningConfig(f, "contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _ := records.M365("contoso.com", records.Options{Tenant: "contoso"})
	merged := tmpl.Replace(exact)
	d1 := merged.ByPurpose(records.DKIM1)
	if len(d1) != 1 || !d1[0].Want.Exact() || d1[0].Source != records.FromDKIMConfig || len(merged.Items) != len(tmpl.Items) {
		t.Errorf("merged: %+v", d1)
	}
	if !d1[0].Want.Match(rr(t, "selector1._domainkey.contoso.com. IN CNAME selector1-contoso-com._domainkey.contoso.r-v1.dkim.mail.microsoft.")) {
		t.Error("exact DKIM target does not match itself")
	}
	_, err = records.FromDKIMSigningConfig(strings.NewReader(`{"Domain": "other.com", "Selector1CNAME": "a.b", "Selector2CNAME": "c.d"}`), "contoso.com")
	if err == nil {
		t.Error("config for another domain accepted")
	}
}

func TestRulesValid(t *testing.T) {
	if err := lint.Validate(records.Rules()); err != nil {
		t.Fatal(err)
	}
}

func FuzzFromGraph(f *testing.F) {
	for _, name := range []string{"service.json", "verification.json", "unavailable.json", "broken.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "graph", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := records.FromGraph(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		for _, e := range set.Items {
			if e.Want == nil || e.Want.Guess() == nil || e.Name == "" {
				t.Fatalf("incomplete expectation %+v", e)
			}
			_ = set.Zone()
		}
	})
}

// TestMXKindIn: each cloud's expected MX accepts the hosts of its own
// family and no other's, through records.MXKindOf.
func TestMXKindIn(t *testing.T) {
	family := map[records.Cloud]string{records.Commercial: "com", records.GCC: "com", records.GCCHigh: "us", records.DoD: "us", records.China: "cn"}
	hosts := map[string][]string{
		"com": {"contoso-com.mail.protection.outlook.com", "contoso-com.b-v1.mx.microsoft", "contoso-com.mail.eo.outlook.com", "contoso-com.mail.protection.outlook.de"},
		"us":  {"contoso.mail.protection.office365.us"},
		"cn":  {"contoso-com.mail.protection.partner.outlook.cn"},
	}
	for _, c := range records.Clouds() {
		set, err := records.M365("contoso.com", records.Options{Tenant: "contoso", Cloud: c})
		if err != nil {
			t.Fatal(err)
		}
		want := set.ByPurpose(records.MX)[0].Want
		for f, hs := range hosts {
			for _, h := range hs {
				same := f == family[c]
				if got := records.MXKindOf(h).In(c); got != same {
					t.Errorf("%s: MXKindOf(%s).In = %v, want %v", c, h, got, same)
				}
				if got := want.Match(rr(t, "contoso.com. IN MX 0 "+h+".")); got != same {
					t.Errorf("%s: the expected MX matches %s: %v, want %v", c, h, got, same)
				}
			}
		}
	}
}
