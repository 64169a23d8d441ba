package lint_test

import (
	"fmt"

	"github.com/domainlint/domainlint/lint"
)

// A package of checks declares its rules as values, validates the
// catalogue in its tests, and makes findings from them.
func ExampleRule_New() {
	rules := []lint.Rule{{
		ID:       "mail.no-mx",
		Severity: lint.Warning,
		Summary:  "The domain publishes no MX record.",
		Citation: "RFC 5321 §5.1",
	}}
	if err := lint.Validate(rules); err != nil {
		fmt.Println(err)
	}
	r, _ := lint.Find(rules, "mail.no-mx")
	f := r.New("contoso.test", "contoso.test has no MX record: mail is delivered to its A record")
	fmt.Println(f.Rule, f.Severity, f.Citation)
	fmt.Println(f.Message)
	// Output:
	// mail.no-mx warning RFC 5321 §5.1
	// contoso.test has no MX record: mail is delivered to its A record
}

// A Collector keeps what Bound would keep: a hostile record that makes
// thousands of findings of one rule yields MaxPerRule of them and one that
// counts the rest.
func ExampleCollector() {
	r := lint.Rule{ID: "txt.empty-string", Severity: lint.Info, Summary: "An empty character-string.", Citation: "RFC 1035 §3.3.14"}
	var c lint.Collector
	for i := range 5000 {
		c.Add(r.New("contoso.test", fmt.Sprintf("string %d is empty", i+1)))
	}
	fs := c.Findings()
	fmt.Println(len(fs), "findings")
	fmt.Println(fs[0].Message) // in Sort's order: by span, then message
	// Output:
	// 21 findings
	// and 4980 more txt.empty-string findings at contoso.test, not listed
}
