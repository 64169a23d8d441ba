package zonesrc_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/zonesrc"
	"github.com/google/go-cmp/cmp"
)

const domain = "contoso.example"

// lintZone checks domain answering from text, offline, against the
// Microsoft 365 set of tenant "contoso" with selector s1, and returns its
// findings as "rule name" lines, sorted.
func lintZone(t *testing.T, text, origin string) []string {
	t.Helper()
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: origin, Text: text, File: origin})
	if err != nil {
		t.Fatalf("the master file does not load: %v\n%s", err, text)
	}
	set, err := records.M365(domain, records.Options{Tenant: "contoso", Workloads: []records.Workload{records.WorkloadExchange, records.WorkloadDKIM, records.WorkloadDMARC}})
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Domain(context.Background(), zones, domain, check.Options{Set: &set, Selectors: []string{"s1"}})
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %v", rep.Errors)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, fmt.Sprintf("%s %s", f.Rule, f.Name))
	}
	for _, s := range rep.DKIM {
		out = append(out, fmt.Sprintf("dkim %s %s", s.Selector, s.Status))
	}
	slices.Sort(out)
	return out
}

// reader reads one fixture of the zone.
type reader struct {
	name string
	read func() ([]*zonesrc.Zone, error)
	// window is how many lines from a record's position its text may
	// take (a JSON object's opening brace, then its fields).
	window int
}

func open(t *testing.T, file string) *os.File {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readers(t *testing.T) []reader {
	one := func(z *zonesrc.Zone, err error) ([]*zonesrc.Zone, error) {
		if err != nil {
			return nil, err
		}
		return []*zonesrc.Zone{z}, nil
	}
	tf := func(dir string) func() ([]*zonesrc.Zone, error) {
		return func() ([]*zonesrc.Zone, error) { return zonesrc.ReadTerraformFS(os.DirFS("testdata"), dir) }
	}
	return []reader{
		{name: "octodns", window: 4, read: func() ([]*zonesrc.Zone, error) {
			return one(zonesrc.ReadOctoDNS(open(t, "testdata/octodns/contoso.example.yaml"), "testdata/octodns/contoso.example.yaml", ""))
		}},
		{name: "dnscontrol-v3", window: 12, read: func() ([]*zonesrc.Zone, error) {
			return zonesrc.ReadDNSControlIR(open(t, "testdata/dnscontrol/ir-v3.json"), "testdata/dnscontrol/ir-v3.json", "")
		}},
		// ir-v4.json is ir-v3.json as DNSControl 4 writes it: each record's
		// position in dnsconfig.js, TXT strings joined.
		{name: "dnscontrol-v4", read: func() ([]*zonesrc.Zone, error) {
			return zonesrc.ReadDNSControlIR(open(t, "testdata/dnscontrol/ir-v4.json"), "testdata/dnscontrol/ir-v4.json", "testdata/dnscontrol/dnsconfig.js")
		}},
		{name: "route53", read: func() ([]*zonesrc.Zone, error) {
			return one(zonesrc.ReadRoute53(open(t, "testdata/route53/contoso.example.json"), "testdata/route53/contoso.example.json", ""))
		}},
		{name: "terraform-cloudflare", read: tf("terraform/cloudflare")},
		{name: "terraform-aws", read: tf("terraform/aws")},
		{name: "terraform-azure", read: tf("terraform/azure")},
		{name: "terraform-google", read: tf("terraform/google")},
		{name: "terraform-plan", window: 1, read: func() ([]*zonesrc.Zone, error) {
			return zonesrc.ReadTerraformPlan(open(t, "testdata/terraform/plan/cloudflare-v5.json"), "testdata/terraform/plan/cloudflare-v5.json")
		}},
	}
}

// TestSameFindings: every source form of the zone gives the findings the
// BIND master file gives, with no problems and nothing not evaluated, and
// each record of the master file maps to the source line that writes it.
func TestSameFindings(t *testing.T) {
	bind, err := os.ReadFile("testdata/contoso.example.zone")
	if err != nil {
		t.Fatal(err)
	}
	want := lintZone(t, string(bind), "")
	if !slices.Contains(want, "spf.softfail-all contoso.example") || !slices.Contains(want, "dkim s1 ok") {
		t.Fatalf("the BIND fixture's findings are not the ones it was written for: %q", want)
	}
	for _, rd := range readers(t) {
		t.Run(rd.name, func(t *testing.T) {
			zones, err := rd.read()
			if err != nil {
				t.Fatal(err)
			}
			if len(zones) != 1 || zones[0].Origin != domain {
				t.Fatalf("zones: %+v", zones)
			}
			z := zones[0]
			for _, p := range z.Problems {
				t.Errorf("problem: %s", p)
			}
			for _, n := range z.NotEvaluated {
				t.Errorf("note: %s", n)
			}
			text, lines := z.MasterFile()
			got := lintZone(t, text, z.Origin)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings differ from the BIND file's (-bind +%s):\n%s\n%s", rd.name, diff, text)
			}
			if len(lines) != len(z.Records) || len(z.Records) < 10 {
				t.Errorf("%d records, %d lines mapped; want the 10 of the BIND file (and the SOA and NS Route 53 lists), each mapped", len(z.Records), len(lines))
			}
			checkPositions(t, z, text, lines, rd.window)
		})
	}
}

// checkPositions: the source line of each record (or the window of lines
// from it) holds the record's distinctive text.
func checkPositions(t *testing.T, z *zonesrc.Zone, text string, lines map[int]zonesrc.Position, window int) {
	t.Helper()
	mf := strings.Split(text, "\n")
	files := map[string][]string{}
	for l, pos := range lines {
		if pos.Line == 0 || pos.File == "" {
			t.Errorf("master file line %d (%s) maps to no place: %+v", l, mf[l-1], pos)
			continue
		}
		src, ok := files[pos.File]
		if !ok {
			b, err := os.ReadFile(filepath.FromSlash(pos.File))
			if err != nil && !strings.HasPrefix(pos.File, "testdata/") {
				b, err = os.ReadFile(filepath.Join("testdata", filepath.FromSlash(pos.File)))
			}
			if err != nil {
				t.Fatalf("line %d maps to %s: %v", l, pos, err)
			}
			src = strings.Split(string(b), "\n")
			files[pos.File] = src
		}
		key := distinctive(mf[l-1])
		end := min(len(src), pos.Line+window)
		if pos.Line > len(src) || !strings.Contains(strings.Join(src[pos.Line-1:end], "\n"), key) {
			t.Errorf("master file line %d %q maps to %s, which does not say %q", l, clip(mf[l-1]), pos, key)
		}
	}
}

// distinctive returns a piece of a master-file record line that its
// source writes too: a TXT's first word, a target's first label, an
// address.
func distinctive(line string) string {
	f := strings.Fields(line)
	if len(f) < 5 {
		return line
	}
	data := f[4:]
	switch f[3] {
	case "TXT":
		return strings.TrimPrefix(strings.SplitN(data[0], ";", 2)[0], `"`)
	case "MX", "SRV", "CNAME":
		return strings.SplitN(data[len(data)-1], ".", 2)[0]
	}
	return data[0]
}

func clip(s string) string {
	if len(s) > 70 {
		return s[:67] + "..."
	}
	return s
}
