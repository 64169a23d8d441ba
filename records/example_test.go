package records_test

import (
	"fmt"

	"github.com/domainlint/domainlint/records"
)

func ExampleM365() {
	set, err := records.M365("contoso.com", records.Options{
		Tenant:    "contoso",
		Workloads: []records.Workload{records.WorkloadTeams},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range set.Items {
		fmt.Printf("%-15s %-5s %-35s optional=%v\n", e.Purpose, e.TypeString(), e.Name, e.Optional)
	}
	// Output:
	// sip-federation  SRV   _sipfederationtls._tcp.contoso.com  optional=false
	// sip             CNAME sip.contoso.com                     optional=true
	// lyncdiscover    CNAME lyncdiscover.contoso.com            optional=true
	// sip-tls         SRV   _sip._tls.contoso.com               optional=true
}
