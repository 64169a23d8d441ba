package check_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

const m365Providers = "testdata/m365/providers.zone"

// m365Case is a fixture zone and the expected set it is checked against.
type m365Case struct {
	domain, file string
	opts         records.Options
	// mx, when set, is the exact MX host (as Graph gives it): only then
	// can a fix publish the MX, since tokens are not derivable.
	mx string
}

// m365Cases are every fixture whose Microsoft 365 findings offer fixes.
var m365Cases = []m365Case{
	{"bad.example", "testdata/bad.example.zone", records.Options{Tenant: "bad", VerifyCode: "MS=ms22222222"}, ""},
	{"broken.example", "testdata/m365/broken.example.zone", records.Options{Tenant: "broken", VerifyCode: "MS=ms33333333"}, ""},
	{"oldmx.example", "testdata/m365/oldmx.example.zone", records.Options{Tenant: "oldmx", VerifyCode: "MS=ms66666666"}, ""},
	{"gw.example", "testdata/m365/gw.example.zone", records.Options{Tenant: "gw"}, ""},
	{"letters.example", "testdata/m365/letters.example.zone", records.Options{Tenant: "letters"}, ""},
	{"followed.example", "testdata/m365/followed.example.zone", records.Options{Tenant: "followed", VerifyCode: "MS=ms44444444"}, ""},
	{"gcchigh.example", "testdata/m365/gcchigh.example.zone", records.Options{Tenant: "gcch.onmicrosoft.us", Cloud: records.GCCHigh, VerifyCode: "MS=ms55555555"}, ""},
	{"cname-conflict.example", "testdata/cname-conflict.example.zone", records.Options{Tenant: "cc", Workloads: []records.Workload{records.WorkloadExchange}}, ""},
	{"oldmx.example", "testdata/m365/oldmx.example.zone", records.Options{Tenant: "oldmx", VerifyCode: "MS=ms66666666"}, "oldmxexample-com01b.mail.protection.outlook.com."},
}

// checkText checks domain answering from zone text and the fixtures'
// providers zone.
func checkText(t *testing.T, domain, text string, opts records.Options, exactMX ...string) *check.Report {
	t.Helper()
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: domain, Text: text}, resolver.ZoneSource{File: m365Providers})
	if err != nil {
		t.Fatalf("%s: %v\n%s", domain, err, text)
	}
	set, err := records.M365(domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range exactMX {
		if host == "" {
			continue
		}
		for i, e := range set.Items {
			if e.Purpose == records.MX {
				set.Items[i].Want = records.Exact{RR: &dns.MX{Hdr: dns.RR_Header{Name: dns.Fqdn(domain), Rrtype: dns.TypeMX, Class: dns.ClassINET, Ttl: 3600}, Mx: host}}
			}
		}
	}
	return check.Domain(context.Background(), zones, domain, check.Options{Set: &set})
}

func readZone(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// applyFix applies a finding's Fix to zone text the way an admin would:
// "; delete: <line>" deletes that record, "keep only <line> and delete
// the other T records" deletes the others of its type at its name, other
// comment lines are advice, and a zone line is added. The zone comes back
// as master-file text, one record a line.
func applyFix(t *testing.T, origin, text, fix string) (string, bool) {
	t.Helper()
	zp := dns.NewZoneParser(strings.NewReader(text), dns.Fqdn(origin), "fixture")
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	parse := func(s string) dns.RR {
		rr, err := dns.NewRR(s)
		if err != nil || rr == nil {
			t.Fatalf("fix line %q does not parse: %v", s, err)
		}
		return rr
	}
	same := func(a, b dns.RR) bool {
		return strings.EqualFold(a.Header().Name, b.Header().Name) && dns.IsDuplicate(a, b)
	}
	applied := false
	for _, line := range strings.Split(fix, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "; delete: "):
			del := parse(strings.TrimPrefix(line, "; delete: "))
			n := len(rrs)
			rrs = slices.DeleteFunc(rrs, func(rr dns.RR) bool { return same(rr, del) })
			if len(rrs) == n {
				t.Errorf("fix deletes %s, which the zone does not hold", del)
			}
			applied = true
		case strings.HasPrefix(line, "keep only "):
			body, _, _ := strings.Cut(strings.TrimPrefix(line, "keep only "), " and delete the other")
			keep := parse(body)
			rrs = slices.DeleteFunc(rrs, func(rr dns.RR) bool {
				return strings.EqualFold(rr.Header().Name, keep.Header().Name) && rr.Header().Rrtype == keep.Header().Rrtype && !same(rr, keep)
			})
			applied = true
		case strings.HasPrefix(line, ";"), line == "":
		default:
			rrs = append(rrs, parse(line))
			applied = true
		}
	}
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String() + "\n")
	}
	return b.String(), applied
}

// findingKey tells findings apart across two checks: a Microsoft 365
// finding by the purpose its message starts with, too ("spf (TXT)").
type findingKey struct{ rule, name, typ, subject string }

func keyOf(f lint.Finding) findingKey {
	k := findingKey{f.Rule, f.Name, f.Type, ""}
	if strings.HasPrefix(f.Rule, "m365.") {
		k.subject, _, _ = strings.Cut(f.Message, ":")
	}
	return k
}

// noFixRules are the Microsoft 365 rules that offer no fix line: a
// gateway is named with an option, and Graph's unavailable records are
// not the zone's to fix.
var noFixRules = []string{"m365.gateway", "m365.unavailable"}

// TestFixesVerified applies every fix the fixtures produce for a Microsoft
// 365 rule to a copy of the zone, checks again, and wants the finding gone
// and no new error; every m365 rule that offers fixes must be covered.
func TestFixesVerified(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range m365Cases {
		text := readZone(t, tc.file)
		before := checkText(t, tc.domain, text, tc.opts, tc.mx)
		errs := map[findingKey]bool{}
		for _, f := range before.Findings {
			if f.Severity == lint.Error {
				errs[keyOf(f)] = true
			}
		}
		for _, f := range before.Findings {
			if !strings.HasPrefix(f.Rule, "m365.") || f.FixText() == "" {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s/%s/%s", tc.domain, f.Rule, f.Name, f.Type), func(t *testing.T) {
				fixed, applied := applyFix(t, tc.domain, text, f.FixText())
				if !applied {
					t.Logf("advice only, nothing to apply: %s", f.FixText())
					return
				}
				covered[f.Rule] = true
				after := checkText(t, tc.domain, fixed, tc.opts, tc.mx)
				for _, g := range after.Findings {
					if keyOf(g) == keyOf(f) {
						t.Errorf("the finding is still there after its fix:\n  before: %s\n  fix:\n%s\n  after: %s", f, f.FixText(), g)
					}
					if g.Severity == lint.Error && !errs[keyOf(g)] {
						t.Errorf("the fix of %s brought a new error: %s\n  fix:\n%s", f, g, f.FixText())
					}
				}
				if len(after.Errors) > len(before.Errors) {
					t.Errorf("the fix brought errors: %v", after.Errors)
				}
			})
		}
	}
	for _, r := range check.Rules() {
		if strings.HasPrefix(r.ID, "m365.") && !slices.Contains(noFixRules, r.ID) && !covered[r.ID] {
			t.Errorf("no fixture produces a fix of %s to verify", r.ID)
		}
	}
}

// findings returns the findings of rule at name.
func findingsOf(rep *check.Report, rule, name string) []lint.Finding {
	var out []lint.Finding
	for _, f := range rep.Findings {
		if (f.Rule == rule || slices.Contains(f.Related, rule)) && (name == "" || f.Name == name) {
			out = append(out, f)
		}
	}
	return out
}

func caseNamed(t *testing.T, domain string) m365Case {
	t.Helper()
	for _, c := range m365Cases {
		if c.domain == domain {
			return c
		}
	}
	t.Fatalf("no case %s", domain)
	return m365Case{}
}

func checkCase(t *testing.T, domain string) *check.Report {
	t.Helper()
	c := caseNamed(t, domain)
	return checkText(t, c.domain, readZone(t, c.file), c.opts)
}

// TestMicrosoftsStepsAreNotErrors: a domain set up as Microsoft's pages
// say (DMARC at p=none with rua, no Intune CNAMEs) has no error finding,
// in the commercial cloud and in GCC High named by contoso.onmicrosoft.us.
func TestMicrosoftsStepsAreNotErrors(t *testing.T) {
	for _, d := range []string{"followed.example", "gcchigh.example"} {
		rep := checkCase(t, d)
		for _, f := range rep.Findings {
			if f.Severity == lint.Error {
				t.Errorf("%s: error finding for Microsoft's own steps: %s", d, f)
			}
		}
		for _, e := range rep.Diff {
			if e.Status != check.OK && !e.Optional {
				t.Errorf("%s: %s %s: %s", d, e.Purpose, e.Status, e.Why)
			}
		}
		if len(rep.Errors) > 0 {
			t.Errorf("%s: %v", d, rep.Errors)
		}
	}
	rep := checkCase(t, "gcchigh.example")
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Rule, "m365.") && !strings.Contains(f.Citation, "gcc-high") {
			t.Errorf("GCC High finding cites %q, not the GCC High page", f.Citation)
		}
	}
}

func TestSPFFixKeepsSenders(t *testing.T) {
	rep := checkCase(t, "broken.example")
	fs := findingsOf(rep, "m365.conflict", "broken.example")
	i := slices.IndexFunc(fs, func(f lint.Finding) bool { return f.Type == "TXT" })
	if i < 0 {
		t.Fatalf("no SPF conflict: %v", rep.Findings)
	}
	// The records end in ~all and -all: the merge is advice, never an
	// edit that picks one (it used to keep ~all and weaken the policy).
	want := "v=spf1 include:sendgrid.net include:spf.protection.outlook.com -all"
	if len(fs[i].Fixes) == 0 || len(fs[i].Fixes[0].Edits) > 0 || !strings.Contains(fs[i].FixText(), want) || !strings.Contains(fs[i].FixText(), "-all, ~all") {
		t.Errorf("SPF fix:\n%s\nwant advice naming both qualifiers and the terms %q", fs[i].FixText(), want)
	}
}

// TestSPFMergeNeverWeakens: two SPF records are merged keeping every
// mechanism; records that agree on all give an edit with that all, and
// records that disagree, or end in +all, give advice.
func TestSPFMergeNeverWeakens(t *testing.T) {
	const head = "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
	opts := records.Options{Tenant: "st", Workloads: []records.Workload{records.WorkloadExchange}}
	for _, tc := range []struct {
		name, a, b string
		edit       bool
		want       string
	}{
		{"agree", "v=spf1 include:sendgrid.net -all", "v=spf1 ip4:192.0.2.1 -all", true, "v=spf1 include:sendgrid.net ip4:192.0.2.1 include:spf.protection.outlook.com -all"},
		{"-all and ~all", "v=spf1 include:sendgrid.net -all", "v=spf1 ip4:192.0.2.1 ~all", false, "-all, ~all"},
		{"-all and +all", "v=spf1 include:sendgrid.net -all", "v=spf1 ip4:192.0.2.1 +all", false, "+all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := checkText(t, "st.example", head+"@ IN TXT \""+tc.a+"\"\n@ IN TXT \""+tc.b+"\"\n", opts)
			fs := findingsOf(rep, "m365.conflict", "st.example")
			if len(fs) != 1 {
				t.Fatalf("findings %v", rep.Findings)
			}
			x := fs[0].Fixes[0]
			if (len(x.Edits) > 0) != tc.edit || !strings.Contains(x.Text(), tc.want) {
				t.Errorf("fix %q (edits %v), want edit=%v holding %q", x.Text(), len(x.Edits) > 0, tc.edit, tc.want)
			}
		})
	}
}

func TestDMARCFixes(t *testing.T) {
	for _, tc := range []struct{ domain, want, sev string }{
		// p=none without rua: which mailbox reads the reports is not
		// guessed (advice, no edit).
		{"broken.example", "a mailbox of yours that reads the aggregate reports", "warning"},
		{"gw.example", `"v=DMARC1; p=none; rua=mailto:a@gw.example,mailto:b@gw.example; fo=1"`, "error"},
		{"letters.example", `"v=DMARC1; p=none; rua=mailto:dmarc@letters.example; ruf=mailto:f@letters.example"`, "error"},
	} {
		rep := checkCase(t, tc.domain)
		var got []lint.Finding
		for _, f := range rep.Findings {
			if (strings.HasPrefix(f.Rule, "m365.") || slices.ContainsFunc(f.Related, func(r string) bool { return strings.HasPrefix(r, "m365.") })) && f.Name == "_dmarc."+tc.domain {
				got = append(got, f)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0].FixText(), tc.want) || got[0].Severity.String() != tc.sev {
			t.Errorf("%s: %v\nwant one %s with a fix holding %s", tc.domain, got, tc.sev, tc.want)
		}
	}
	// p=none with rua: Microsoft's documented first step.
	rep := checkCase(t, "followed.example")
	for _, e := range rep.Diff {
		if e.Purpose == records.DMARC && e.Status != check.OK {
			t.Errorf("p=none with rua: %s %s", e.Status, e.Why)
		}
	}
}

func TestMissingDot(t *testing.T) {
	rep := checkCase(t, "broken.example")
	fs := findingsOf(rep, "m365.missing-dot", "selector2._domainkey.broken.example")
	want := "selector2._domainkey.broken.example.\t3600\tIN\tCNAME\tselector2-broken-example._domainkey.broken.onmicrosoft.com."
	if len(fs) != 1 || !strings.Contains(fs[0].FixText(), "\n"+want) || fs[0].Severity != lint.Error {
		t.Errorf("missing dot: %v\nwant the corrected line %s", fs, want)
	}
	// The m365 check words the cause from the selector's data, not by
	// cutting dkim's message.
	wantMsg := "selector selector2 is a CNAME to selector2-broken-example._domainkey.broken.onmicrosoft.com.broken.example, which does not exist: the CNAME's target lacks its trailing dot (see m365.missing-dot)"
	fs = findingsOf(rep, "dkim.dangling-cname", "selector2._domainkey.broken.example")
	if len(fs) != 1 || fs[0].Message != wantMsg {
		t.Errorf("dangling selector: %v\nwant one finding with the message %q", fs, wantMsg)
	}
}

func TestStageGrading(t *testing.T) {
	rep := checkCase(t, "oldmx.example")
	for _, name := range []string{"oldmx.example", "autodiscover.oldmx.example"} {
		fs := findingsOf(rep, "m365.not-cut-over", name)
		if len(fs) != 1 || fs[0].Severity != lint.Warning {
			t.Errorf("%s: %v, want one m365.not-cut-over warning", name, fs)
		}
	}
	if len(findingsOf(rep, "m365.wrong", "oldmx.example")) != 1 {
		t.Errorf("SPF without Microsoft's include is still wrong: %v", rep.Findings)
	}
	// Gateway: a warning naming it, or expected when named.
	rep = checkCase(t, "gw.example")
	fs := findingsOf(rep, "m365.gateway", "gw.example")
	if len(fs) != 1 || fs[0].Severity != lint.Warning || !strings.Contains(fs[0].Message, "mx1.gateway.example") || fs[0].FixText() != "" {
		t.Errorf("gateway: %v", fs)
	}
	c := caseNamed(t, "gw.example")
	c.opts.Gateways = []string{"gateway.example"}
	rep = checkText(t, c.domain, readZone(t, c.file), c.opts)
	for _, f := range rep.Findings {
		if f.Name == "gw.example" && strings.HasPrefix(f.Rule, "m365.") {
			t.Errorf("named gateway: %s", f)
		}
	}
	// The leftover verification MX is simply to delete.
	rep = checkCase(t, "broken.example")
	fs = findingsOf(rep, "m365.leftover", "broken.example")
	if len(fs) != 1 || fs[0].FixText() != "; delete: broken.example.\t3600\tIN\tMX\t0 ms33333333.msv1.invalid." {
		t.Errorf("leftover: %v", fs)
	}
}

func TestIntuneNotRequired(t *testing.T) {
	rep := checkCase(t, "followed.example")
	for _, e := range rep.Diff {
		if (e.Purpose == records.EnterpriseEnrollment || e.Purpose == records.EnterpriseRegistration) && !e.Optional {
			t.Errorf("%s required", e.Purpose)
		}
	}
	rep = checkCase(t, "broken.example")
	fs := findingsOf(rep, "m365.preferred", "enterpriseenrollment.broken.example")
	if len(fs) != 1 || fs[0].Severity != lint.Info || !strings.Contains(fs[0].FixText(), "enterpriseenrollment-s.manage.microsoft.com.") {
		t.Errorf("plain enrollment host: %v", fs)
	}
}

func TestDKIMPartitionLetters(t *testing.T) {
	rep := checkCase(t, "letters.example")
	for _, e := range rep.Diff {
		if (e.Purpose == records.DKIM1 || e.Purpose == records.DKIM2) && (e.Status != check.Conflict || !strings.Contains(e.Why, "partition letters")) {
			t.Errorf("%s: %s %s", e.Purpose, e.Status, e.Why)
		}
	}
}

// TestStageDoneOnlyWhenDone: at enforcement with every other record in
// place, the next step names the required record still missing (the
// Teams federation SRV), not "Done".
func TestStageDoneOnlyWhenDone(t *testing.T) {
	const head = "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
	text := head + "@ IN TXT \"MS=ms77777777\"\n@ IN MX 0 good-example.mail.protection.outlook.com.\nautodiscover IN CNAME autodiscover.outlook.com.\n" +
		"@ IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@good.example\"\n" +
		"selector1._domainkey IN CNAME selector1-good-example._domainkey.good.onmicrosoft.com.\nselector2._domainkey IN CNAME selector2-good-example._domainkey.good.onmicrosoft.com.\n"
	rep := checkText(t, "good.example", text, records.Options{Tenant: "good", VerifyCode: "MS=ms77777777"})
	if rep.Stage() != check.StageEnforcing || !strings.Contains(rep.NextStep(), "sip-federation") {
		t.Errorf("stage %s, next %q; want enforcing and the sip-federation SRV", rep.Stage(), rep.NextStep())
	}
	rep = checkText(t, "good.example", text+"_sipfederationtls._tcp IN SRV 100 1 5061 sipfed.online.lync.com.\n", records.Options{Tenant: "good", VerifyCode: "MS=ms77777777"})
	// Every record in place, but an error finding is left (the
	// fixture's MX host does not exist): not "Done" either.
	if rep.Stage() != check.StageEnforcing || !strings.Contains(rep.NextStep(), "mx.missing-target") {
		t.Errorf("an error left: stage %s, next %q", rep.Stage(), rep.NextStep())
	}
}

func TestStage(t *testing.T) {
	const head = "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
	opts := records.Options{Tenant: "st", VerifyCode: "MS=ms77777777"}
	for _, tc := range []struct {
		name, text string
		want       check.Stage
		next       string
	}{
		{"nothing", "", check.StageUnverified, "Verify the domain"},
		{"verification TXT only", `@ IN TXT "MS=ms77777777"`, check.StageVerified, "Create the mailboxes"},
		{"old provider", "@ IN TXT \"MS=ms77777777\"\n@ IN MX 10 mx.oldprovider.example.", check.StageOldProvider, "Mail still flows to 10 mx.oldprovider.example."},
		{"cut over", "@ IN TXT \"MS=ms77777777\"\n@ IN MX 0 st-example.mail.protection.outlook.com.\nautodiscover IN CNAME autodiscover.outlook.com.", check.StageCutOver, "SPF: no v=spf1 record"},
		// MX, SPF and autodiscover at Microsoft 365 are no evidence that
		// the domain is verified: anyone can publish them.
		{"no evidence of verification", "@ IN MX 0 st-example.mail.protection.outlook.com.\nautodiscover IN CNAME autodiscover.outlook.com.\n" +
			"@ IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"",
			check.StageUnverified, `publish the TXT record "MS=ms77777777" at st.example`},
		{"dkim pending", "@ IN TXT \"MS=ms77777777\"\n@ IN MX 0 st-example.mail.protection.outlook.com.\nautodiscover IN CNAME autodiscover.outlook.com.\n" +
			"@ IN TXT \"v=spf1 include:spf.protection.outlook.com -all\"\n" +
			"selector1._domainkey IN CNAME selector1-st-example._domainkey.st.onmicrosoft.com.\nselector2._domainkey IN CNAME selector2-st-example._domainkey.st.onmicrosoft.com.",
			check.StageDKIMPending, "Set-DkimSigningConfig -Identity st.example -Enabled $true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := checkText(t, "st.example", head+tc.text+"\n", opts)
			if got := rep.Stage(); got != tc.want || !strings.Contains(rep.NextStep(), tc.next) {
				t.Errorf("stage %s, next step %q; want %s and %q", got, rep.NextStep(), tc.want, tc.next)
			}
		})
	}
	// Microsoft 365's commercial MX checked against GCC High's set: the
	// cloud is the likelier mistake, and the next step says so (the
	// diff entry's otherCloud, not its text).
	gov := opts
	gov.Cloud = records.GCCHigh
	rep := checkText(t, "st.example", head+"@ IN TXT \"MS=ms77777777\"\n@ IN MX 0 st-example.mail.protection.outlook.com.\n", gov)
	if got, next := rep.Stage(), rep.NextStep(); got != check.StageOldProvider || !strings.HasPrefix(next, "MX points at the commercial cloud") || !strings.Contains(next, "check -cloud") {
		t.Errorf("commercial MX, GCC High set: stage %s, next step %q; want %s and the cloud to check", got, next, check.StageOldProvider)
	}
	for domain, want := range map[string]check.Stage{
		"followed.example": check.StageMonitoring,
		"gcchigh.example":  check.StageEnforcing,
		"oldmx.example":    check.StageOldProvider,
		"letters.example":  check.StageCutOver,
		"gw.example":       check.StageSigning,
		"broken.example":   check.StageCutOver,
	} {
		rep := checkCase(t, domain)
		if o := rep.Onboarding; o == nil || o.Stage != want || o.NextStep == "" {
			t.Errorf("%s: %+v, want stage %s and a next step", domain, o, want)
		}
	}
	if (&check.Report{}).Stage() != check.StageUnknown || check.StageUnknown.String() != "unknown" {
		t.Error("a report without a diff has a stage")
	}
}

// TestWorkingDKIMNotReplaced: DKIM CNAMEs whose keys resolve, in another
// tenant than the one named (a typo: -m365 fabrikamtoy for fabrikamtoys),
// are reported as such, a warning with no edit: rewriting them would make
// both selectors dangle.
func TestWorkingDKIMNotReplaced(t *testing.T) {
	rep := checkCase(t, "bad.example")
	fs := findingsOf(rep, "m365.wrong", "selector1._domainkey.bad.example")
	if len(fs) != 1 {
		t.Fatalf("findings %v", rep.Findings)
	}
	f := fs[0]
	if f.Severity != lint.Warning || len(f.Fixes) > 0 || !strings.Contains(f.Message, "points into tenant othertenant, whose key resolves") {
		t.Errorf("%s; fixes %v", f, f.Fixes)
	}
}

// TestNoPlaceholderWritten: without the code (-verify), the verification
// fix says where to find it; it never writes MS=ms00000000. Nor is a
// DKIM CNAME of a form that depends on the domain's age, or a report
// mailbox, written as data.
func TestNoPlaceholderWritten(t *testing.T) {
	const head = "@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
	rep := checkText(t, "st.example", head, records.Options{Tenant: "st", Workloads: []records.Workload{records.WorkloadVerify, records.WorkloadDKIM, records.WorkloadDMARC}})
	for _, f := range rep.Findings {
		for _, x := range f.Fixes {
			for _, e := range x.Edits {
				if strings.Contains(e.RR, "MS=ms00000000") || strings.Contains(e.RR, "dmarc-reports@") || strings.Contains(e.RR, "_domainkey") {
					t.Errorf("%s writes a guessed value: %s", f.Rule, e.RR)
				}
			}
		}
		if strings.Contains(f.FixText(), "admin center shows the admin center") {
			t.Errorf("garbled: %s", f.FixText())
		}
	}
	if next := rep.NextStep(); strings.Contains(next, "00000000") || !strings.Contains(next, "MS=ms… code the admin center shows") {
		t.Errorf("next step %q", next)
	}
}
