package zonesrc_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/zonesrc"
)

// An octoDNS zone becomes the master file the checks read; each record
// line maps back to the YAML line that wrote it, and what octoDNS would
// refuse is a problem at its place.
func ExampleReadOctoDNS() {
	z, err := zonesrc.ReadOctoDNS(strings.NewReader(`'':
  - type: TXT
    value: v=spf1 include:spf.protection.outlook.com -all
_dmarc:
  type: TXT
  value: v=DMARC1; p=reject
`), "contoso.example.yaml", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range z.Problems {
		fmt.Println(p.Pos, p.Rule)
	}
	text, lines := z.MasterFile()
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if pos, ok := lines[i+1]; ok {
			fmt.Printf("%s <- %s\n", line, pos)
		}
	}
	// Output:
	// contoso.example.yaml:6:10 zonesrc.octodns-unescaped-semicolon
	// contoso.example. 3600 IN TXT "v=spf1 include:spf.protection.outlook.com -all" <- contoso.example.yaml:3:12
	// _dmarc.contoso.example. 3600 IN TXT "v=DMARC1; p=reject" <- contoso.example.yaml:6:10
}

// Load a zone kept as octoDNS YAML, offline, and check it: each finding
// about a record is placed at the YAML line that wrote it, and the names
// outside the zone are listed as not verified. Config.Snapshot would
// answer them from a snapshot, and Config.Outside from live DNS.
func ExampleLoad() {
	set, err := zonesrc.Load([]string{"testdata/octodns/contoso.example.yaml"}, zonesrc.Config{Domain: "contoso.example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := check.Domain(context.Background(), set.Zones, "contoso.example", check.Options{})
	rep.Findings = append(rep.Findings, zonesrc.Findings(set.Loaded)[rep.Domain]...)
	for _, f := range rep.Findings {
		if file, line := zonesrc.Locate(set.Loaded, f); line > 0 {
			fmt.Printf("%s:%d: %s\n", file, line, f.Rule)
		}
	}
	fmt.Println("names not verified offline:", len(rep.Unverified) > 0)
	// Output:
	// testdata/octodns/contoso.example.yaml:12: dmarc.policy-none
	// testdata/octodns/contoso.example.yaml:9: spf.softfail-all
	// names not verified offline: true
}
