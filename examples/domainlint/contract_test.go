package main

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// reportSchema compiles check/report.schema.json (draft 2020-12, which the
// validator checks the schema itself against).
func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(check.ReportSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://github.com/domainlint/domainlint/check/report.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestReportSchema: every JSON line the command writes — the example, a
// sweep with findings, NXDOMAIN, temporary failures and lines that are
// not domain names, zone files with waivers and unverified names, split
// DNS — is valid by check/report.schema.json, and carries the tool's and
// the schema's versions right after the domain.
func TestReportSchema(t *testing.T) {
	sch := reportSchema(t)
	srv := server(t)
	srv.SetFault("flaky.good.example", 0, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	internal := dnstest.New(t, resolver.ZoneSource{Origin: "good.example", Text: "@ IN SOA ns1 hostmaster 2 3600 600 86400 300\nautodiscover IN CNAME mail.internal.good.example.\n"})
	runs := [][]string{
		{"-format", "json"},
		{"-format", "json", "-server", srv.Addr, "-m365", "good", "-domains", "-"},
		{"-format", "json", "-offline", "-zone", "testdata/fabrikam.com.zone", "-m365", "fabrikam"},
		{"-format", "json", "-offline", "-zone", "testdata/bad.example.zone", "-m365", "bad", "bad.example"},
		{"-format", "json", "-server", srv.Addr, "-compare", internal.Addr, "-m365", "good", "good.example"},
		{"-format", "json", "-offline", "-zone", writeZone(t, "waived.example.zone", soaNS+"@ IN MX 10 mail.example.org.\nmail IN A 192.0.2.25\n@ IN TXT \"v=spf1 mx -all\"\n_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@example.org\" ; ignore \"dmarc.policy-none\"\n"), "example.org"},
	}
	stdin := "good.example\nbad.example\nnx.good.example\nflaky.good.example\nhttps://good.example/\nbücher.good.example\n"
	seen := map[string]bool{}
	for _, args := range runs {
		code, out, errs := runCLI(t, stdin, args...)
		if code > 2 || out == "" {
			t.Fatalf("%v: exit %d\n%s", args, code, errs)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("%v: a line is not valid by the schema: %v\n%.300s", args, err, line)
			}
			if want := `{"domain":`; !strings.HasPrefix(line, want) || !strings.Contains(line, `,"schema_version":"`+check.SchemaVersion+`","tool_version":"(devel)","findings":`) {
				t.Errorf("%v: the versions are not after the domain: %.200s", args, line)
			}
			for k := range inst.(map[string]any) {
				seen[k] = true
			}
		}
	}
	// The schema refuses what breaks the contract.
	for _, bad := range []string{
		`{"domain":"a.test","schema_version":"1.0","tool_version":"x","findings":[],"diff":[],"spf_tree":null,"stats":{"queries":0,"questions":0,"elapsed_ms":0},"errors":[],"extra":1}`,
		`{"domain":"a.test","schema_version":"2.0","tool_version":"x","findings":[],"diff":[],"spf_tree":null,"stats":{"queries":0,"questions":0,"elapsed_ms":0},"errors":[]}`,
		`{"domain":"a.test","schema_version":"1.0","tool_version":"x","findings":[],"diff":[],"spf_tree":null,"stats":{"queries":0,"questions":0,"elapsed_ms":0},"errors":[{"kind":"mystery","message":"m"}]}`,
		`{"domain":"a.test","schema_version":"1.0","tool_version":"x","findings":[{"rule":"spf.x","severity":"fatal","name":"a.test","type":"TXT","record":"","span":{"start":0,"end":0},"message":"m","citation":"c"}],"diff":[],"spf_tree":null,"stats":{"queries":0,"questions":0,"elapsed_ms":0},"errors":[]}`,
		`{"domain":"a.test","findings":[],"diff":[],"spf_tree":null,"stats":{"queries":0,"questions":0,"elapsed_ms":0},"errors":[]}`,
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if sch.Validate(inst) == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
	// The runs exercise most of the schema's fields.
	for _, k := range []string{"errors", "unverified", "waived", "views", "nxdomain", "onboarding", "dkim", "dmarc", "mx"} {
		if !seen[k] {
			t.Errorf("no run wrote %q: the schema's test does not cover it", k)
		}
	}
}

// TestReportSchemaFields: the schema's top-level properties are exactly
// check.Report's JSON fields and the two versions: a field added to the
// report must be added to the contract.
func TestReportSchemaFields(t *testing.T) {
	var schema struct {
		Properties map[string]json.RawMessage
		Required   []string
	}
	if err := json.Unmarshal(check.ReportSchema(), &schema); err != nil {
		t.Fatal(err)
	}
	var fields []string
	rt := reflect.TypeFor[jsonReport]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		if f.Anonymous {
			for j := range f.Type.Elem().NumField() {
				if tag := f.Type.Elem().Field(j).Tag.Get("json"); tag != "" && tag != "-" {
					fields = append(fields, strings.Split(tag, ",")[0])
				}
			}
			continue
		}
		fields = append(fields, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	slices.Sort(fields)
	fields = slices.Compact(fields)
	var props []string
	for k := range schema.Properties {
		props = append(props, k)
	}
	slices.Sort(props)
	if !slices.Equal(fields, props) {
		t.Errorf("check.Report's JSON fields (and the versions) %q\nthe schema's properties %q", fields, props)
	}
	b, _ := os.ReadFile("../../check/report.schema.json")
	if !bytes.Equal(b, check.ReportSchema()) {
		t.Error("check.ReportSchema is not check/report.schema.json")
	}
}

// TestVersion: `domainlint version` and -version print the tool's version
// and the schema's, as text or JSON; never lint a domain named version.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}, {"-server", "127.0.0.1:9", "version"}} {
		code, out, errs := runCLI(t, "", args...)
		if code != 0 || out != "domainlint (devel)\nreport schema "+check.SchemaVersion+" (check/report.schema.json)\n" || errs != "" {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
	for _, args := range [][]string{{"version", "-format", "json"}, {"-format", "json", "version"}} {
		code, out, _ := runCLI(t, "", args...)
		var v map[string]string
		if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v["tool_version"] != "(devel)" || v["schema_version"] != check.SchemaVersion {
			t.Errorf("%v: exit %d: %s", args, code, out)
		}
	}
	if code, _, errs := runCLI(t, "", "version", "example.com"); code != 2 || !strings.Contains(errs, "version takes no domain") {
		t.Errorf("version example.com: exit %d %s", code, errs)
	}
}

// TestVersionOf: the version from the build information: a release, a
// pseudo-version, or (devel) with the revision.
func TestVersionOf(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	for _, tc := range []struct {
		bi        *debug.BuildInfo
		ok        bool
		version   string
		revision  string
		semantic  string
		textStart string
	}{
		{nil, false, "(devel)", "", "0.0.0-devel", ""},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, true, "(devel)", "0123456789abcdef0123+modified", "0.0.0-devel+0123456789ab", ""},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.4.2"}}, true, "v1.4.2", "", "1.4.2", ""},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201120000-0123456789ab+dirty"}}, true, "v0.0.0-20261201120000-0123456789ab+dirty", "", "0.0.0-20261201120000-0123456789ab+dirty", ""},
	} {
		v := versionOf(tc.bi, tc.ok)
		if v.Version != tc.version || v.Revision != tc.revision || v.SemanticVersion() != tc.semantic || v.SchemaVersion != check.SchemaVersion {
			t.Errorf("%+v: %+v, semantic %q", tc.bi, v, v.SemanticVersion())
		}
	}
}

// TestHelpAndCommands: -h is help on stdout with exit 0; "rules" before
// or after the flags lists the rules and never lints a domain named
// rules; a usage error goes to stderr.
func TestHelpAndCommands(t *testing.T) {
	for _, h := range []string{"-h", "-help", "--help"} {
		code, out, errs := runCLI(t, "", h)
		if code != 0 || !strings.HasPrefix(out, "usage: domainlint") || !strings.Contains(out, "-rate") || errs != "" {
			t.Errorf("%s: exit %d, stdout %.80q, stderr %q", h, code, out, errs)
		}
	}
	code, out, errs := runCLI(t, "", "-nosuchflag")
	if code != 2 || out != "" || !strings.Contains(errs, "usage: domainlint") {
		t.Errorf("-nosuchflag: exit %d, stdout %q", code, out)
	}
	for _, args := range [][]string{{"-format", "json", "rules"}, {"rules", "-format", "json"}, {"-format", "json", "-rules"}} {
		code, out, errs := runCLI(t, "", args...)
		var rules []struct{ ID string }
		if err := json.Unmarshal([]byte(out), &rules); code != 0 || err != nil || len(rules) < 40 {
			t.Errorf("%v: exit %d, %v\n%.200s%s", args, code, err, out, errs)
		}
	}
	if code, out, _ := runCLI(t, "", "rules"); code != 0 || !strings.Contains(out, "spf.lookup-limit") {
		t.Errorf("rules: exit %d", code)
	}
	if code, _, errs := runCLI(t, "", "-format", "json", "rules", "example.com"); code != 2 || !strings.Contains(errs, "rules takes no domain") {
		t.Errorf("rules example.com: exit %d %s", code, errs)
	}
}

// TestSARIFContract: the driver carries the tool's version, its semantic
// version and the schema's; artifacts are relative to the repository's
// root under SRCROOT, which originalUriBaseIds locates; a finding whose
// record stands on its line has the columns of its span.
func TestSARIFContract(t *testing.T) {
	_, out, _ := runCLI(t, "", "-offline", "-zone", "testdata/bad.example.zone", "-m365", "bad", "-format", "sarif", "bad.example")
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Version, SemanticVersion string
					Properties               map[string]string
				}
			}
			OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
			ColumnKind         string
			Results            []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI, URIBaseID string } `json:"artifactLocation"`
						Region           *struct{ StartLine, StartColumn, EndColumn int }
					}
				}
				Fixes []struct {
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI, URIBaseID string } `json:"artifactLocation"`
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Version != "(devel)" || d.SemanticVersion != "0.0.0-devel" || d.Properties["reportSchemaVersion"] != check.SchemaVersion {
		t.Errorf("driver %+v", d)
	}
	wd, _ := os.Getwd()
	root := strings.TrimSuffix(wd, "/examples/domainlint")
	if base := run.OriginalURIBaseIDs["SRCROOT"].URI; base != "file://"+root+"/" || run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("originalUriBaseIds %v, columnKind %q", run.OriginalURIBaseIDs, run.ColumnKind)
	}
	columns := 0
	for _, r := range run.Results {
		for _, l := range r.Locations {
			if pl := l.PhysicalLocation; pl != nil {
				if pl.ArtifactLocation.URI != "examples/domainlint/testdata/bad.example.zone" || pl.ArtifactLocation.URIBaseID != "SRCROOT" {
					t.Errorf("%s: artifact %+v", r.RuleID, pl.ArtifactLocation)
				}
				if r.RuleID == "dmarc.policy-none" {
					// _dmarc IN TXT "v=DMARC1; p=none; …": p=none.
					if reg := pl.Region; reg == nil || *reg != (struct{ StartLine, StartColumn, EndColumn int }{12, 44, 50}) {
						t.Errorf("dmarc.policy-none at %+v, want line 12, columns 44 to 50", reg)
					}
				}
				if pl.Region != nil && pl.Region.StartColumn > 0 {
					columns++
				}
			}
		}
		for _, f := range r.Fixes {
			for _, c := range f.ArtifactChanges {
				if c.ArtifactLocation.URIBaseID != "SRCROOT" {
					t.Errorf("%s: fix artifact %+v", r.RuleID, c.ArtifactLocation)
				}
			}
		}
	}
	if columns < 3 {
		t.Errorf("%d results with columns", columns)
	}
	lines, _ := os.ReadFile("testdata/bad.example.zone")
	if l := strings.Split(string(lines), "\n")[11]; l[43:49] != "p=none" {
		t.Errorf("line 12 columns 44 to 50 are %q", l[43:49])
	}
}
