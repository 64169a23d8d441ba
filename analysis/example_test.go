package analysis_test

import (
	"context"
	"fmt"

	"github.com/domainlint/domainlint/analysis"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/mx"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// A check of one's own, written outside the module: every MX host must
// have an IPv6 address. It requires the MX check and reads its result;
// check.Domain runs it (and the MX check) over a zone file.
func Example() {
	rule := lint.Rule{ID: "house.mx-ipv6", Severity: lint.Warning,
		Summary: "An MX host without an AAAA record cannot receive mail over IPv6.", Citation: "house rule"}
	mxCheck := mx.NewCheck()
	ipv6 := &analysis.Check{Name: "house", Doc: "our own mail rules", Rules: []lint.Rule{rule},
		Requires: []*analysis.Check{mxCheck},
		Run: func(ctx context.Context, p *analysis.Pass) (any, error) {
			m, _ := p.ResultOf[mxCheck].(*mx.Report)
			if m == nil {
				return nil, nil
			}
			for _, h := range m.Hosts {
				a, err := p.Resolver.Lookup(ctx, h.Target, dns.TypeAAAA)
				if err != nil {
					p.Fail(h.Target, err)
					continue
				}
				if len(a.Records) == 0 {
					p.Report(rule.New(p.Domain, "MX host "+h.Target+" has no IPv6 address"))
				}
			}
			return nil, nil
		}}
	zones, err := resolver.NewZones(resolver.ZoneSource{Domain: "example.org", Text: `
@    3600 IN SOA  ns1 hostmaster 1 3600 600 86400 300
@    3600 IN NS   ns1
ns1  3600 IN A    192.0.2.53
@    3600 IN MX   10 mail
mail 3600 IN A    192.0.2.25
`})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := check.Domain(context.Background(), zones, "example.org", check.Options{Checks: []*analysis.Check{ipv6}})
	for _, f := range rep.Findings {
		fmt.Println(f.Rule, f.Message)
	}
	// Output:
	// house.mx-ipv6 MX host mail.example.org has no IPv6 address
}

// Validate a slice of checks before running it: a check that requires
// itself cannot run.
func ExampleValidate() {
	a := &analysis.Check{Name: "a", Run: func(context.Context, *analysis.Pass) (any, error) { return nil, nil }}
	b := &analysis.Check{Name: "b", Run: a.Run, Requires: []*analysis.Check{a}}
	a.Requires = []*analysis.Check{b}
	fmt.Println(analysis.Validate([]*analysis.Check{a, b}))
	fmt.Println(analysis.Validate(check.Checks()))
	// Output:
	// invalid checks: a requires itself through Requires
	// <nil>
}
