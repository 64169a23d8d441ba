package main

import (
	"strings"
	"testing"
)

// TestCloudflareExport: Cloudflare's "Export" BIND file (its ;; header,
// cf_tags comments, TTL 1 for "automatic", no $ORIGIN, and an SOA whose
// owner is written without its trailing dot) loads with -zone, named by
// the domain, by the file's name or not at all: its records are linted,
// and zone.missing-soa says why a server would refuse the file as it is.
func TestCloudflareExport(t *testing.T) {
	for _, args := range [][]string{
		{"-offline", "-zone", "testdata/contoso.com.txt", "contoso.com"},
		{"-offline", "-zone", "testdata/contoso.com.txt"},
	} {
		code, rep, errs := lintJSON(t, args...)
		if code != 1 || rep.Domain != "contoso.com" {
			t.Errorf("%v: exit %d, domain %q, want 1 and contoso.com\n%s", args, code, rep.Domain, errs)
			continue
		}
		rules := rep.rules()
		if msg := rules["zone.missing-soa"]; !strings.Contains(msg, "written contoso.com, without its trailing dot") {
			t.Errorf("%v: zone.missing-soa %q (%v)", args, msg, rules)
		}
		for _, never := range []string{"spf.missing", "dmarc.missing", "mx.missing", "zone.out-of-zone"} {
			if m, ok := rules[never]; ok {
				t.Errorf("%v: %s: %s", args, never, m)
			}
		}
	}
}
