package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/google/go-cmp/cmp"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

var zones = []resolver.ZoneSource{{File: "testdata/good.example.zone"}, {File: "testdata/bad.example.zone"}, {File: "testdata/providers.zone"}}

func server(t *testing.T) *dnstest.Server { return dnstest.New(t, zones...) }

func TestExampleDefault(t *testing.T) {
	code, out, errs := runCLI(t, "")
	if code != 1 {
		t.Errorf("exit %d, want 1 (the example has error findings); stderr %s", code, errs)
	}
	for _, want := range []string{"embedded example zone", "== contoso.com", "SPF", "Microsoft 365", "spf.lookup-limit", "m365.msoid", "dkim.dangling-cname", "fix:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "\033[") {
		t.Error("colour escapes written to a non-terminal")
	}
}

// decodeLines decodes one JSON object per line.
func decodeLines(t *testing.T, out string) []map[string]json.RawMessage {
	t.Helper()
	var objs []map[string]json.RawMessage
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line is not one JSON object: %v\n%s", err, sc.Text())
		}
		objs = append(objs, m)
	}
	return objs
}

func keys[M ~map[string]V, V any](m M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestJSONFormat(t *testing.T) {
	code, out, _ := runCLI(t, "", "-format", "json")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	objs := decodeLines(t, out)
	if len(objs) != 1 {
		t.Fatalf("%d objects, want 1", len(objs))
	}
	o := objs[0]
	// The JSON is the library's check.Report, declared once.
	for _, k := range []string{"dane", "diff", "dkim", "dmarc", "dnssec", "domain", "errors", "findings", "onboarding", "spf_tree", "stats"} {
		if _, ok := o[k]; !ok {
			t.Errorf("no %q field: %v", k, keys(o))
		}
	}
	var findings []map[string]json.RawMessage
	if err := json.Unmarshal(o["findings"], &findings); err != nil || len(findings) == 0 {
		t.Fatalf("findings: %v", err)
	}
	for _, f := range findings {
		want := []string{"citation", "message", "name", "record", "rule", "severity", "span", "type"}
		if _, ok := f["fixes"]; ok {
			want = []string{"citation", "fixes", "message", "name", "record", "rule", "severity", "span", "type"}
		}
		if _, ok := f["related"]; ok {
			want = append(want, "related")
			slices.Sort(want)
		}
		if got := keys(f); !slices.Equal(got, want) {
			t.Fatalf("finding fields %v", got)
		}
		var sev string
		json.Unmarshal(f["severity"], &sev)
		if sev != "error" && sev != "warning" && sev != "info" {
			t.Errorf("severity %q", sev)
		}
		var span map[string]int
		if err := json.Unmarshal(f["span"], &span); err != nil || len(span) != 2 {
			t.Errorf("span %s", f["span"])
		}
	}
	var diff []map[string]json.RawMessage
	if err := json.Unmarshal(o["diff"], &diff); err != nil || len(diff) == 0 {
		t.Fatalf("diff: %v", err)
	}
	for _, e := range diff {
		var st string
		json.Unmarshal(e["status"], &st)
		want := []string{"expected", "found", "name", "optional", "purpose", "status", "type", "workload"}
		if st != "ok" {
			want = []string{"expected", "found", "name", "optional", "purpose", "status", "type", "why", "workload"}
		}
		if got := keys(e); !slices.Equal(got, want) {
			t.Fatalf("diff entry fields %v (status %s)", got, st)
		}
		if !slices.Contains([]string{"ok", "missing", "wrong", "conflict", "error"}, st) {
			t.Errorf("status %q", st)
		}
	}
	var stats map[string]int
	if err := json.Unmarshal(o["stats"], &stats); err != nil {
		t.Errorf("stats: %v", err)
	}
}

func TestSARIFFormat(t *testing.T) {
	code, out, _ := runCLI(t, "", "-format", "sarif")
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string                `json:"id"`
						ShortDescription struct{ Text string } `json:"shortDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string                `json:"ruleId"`
				RuleIndex int                   `json:"ruleIndex"`
				Level     string                `json:"level"`
				Message   struct{ Text string } `json:"message"`
				Locations []struct {
					LogicalLocations []struct{ Name string } `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif") || len(log.Runs) != 1 {
		t.Fatalf("log header: %+v", log)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "domainlint" || len(run.Tool.Driver.Rules) < 40 {
		t.Errorf("driver: %s with %d rules", run.Tool.Driver.Name, len(run.Tool.Driver.Rules))
	}
	if len(run.Results) == 0 {
		t.Fatal("no results")
	}
	for _, r := range run.Results {
		if r.RuleIndex < 0 || r.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s: ruleIndex %d does not point at it", r.RuleID, r.RuleIndex)
		}
		if !slices.Contains([]string{"error", "warning", "note"}, r.Level) || r.Message.Text == "" || len(r.Locations) == 0 || r.Locations[0].LogicalLocations[0].Name == "" {
			t.Errorf("result %+v incomplete", r)
		}
	}
}

func TestZoneFiles(t *testing.T) {
	code, out, errs := runCLI(t, "", "-zone", "testdata/good.example.zone", "-zone", "testdata/providers.zone", "-m365", "good", "-verify", "MS=ms11111111")
	if code != 0 {
		t.Errorf("good zone: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, "== good.example") {
		t.Errorf("the first zone's origin is not the domain checked:\n%s", out)
	}
	code, out, _ = runCLI(t, "", "-zone", "testdata/bad.example.zone", "-zone", "testdata/providers.zone", "-m365", "bad", "bad.example")
	if code != 1 || !strings.Contains(out, "m365.conflict") {
		t.Errorf("bad zone: exit %d\n%s", code, out)
	}
}

func TestHybrid(t *testing.T) {
	args := []string{"-zone", "testdata/bad.example.zone", "-zone", "testdata/providers.zone", "-m365", "bad", "-workloads", "exchange", "-format", "json", "bad.example"}
	_, strict, _ := runCLI(t, "", args...)
	_, hybrid, _ := runCLI(t, "", append([]string{"-hybrid"}, args...)...)
	sev := func(out string) string {
		var fs []struct{ Rule, Name, Severity string }
		json.Unmarshal(decodeLines(t, out)[0]["findings"], &fs)
		for _, f := range fs {
			if f.Rule == "m365.wrong" && f.Name == "autodiscover.bad.example" {
				return f.Severity
			}
		}
		return ""
	}
	if sev(strict) != "error" || sev(hybrid) != "info" {
		t.Errorf("autodiscover on premises: %q without -hybrid, %q with it; want error, info", sev(strict), sev(hybrid))
	}
}

func diffStatus(t *testing.T, out, purpose string) string {
	t.Helper()
	var diff []struct{ Purpose, Status string }
	json.Unmarshal(decodeLines(t, out)[0]["diff"], &diff)
	for _, e := range diff {
		if e.Purpose == purpose {
			return e.Status
		}
	}
	return ""
}

func TestDKIMConfigAndLegacy(t *testing.T) {
	args := []string{"-zone", "testdata/bad.example.zone", "-zone", "testdata/providers.zone", "-m365", "bad", "-format", "json", "bad.example"}
	_, plain, _ := runCLI(t, "", args...)
	_, exact, errs := runCLI(t, "", append([]string{"-dkim-config", "testdata/dkimconfig.json"}, args...)...)
	if a, b := diffStatus(t, plain, "dkim1"), diffStatus(t, exact, "dkim1"); a != "wrong" || b != "ok" {
		t.Errorf("dkim1: %q from the template, %q from -dkim-config (want wrong, ok); %s", a, b, errs)
	}
	_, legacy, _ := runCLI(t, "", append([]string{"-legacy"}, args...)...)
	var diff []struct {
		Purpose  string
		Optional bool
	}
	json.Unmarshal(decodeLines(t, legacy)[0]["diff"], &diff)
	for _, e := range diff {
		if e.Purpose == "lyncdiscover" && e.Optional {
			t.Error("-legacy: lyncdiscover still optional")
		}
	}
}

func TestLiveServer(t *testing.T) {
	srv := server(t)
	code, out, errs := runCLI(t, "", "-server", srv.Addr, "-m365", "bad", "-cloud", "commercial", "-workloads", "exchange,dkim", "-selector", "s1,s2", "-format", "json", "bad.example")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	objs := decodeLines(t, out)
	var diff []struct{ Purpose, Workload string }
	json.Unmarshal(objs[0]["diff"], &diff)
	for _, e := range diff {
		if e.Workload != "exchange" && e.Workload != "dkim" {
			t.Errorf("-workloads exchange,dkim gave %+v", e)
		}
	}
	if !strings.Contains(out, "s2._domainkey.bad.example") {
		t.Error("-selector s2 not checked")
	}
	var stats struct{ Queries int }
	json.Unmarshal(objs[0]["stats"], &stats)
	if stats.Queries == 0 {
		t.Error("no queries counted")
	}
}

func TestDomainsFile(t *testing.T) {
	srv := server(t)
	for _, tc := range []struct{ file, stdin string }{{"testdata/domains.txt", ""}, {"-", "good.example\nbad.example\n"}} {
		code, out, errs := runCLI(t, tc.stdin, "-server", srv.Addr, "-domains", tc.file, "-format", "json", "-concurrency", "2", "-m365", "good")
		if code != 1 {
			t.Errorf("%s: exit %d: %s", tc.file, code, errs)
		}
		var got []string
		for _, o := range decodeLines(t, out) {
			var d string
			json.Unmarshal(o["domain"], &d)
			got = append(got, d)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"bad.example", "good.example"}) {
			t.Errorf("%s: domains %v", tc.file, got)
		}
	}
}

func TestCompare(t *testing.T) {
	public := server(t)
	internal := dnstest.New(t, resolver.ZoneSource{Origin: "good.example", Text: `
@            IN SOA ns1 hostmaster 2 3600 600 86400 300
autodiscover IN CNAME mail.internal.good.example.
`})
	code, out, errs := runCLI(t, "", "-server", public.Addr, "-compare", internal.Addr, "-m365", "good", "-workloads", "exchange", "-format", "json", "good.example")
	if code > 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var views []struct {
		Name    string
		Type    string
		Answers [2][]string
	}
	json.Unmarshal(decodeLines(t, out)[0]["views"], &views)
	found := false
	for _, v := range views {
		if v.Name == "autodiscover.good.example" && v.Type == "CNAME" {
			found = true
		}
	}
	if !found {
		t.Errorf("split-DNS autodiscover not reported: %+v", views)
	}
}

func TestGraphFile(t *testing.T) {
	srv := server(t)
	code, out, errs := runCLI(t, "", "-server", srv.Addr, "-graph", "testdata/graph.json", "-format", "json", "good.example")
	if code > 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"purpose":"sip-federation"`) {
		t.Errorf("graph expectations missing:\n%s", out)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-zone", "testdata/does-not-exist.zone"}, "no such file"},
		{[]string{"-zone", "testdata/broken.zone"}, "line"},
		{[]string{"-m365", "contoso", "-cloud", "mars", "contoso.com"}, "unknown cloud"},
		{[]string{"-m365", "contoso", "-verify", "ms123", "contoso.com"}, "verification code"},
		{[]string{"-graph", "testdata/broken.json", "contoso.com"}, "offset"},
		{[]string{"-format", "xml"}, "unknown -format"},
		{[]string{"-workloads", "fax", "-m365", "x", "contoso.com"}, "unknown workload"},
		{[]string{"-concurrency", "0", "contoso.com"}, "concurrency"},
		{[]string{"-verify", "MS=ms12345678", "contoso.com"}, "need -m365"},
		{[]string{"-zone", "testdata/good.example.zone", "-authoritative"}, "need live DNS"},
		{[]string{"-offline", "contoso.com"}, "go with -zone"},
		{[]string{"-zone", "testdata/fabrikam.com.zone", "-offline", "-snapshot", "x.snapshot"}, "cannot go with -offline"},
		{[]string{"-zone", "testdata/fabrikam.com.zone", "-replay", "testdata/fabrikam.com.zone"}, "not a domainlint snapshot"},
		{[]string{"-domains", "testdata/missing.txt", "-server", "127.0.0.1:9"}, "no such file"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
	} {
		code, _, errs := runCLI(t, "", tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

// TestReadmeCommands: the README's two set-up commands are what a newcomer
// runs; the first is run here for real.
func TestReadmeCommands(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)## Set up.*?```sh\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README has no Set up block")
	}
	var cmds []string
	for _, l := range strings.Split(strings.TrimSpace(string(block[1])), "\n") {
		cmd, _, _ := strings.Cut(l, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if !slices.Equal(cmds, []string{"go run ./examples/domainlint", "go test ./..."}) {
		t.Fatalf("README set-up commands = %q", cmds)
	}
	if testing.Short() {
		t.Skip("-short: not running go run")
	}
	cmd := exec.Command("go", "run", "./examples/domainlint")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "== contoso.com") {
		t.Errorf("go run ./examples/domainlint: %v\n%s", err, out)
	}
}

// TestLoneZoneOffline: the README's zone-file command on the one zone a
// repository holds, offline: exit 0, the DMARC record linted, the SPF count
// a lower bound with the unverified targets named, and a section of its own
// for what was not verified.
func TestLoneZoneOffline(t *testing.T) {
	code, out, errs := runCLI(t, "", "-offline", "-zone", "testdata/fabrikam.com.zone", "-m365", "fabrikam")
	if code != 0 {
		t.Errorf("exit %d, want 0\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{
		"== fabrikam.com",
		"at least 2 of 10 DNS lookups",
		"2 targets not verified offline: spf.protection.outlook.com, sendgrid.net",
		`_dmarc.fabrikam.com "v=DMARC1; p=quarantine; rua=mailto:dmarc@reports.example.net"`,
		"Not verified offline",
		"selector1-fabrikam-com._domainkey.fabrikam.onmicrosoft.com TXT (DKIM key of selector selector1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, never := range []string{"Could not check", "dkim.dangling-cname", "REFUSED"} {
		if strings.Contains(out, never) {
			t.Errorf("output has %q:\n%s", never, out)
		}
	}
	code, out, _ = runCLI(t, "", "-offline", "-zone", "testdata/fabrikam.com.zone", "-format", "json")
	if code != 0 {
		t.Errorf("json: exit %d", code)
	}
	var unverified []struct{ Name, Type, For string }
	if err := json.Unmarshal(decodeLines(t, out)[0]["unverified"], &unverified); err != nil || len(unverified) == 0 {
		t.Errorf("json: no unverified field: %v\n%s", err, out)
	}
}

// TestSnapshotCLI: a live run with -snapshot, then -replay offline, gives
// the same report but for its statistics.
func TestSnapshotCLI(t *testing.T) {
	world := dnstest.New(t, resolver.ZoneSource{File: "testdata/world.zone"})
	snap := t.TempDir() + "/fabrikam.snapshot"
	args := []string{"-zone", "testdata/fabrikam.com.zone", "-m365", "fabrikam", "-format", "json"}
	code, live, errs := runCLI(t, "", append([]string{"-server", world.Addr, "-snapshot", snap}, args...)...)
	if code != 0 || !strings.Contains(errs, "recorded") {
		t.Fatalf("live: exit %d\n%s\n%s", code, live, errs)
	}
	code, replay, errs := runCLI(t, "", append([]string{"-replay", snap}, args...)...)
	if code != 0 {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	a, b := decodeLines(t, live)[0], decodeLines(t, replay)[0]
	delete(a, "stats")
	delete(b, "stats")
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("live vs replay (-live +replay):\n%s", diff)
	}
	if _, ok := b["unverified"]; ok {
		t.Errorf("replay left names unverified: %s", b["unverified"])
	}
}

// TestDomainsLongLine: a line over 64 KiB on standard input is a bad
// domain, reported; the domains after it are still checked.
func TestDomainsLongLine(t *testing.T) {
	srv := server(t)
	stdin := "good.example\n" + strings.Repeat("x", 100<<10) + "\nbad.example\n"
	for _, tc := range []struct{ name, file, stdin string }{{"stdin", "-", stdin}, {"file", writeTemp(t, stdin), ""}} {
		code, out, errs := runCLI(t, tc.stdin, "-server", srv.Addr, "-domains", tc.file, "-format", "json", "-concurrency", "1")
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (a domain could not be checked): %s", tc.name, code, errs)
		}
		var got []string
		for _, o := range decodeLines(t, out) {
			var d string
			var e []struct{ Kind, Message string }
			json.Unmarshal(o["domain"], &d)
			json.Unmarshal(o["errors"], &e)
			if len(d) > 40 && len(e) == 1 {
				d = fmt.Sprintf("%d octets: %s: %s", len(d), e[0].Kind, e[0].Message[:min(60, len(e[0].Message))])
			}
			got = append(got, d)
		}
		if len(got) != 3 || got[0] != "good.example" || got[2] != "bad.example" || !strings.Contains(got[1], "invalid-name: line 2: longer than 1024 octets") {
			t.Errorf("%s: reports %q", tc.name, got)
		}
		if len(out) > 64<<10 {
			t.Errorf("%s: %d bytes of output for three domains", tc.name, len(out))
		}
	}
}

func writeTemp(t *testing.T, text string) string {
	t.Helper()
	p := t.TempDir() + "/domains.txt"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFix: -fix writes the zone with every fix that has edits applied;
// checking the fixed zone leaves no finding with an edit, and the lines
// no fix touched are as written.
func TestFix(t *testing.T) {
	fixed := t.TempDir() + "/fixed.zone"
	code, fixOut, errs := runCLI(t, "", "-offline", "-zone", "testdata/bad.example.zone", "-m365", "bad", "-fix", fixed, "bad.example")
	// Exit 1: error findings remain whose fixes are advice (a value to
	// look up), not edits.
	if code > 1 || !strings.Contains(errs, "fixes applied") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The second MX is a route mail may still take: its deletion stays
	// advice, with the reason.
	if !strings.Contains(fixOut, "not applied: m365.conflict bad.example: it removes the MX host mail.bad.example") {
		t.Errorf("the MX deletion is not refused with its reason:\n%s", fixOut)
	}
	code, out, _ := runCLI(t, "", "-offline", "-zone", fixed, "-m365", "bad", "-format", "json", "bad.example")
	var findings []struct {
		Rule, Name, Severity string
		Fixes                []struct{ Edits []any }
	}
	json.Unmarshal(decodeLines(t, out)[0]["findings"], &findings)
	for _, f := range findings {
		// Info findings' fixes are applied only with -fix-info.
		refused := strings.Contains(fixOut, "not applied: "+f.Rule+" "+f.Name+": ")
		if f.Severity != "info" && len(f.Fixes) > 0 && len(f.Fixes[0].Edits) > 0 && !refused {
			t.Errorf("after -fix, %s %s still has a fix with edits", f.Rule, f.Name)
		}
	}
	if code > 1 {
		t.Errorf("fixed zone: exit %d", code)
	}
	before, _ := os.ReadFile("testdata/bad.example.zone")
	after, _ := os.ReadFile(fixed)
	kept := 0
	for _, l := range strings.Split(string(before), "\n") {
		if strings.Contains(string(after), l) {
			kept++
		}
	}
	if total := len(strings.Split(string(before), "\n")); kept < total-8 {
		t.Errorf("only %d of %d lines kept as written:\n%s", kept, total, after)
	}
	if code, _, errs := runCLI(t, "", "-fix", fixed, "bad.example"); code != 2 || !strings.Contains(errs, "need -zone") {
		t.Errorf("-fix without -zone: exit %d %s", code, errs)
	}
	// "-fix -diff" took -diff as the file to write.
	if code, _, errs := runCLI(t, "", "-offline", "-zone", "testdata/bad.example.zone", "-fix", "-diff", "bad.example"); code != 2 || !strings.Contains(errs, "-fix takes the file to write") {
		t.Errorf("-fix -diff: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "-offline", "-zone", "testdata/bad.example.zone", "-fix", fixed, "-diff", "bad.example"); code != 2 || !strings.Contains(errs, "give one of them") {
		t.Errorf("-fix FILE -diff: exit %d %s", code, errs)
	}
}

// TestRulesAndSelection: the catalogue lists every rule; -disable drops a
// rule's findings; an unknown rule is a usage error.
func TestRulesAndSelection(t *testing.T) {
	for _, args := range [][]string{{"rules"}, {"-rules"}} {
		code, out, _ := runCLI(t, "", args...)
		if code != 0 || !strings.Contains(out, "spf.lookup-limit") || !strings.Contains(out, "RFC 7208 §4.6.4") || !strings.Contains(out, "m365.missing-dot") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	code, out, _ := runCLI(t, "", "-rules", "-format", "json")
	var rules []struct{ ID, Severity, Summary, Citation string }
	if err := json.Unmarshal([]byte(out), &rules); code != 0 || err != nil || len(rules) < 50 {
		t.Errorf("-rules -format json: %v, %d rules", err, len(rules))
	}
	_, with, _ := runCLI(t, "")
	_, without, _ := runCLI(t, "", "-disable", "spf.lookup-limit,m365.msoid")
	if !strings.Contains(with, "spf.lookup-limit") || strings.Contains(without, "spf.lookup-limit") || strings.Contains(without, "m365.msoid") {
		t.Error("-disable did not drop the rules")
	}
	if code, _, errs := runCLI(t, "", "-enable", "spf.nope"); code != 2 || !strings.Contains(errs, "spf.nope") {
		t.Errorf("unknown rule: exit %d %s", code, errs)
	}
}

// TestSARIFLines: over a zone file, results point at their record's line
// and fixes are replacements in that file.
func TestSARIFLines(t *testing.T) {
	_, out, _ := runCLI(t, "", "-offline", "-zone", "testdata/bad.example.zone", "-m365", "bad", "-format", "sarif", "bad.example")
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine int }
					}
					LogicalLocations []struct{ Name string }
				}
				Fixes []struct {
					ArtifactChanges []struct {
						Replacements []struct {
							DeletedRegion struct{ StartLine, EndLine int }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, r := range log.Runs[0].Results {
		loc := r.Locations[0]
		if pl := loc.PhysicalLocation; pl != nil && pl.Region != nil {
			lines[r.RuleID+" "+loc.LogicalLocations[0].Name] = pl.Region.StartLine
		}
		if r.RuleID == "m365.msoid" && (len(r.Fixes) != 1 || r.Fixes[0].ArtifactChanges[0].Replacements[0].DeletedRegion.StartLine != 15) {
			t.Errorf("msoid fix: %+v", r.Fixes)
		}
	}
	for k, want := range map[string]int{"m365.msoid msoid.bad.example": 15, "m365.wrong autodiscover.bad.example": 13, "dmarc.policy-none _dmarc.bad.example": 12, "spf.softfail-all bad.example": 11} {
		if lines[k] != want {
			t.Errorf("%s at line %d, want %d", k, lines[k], want)
		}
	}
	// Every result has a line — code-scanning tools show a result only at
	// one: a missing record's where its fix adds it (or the SOA's).
	for _, r := range log.Runs[0].Results {
		if pl := r.Locations[0].PhysicalLocation; pl == nil || pl.Region == nil || pl.Region.StartLine < 1 {
			t.Errorf("%s %s has no line", r.RuleID, r.Locations[0].LogicalLocations[0].Name)
		}
	}
	if k := "m365.missing _sipfederationtls._tcp.bad.example"; lines[k] < 1 {
		t.Errorf("%s has no line", k)
	}
}

// TestShards: the N shards' outputs together are exactly the unsharded
// output.
func TestShards(t *testing.T) {
	srv := server(t)
	list := writeTemp(t, "good.example\nbad.example\na.good.example\nb.good.example\nc.bad.example\nd.bad.example\ne.good.example\n")
	domainsOf := func(out string) []string {
		var got []string
		for _, o := range decodeLines(t, out) {
			var d string
			json.Unmarshal(o["domain"], &d)
			got = append(got, d)
		}
		slices.Sort(got)
		return got
	}
	_, all, _ := runCLI(t, "", "-server", srv.Addr, "-domains", list, "-format", "json")
	var union []string
	for k := range 3 {
		_, part, errs := runCLI(t, "", "-server", srv.Addr, "-domains", list, "-format", "json", "-shard", fmt.Sprintf("%d/3", k))
		if strings.Contains(errs, "shard") {
			t.Fatal(errs)
		}
		union = append(union, domainsOf(part)...)
	}
	slices.Sort(union)
	if !slices.Equal(union, domainsOf(all)) || len(union) != 7 {
		t.Errorf("shards give %q; unsharded %q", union, domainsOf(all))
	}
	if code, _, errs := runCLI(t, "", "-domains", list, "-shard", "3/3"); code != 2 || !strings.Contains(errs, "0 <= K < N") {
		t.Errorf("-shard 3/3: exit %d %s", code, errs)
	}
}

// TestResumeAfterKill: a sweep killed midway, resumed with the same
// -resume file, reports every domain exactly once.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command")
	}
	bin := t.TempDir() + "/domainlint"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := server(t)
	var list []string
	for i := range 60 {
		d := fmt.Sprintf("d%d.good.example", i)
		list = append(list, d)
		srv.SetFault(d, 0, dnstest.Fault{Delay: 30 * time.Millisecond}) // slow enough to be killed midway
	}
	file := writeTemp(t, strings.Join(list, "\n")+"\n")
	out := t.TempDir() + "/sweep.jsonl"
	args := []string{"-server", srv.Addr, "-domains", file, "-format", "json", "-concurrency", "2", "-resume", out}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(out); bytes.Count(b, []byte("\n")) >= 10 {
			break
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	before, _ := os.ReadFile(out)
	t.Logf("killed after %d reports", bytes.Count(before, []byte("\n")))
	if n := bytes.Count(before, []byte("\n")); n == 0 || n >= 60 {
		t.Fatalf("%d reports before the kill: not midway", n)
	}
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() > 1 {
			t.Fatalf("resume: %v\n%s", err, b)
		}
	}
	after, _ := os.ReadFile(out)
	seen := map[string]int{}
	for _, o := range decodeLines(t, string(after)) {
		var d string
		json.Unmarshal(o["domain"], &d)
		seen[d]++
	}
	for _, d := range list {
		if seen[d] != 1 {
			t.Errorf("%s reported %d times", d, seen[d])
		}
	}
}

// TestParked: a parked domain published correctly (null MX, -all,
// p=reject) has no warnings; with p=none it says exactly what to change.
func TestParked(t *testing.T) {
	code, out, _ := runCLI(t, "", "-offline", "-zone", "testdata/parked.example.zone")
	if code != 0 || strings.Contains(out, "  warning ") || strings.Contains(out, "  error ") {
		t.Errorf("a correct parked domain: exit %d\n%s", code, out)
	}
	text, _ := os.ReadFile("testdata/parked.example.zone")
	none := writeTemp(t, strings.Replace(string(text), "p=reject;", "p=none;", 1))
	_, out, _ = runCLI(t, "", "-offline", "-zone", none, "parked.example")
	for _, want := range []string{"parked.incomplete", "DMARC p=reject (_dmarc.parked.example has p=none)", `+ _dmarc.parked.example.	3600	IN	TXT	"v=DMARC1; p=reject"`} {
		if !strings.Contains(out, want) {
			t.Errorf("p=none: output lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "dmarc.no-rua") || strings.Contains(out, "dmarc.policy-none") {
		t.Errorf("a parked domain is flagged for lacking rua or for p=none besides parked.incomplete:\n%s", out)
	}
}

// TestDANE: -dane on the embedded example says what Microsoft 365's
// inbound DANE still needs.
func TestDANE(t *testing.T) {
	_, out, _ := runCLI(t, "", "-dane")
	for _, want := range []string{"Microsoft 365 inbound DANE still needs: mx, single-mx, dnssec", "dane.m365-mx"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestFlagsAfterDomains: flags after the domain are flags (no domain
// starts with "-"): the run is the one asked for, never a live check of
// the domain and of a domain named "-offline".
func TestFlagsAfterDomains(t *testing.T) {
	want, wantOut, _ := runCLI(t, "", "-zone", "testdata/fabrikam.com.zone", "-offline", "-m365", "fabrikam", "fabrikam.com")
	for _, args := range [][]string{
		{"-zone", "testdata/fabrikam.com.zone", "fabrikam.com", "-offline", "-m365", "fabrikam"},
		{"fabrikam.com", "-zone", "testdata/fabrikam.com.zone", "-offline", "-m365", "fabrikam"},
	} {
		code, out, errs := runCLI(t, "", args...)
		ms := regexp.MustCompile(`\d+ ms\)`) // the time taken differs
		if code != want || ms.ReplaceAllString(out, "") != ms.ReplaceAllString(wantOut, "") {
			t.Errorf("%q: exit %d (want %d), output differs:\n%s\n%s", args, code, want, out, errs)
		}
	}
	if code, _, errs := runCLI(t, "", "-zone", "testdata/fabrikam.com.zone", "fabrikam.com", "-nosuchflag"); code != 2 || !strings.Contains(errs, "nosuchflag") {
		t.Errorf("an unknown flag after the domain: exit %d, %s", code, errs)
	}
}
