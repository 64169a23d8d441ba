package sarif_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/sarif"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/miekg/dns"
)

// Check a zone file and write its findings for code scanning, each at
// its record's line in the file: zoneedit places them.
func Example() {
	const file = "testdata/bad.example.zone"
	text, err := os.ReadFile(file)
	if err != nil {
		fmt.Println(err)
		return
	}
	zones, err := resolver.NewZones(resolver.ZoneSource{File: file}, resolver.ZoneSource{File: "testdata/providers.zone"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := check.Domain(context.Background(), zones, "bad.example", check.Options{})
	zf, err := zoneedit.Parse(string(text), "bad.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	var out bytes.Buffer
	err = sarif.Write(&out, []*check.Report{rep}, sarif.Options{
		Artifact: "dns/bad.example.zone",
		Line: func(f lint.Finding) int {
			return zf.LineOf(f.Name, dns.StringToType[f.Type], f.Record)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// What a code-scanning tool reads: the rule, the file and the line.
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &log); err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range log.Runs[0].Results {
		if p := r.Locations[0].PhysicalLocation; p != nil {
			fmt.Printf("%s:%d: %s\n", p.ArtifactLocation.URI, p.Region.StartLine, r.RuleID)
		}
	}
	// Output:
	// dns/bad.example.zone:12: dmarc.policy-none
	// dns/bad.example.zone:11: spf.softfail-all
}
