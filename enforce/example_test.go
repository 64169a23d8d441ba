package enforce_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/domainlint/domainlint/dmarc/aggregate"
	"github.com/domainlint/domainlint/enforce"
	"github.com/domainlint/domainlint/resolver"
)

// The zone as it would be deployed: DMARC moves to p=reject, and the SPF
// record no longer lists 203.0.113.5, the newsletter service.
const proposedZone = `$ORIGIN contoso.test.
@        3600 IN SOA ns1 hostmaster 2026120501 7200 900 1209600 300
@        3600 IN NS  ns1
ns1      3600 IN A   192.0.2.53
@        3600 IN MX  10 mail
mail     3600 IN A   192.0.2.25
@        3600 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc   3600 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@contoso.test"
`

// One day's aggregate report from one receiver: the mail server and the
// newsletter service both passed SPF, aligned, under today's record.
const report = `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>receiver.example</org_name>
    <email>noreply-dmarc@receiver.example</email>
    <report_id>20261204.contoso.test</report_id>
    <date_range><begin>1796342400</begin><end>1796428799</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>contoso.test</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><pct>100</pct>
  </policy_published>
  <record>
    <row>
      <source_ip>192.0.2.25</source_ip><count>412</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>pass</spf></policy_evaluated>
    </row>
    <identifiers><header_from>contoso.test</header_from><envelope_from>contoso.test</envelope_from></identifiers>
    <auth_results><spf><domain>contoso.test</domain><scope>mfrom</scope><result>pass</result></spf></auth_results>
  </record>
  <record>
    <row>
      <source_ip>203.0.113.5</source_ip><count>1180</count>
      <policy_evaluated><disposition>none</disposition><dkim>fail</dkim><spf>pass</spf></policy_evaluated>
    </row>
    <identifiers><header_from>contoso.test</header_from><envelope_from>contoso.test</envelope_from></identifiers>
    <auth_results><spf><domain>contoso.test</domain><scope>mfrom</scope><result>pass</result></spf></auth_results>
  </record>
</feedback>`

// Evaluate answers "if I deploy this zone, which legitimate mail would
// enforcement reject?" from the domain's aggregate reports: here the
// newsletter's 1,180 messages, which pass today and would not.
func ExampleEvaluate() {
	ctx := context.Background()
	zone, err := resolver.NewZones(resolver.ZoneSource{Origin: "contoso.test", Text: proposedZone})
	if err != nil {
		log.Fatal(err)
	}
	reports := aggregate.Read(ctx, strings.NewReader(report), "report.xml", aggregate.Options{})
	rows := enforce.Rows(reports, func(err error) { log.Print(err) })

	res, err := enforce.Evaluate(ctx, zone, "contoso.test", rows, enforce.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("p=%s: %d messages, %d delivered, %d rejected, %d that pass today would break\n",
		res.Policy, res.Messages, res.Delivered, res.Rejected, res.Breaks)
	for _, s := range res.Sources {
		fmt.Println(s.Addr, s.Messages, "messages:", strings.Join(s.Why, "; "))
	}
	fmt.Println("safe to deploy:", res.Safe(1))
	// Output:
	// p=reject: 1592 messages, 412 delivered, 1180 rejected, 1180 that pass today would break
	// 203.0.113.5 1180 messages: SPF fail for contoso.test; no DKIM signature
	// safe to deploy: false
}
