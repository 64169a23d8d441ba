package aggregate_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

func ExampleParse() {
	rep, err := aggregate.Parse(strings.NewReader(`<?xml version="1.0"?>
<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
  <report_metadata>
    <org_name>receiver.example</org_name>
    <report_id>42</report_id>
    <date_range><begin>1764547200</begin><end>1764633599</end></date_range>
  </report_metadata>
  <policy_published><domain>contoso.example</domain><p>none</p><np>reject</np></policy_published>
  <record>
    <row>
      <source_ip>2001:db8::25</source_ip><count>3</count>
      <policy_evaluated><disposition>none</disposition><dkim>Pass</dkim><spf>fail</spf></policy_evaluated>
    </row>
    <identifiers><header_from>contoso.example</header_from></identifiers>
    <auth_results>
      <dkim><domain>contoso.example</domain><selector>s1</selector><result>pass</result></dkim>
      <spf><domain>bounce.fabrikam.example</domain><result>softfail</result></spf>
    </auth_results>
  </record>
</feedback>`), aggregate.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.OrgName, rep.ReportID, rep.DateRange.End.Format("2006-01-02"), rep.Policy.P, rep.Policy.NP)
	for _, r := range rep.Records {
		fmt.Println(r.SourceIP, r.Count, r.Evaluated.DKIM, r.Evaluated.SPF, r.DKIM[0].Selector, r.SPF[0].Result)
	}
	// Output:
	// receiver.example 42 2025-12-01 none reject
	// 2001:db8::25 3 pass fail s1 softfail
}

// Reading a folder: one report at a time, a bad file an error of its own.
func ExampleReadDir() {
	for rep, err := range aggregate.ReadDir(context.Background(), "testdata/bad", aggregate.Options{}) {
		if err != nil {
			var e *aggregate.Error
			errors.As(err, &e)
			fmt.Println(e.Source.Path, errors.Is(err, aggregate.ErrInvalid), errors.Is(err, aggregate.ErrDoctype))
			continue
		}
		fmt.Println(rep.ReportID)
	}
	// Output:
	// testdata/bad/bad-ip.xml true false
	// testdata/bad/doctype.xml false true
	// testdata/bad/no-report-id.xml true false
	// testdata/bad/not-feedback.xml false false
	// testdata/bad/truncated.xml false false
}

// Open picks by what the location is: here a Maildir, whose second copy
// of Google's report is counted once.
func ExampleOpen() {
	var messages int64
	for rep, err := range aggregate.Open(context.Background(), "testdata/maildir", aggregate.Options{}) {
		if errors.Is(err, aggregate.ErrDuplicate) {
			fmt.Println("duplicate skipped")
			continue
		}
		if err != nil {
			fmt.Println(err)
			continue
		}
		messages += rep.Messages()
		fmt.Printf("%s: %d records\n", rep.OrgName, len(rep.Records))
	}
	fmt.Println(messages, "messages")
	// Output:
	// Yahoo: 2 records
	// google.com: 2 records
	// mx.wingtip.example: 1 records
	// duplicate skipped
	// 56 messages
}
