package check_test

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/check/checktest"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
)

// Check a zone file against the Microsoft 365 record set before deploying
// it.
func ExampleDomain() {
	zones, err := resolver.NewZones(
		resolver.ZoneSource{File: "testdata/bad.example.zone"},
		resolver.ZoneSource{File: "testdata/providers.zone"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := records.M365("bad.example", records.Options{Tenant: "bad", Workloads: []records.Workload{records.WorkloadExchange}})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := check.Domain(context.Background(), zones, "bad.example", check.Options{Set: &set})
	for _, e := range rep.Diff {
		fmt.Printf("%-8s %-12s %s\n", e.Status, e.Purpose, e.Name)
	}
	// Output:
	// conflict mx           bad.example
	// wrong    spf          bad.example
	// wrong    autodiscover autodiscover.bad.example
	// wrong    msoid        msoid.bad.example
}

// printer is a checktest.TB that prints, for the example.
type printer struct{}

func (printer) Helper()                           {}
func (printer) Logf(format string, args ...any)   {}
func (printer) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// In a repository's own tests, pass t. Here the zone's want comments
// match, so nothing is printed.
func ExampleDomain_checktest() {
	set, _ := records.M365("bad.example", records.Options{Tenant: "bad", VerifyCode: "MS=ms22222222"})
	checktest.Zone(printer{}, "testdata/bad.example.zone", "bad.example", check.Options{Set: &set}, "testdata/providers.zone")
	fmt.Println("done")
	// Output: done
}

// Sweep a list, stopping cleanly on Ctrl-C: the checks in flight finish
// (cancelled) and are reported, nothing more is read, and no report is
// made of a domain never started, so the reports written are exactly the
// domains checked and a later run can go on from them.
func ExampleScan() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	zones, err := resolver.NewZones(
		resolver.ZoneSource{File: "testdata/good.example.zone"},
		resolver.ZoneSource{File: "testdata/bad.example.zone"},
		resolver.ZoneSource{File: "testdata/providers.zone"},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	domains := slices.Values([]string{"good.example", "bad.example", "nx.good.example"})
	checked := 0
	for rep := range check.Scan(ctx, zones, domains, check.ScanOptions{Concurrency: 2}) {
		checked++
		fmt.Printf("%s: %d findings, nxdomain=%v\n", rep.Domain, len(rep.Findings), rep.NXDomain)
	}
	if ctx.Err() != nil {
		fmt.Printf("interrupted after %d domains\n", checked)
	}
	// Unordered output:
	// good.example: 0 findings, nxdomain=false
	// bad.example: 2 findings, nxdomain=false
	// nx.good.example: 0 findings, nxdomain=true
}
