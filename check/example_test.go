package check_test

import (
	"context"
	"fmt"

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
