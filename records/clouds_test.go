package records_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/records"
)

// TestTenantOfEveryCloud: a tenant may be named by any cloud's initial
// domain; the suffix must agree with the cloud, and names 21Vianet alone.
func TestTenantOfEveryCloud(t *testing.T) {
	for _, tc := range []struct {
		tenant string
		cloud  records.Cloud
		want   records.Cloud // "" wants an error
		mx     string
	}{
		{"contoso", "", records.Commercial, ""},
		{"contoso.onmicrosoft.com", "", records.Commercial, ""},
		{"contoso.onmicrosoft.com", records.GCC, records.GCC, ""},
		{"contoso.onmicrosoft.us", records.GCCHigh, records.GCCHigh, "0 contoso.mail.protection.office365.us."},
		{"Contoso.OnMicrosoft.US.", records.DoD, records.DoD, "0 contoso.mail.protection.office365.us."},
		{"contoso.partner.onmschina.cn", "", records.China, ""},
		{"contoso.partner.onmschina.cn", records.China, records.China, ""},
		{"contoso.onmicrosoft.us", "", "", ""},                 // GCC High or DoD: name it
		{"contoso.onmicrosoft.us", records.Commercial, "", ""}, // same
		{"contoso.onmicrosoft.com", records.GCCHigh, "", ""},
		{"contoso.partner.onmschina.cn", records.GCC, "", ""},
		{"contoso.example.com", "", "", ""},
	} {
		set, err := records.M365("contoso.com", records.Options{Tenant: tc.tenant, Cloud: tc.cloud})
		if tc.want == "" {
			if err == nil {
				t.Errorf("M365(tenant %q, cloud %q): no error", tc.tenant, tc.cloud)
			}
			continue
		}
		if err != nil {
			t.Errorf("M365(tenant %q, cloud %q): %v", tc.tenant, tc.cloud, err)
			continue
		}
		spf := set.ByPurpose(records.SPF)[0].Want.Guess().String()
		if !strings.Contains(spf, records.SPFInclude(tc.want)) {
			t.Errorf("tenant %q, cloud %q: SPF %s, want the %s include", tc.tenant, tc.cloud, spf, tc.want)
		}
		if tc.mx != "" {
			if g := set.ByPurpose(records.MX)[0].Want.Guess().String(); !strings.HasSuffix(g, "\t"+tc.mx) {
				t.Errorf("tenant %q: MX %s, want %s", tc.tenant, g, tc.mx)
			}
		}
	}
	if got := records.InitialDomain(records.GCCHigh, "contoso"); got != "contoso.onmicrosoft.us" {
		t.Errorf("InitialDomain = %s", got)
	}
}

// TestDKIMPerCloud: no value is invented where Microsoft documents none.
func TestDKIMPerCloud(t *testing.T) {
	for _, c := range []records.Cloud{records.GCCHigh, records.DoD, records.China} {
		set, err := records.M365("contoso.com", records.Options{Cloud: c, Workloads: []records.Workload{records.WorkloadDKIM}})
		if err != nil {
			t.Fatalf("%s without a tenant: %v", c, err)
		}
		for _, e := range set.Items {
			if e.Want.Guess() != nil {
				t.Errorf("%s %s: suggests %s, but Microsoft documents no value", c, e.Purpose, e.Want.Guess())
			}
			if !strings.Contains(e.Note, "Get-DkimSigningConfig") {
				t.Errorf("%s %s: note %q does not point to Get-DkimSigningConfig", c, e.Purpose, e.Note)
			}
			if strings.Contains(set.Zone(), "onmicrosoft.com") {
				t.Errorf("%s: zone mentions onmicrosoft.com:\n%s", c, set.Zone())
			}
		}
	}
}

// TestPerCloudDocs: every expectation links its cloud's own page.
func TestPerCloudDocs(t *testing.T) {
	wants := map[records.Cloud]string{
		records.Commercial: "create-dns-records-at-any-dns-hosting-provider",
		records.GCCHigh:    "dns-records-for-office-365-gcc-high",
		records.DoD:        "dns-records-for-office-365-dod",
		records.China:      "view=o365-21vianet",
	}
	for c, want := range wants {
		set, err := records.M365("contoso.com", records.Options{Tenant: "contoso", Cloud: c, VerifyCode: "MS=ms12345678"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []records.Purpose{records.Verify, records.MX, records.Autodiscover, records.SIPFederation, records.SIP} {
			e := set.ByPurpose(p)[0]
			if c == records.Commercial && (p == records.SIPFederation || p == records.SIP) {
				want = "external-domain-name-system-records"
			}
			if !strings.Contains(e.Doc, want) || records.DocTitle(e.Doc) == "" {
				t.Errorf("%s %s: doc %s (%q), want the page %s", c, p, e.Doc, records.DocTitle(e.Doc), want)
			}
		}
	}
}

func TestIntuneOptional(t *testing.T) {
	set, _ := records.M365("contoso.com", records.Options{Tenant: "contoso"})
	for _, p := range []records.Purpose{records.EnterpriseRegistration, records.EnterpriseEnrollment} {
		if e := set.ByPurpose(p)[0]; !e.Optional {
			t.Errorf("%s is required; Microsoft calls it optional", p)
		}
	}
	enr := set.ByPurpose(records.EnterpriseEnrollment)[0]
	plain := rr(t, "enterpriseenrollment.contoso.com. IN CNAME enterpriseenrollment.manage.microsoft.com.")
	if !enr.Want.Match(plain) || enr.Preferred == nil || enr.Preferred.Match(plain) {
		t.Errorf("the plain enrollment host must be accepted but not preferred: %v", enr)
	}
	gov, _ := records.M365("contoso.com", records.Options{Tenant: "contoso.onmicrosoft.us", Cloud: records.GCCHigh})
	g := gov.ByPurpose(records.EnterpriseEnrollment)[0]
	if g.Want.Match(rr(t, "enterpriseenrollment.contoso.com. IN CNAME enterpriseenrollment.manage.microsoft.us.")) {
		t.Error("GCC High accepts an enrollment host Microsoft does not publish")
	}
}

func TestDMARCPattern(t *testing.T) {
	set, _ := records.M365("contoso.com", records.Options{Workloads: []records.Workload{records.WorkloadDMARC}})
	w := set.ByPurpose(records.DMARC)[0].Want
	for _, tc := range []struct {
		txt   string
		match bool
	}{
		{"v=DMARC1; p=none; rua=mailto:d@contoso.com", true}, // Microsoft's first step
		{"v=DMARC1;p=quarantine", true},
		{"v=DMARC1; p=reject; adkim=s", true},
		{"v=DMARC1; p=none", false},
		{"v=DMARC1; p=none; rua=", false},
		{"v=spf1 -all", false},
	} {
		if got := w.Match(rr(t, `_dmarc.contoso.com. IN TXT "`+tc.txt+`"`)); got != tc.match {
			t.Errorf("Match(%s) = %v, want %v", tc.txt, got, tc.match)
		}
	}
}

func TestGateway(t *testing.T) {
	set, err := records.M365("contoso.com", records.Options{Workloads: []records.Workload{records.WorkloadExchange}, Gateways: []string{"Gw.Example.", "gw.example"}})
	if err != nil {
		t.Fatal(err)
	}
	mx := set.ByPurpose(records.MX)[0]
	if !slices.Equal(mx.Gateways, []string{"gw.example"}) {
		t.Errorf("gateways %v", mx.Gateways)
	}
	for s, want := range map[string]bool{
		"contoso.com. IN MX 10 mx1.gw.example.":                         true,
		"contoso.com. IN MX 10 gw.example.":                             true,
		"contoso.com. IN MX 10 evilgw.example.":                         false,
		"contoso.com. IN MX 0 contoso-com.mail.protection.outlook.com.": true,
	} {
		if got := mx.Want.Match(rr(t, s)); got != want {
			t.Errorf("Match(%s) = %v, want %v", s, got, want)
		}
	}
	if _, err := records.M365("contoso.com", records.Options{Gateways: []string{"not a host"}, Workloads: []records.Workload{records.WorkloadExchange}}); err == nil {
		t.Error("a malformed gateway accepted")
	}
}

// TestWithGraph: Graph's exact values win where Graph has a row; the DKIM
// and DMARC rows Graph does not list stay; SRV rows sit at their owner.
func TestWithGraph(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "graph", "service.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := records.FromGraph(f)
	if err != nil {
		t.Fatal(err)
	}
	set, err := records.WithGraph(g, records.Options{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []records.Purpose{records.MX, records.SPF, records.Autodiscover, records.SIPFederation} {
		if e := set.ByPurpose(p); len(e) != 1 || e[0].Source != records.FromGraphAPI {
			t.Errorf("%s: %+v, want Graph's row", p, e)
		}
	}
	for _, p := range []records.Purpose{records.DKIM1, records.DKIM2, records.DMARC, records.MSOID} {
		if e := set.ByPurpose(p); len(e) != 1 || e[0].Source != records.FromTemplate {
			t.Errorf("%s: %+v, want the template's row", p, e)
		}
	}
	if e := set.ByPurpose(records.SIPFederation)[0]; e.Name != "_sipfederationtls._tcp.contoso.com" {
		t.Errorf("federation SRV filed under %s", e.Name)
	}
	// Without a tenant the DKIM rows cannot be built; the rest can.
	set, err = records.WithGraph(g, records.Options{})
	if err != nil || len(set.ByPurpose(records.DMARC)) != 1 || len(set.ByPurpose(records.DKIM1)) != 0 {
		t.Errorf("without a tenant: %v, %v", set.Items, err)
	}
	set, _ = records.WithGraph(g, records.Options{Gateways: []string{"gw.example"}})
	if !set.ByPurpose(records.MX)[0].Want.Match(rr(t, "contoso.com. IN MX 5 in.gw.example.")) {
		t.Error("gateway not accepted by Graph's MX row")
	}
}
