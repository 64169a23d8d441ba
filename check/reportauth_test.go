package check_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// TestReportAuthFailureIsAnError: a SERVFAIL while authorizing a DMARC
// report destination reaches Report.Errors, typed (it sat in a string
// field, and the CLI exited 0).
func TestReportAuthFailureIsAnError(t *testing.T) {
	srv := dnstest.New(t, resolver.ZoneSource{Origin: "ra.example", Text: "@ IN SOA ns h 1 3600 600 86400 300\n@ IN NS ns\n@ IN TXT \"v=spf1 -all\"\n@ IN MX 0 .\n_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@reports.test\"\n"},
		resolver.ZoneSource{Origin: "reports.test", Text: "@ IN SOA ns h 1 3600 600 86400 300\n@ IN NS ns\n@ IN MX 10 mx.reports.test.\nmx IN A 192.0.2.1\n"})
	srv.SetFault("ra.example._report._dmarc.reports.test", dns.TypeTXT, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	c, err := resolver.New(resolver.Config{Servers: []string{srv.Addr}, Tries: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rep := check.Domain(context.Background(), c, "ra.example", check.Options{})
	if !slices.ContainsFunc(rep.Errors, func(e *check.CheckError) bool {
		return e.Name == "ra.example._report._dmarc.reports.test" && errors.Is(e, resolver.ErrTemporary)
	}) {
		t.Errorf("errors %v", rep.Errors)
	}
}
